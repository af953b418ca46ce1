import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, listRungValues, recordRungValue, runMigrations, setRunStatus, type DbHandle } from '../src/index';
import { seedRuns } from './fixtures';
import { createTestDatabase, type TestDatabase } from './test-database';

let database: TestDatabase;
let handle: DbHandle;
const RUNS = ['run-1', 'run-2', 'run-3', 'run-4', 'run-5', 'run-6'];

beforeAll(async () => {
  database = await createTestDatabase();
  await runMigrations(database.url);
  handle = createDb(database.url, { maxConnections: 6 });
  await seedRuns(handle.db, RUNS);
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

const report = (runId: string, value: number, step = 100) =>
  recordRungValue(handle.db, { sweepId: 'sweep-1', step, runId, metric: 'val_auc', value });

describe('recordRungValue', () => {
  it('returns the values that arrived up to the run, and the same ones when the report is repeated', async () => {
    expect(await report('run-1', 0.7)).toEqual([0.7]);
    expect(await report('run-2', 0.6)).toEqual([0.7, 0.6]);
    // A retried report (the activity ran twice) keeps its first value and sees only what came before it.
    expect(await report('run-1', 0.99)).toEqual([0.7]);
    expect(await report('run-3', 0.8)).toEqual([0.7, 0.6, 0.8]);
    // Rungs are separate.
    expect(await report('run-1', 0.75, 300)).toEqual([0.75]);
  });

  it('serializes concurrent reports of one rung: each sees a distinct prefix of one arrival order', async () => {
    const seen = await Promise.all(['run-4', 'run-5', 'run-6'].map((id, i) => report(id, 0.1 * (i + 1), 900)));
    expect(seen.map((values) => values.length).sort()).toEqual([1, 2, 3]);
    const order = (await listRungValues(handle.db, 'sweep-1')).filter((r) => r.step === 900).map((r) => r.value);
    for (const values of seen) expect(values).toEqual(order.slice(0, values.length));
  });

  it('lets a run be recorded as stopped, a terminal state', async () => {
    const run = await setRunStatus(handle.db, 'run-2', { status: 'stopped', error: 'stopped by ASHA at step 100' });
    expect(run.status).toBe('stopped');
    expect(run.finishedAt).not.toBeNull();
  });
});
