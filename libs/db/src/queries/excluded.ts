import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/** `excluded."<column>"`: the value the conflicting INSERT proposed, for ON CONFLICT DO UPDATE SET lists. */
export function excluded(column: PgColumn): SQL {
  return sql.raw(`excluded."${column.name}"`);
}

/** Builds a SET list that takes every named column from the proposed row and stamps `updated_at` when present. */
export function takeExcluded<T extends Record<string, PgColumn>>(columns: T): { [K in keyof T]: SQL } {
  const set = {} as { [K in keyof T]: SQL };
  for (const key of Object.keys(columns) as (keyof T)[]) set[key] = excluded(columns[key] as PgColumn);
  return set;
}
