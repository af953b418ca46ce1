import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema/index';

/** The drizzle database type every query function takes as its first argument. */
export type Db = NodePgDatabase<typeof schema>;

/** A database handle plus the pool behind it; call `close()` once to end every connection. */
export interface DbHandle {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** Options for the connection pool; defaults suit one worker process. */
export interface CreateDbOptions {
  maxConnections?: number;
}

/** Opens a pool on `connectionString` (reads no env) and wraps it in drizzle with the full schema. */
export function createDb(connectionString: string, options: CreateDbOptions = {}): DbHandle {
  if (!connectionString) throw new Error('createDb: connectionString is empty');
  const pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 10 });
  const db = drizzle(pool, { schema });
  let closing: Promise<void> | undefined;
  return {
    db,
    pool,
    close: () => (closing ??= pool.end()),
  };
}
