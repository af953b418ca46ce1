import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDb, type DbHandle } from '@mirage/db';
import { REPO_ROOT } from '@mirage/local-stack';
import { createArtifactStore, type ArtifactStore } from '@mirage/storage';
import { Client, Connection } from '@temporalio/client';
import { cliEnv } from './env';
import { UserError } from './errors';
import { cliTemporalSecurity } from './temporal-security';

/** Addresses of the running stack: the user's env where set, else what `mirage up` wrote to stack.json. */
export function stackEnv(): Record<string, string> {
  const env = cliEnv();
  const stateDir = env.MIRAGE_HOME ?? join(REPO_ROOT, '.mirage');
  const file = join(stateDir, 'stack.json');
  const written = existsSync(file)
    ? ((JSON.parse(readFileSync(file, 'utf8')) as { env: Record<string, string> }).env ?? {})
    : {};
  const merged: Record<string, string> = { ...written };
  for (const name of [
    'DATABASE_URL',
    'S3_ENDPOINT',
    'S3_REGION',
    'S3_ACCESS_KEY_ID',
    'S3_SECRET_ACCESS_KEY',
    'S3_BUCKET',
    'TEMPORAL_ADDRESS',
    'TEMPORAL_NAMESPACE',
  ] as const) {
    const value = env[name];
    if (value) merged[name] = value;
  }
  for (const name of ['DATABASE_URL', 'S3_ENDPOINT', 'TEMPORAL_ADDRESS']) {
    if (!merged[name])
      throw new UserError(`no ${name}: the local stack is not running (run \`mirage up\`) and ${name} is not set`);
  }
  return merged;
}

/** Clients of the running stack; close() releases them all. */
export interface StackClients {
  env: Record<string, string>;
  db: DbHandle;
  store: ArtifactStore;
  temporal: Client;
  close(): Promise<void>;
}

/** Connects to Postgres, S3 and Temporal of the running stack. */
export async function connectStack(): Promise<StackClients> {
  const env = stackEnv();
  // A bad TLS setting is the user's to fix before anything is opened.
  const security = cliTemporalSecurity(cliEnv());
  const db = createDb(env['DATABASE_URL'] as string, { maxConnections: 4 });
  const store = createArtifactStore({
    endpoint: env['S3_ENDPOINT'] as string,
    region: env['S3_REGION'] ?? 'us-east-1',
    accessKeyId: env['S3_ACCESS_KEY_ID'] ?? '',
    secretAccessKey: env['S3_SECRET_ACCESS_KEY'] ?? '',
    bucket: env['S3_BUCKET'] ?? 'mirage',
  });
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address: env['TEMPORAL_ADDRESS'] as string,
      ...security,
      connectTimeout: 5000,
    });
  } catch (error) {
    await db.close();
    throw new UserError(
      `cannot reach Temporal at ${env['TEMPORAL_ADDRESS']} (is the stack up? run \`mirage up\`): ${(error as Error).message}`,
    );
  }
  const temporal = new Client({ connection, namespace: env['TEMPORAL_NAMESPACE'] ?? 'default' });
  return {
    env,
    db,
    store,
    temporal,
    close: async () => {
      await connection.close();
      store.close();
      await db.close();
    },
  };
}
