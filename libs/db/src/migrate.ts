import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

/** Folder of the committed SQL migrations, found beside this module so the caller's cwd does not matter. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../drizzle', import.meta.url));

// Arbitrary but fixed: every process migrating this database takes the same advisory lock.
const MIGRATION_LOCK_KEY = 0x6d697261; // "mira"

/**
 * Applies every pending migration from libs/db/drizzle; already applied ones are skipped, so a second call is a no-op.
 * Concurrent callers (CLI and orchestrator starting together) are serialised by a Postgres advisory lock.
 */
export async function runMigrations(connectionString: string): Promise<void> {
  if (!connectionString) throw new Error('runMigrations: connectionString is empty');
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}
