import { hashValue, type ExperimentSpec, type IdentifiedRun } from '@mirage/contracts';
import type { Db } from '../client';
import { upsertExperiment } from './experiments';
import { upsertRuns } from './runs';
import { getSweep, upsertSweep } from './sweeps';

/**
 * Records an experiment, its sweep and every planned run (pending, with its plan index), idempotently: what
 * `mirage launch` writes before it starts the sweep workflow, which then pages through the runs instead of planning
 * them in workflow code (a 100k-run plan is seconds of CPU and ~100 MB of JSON, far beyond a workflow task).
 */
export async function recordSweepPlan(
  db: Db,
  input: { sweepId: string; spec: ExperimentSpec; runs: readonly IdentifiedRun[]; codeVersion: string },
): Promise<void> {
  const { sweepId, spec, runs, codeVersion } = input;
  const specHash = hashValue(spec);
  await upsertExperiment(db, {
    name: spec.name,
    spec: spec as unknown as Record<string, unknown>,
    specHash,
    filePath: null,
  });
  const existing = await getSweep(db, sweepId);
  await upsertSweep(db, {
    id: sweepId,
    experiment: spec.name,
    specHash,
    status: existing?.status === 'succeeded' ? 'succeeded' : 'running',
    totalRuns: runs.length,
  });
  await upsertRuns(
    db,
    runs.map((run) => ({
      id: run.run_id,
      sweepId,
      experiment: spec.name,
      method: run.config.method,
      trainDataset: spec.train.name,
      config: run.config as unknown as Record<string, unknown>,
      configHash: hashValue(run.config),
      seed: run.config.seed,
      codeVersion,
      totalSteps: run.config.schedule.steps,
      planIndex: run.index,
    })),
  );
}
