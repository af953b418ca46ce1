import { cancelUnfinishedRuns, getSweep, setSweepStatus, upsertExperiment, upsertRuns, upsertSweep } from '@mirage/db';
import { hashValue, planSweepRuns, trainSelections } from '@mirage/contracts';
import type { ControlActivities } from '@mirage/workflows';
import type { ActivityDeps } from './deps';

/** Records the experiment, the sweep and every planned run (pending); idempotent across re-launches. */
export function sweepActivities({ db }: ActivityDeps): Pick<ControlActivities, 'recordSweepStart' | 'finishSweep'> {
  return {
    async recordSweepStart({ sweep_id, spec, datasets, code_version }) {
      const runs = planSweepRuns(spec, trainSelections(datasets), code_version);
      await upsertExperiment(db, { name: spec.name, spec: spec as unknown as Record<string, unknown>, specHash: hashValue(spec), filePath: null });
      const existing = await getSweep(db, sweep_id);
      await upsertSweep(db, {
        id: sweep_id,
        experiment: spec.name,
        specHash: hashValue(spec),
        status: existing?.status === 'succeeded' ? 'succeeded' : 'running',
        totalRuns: runs.length,
      });
      await upsertRuns(
        db,
        runs.map((run) => ({
          id: run.run_id,
          sweepId: sweep_id,
          experiment: spec.name,
          method: run.config.method,
          trainDataset: spec.train.name,
          config: run.config as unknown as Record<string, unknown>,
          configHash: hashValue(run.config),
          seed: run.config.seed,
          codeVersion: code_version,
          totalSteps: run.config.schedule.steps,
        })),
      );
    },
    async finishSweep({ sweep_id, status }) {
      if (status === 'cancelled') await cancelUnfinishedRuns(db, sweep_id);
      await setSweepStatus(db, sweep_id, status);
    },
  };
}
