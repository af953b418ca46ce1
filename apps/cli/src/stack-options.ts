import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { portsFromBase, REPO_ROOT, type StackOptions, type StackPorts } from '@mirage/local-stack';
import type { CliEnv } from './env';
import { UserError } from './errors';
import { workerServices } from './workers';

const PORT_HINTS: Record<string, string> = {
  temporal: 'set MIRAGE_TEMPORAL_PORT to change it',
  temporalUi: 'set MIRAGE_TEMPORAL_UI_PORT to change it',
  postgres: 'set MIRAGE_PG_PORT to change it',
  s3: 'set MIRAGE_S3_PORT to change it',
  dashboard: 'set MIRAGE_DASHBOARD_PORT to change it',
};
const INTERNAL_PORT_HINT = 'set MIRAGE_PORT_BASE to move the internal ports';

function stackPorts(env: CliEnv): StackPorts {
  try {
    return portsFromBase(
      {
        temporal: env.MIRAGE_TEMPORAL_PORT,
        temporalUi: env.MIRAGE_TEMPORAL_UI_PORT,
        postgres: env.MIRAGE_PG_PORT,
        s3: env.MIRAGE_S3_PORT,
      },
      env.MIRAGE_PORT_BASE,
    );
  } catch (error) {
    throw new UserError(`MIRAGE_PORT_BASE=${env.MIRAGE_PORT_BASE}: ${(error as Error).message}`);
  }
}

/**
 * The stack the environment describes. DATABASE_URL / S3_ENDPOINT / TEMPORAL_ADDRESS name servers the user
 * runs, except when they equal this stack's own addresses (a shell that sourced stack.env).
 */
export function stackOptionsFromEnv(env: CliEnv): StackOptions {
  const ports = stackPorts(env);
  const external = (value: string | undefined, own: string): string | undefined =>
    value === undefined || value === own ? undefined : value;
  const externalS3Endpoint = external(env.S3_ENDPOINT?.replace(/\/+$/, ''), `http://127.0.0.1:${ports.s3}`);
  const s3 = externalS3Endpoint
    ? {
        accessKeyId: env.S3_ACCESS_KEY_ID ?? env.MIRAGE_S3_ACCESS_KEY,
        secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? env.MIRAGE_S3_SECRET_KEY,
        bucket: env.S3_BUCKET ?? env.MIRAGE_S3_BUCKET,
        region: env.S3_REGION ?? 'us-east-1',
      }
    : {
        accessKeyId: env.MIRAGE_S3_ACCESS_KEY,
        secretAccessKey: env.MIRAGE_S3_SECRET_KEY,
        bucket: env.MIRAGE_S3_BUCKET,
        region: 'us-east-1',
      };
  return {
    stateDir: env.MIRAGE_HOME ?? join(REPO_ROOT, '.mirage'),
    ports,
    s3,
    externalDatabaseUrl: external(env.DATABASE_URL, `postgres://mirage@127.0.0.1:${ports.postgres}/mirage`),
    externalS3Endpoint,
    externalTemporalAddress: external(env.TEMPORAL_ADDRESS, `127.0.0.1:${ports.temporal}`),
    portHints: new Proxy(PORT_HINTS, { get: (hints, key: string) => hints[key] ?? INTERNAL_PORT_HINT }),
  };
}

/**
 * The stack plus its worker processes (orchestrator, GPU worker, dashboard), which need the addresses the core
 * services published: from `coreEnv` when given (right after `up`), else from stack.json.
 */
export function fullStackOptions(env: CliEnv, coreEnv?: Record<string, string>): StackOptions {
  const options = stackOptionsFromEnv(env);
  const stackJson = join(options.stateDir, 'stack.json');
  const published =
    coreEnv ??
    (existsSync(stackJson)
      ? (JSON.parse(readFileSync(stackJson, 'utf8')) as { env: Record<string, string> }).env
      : undefined);
  if (!published) return options;
  return {
    ...options,
    extraServices: workerServices(published, { dashboardPort: env.MIRAGE_DASHBOARD_PORT }),
  };
}
