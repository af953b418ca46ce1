import {
  checkpoints,
  evalResults,
  experiments,
  reportedResults,
  runs,
  sweeps,
  trainMetrics,
  type Db,
} from '@mirage/db';

/** The paper the seeded reported numbers come from. */
export const PAPER = 'MiraGe (ACM MM 2025)';
/** The seeded paper-protocol experiment and its synthetic sibling. */
export const EXPERIMENT = 'fixture-protocol';
export const SYNTHETIC_EXPERIMENT = 'demo-synthetic';
/** A method name that would run script if any view forgot to escape. */
export const HOSTILE_METHOD = '<script>window.__pwned=1</script>';
export const DATASETS = ['adm', 'midjourney', 'sdv14'] as const;

// acc per (method, seed) over DATASETS; chosen so best-of-seeds and mean differ visibly.
const ACC: Record<string, Record<number, [number, number, number]>> = {
  mirage: { 0: [0.7, 0.8, 0.99], 1: [0.72, 0.84, 0.97] },
  univfd: { 0: [0.65, 0.6, 0.95] },
};

/** A hand-written environment for fixture rows (not measured anywhere). */
const FIXTURE_ENVIRONMENT = {
  python: '3.11.7',
  torch: '2.13.0+cpu',
  transformers: '5.24.0',
  numpy: '2.4.6',
  pillow: '13.0.0',
  lock_sha256: null,
  cuda: null,
  cudnn: null,
  gpu: null,
  driver: null,
  host: 'cpu-node-1',
};

function runConfig(method: string, lr: number) {
  return { method, optimizer: { name: 'adamw', lr }, schedule: { steps: 1000, batch_size: 32 }, loss: { w_intra: 1 } };
}

function evalRow(runId: string, dataset: string, perturbation: string, acc: number) {
  return {
    runId,
    dataset,
    perturbation,
    acc,
    accReal: acc,
    accFake: acc,
    ap: Math.min(1, acc + 0.05),
    auc: Math.min(1, acc + 0.04),
    accCalibrated: null,
    threshold: 0.5,
    thresholdPolicy: 'fixed',
    n: 200,
    nReal: 100,
    nFake: 100,
    scoresKey: `runs/${runId}/scores/${dataset}-${perturbation}.jsonl`,
    scoresSha256: 'f'.repeat(64),
    checkpointSha256: `ck-${runId}`,
    manifestHash: `m-${dataset}`,
    preprocessHash: 'p',
    codeVersion: 'test',
  };
}

/**
 * Seeds a small but complete picture: a paper experiment (2 methods, 3 datasets, seeds 0/1, one perturbation), its
 * reported numbers, a synthetic experiment, a finished sweep and a live sweep with a training, a pending and a failed run.
 */
