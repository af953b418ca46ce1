import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkpoints,
  createDb,
  DatasetVersionConflictError,
  datasets,
  evalResults,
  experiments,
  findEvalResultByCacheKey,
  listCachedEvalCells,
  getDataset,
  getLatestCheckpoint,
  getRun,
  leaderboardRows,
  listEvalResults,
  listReportedResults,
  listRunsBySweep,
  listTrainMetrics,
  recordCheckpoint,
  recordTrainMetrics,
  reportedResults,
  runMigrations,
  runs,
  setRunStatus,
  updateRunProgress,
  upsertDataset,
  upsertEvalResult,
  upsertExperiment,
  upsertReportedResult,
  upsertRun,
  upsertSweep,
  type DatasetInput,
  type DbHandle,
  type RunStatus,
} from '../src/index';
import { evalResult, seedRuns } from './fixtures';
import { createTestDatabase, type TestDatabase } from './test-database';

let database: TestDatabase;
let handle: DbHandle;

beforeAll(async () => {
  database = await createTestDatabase();
  await runMigrations(database.url);
  handle = createDb(database.url);
  await seedRuns(handle.db, ['run-a', 'run-b', 'run-c']);
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

const rowCount = async (
  table:
    | typeof experiments
    | typeof runs
    | typeof evalResults
    | typeof datasets
    | typeof reportedResults
    | typeof checkpoints,
) => (await handle.db.select({ n: count() }).from(table))[0]!.n;

describe('experiments and sweeps', () => {
  it('upserting the same experiment twice keeps one row with the new fields', async () => {
    const first = await upsertExperiment(handle.db, { name: 'twice', spec: { v: 1 }, specHash: 'h1' });
    const second = await upsertExperiment(handle.db, {
      name: 'twice',
      spec: { v: 2 },
      specHash: 'h2',
      filePath: 'x.yaml',
    });
    expect(second).toMatchObject({ name: 'twice', spec: { v: 2 }, specHash: 'h2', filePath: 'x.yaml' });
    expect(second.createdAt).toEqual(first.createdAt);
    expect(second.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());
    const rows = await handle.db.select().from(experiments).where(eq(experiments.name, 'twice'));
    expect(rows).toHaveLength(1);
  });

  it('a sweep upsert updates status and run count', async () => {
    const sweep = await upsertSweep(handle.db, {
      id: 'sweep-1',
      experiment: 'demo',
      specHash: 'spec-1',
      status: 'done',
      totalRuns: 3,
    });
    expect(sweep.status).toBe('done');
  });
});

describe('runs', () => {
  it('re-upserting a run does not reset its lifecycle', async () => {
    await setRunStatus(handle.db, 'run-c', { status: 'training', attempts: 1 });
    await updateRunProgress(handle.db, 'run-c', { currentStep: 50, lastLoss: 0.42, imagesPerSecond: 812.5 });
    const before = await rowCount(runs);
    const again = await upsertRun(handle.db, {
      id: 'run-c',
      sweepId: 'sweep-1',
      experiment: 'demo',
      method: 'mirage',
      trainDataset: 'sdv14@v1',
      config: { method: 'mirage', seed: 2 },
      configHash: 'cfg-run-c',
      seed: 2,
      codeVersion: 'code-2',
    });
    expect(await rowCount(runs)).toBe(before);
    expect(again).toMatchObject({
      status: 'training',
      attempts: 1,
      currentStep: 50,
      lastLoss: 0.42,
      imagesPerSecond: 812.5,
    });
    expect(again.codeVersion).toBe('code-2');
    expect(again.totalSteps).toBe(200);
  });

  it('records the error text of a failed attempt, then clears it on success', async () => {
    const training = await setRunStatus(handle.db, 'run-b', { status: 'training', attempts: 1 });
    expect(training.startedAt).toBeInstanceOf(Date);
    expect(training.finishedAt).toBeNull();

    const failed = await setRunStatus(handle.db, 'run-b', {
      status: 'failed',
      error: 'CUDA out of memory at step 17',
      attempts: 1,
    });
    expect(failed).toMatchObject({ status: 'failed', error: 'CUDA out of memory at step 17', attempts: 1 });
    expect(failed.finishedAt).toBeInstanceOf(Date);
    expect((await getRun(handle.db, 'run-b'))?.error).toBe('CUDA out of memory at step 17');

    const retried = await setRunStatus(handle.db, 'run-b', { status: 'training', attempts: 2 });
    expect(retried).toMatchObject({
      status: 'training',
      attempts: 2,
      error: 'CUDA out of memory at step 17',
      finishedAt: null,
    });
    expect(retried.startedAt).toEqual(training.startedAt);

    const done = await setRunStatus(handle.db, 'run-b', { status: 'succeeded' });
    expect(done).toMatchObject({ status: 'succeeded', error: null, attempts: 2 });
  });

  it('rejects unknown statuses and unknown runs by name', async () => {
    await expect(setRunStatus(handle.db, 'run-a', { status: 'exploded' as RunStatus })).rejects.toThrow(
      /status must be one of/,
    );
    await expect(setRunStatus(handle.db, 'nope', { status: 'failed' })).rejects.toThrow(/no run with id "nope"/);
    await expect(updateRunProgress(handle.db, 'nope', { currentStep: 1 })).rejects.toThrow(/no run with id "nope"/);
    await expect(updateRunProgress(handle.db, 'run-a', { currentStep: -1 })).rejects.toThrow(/currentStep/);
  });

  it('the database itself refuses a status outside the list', async () => {
    await expect(
      handle.db
        .update(runs)
        .set({ status: 'bogus' as RunStatus })
        .where(eq(runs.id, 'run-a')),
    ).rejects.toThrow();
  });

  it('lists the runs of a sweep in id order', async () => {
    expect((await listRunsBySweep(handle.db, 'sweep-1')).map((r) => r.id)).toEqual(['run-a', 'run-b', 'run-c']);
    expect(await listRunsBySweep(handle.db, 'other')).toEqual([]);
  });
});

describe('datasets', () => {
  const v1: DatasetInput = {
    name: 'sdv14',
    version: 'v1',
    layout: 'genimage',
    root: '/data/genimage/sdv14',
    manifestKey: 'datasets/sdv14/aaa.jsonl',
    contentHash: 'aaa',
    nImages: 4,
    counts: { by_label: { real: 2, fake: 2 }, by_generator: { sdv14: 2, 'real-imagenet': 2 }, by_split: { train: 4 } },
    skipped: [],
  };

  it('registering the same version twice keeps one row and takes new descriptive fields', async () => {
    const first = await upsertDataset(handle.db, v1);
    const second = await upsertDataset(handle.db, {
      ...v1,
      root: '/mnt/genimage/sdv14',
      skipped: [{ uri: 'bad.png', reason: 'truncated' }],
    });
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({ root: '/mnt/genimage/sdv14', skipped: [{ uri: 'bad.png', reason: 'truncated' }] });
    expect(await handle.db.select().from(datasets).where(eq(datasets.name, 'sdv14'))).toHaveLength(1);
  });

  it('refuses different contents under an existing version and keeps the recorded row', async () => {
    await expect(upsertDataset(handle.db, { ...v1, contentHash: 'bbb' })).rejects.toBeInstanceOf(
      DatasetVersionConflictError,
    );
    await expect(upsertDataset(handle.db, { ...v1, contentHash: 'bbb' })).rejects.toThrow(/sdv14@v1.*aaa.*bbb/);
    expect((await getDataset(handle.db, 'sdv14', 'v1'))?.contentHash).toBe('aaa');
  });

  it('returns the latest version when none is named', async () => {
    await upsertDataset(handle.db, { ...v1, version: 'v2', contentHash: 'ccc' });
    expect((await getDataset(handle.db, 'sdv14'))?.version).toBe('v2');
    expect((await getDataset(handle.db, 'sdv14', 'v1'))?.version).toBe('v1');
    expect(await getDataset(handle.db, 'missing')).toBeNull();
  });
});

describe('checkpoints and training metrics', () => {
  it('one row per (run, step); a re-save replaces the object', async () => {
    await recordCheckpoint(handle.db, { runId: 'run-a', step: 50, key: 'k50', sha256: 'a'.repeat(64), bytes: 1024 });
    const before = await rowCount(checkpoints);
    const again = await recordCheckpoint(handle.db, {
      runId: 'run-a',
      step: 50,
      key: 'k50',
      sha256: 'b'.repeat(64),
      bytes: 6_000_000_000,
    });
    expect(await rowCount(checkpoints)).toBe(before);
    expect(again).toMatchObject({ sha256: 'b'.repeat(64), bytes: 6_000_000_000 });
    await recordCheckpoint(handle.db, { runId: 'run-a', step: 100, key: 'k100', sha256: 'c'.repeat(64), bytes: 2048 });
    expect((await getLatestCheckpoint(handle.db, 'run-a'))?.step).toBe(100);
  });

  it('refuses a checkpoint of an unknown run', async () => {
    await expect(
      recordCheckpoint(handle.db, { runId: 'ghost', step: 1, key: 'k', sha256: 's', bytes: 1 }),
    ).rejects.toThrow();
  });

  it('batch-records metrics; re-logged steps take the newest values', async () => {
    const points = Array.from({ length: 2500 }, (_, step) => ({
      runId: 'run-a',
      step,
      lossTerms: { total: 1 / (step + 1), intra: 0.1 },
      lr: 0.002,
      imagesPerSecond: 100,
    }));
    expect(await recordTrainMetrics(handle.db, points)).toBe(2500);
    const resumed = [
      { runId: 'run-a', step: 10, lossTerms: { total: 9 }, lr: 0.001, imagesPerSecond: 50 },
      { runId: 'run-a', step: 10, lossTerms: { total: 7 }, lr: 0.001, imagesPerSecond: 55 },
    ];
    expect(await recordTrainMetrics(handle.db, resumed)).toBe(1);
    const curve = await listTrainMetrics(handle.db, 'run-a');
    expect(curve).toHaveLength(2500);
    expect(curve[10]).toMatchObject({ step: 10, lossTerms: { total: 7 }, imagesPerSecond: 55 });
    expect(await recordTrainMetrics(handle.db, [])).toBe(0);
  });
});

describe('evaluation results', () => {
  it('upserting the same (run, dataset, perturbation) twice keeps one row with new metrics', async () => {
    const first = await upsertEvalResult(handle.db, evalResult('run-a', 'midjourney'));
    const second = await upsertEvalResult(handle.db, {
      ...evalResult('run-a', 'midjourney'),
      acc: 0.99,
      accCalibrated: 0.97,
    });
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({ acc: 0.99, accCalibrated: 0.97 });
    expect(await listEvalResults(handle.db, { runId: 'run-a', dataset: 'midjourney' })).toHaveLength(1);
  });

  it('the same cache key may be held by two column ids (a renamed column gets a copy, not an error)', async () => {
    const [cached] = await listEvalResults(handle.db, { runId: 'run-a', dataset: 'midjourney' });
    if (!cached) throw new Error('the previous test recorded run-a/midjourney');
    const copy = await upsertEvalResult(handle.db, {
      ...evalResult('run-a', 'Midjourney-renamed'),
      checkpointSha256: cached.checkpointSha256,
    });
    expect(copy.id).not.toBe(cached.id);
    expect((await listEvalResults(handle.db, { runId: 'run-a' })).map((r) => r.dataset).sort()).toEqual([
      'Midjourney-renamed',
      'midjourney',
    ]);
    await handle.db.delete(evalResults).where(eq(evalResults.id, copy.id));
  });

  it('finds a result by its cache key, and only by the full key', async () => {
    const input = evalResult('run-a', 'midjourney');
    const key = {
      checkpointSha256: input.checkpointSha256,
      manifestHash: input.manifestHash,
      perturbation: input.perturbation,
      preprocessHash: input.preprocessHash,
      codeVersion: input.codeVersion,
    };
    expect((await findEvalResultByCacheKey(handle.db, key))?.runId).toBe('run-a');
    expect(await findEvalResultByCacheKey(handle.db, { ...key, perturbation: 'jpeg(quality=75)' })).toBeNull();
    expect(await findEvalResultByCacheKey(handle.db, { ...key, codeVersion: 'code-2' })).toBeNull();
    const { manifestHash: _m, perturbation: _p, ...checkpointKey } = key;
    expect(
      (await listCachedEvalCells(handle.db, checkpointKey)).map((r) => [r.runId, r.manifestHash, r.perturbation]),
    ).toEqual([['run-a', key.manifestHash, key.perturbation]]);
    expect(await listCachedEvalCells(handle.db, { ...checkpointKey, preprocessHash: 'other' })).toEqual([]);
  });

  it('filters by sweep, experiment, dataset and perturbation', async () => {
    await upsertEvalResult(handle.db, evalResult('run-a', 'midjourney', 'jpeg(quality=75)'));
    await upsertEvalResult(handle.db, evalResult('run-b', 'adm'));
    expect(await listEvalResults(handle.db, { sweepId: 'sweep-1', perturbation: 'jpeg(quality=75)' })).toHaveLength(1);
    expect(await listEvalResults(handle.db, { experiment: 'demo' })).toHaveLength(3);
    expect(await listEvalResults(handle.db, { experiment: 'other' })).toEqual([]);
    expect(await listEvalResults(handle.db, { runIds: [] })).toEqual([]);
    expect((await listEvalResults(handle.db, { runIds: ['run-b'] })).map((r) => r.dataset)).toEqual(['adm']);
  });
});

describe('leaderboardRows', () => {
  it('returns one row per (run, dataset, perturbation) in a stable order, skipping null metrics', async () => {
    const rows = await leaderboardRows(handle.db, { experiment: 'demo', trainDataset: 'sdv14@v1', metric: 'acc' });
    expect(rows).toEqual([
      {
        method: 'mirage',
        seed: 0,
        runId: 'run-a',
        dataset: 'midjourney',
        perturbation: 'jpeg(quality=75)',
        value: 0.85,
      },
      { method: 'mirage', seed: 0, runId: 'run-a', dataset: 'midjourney', perturbation: 'none', value: 0.99 },
      { method: 'mirage', seed: 1, runId: 'run-b', dataset: 'adm', perturbation: 'none', value: 0.85 },
    ]);
    const calibrated = await leaderboardRows(handle.db, { metric: 'acc_calibrated' });
    expect(calibrated.map((r) => [r.runId, r.value])).toEqual([['run-a', 0.97]]);
    expect(await leaderboardRows(handle.db, { metric: 'auc', statuses: ['succeeded'] })).toHaveLength(1);
    expect(await leaderboardRows(handle.db, { metric: 'auc', trainDataset: 'progan@v1' })).toEqual([]);
    await expect(leaderboardRows(handle.db, { metric: 'f1' as 'acc' })).rejects.toThrow(/metric must be one of/);
  });
});

describe('reported results', () => {
  it('one row per natural key; the value follows the latest upsert', async () => {
    const key = { paper: 'MiraGe', method: 'mirage', protocol: 'genimage-sdv14', dataset: 'midjourney', metric: 'acc' };
    await upsertReportedResult(handle.db, { ...key, value: 0.9 });
    const second = await upsertReportedResult(handle.db, { ...key, value: 0.913 });
    expect(second.value).toBe(0.913);
    await upsertReportedResult(handle.db, { ...key, dataset: 'adm', value: 0.8 });
    expect(await rowCount(reportedResults)).toBe(2);
    expect((await listReportedResults(handle.db, { paper: 'MiraGe' })).map((r) => r.dataset)).toEqual([
      'adm',
      'midjourney',
    ]);
    expect(await listReportedResults(handle.db, { paper: 'Other' })).toEqual([]);
  });
});
