import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A throwaway database on the server named by DATABASE_URL. */
export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** The server address for tests; a missing DATABASE_URL is a failure, never a skip. */
export function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new Error('DATABASE_URL is not set: tests need a real PostgreSQL server (e.g. source /tmp/dev/env.sh)');
  return url;
}

/** Creates `mirage_test_<random>` so parallel test files never share tables. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = serverUrl();
  const name = `mirage_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(admin, (client) => client.query(`create database "${name}"`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withAdmin(admin, (client) => client.query(`drop database if exists "${name}" with (force)`)).then(() => {}),
  };
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
