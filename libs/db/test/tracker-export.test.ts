import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDb,
  listExportRows,
  recordTrainMetrics,
  runMigrations,
  upsertEvalResult,
  upsertExperiment,
  upsertRun,
  upsertSweep,
  type DbHandle,
} from '../src/index';
import { evalResult, seedRuns } from './fixtures';
import { createTestDatabase, type TestDatabase } from './test-database';

let database: TestDatabase;
let handle: DbHandle;

// Two sweeps of experiment "demo" (seedRuns' sweep-1 and a second launch) and one of another experiment: the export
// of one sweep, or of one experiment, must get exactly its own rows.
beforeAll(async () => {
  database = await createTestDatabase();
  await runMigrations(database.url);
  handle = createDb(database.url);
  const db = handle.db;
  await seedRuns(db, ['run-a', 'run-b']);
  await upsertSweep(db, { id: 'sweep-2', experiment: 'demo', specHash: 'spec-1', status: 'running', totalRuns: 1 });
  await upsertExperiment(db, { name: 'other', spec: { name: 'other' }, specHash: 'spec-2' });
  await upsertSweep(db, { id: 'sweep-3', experiment: 'other', specHash: 'spec-2', status: 'running', totalRuns: 1 });
  const run = (id: string, sweepId: string, experiment: string) =>
    upsertRun(db, {
      id,
      sweepId,
      experiment,
      method: 'coop',
      config: { method: 'coop' },
      configHash: `cfg-${id}`,
      seed: 0,
      codeVersion: 'code-1',
    });
  await run('run-c', 'sweep-2', 'demo');
  await run('run-d', 'sweep-3', 'other');
  const curve = (runId: string, steps: number) =>
    Array.from({ length: steps }, (_, i) => ({
      runId,
      step: i + 1,
      lossTerms: { ce: 1 / (i + 1), total: 2 / (i + 1) },
      lr: 0.001,
      imagesPerSecond: 50,
    }));
  // Written out of step order: the export must read them back sorted.
  await recordTrainMetrics(db, [
    ...curve('run-a', 3).reverse(),
    ...curve('run-b', 2),
    ...curve('run-c', 4),
    ...curve('run-d', 5),
  ]);
  for (const runId of ['run-a', 'run-b', 'run-c', 'run-d']) {
    await upsertEvalResult(db, evalResult(runId, 'midjourney'));
    await upsertEvalResult(db, evalResult(runId, 'adm', 'jpeg(quality=75)'));
  }
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

describe('listExportRows', () => {
  it("reads one sweep's runs, curves in step order, and cells", async () => {
    const rows = await listExportRows(handle.db, { sweepId: 'sweep-1' });
    expect(rows.runs.map((r) => r.id)).toEqual(['run-a', 'run-b']);
    expect(rows.trainMetrics.map((m) => `${m.runId}@${m.step}`)).toEqual([
      'run-a@1',
      'run-a@2',
      'run-a@3',
      'run-b@1',
      'run-b@2',
    ]);
    expect(rows.trainMetrics[2]!.lossTerms).toEqual({ ce: 1 / 3, total: 2 / 3 });
    expect(rows.evalResults.map((e) => `${e.runId}/${e.dataset}/${e.perturbation}`)).toEqual([
      'run-a/adm/jpeg(quality=75)',
      'run-a/midjourney/none',
      'run-b/adm/jpeg(quality=75)',
      'run-b/midjourney/none',
    ]);
  });

  it('reads every sweep of an experiment and nothing of another', async () => {
    const rows = await listExportRows(handle.db, { experiment: 'demo' });
    expect(rows.runs.map((r) => r.id)).toEqual(['run-a', 'run-b', 'run-c']);
    expect(new Set(rows.trainMetrics.map((m) => m.runId))).toEqual(new Set(['run-a', 'run-b', 'run-c']));
    expect(rows.trainMetrics).toHaveLength(3 + 2 + 4);
    expect(rows.evalResults).toHaveLength(6);
  });

  it('gives empty lists for a scope with no runs', async () => {
    expect(await listExportRows(handle.db, { sweepId: 'no-such-sweep' })).toEqual({
      runs: [],
      trainMetrics: [],
      evalResults: [],
    });
  });
});
