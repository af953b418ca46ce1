import { rungSteps, type ExperimentSpec, type IdentifiedRun } from '@mirage/contracts';
import type { PlanFindings } from '@mirage/datasets';

/** Checks `sweep.early_stop` against the plan: it needs a val set, and each rung must land on a checkpoint. */
export function checkEarlyStop(spec: ExperimentSpec, runs: readonly IdentifiedRun[], findings: PlanFindings): void {
  const early = spec.sweep.early_stop;
  if (!early) return;
  const column = 'sweep.early_stop';
  if (!spec.val) {
    findings.errors.push({
      code: 'early_stop_without_val',
      column,
      message: `sweep.early_stop ranks runs by ${early.metric} on the val set, but the experiment has no val: add one, or remove early_stop`,
    });
  }
  for (const run of runs) {
    const { steps, checkpoint_every } = run.config.schedule;
    const rungs = rungSteps(early, steps);
    const off = rungs.find((step) => step % checkpoint_every !== 0);
    if (off !== undefined) {
      findings.errors.push({
        code: 'early_stop_rungs',
        column,
        message: `run ${run.index} (${run.config.method}, seed ${run.config.seed}): rung at step ${off} (rungs ${rungs.join(', ')}) is not a multiple of schedule.checkpoint_every ${checkpoint_every}; choose grace_steps so every rung is a checkpoint`,
      });
      return;
    }
    if (rungs.length === 0) {
      findings.warnings.push({
        code: 'early_stop_no_rungs',
        column,
        message: `run ${run.index}: grace_steps ${early.grace_steps} is not below schedule.steps ${steps}, so it is never judged and trains to the end`,
      });
      return;
    }
  }
}
