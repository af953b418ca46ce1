import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, runMigrations } from '../src/index';
import { createTestDatabase, type TestDatabase } from './test-database';

const TABLES = [
  'checkpoints',
  'dataset_selections',
  'datasets',
  'eval_results',
  'experiments',
  'leaderboard_cells',
  'reported_results',
  'runs',
  'sweep_rungs',
  'sweeps',
  'train_metrics',
];

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const journalEntries = (): number =>
  (JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }).entries
    .length;

describe('runMigrations', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('creates every table on an empty database, whatever the cwd', async () => {
    const before = await query<{ table_name: string }>(
      database.url,
      `select table_name from information_schema.tables where table_schema = 'public'`,
    );
    expect(before).toEqual([]);

    const cwd = process.cwd();
    process.chdir('/');
    try {
      await runMigrations(database.url);
    } finally {
      process.chdir(cwd);
    }

    const after = await query<{ table_name: string }>(
      database.url,
      `select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(after.map((r) => r.table_name)).toEqual(TABLES);
    const applied = await query<{ n: string }>(database.url, 'select count(*) as n from drizzle.__drizzle_migrations');
    expect(Number(applied[0]!.n)).toBe(journalEntries());
  });

  it('is a no-op the second time and keeps existing rows', async () => {
    await query(database.url, `insert into experiments (name, spec, spec_hash) values ('kept', '{}', 'h')`);
    await runMigrations(database.url);
    const applied = await query<{ n: string }>(database.url, 'select count(*) as n from drizzle.__drizzle_migrations');
    expect(Number(applied[0]!.n)).toBe(journalEntries());
    const kept = await query<{ name: string }>(database.url, 'select name from experiments');
    expect(kept).toEqual([{ name: 'kept' }]);
  });

  it('lets concurrent callers migrate a fresh database once', async () => {
    const fresh = await createTestDatabase();
    try {
      await Promise.all([runMigrations(fresh.url), runMigrations(fresh.url), runMigrations(fresh.url)]);
      const applied = await query<{ n: string }>(fresh.url, 'select count(*) as n from drizzle.__drizzle_migrations');
      expect(Number(applied[0]!.n)).toBe(journalEntries());
    } finally {
      await fresh.drop();
    }
  });

  it('names the problem when the server is unreachable', async () => {
    await expect(runMigrations('postgres://nobody@127.0.0.1:1/none')).rejects.toThrow(/ECONNREFUSED|connect/);
  });
});
