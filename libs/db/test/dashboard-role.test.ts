import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DASHBOARD_ROLE,
  createDb,
  dashboardDatabaseUrl,
  runMigrations,
  upsertExperiment,
  type DbHandle,
} from '../src/index';
import { createTestDatabase, type TestDatabase } from './test-database';

let database: TestDatabase;
let writer: DbHandle;
let reader: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase();
  await runMigrations(database.url);
  writer = createDb(database.url);
  await upsertExperiment(writer.db, { name: 'demo', spec: { name: 'demo' }, specHash: 'h' });
  reader = new pg.Client({ connectionString: dashboardDatabaseUrl(database.url) });
  await reader.connect();
});

afterAll(async () => {
  await reader?.end();
  await writer?.close();
  await database?.drop();
});

describe('the dashboard role', () => {
  it('connects as its own role and reads every table', async () => {
    expect((await reader.query<{ user: string }>('select current_user as user')).rows[0]?.user).toBe(DASHBOARD_ROLE);
    expect((await reader.query('select name from experiments')).rows).toEqual([{ name: 'demo' }]);
    // Every table of the schema, including those later migrations added (default privileges).
    const tables = await reader.query<{ name: string; readable: boolean }>(
      `select c.relname as name, has_table_privilege(current_user, c.oid, 'SELECT') as readable
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`,
    );
    expect(tables.rows.length).toBeGreaterThan(10);
    expect(tables.rows.filter((t) => !t.readable)).toEqual([]);
  });

  it('cannot write: INSERT, UPDATE and DELETE fail with SQLSTATE 42501', async () => {
    for (const statement of [
      `insert into experiments (name, spec, spec_hash) values ('x', '{}', 'h')`,
      `update experiments set spec_hash = 'changed'`,
      `delete from experiments`,
    ]) {
      await expect(reader.query(statement), statement).rejects.toMatchObject({ code: '42501' });
    }
    expect((await reader.query('select spec_hash from experiments')).rows).toEqual([{ spec_hash: 'h' }]);
  });

  it('survives migrating a second database on the same server (the role is created once)', async () => {
    const second = await createTestDatabase();
    try {
      await runMigrations(second.url);
      await runMigrations(second.url);
    } finally {
      await second.drop();
    }
  });
});
