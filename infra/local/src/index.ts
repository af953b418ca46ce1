export { PortInUseError, StackError } from './errors';
export { stackLayout, type StackLayout } from './layout';
export { DEFAULT_BIN_DIR, DEFAULT_S3_CREDENTIALS, REPO_ROOT, type StackOptions } from './options';
export {
  DEFAULT_INTERNAL_PORT_BASE,
  DEFAULT_PUBLIC_PORTS,
  findFreeStackPorts,
  isPortFree,
  portsFromBase,
  seaweedAdminGrpcPort,
  type PortName,
  type PublicPorts,
  type StackPorts,
} from './ports';
export {
  isRecordedProcessAlive,
  readPidFile,
  type LaunchCommand,
  type ProcessRecord,
  type StopOutcome,
} from './process';
export { embeddedPostgresBinDir, redactUrl } from './postgres';
export type { S3Credentials } from './s3';
export type { PortClaim, ServiceSpec } from './service';
export { createServices } from './services';
export { renderStackEnv } from './stack-files';
export {
  downStack,
  stackStatus,
  upStack,
  type DownResult,
  type ServiceState,
  type ServiceStatus,
  type UpResult,
} from './stack';
export {
  TEMPORAL_SECURITY_ENV,
  temporalConnectionSecurity,
  TemporalSecurityError,
  type TemporalConnectionSecurity,
  type TemporalSecurityEnv,
} from './temporal-connection';
