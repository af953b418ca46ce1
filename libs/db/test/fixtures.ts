import type { Db, EvalResultInput, RunInput } from '../src/index';
import { upsertExperiment, upsertRun, upsertSweep } from '../src/index';

/** Records an experiment, a sweep and the given runs so child rows have parents to reference. */
export async function seedRuns(db: Db, runIds: readonly string[], overrides: Partial<RunInput> = {}): Promise<void> {
  await upsertExperiment(db, {
    name: 'demo',
    spec: { name: 'demo' },
    specHash: 'spec-1',
    filePath: 'experiments/demo.yaml',
  });
  await upsertSweep(db, {
    id: 'sweep-1',
    experiment: 'demo',
    specHash: 'spec-1',
    status: 'running',
    totalRuns: runIds.length,
  });
  for (const [i, id] of runIds.entries()) {
    await upsertRun(db, {
      id,
      sweepId: 'sweep-1',
      experiment: 'demo',
      method: 'mirage',
      trainDataset: 'sdv14@v1',
      config: { method: 'mirage', seed: i },
      configHash: `cfg-${id}`,
      seed: i,
      codeVersion: 'code-1',
      totalSteps: 200,
      ...overrides,
    });
  }
}

/** A complete evaluation result for (runId, dataset, perturbation) with a cache key unique to that triple. */
export function evalResult(runId: string, dataset: string, perturbation = 'none'): EvalResultInput {
  return {
    runId,
    dataset,
    perturbation,
    accReal: 0.9,
    accFake: 0.8,
    acc: 0.85,
    ap: 0.93,
    auc: 0.94,
    accCalibrated: null,
    threshold: 0.5,
    thresholdPolicy: 'fixed',
    n: 200,
    nReal: 100,
    nFake: 100,
    scoresKey: `runs/${runId}/scores/${dataset}/${perturbation}.jsonl`,
    scoresSha256: 'f'.repeat(64),
    checkpointSha256: `ckpt-${runId}`,
    manifestHash: `manifest-${dataset}`,
    preprocessHash: 'pre-1',
    codeVersion: 'code-1',
  };
}
