// Clients of the stack a CLI test runs against (npm test's private stack, or a sourced stack.env).
import { createArtifactStore, type ArtifactStore } from '@mirage/storage';
import pg from 'pg';

/** The stack's S3 store on `bucket` (default the stack's own); close() it when done. */
export function stackStore(bucket = process.env['S3_BUCKET'] as string): ArtifactStore {
  return createArtifactStore({
    endpoint: process.env['S3_ENDPOINT'] as string,
    region: process.env['S3_REGION'] || 'us-east-1',
    accessKeyId: process.env['S3_ACCESS_KEY_ID'] ?? '',
    secretAccessKey: process.env['S3_SECRET_ACCESS_KEY'] ?? '',
    bucket,
  });
}

/** Rows of one query on the stack's Postgres, over a connection of its own. */
export async function queryRows<T>(sql: string, params: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: process.env['DATABASE_URL'] });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
