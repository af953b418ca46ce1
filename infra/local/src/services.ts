import { DEFAULT_BIN_DIR, DEFAULT_S3_CREDENTIALS, type StackOptions } from './options';
import { createPostgresService } from './postgres';
import { createS3Service } from './s3';
import type { ServiceSpec } from './service';
import { createTemporalService } from './temporal';

/** The stack's services in start order; status and stack.env follow this order too. */
export function createServices(options: StackOptions): ServiceSpec[] {
  const binDir = options.binDir ?? DEFAULT_BIN_DIR;
  const { stateDir, ports } = options;
  return [
    createPostgresService({
      stateDir,
      ports,
      externalUrl: options.externalDatabaseUrl,
      user: 'mirage',
      database: 'mirage',
      runAsCandidates: ['postgres', 'mirage-pg'],
    }),
    createS3Service({
      stateDir,
      binDir,
      ports,
      credentials: { ...DEFAULT_S3_CREDENTIALS, ...options.s3 },
      externalEndpoint: options.externalS3Endpoint,
    }),
    createTemporalService({
      stateDir,
      binDir,
      ports,
      externalAddress: options.externalTemporalAddress,
      namespace: options.temporalNamespace ?? 'default',
    }),
    ...(options.extraServices ?? []),
  ];
}