export async function seedDashboard(db: Db): Promise<void> {
  await db.insert(experiments).values([
    {
      name: EXPERIMENT,
      spec: { protocol: EXPERIMENT, synthetic: false, description: 'TEST FIXTURE: hand-written rows, not results' },
      specHash: 'h1',
    },
    { name: SYNTHETIC_EXPERIMENT, spec: { synthetic: true }, specHash: 'h2' },
  ]);
  await db.insert(sweeps).values([
    { id: 'sweep-done', experiment: EXPERIMENT, specHash: 'h1', status: 'succeeded', totalRuns: 3 },
    { id: 'sweep-live', experiment: EXPERIMENT, specHash: 'h1', status: 'running', totalRuns: 3 },
    { id: 'sweep-synth', experiment: SYNTHETIC_EXPERIMENT, specHash: 'h2', status: 'succeeded', totalRuns: 1 },
  ]);
  const done = Object.entries(ACC).flatMap(([method, seeds]) =>
    Object.keys(seeds).map((seed) => ({
      id: `run-${method}-${seed}`,
      sweepId: 'sweep-done',
      experiment: EXPERIMENT,
      method,
      trainDataset: 'fixture-train',
      config: runConfig(method, method === 'mirage' ? 0.002 : 0.001),
      configHash: `cfg-${method}`,
      seed: Number(seed),
      codeVersion: 'test',
      status: 'succeeded' as const,
      attempts: 1,
      currentStep: 1000,
      totalSteps: 1000,
      lastLoss: 0.12,
      imagesPerSecond: 410,
    })),
  );
  const startedAt = new Date(Date.now() - 100_000);
  await db.insert(runs).values([
    ...done.map((r) => (r.id === 'run-mirage-0' ? { ...r, environment: FIXTURE_ENVIRONMENT } : r)),
    {
      id: 'run-live-training',
      sweepId: 'sweep-live',
      experiment: EXPERIMENT,
      method: 'mirage',
      config: runConfig('mirage', 0.01),
      configHash: 'cfg-live',
      seed: 0,
      codeVersion: 'test',
      status: 'training',
      attempts: 2,
      currentStep: 250,
      totalSteps: 1000,
      lastLoss: 0.5,
      imagesPerSecond: 64,
      startedAt,
    },
    {
      id: 'run-live-pending',
      sweepId: 'sweep-live',
      experiment: EXPERIMENT,
      method: 'mirage',
      config: runConfig('mirage', 0.02),
      configHash: 'cfg-live2',
      seed: 0,
      codeVersion: 'test',
      status: 'pending',
      totalSteps: 1000,
    },
    {
      id: 'run-live-failed',
      sweepId: 'sweep-live',
      experiment: EXPERIMENT,
      method: 'mirage',
      config: runConfig('mirage', 0.03),
      configHash: 'cfg-live3',
      seed: 0,
      codeVersion: 'test',
      status: 'failed',
      attempts: 3,
      currentStep: 10,
      totalSteps: 1000,
      error: 'CUDA out of memory at step 10 <oom>',
    },
    {
      id: 'run-synth',
      sweepId: 'sweep-synth',
      experiment: SYNTHETIC_EXPERIMENT,
      method: HOSTILE_METHOD,
      config: runConfig('x', 0.1),
      configHash: 'cfg-s',
      seed: 0,
      codeVersion: 'test',
      status: 'succeeded',
      currentStep: 10,
      totalSteps: 10,
    },
  ]);
  const rows: (typeof evalResults.$inferInsert)[] = Object.entries(ACC).flatMap(([method, seeds]) =>
    Object.entries(seeds).flatMap(([seed, accs]) =>
      DATASETS.map((dataset, i) => evalRow(`run-${method}-${seed}`, dataset, 'none', accs[i] as number)),
    ),
  );
  // Evaluated later on a GPU worker, while the training ran on a CPU one (the run view lists both environments).
  rows.push({
    ...evalRow('run-mirage-0', 'midjourney', 'jpeg(quality=75)', 0.66),
    environment: {
      ...FIXTURE_ENVIRONMENT,
      cuda: '12.8',
      cudnn: '91002',
      gpu: 'NVIDIA H200',
      driver: '570.124.06',
      host: 'gpu-node-3',
    },
  });
  rows.push(evalRow('run-synth', 'synthetic-gen', 'none', 0.5));
  await db.insert(evalResults).values(rows);
  await db.insert(reportedResults).values([
    { paper: PAPER, method: 'mirage', protocol: EXPERIMENT, dataset: 'midjourney', metric: 'acc', value: 85.5 },
    { paper: PAPER, method: 'mirage', protocol: EXPERIMENT, dataset: 'adm', metric: 'acc', value: 70.0 },
    { paper: PAPER, method: 'npr', protocol: EXPERIMENT, dataset: 'midjourney', metric: 'acc', value: 77.7 },
  ]);
  await db.insert(trainMetrics).values(
    Array.from({ length: 20 }, (_, i) => ({
      runId: 'run-mirage-0',
      step: i * 50,
      lossTerms: { total: 2 - i * 0.08, intra: 1 - i * 0.04, inter: 1 - i * 0.03 },
      lr: 0.002,
      imagesPerSecond: 400,
    })),
  );
  await db.insert(checkpoints).values([
    {
      runId: 'run-mirage-0',
      step: 500,
      key: 'runs/run-mirage-0/checkpoints/step-000500.safetensors',
      sha256: 'a'.repeat(64),
      bytes: 123456,
    },
    {
      runId: 'run-mirage-0',
      step: 1000,
      key: 'runs/run-mirage-0/checkpoints/step-001000.safetensors',
      sha256: 'b'.repeat(64),
      bytes: 123456,
    },
  ]);
}
