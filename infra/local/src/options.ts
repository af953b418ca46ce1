import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackPorts } from './ports';
import type { S3Credentials } from './s3';
import type { ServiceSpec } from './service';

/** Everything a stack needs; the CLI fills it from env, tests from their own temp dirs and free ports. */
export interface StackOptions {
  /** Logs, pids, data and stack.json/stack.env live here. */
  stateDir: string;
  ports: StackPorts;
  /** Holds the `temporal` and `weed` binaries; defaults to <repo>/.venv/bin. */
  binDir?: string;
  /** Defaults to DEFAULT_S3_CREDENTIALS. */
  s3?: Partial<S3Credentials>;
  /** Defaults to 'default'. */
  temporalNamespace?: string;
  /** Use this database as is (no local postgres is started). */
  externalDatabaseUrl?: string;
  /** Use this S3 endpoint as is (no local SeaweedFS is started). */
  externalS3Endpoint?: string;
  /** Use this Temporal server as is (no dev server is started). */
  externalTemporalAddress?: string;
  /** Advice appended to a busy-port error, by port key (StackPorts key), e.g. "set MIRAGE_PG_PORT to change it". */
  portHints?: Partial<Record<string, string>>;
  /** How long a service may take to become healthy (default 90 s: a first Temporal start creates its SQLite schema). */
  startTimeoutMs?: number;
  /** How long a service may take to exit after its stop signal before SIGKILL (default 15 s). */
  stopTimeoutMs?: number;
  /** More managed processes (e.g. the dashboard), started after the built-in ones. */
  extraServices?: ServiceSpec[];
}

/** The keys and bucket of a default local stack. */
export const DEFAULT_S3_CREDENTIALS: S3Credentials = {
  accessKeyId: 'mirage',
  secretAccessKey: 'mirage-secret-key',
  bucket: 'mirage',
  region: 'us-east-1',
  readOnlyAccessKeyId: 'mirage-dashboard',
  readOnlySecretAccessKey: 'mirage-dashboard-secret-key',
};

/** The repository this library is part of (infra/local/src -> repo root). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const DEFAULT_BIN_DIR = join(REPO_ROOT, '.venv', 'bin');
