// `mirage export` on the test stack's real Postgres: rows a sweep would have recorded are inserted through libs/db,
// the real command exports them, and each tracker's own reader (libs/trackers/tests/readback) reads them back.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createDb,
  recordTrainMetrics,
  runMigrations,
  setRunStatus,
  upsertEvalResult,
  upsertExperiment,
  upsertRun,
  upsertSweep,
  type EvalResultInput,
  type TrainMetricInput,
} from '@mirage/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runMirage } from './support/mirage';

const databaseUrl = process.env['DATABASE_URL'];
if (!databaseUrl)
  throw new Error('DATABASE_URL is not set: run `mirage up --core` and source its stack.env (npm test does)');

const EXPERIMENT = 'export-fixture';
const SWEEP = 'sweep-export-fixture';
const RUNS = [
  { id: 'run-export-fixture-mirage-0', method: 'mirage', seed: 0, status: 'succeeded', mlflowStatus: 'FINISHED' },
  { id: 'run-export-fixture-coop-1', method: 'coop', seed: 1, status: 'failed', mlflowStatus: 'FAILED' },
] as const;
const STEPS = 30;
const CELLS = [
  { dataset: 'sdv14', perturbation: 'none' },
  { dataset: 'midjourney', perturbation: 'jpeg(quality=75)' },
  { dataset: 'sora-frames', perturbation: 'none' },
];

/** A MiraGe-shaped curve: ce, intra and inter decaying, total their sum, lr on a cosine schedule. */
function curve(runId: string, seed: number): TrainMetricInput[] {
  return Array.from({ length: STEPS }, (_, i) => {
    const step = i + 1;
    const decay = Math.exp(-step / 10);
    const ce = 0.69 * decay + 0.05 + 0.01 * Math.sin(step + seed);
    const intra = 0.4 * decay;
    const inter = 0.2 * decay + 0.001 * seed;
    return {
      runId,
      step,
      lossTerms: { ce, intra, inter, total: ce + intra + inter },
      lr: 0.002 * 0.5 * (1 + Math.cos((Math.PI * step) / STEPS)),
      imagesPerSecond: 48 + seed,
    };
  });
}

function cell(runId: string, index: number, dataset: string, perturbation: string): EvalResultInput {
  const acc = 0.7 + 0.05 * index + 0.01 * runId.length;
  const video = dataset.endsWith('-frames')
    ? {
        aggregate: { method: 'mean' as const, trim: 0.1 },
        n_videos: 12,
        n_real: 6,
        n_fake: 6,
        acc_real: acc,
        acc_fake: acc - 0.1,
        acc: acc - 0.05,
        ap: acc,
        auc: acc,
        acc_calibrated: null,
      }
    : null;
  return {
    runId,
    dataset,
    perturbation,
    accReal: acc + 0.05,
    accFake: acc - 0.05,
    acc,
    ap: acc + 0.1,
    auc: acc + 0.12,
    accCalibrated: null,
    threshold: 0.5,
    thresholdPolicy: 'fixed',
    n: 200,
    nReal: 100,
    nFake: 100,
    scoresKey: `runs/${runId}/${dataset}.jsonl`,
    scoresSha256: 'e'.repeat(64),
    checkpointSha256: `ckpt-${runId}`,
    manifestHash: `manifest-${dataset}`,
    preprocessHash: 'p',
    codeVersion: 'export-fixture-code',
    video,
  };
}

const curves = new Map<string, TrainMetricInput[]>(RUNS.map((r) => [r.id, curve(r.id, r.seed)]));
const cells = new Map<string, EvalResultInput[]>(
  RUNS.map((r) => [r.id, CELLS.map((c, i) => cell(r.id, i, c.dataset, c.perturbation))]),
);
const config = (method: string, seed: number) => ({
  method,
  seed,
  loss: { name: method, w_intra: 1, w_inter: 1 },
  optimizer: { name: 'adamw', lr: 0.002, betas: [0.9, 0.999] },
});

