import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, runMigrations, type DbHandle } from '@mirage/db';

/** Reads a service address from env, failing (never skipping) with the variable's name when it is unset. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: dashboard tests need the real service (source /tmp/dev/env.sh or start the stack)`,
    );
  return value;
}

/** The S3 settings of the test stack, with a bucket of the caller's own. */
export function s3Options(bucket: string) {
  return {
    endpoint: requireEnv('S3_ENDPOINT'),
    region: process.env['S3_REGION'] || 'us-east-1',
    accessKeyId: requireEnv('S3_ACCESS_KEY_ID'),
    secretAccessKey: requireEnv('S3_SECRET_ACCESS_KEY'),
    bucket,
  };
}

/** The dashboard's read-only S3 identity on the test stack (`mirage up` writes its keys to stack.env). */
export function dashboardS3Options(bucket: string) {
  return {
    ...s3Options(bucket),
    accessKeyId: requireEnv('DASHBOARD_S3_ACCESS_KEY_ID'),
    secretAccessKey: requireEnv('DASHBOARD_S3_SECRET_ACCESS_KEY'),
  };
}

/** A fresh, migrated database that only this test file uses. */
export interface ScratchDatabase {
  url: string;
  handle: DbHandle;
  drop(): Promise<void>;
}

/** A unique lowercase name for databases and buckets of one test file. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Creates a uniquely named database on the DATABASE_URL server and applies every migration (unless migrate: false). */
export async function createScratchDatabase(
  prefix: string,
  options: { migrate?: boolean } = {},
): Promise<ScratchDatabase> {
  const adminUrl = requireEnv('DATABASE_URL');
  const name = uniqueName(prefix).replace(/-/g, '_');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  if (options.migrate !== false) await runMigrations(url.toString());
  const handle = createDb(url.toString(), { maxConnections: 4 });
  return {
    url: url.toString(),
    handle,
    drop: async () => {
      await handle.close();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
