import { once } from 'node:events';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema/index';

/** The drizzle database type every query function takes as its first argument. */
export type Db = NodePgDatabase<typeof schema>;

/** A database handle plus the pool behind it; call `close()` once to end every connection. */
export interface DbHandle {
  db: Db;
  pool: pg.Pool;
  /** Resolves once every connection of the pool has ended, not merely once the pool stops handing them out. */
  close(): Promise<void>;
}

/** Options for the connection pool; defaults suit one worker process. */
export interface CreateDbOptions {
  maxConnections?: number;
}

/**
 * Ends the pool and waits until each of its connections has closed. `pool.end()` alone resolves as soon as the
 * clients are told to end: a backend terminated right after (a `drop database ... with (force)`) then reaches a
 * client still closing, whose leftover idle listener re-emits it as an unhandled pool 'error'.
 */
async function endPool(pool: pg.Pool, live: () => number): Promise<void> {
  await pool.end();
  while (live() > 0) await once(pool, 'remove');
}

/** Opens a pool on `connectionString` (reads no env) and wraps it in drizzle with the full schema. */
export function createDb(connectionString: string, options: CreateDbOptions = {}): DbHandle {
  if (!connectionString) throw new Error('createDb: connectionString is empty');
  const pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 10 });
  let connected = 0;
  let removed = 0;
  pool.on('connect', () => void connected++);
  pool.on('remove', () => void removed++);
  const db = drizzle(pool, { schema });
  let closing: Promise<void> | undefined;
  return {
    db,
    pool,
    close: () => (closing ??= endPool(pool, () => connected - removed)),
  };
}