const handle = createDb(databaseUrl);
let work: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mirage-export-test-'));
  await runMigrations(databaseUrl);
  const db = handle.db;
  await upsertExperiment(db, { name: EXPERIMENT, spec: { name: EXPERIMENT }, specHash: 'export-spec', filePath: null });
  await upsertSweep(db, {
    id: SWEEP,
    experiment: EXPERIMENT,
    specHash: 'export-spec',
    status: 'succeeded',
    totalRuns: RUNS.length,
  });
  for (const [i, r] of RUNS.entries()) {
    await upsertRun(db, {
      id: r.id,
      sweepId: SWEEP,
      experiment: EXPERIMENT,
      method: r.method,
      trainDataset: 'sdv14',
      config: config(r.method, r.seed),
      configHash: `cfg-${r.id}`,
      seed: r.seed,
      codeVersion: 'export-fixture-code',
      totalSteps: STEPS,
      planIndex: i,
    });
    await setRunStatus(db, r.id, { status: r.status });
    await recordTrainMetrics(db, curves.get(r.id)!);
    for (const c of cells.get(r.id)!) await upsertEvalResult(db, c);
  }
});
afterAll(async () => {
  await handle.close();
  rmSync(work, { recursive: true, force: true });
});

interface ReadRun {
  series: Record<string, [number, number][]>;
  params: Record<string, unknown>;
  tags: Record<string, string>;
  summary: Record<string, unknown>;
}

/** The export read back by the tracker's own reader (libs/trackers/tests/readback), keyed by our run id. */
async function readBack(tracker: string, location: string, experiment = ''): Promise<Record<string, ReadRun>> {
  const { stdout } = await promisify(execFile)(
    join(ROOT, '.venv/bin/python'),
    ['-m', 'readback', tracker, location, experiment],
    {
      env: { ...process.env, PYTHONPATH: join(ROOT, 'libs/trackers/tests') },
      maxBuffer: 64 << 20,
    },
  );
  return JSON.parse(stdout) as Record<string, ReadRun>;
}

// Each tracker test spawns the CLI and Python twice; MLflow alone spends ~15 s of CPU creating its sqlite schema
// (alembic migrations), so these get more than the default 60 s on a loaded 2-core machine.
const TRACKER_TEST_TIMEOUT_MS = 240_000;

const mirage = (args: string[]) => runMirage(args, process.env, { cwd: work, timeoutMs: 180_000 });
const totalCurve = (runId: string) => curves.get(runId)!.map((p) => [p.step, p.lossTerms['total']!] as const);

