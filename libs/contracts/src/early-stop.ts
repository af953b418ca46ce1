import { z } from 'zod';

/** The validation metrics a rung can rank by; every one is higher-is-better. */
export const RUNG_METRICS = ['val_auc', 'val_ap', 'val_acc'] as const;

/**
 * Early stopping of a sweep's runs by asynchronous successive halving (ASHA, Li et al. 2020), in its stopping form
 * (as Ray Tune's ASHAScheduler): rungs at `grace_steps * reduction_factor^k` steps below the schedule's end; at each
 * a run goes on only if its validation metric is at least the `1 - 1/reduction_factor` quantile of every value
 * recorded at that rung so far (itself included). The first run at a rung always goes on.
 */
export const EarlyStopSpec = z.strictObject({
  method: z.literal('asha'),
  metric: z.enum(RUNG_METRICS).default('val_auc'),
  grace_steps: z.number().int().positive(),
  reduction_factor: z.number().int().min(2).default(4),
  /** Evaluate stopped runs on their last checkpoint too (off: ASHA's point is not to spend GPU time on them). */
  evaluate_stopped: z.boolean().default(false),
});
export type EarlyStopSpec = z.infer<typeof EarlyStopSpec>;

/** Validation metrics of a checkpoint on the val selection (TrainOutput.val_metrics). */
export const ValMetrics = z.strictObject({
  auc: z.number().min(0).max(1).nullable(),
  ap: z.number().min(0).max(1).nullable(),
  acc: z.number().min(0).max(1).nullable(),
});
export type ValMetrics = z.infer<typeof ValMetrics>;

/** The steps at which a run of `totalSteps` is judged: every rung strictly before the end of training. */
export function rungSteps(spec: EarlyStopSpec, totalSteps: number): number[] {
  const steps: number[] = [];
  for (let step = spec.grace_steps; step < totalSteps; step *= spec.reduction_factor) steps.push(step);
  return steps;
}

/** The rung metric's value in val metrics (null when it is undefined, e.g. a one-class val set). */
export function rungValue(metrics: ValMetrics | null, metric: EarlyStopSpec['metric']): number | null {
  if (metrics === null) return null;
  return { val_auc: metrics.auc, val_ap: metrics.ap, val_acc: metrics.acc }[metric];
}

/** The `q` quantile of `values` with linear interpolation between order statistics (numpy's default). */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** ASHA's verdict on a run at a rung, given every value recorded there up to and including its own. */
export interface RungDecision {
  promote: boolean;
  cutoff: number;
  recorded: number;
}

/** Decides whether a run with `value` goes on past a rung where `recorded` (including `value`) were seen. */
export function ashaDecision(value: number, recorded: readonly number[], reductionFactor: number): RungDecision {
  if (recorded.length === 0) throw new Error('ashaDecision: the recorded values must include the run being judged');
  const cutoff = quantile(recorded, 1 - 1 / reductionFactor);
  return { promote: value >= cutoff, cutoff, recorded: recorded.length };
}