describe('mirage export', () => {
  it(
    '--to tensorboard: EventAccumulator reads loss/total equal to the train_metrics rows, and every cell',
    async () => {
      const result = await mirage(['export', SWEEP, '--to', 'tensorboard']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const out = join(work, 'mirage-export', SWEEP, 'tensorboard');
      expect(result.stdout).toContain(`exported 2 runs`);
      expect(result.stdout).toContain(`tensorboard --logdir ${out}`);
      const read = await readBack('tensorboard', out);
      expect(Object.keys(read).sort()).toEqual(RUNS.map((r) => r.id).sort());
      for (const r of RUNS) {
        const series = read[r.id]!.series;
        const expected = totalCurve(r.id);
        expect(series['loss/total']!.map(([step]) => step)).toEqual(expected.map(([step]) => step));
        // float32 in the event file
        series['loss/total']!.forEach(([, value], i) => expect(value).toBeCloseTo(expected[i]![1], 6));
        const midjourney = cells.get(r.id)![1]!;
        expect(series['eval/midjourney/jpeg(quality=75)/auc']![0]![0]).toBe(STEPS);
        expect(series['eval/midjourney/jpeg(quality=75)/auc']![0]![1]).toBeCloseTo(midjourney.auc!, 6);
        expect(series['eval/sora-frames/none/video/acc']![0]![1]).toBeCloseTo(cells.get(r.id)![2]!.video!.acc!, 6);
        expect(series['eval/sdv14/none/acc_calibrated']).toBeUndefined();
        expect(read[r.id]!.params).toEqual(config(r.method, r.seed));
      }
    },
    TRACKER_TEST_TIMEOUT_MS,
  );

  it(
    '--to mlflow: MlflowClient reads the flattened config, the tags, the curves and the per-generator metrics',
    async () => {
      const out = join(work, 'mlflow-out');
      const result = await mirage(['export', SWEEP, '--to', 'mlflow', '--out', out]);
      expect(result.code).toBe(0);
      const uri = `sqlite:///${out}/mlflow.db`;
      expect(result.stdout).toContain(`mlflow ui --backend-store-uri ${uri}`);
      const read = await readBack('mlflow', uri, SWEEP);
      for (const r of RUNS) {
        const run = read[r.id]!;
        expect(run.params).toEqual({
          method: r.method,
          seed: String(r.seed),
          'loss.name': r.method,
          'loss.w_intra': '1',
          'loss.w_inter': '1',
          'optimizer.name': 'adamw',
          'optimizer.lr': '0.002',
          'optimizer.betas': '[0.9, 0.999]',
        });
        expect(run.tags).toMatchObject({
          sweep: SWEEP,
          method: r.method,
          seed: String(r.seed),
          code_version: 'export-fixture-code',
          'mlflow.status': r.mlflowStatus,
        });
        expect(run.series['loss/total']).toEqual(totalCurve(r.id));
        const midjourney = cells.get(r.id)![1]!;
        // MLflow names allow no parentheses: the perturbation id's become "_" there.
        expect(run.series['eval/midjourney/jpeg_quality_75_/acc']).toEqual([[STEPS, midjourney.acc]]);
        expect(run.series['eval/sdv14/none/ap']).toEqual([[STEPS, cells.get(r.id)![0]!.ap]]);
      }
    },
    TRACKER_TEST_TIMEOUT_MS,
  );

  it(
    '--to wandb: the offline run folders hold the config, the history and the summary',
    async () => {
      const out = join(work, 'wandb-out');
      const result = await mirage(['export', EXPERIMENT, '--to', 'wandb', '--out', out]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`exported 2 runs`);
      expect(result.stdout).toContain(`upload it with: wandb sync ${out}/wandb/offline-run-*`);
      const read = await readBack('wandb', out);
      for (const r of RUNS) {
        const run = read[r.id]!;
        expect(run.tags).toMatchObject({ project: EXPERIMENT, group: SWEEP, job_type: r.method });
        expect(run.params).toEqual(config(r.method, r.seed));
        expect(run.series['loss/total']).toEqual(totalCurve(r.id));
        expect(run.series['train/lr']).toEqual(curves.get(r.id)!.map((p) => [p.step, p.lr]));
        expect(run.summary['eval/midjourney/jpeg(quality=75)/acc']).toBe(cells.get(r.id)![1]!.acc);
        expect(run.summary['loss/total']).toBe(totalCurve(r.id).at(-1)![1]);
      }
    },
    TRACKER_TEST_TIMEOUT_MS,
  );

  it('takes an experiment YAML file and exports the runs of the experiment it names', async () => {
    // The table test's fixture, renamed to this test's experiment.
    const yaml = readFileSync(join(__dirname, 'fixtures/table-fixture.yaml'), 'utf8').replace(
      /^name: .*$/m,
      `name: ${EXPERIMENT}`,
    );
    const file = join(work, 'export-fixture.yaml');
    writeFileSync(file, yaml);
    const result = await mirage(['export', file, '--to', 'tensorboard', '--out', join(work, 'from-yaml')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`exported 2 runs (`);
    expect(result.stdout).toContain(`of experiment ${EXPERIMENT} to tensorboard`);
  });

  it('exits 2 naming an unknown sweep or experiment', async () => {
    const result = await mirage(['export', 'no-such-sweep', '--to', 'tensorboard']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'mirage: no-such-sweep: no sweep or experiment of that name is recorded in Postgres (launch it first: mirage launch <experiment.yaml>)\n',
    );
  });

  it('exits 2 and keeps an earlier export rather than writing into it', async () => {
    const out = join(work, 'taken');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const result = await mirage(['export', SWEEP, '--to', 'tensorboard', '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`mirage: --out ${out}: already holds files; choose another folder or remove it first\n`);
  });

  it('rejects an unknown tracker with the list of known ones', async () => {
    const result = await mirage(['export', SWEEP, '--to', 'neptune']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Allowed choices are tensorboard, mlflow, wandb/);
  });
});
