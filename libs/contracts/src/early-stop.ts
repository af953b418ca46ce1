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

export { ashaDecision, rungSteps, rungValue, type RungDecision } from './rungs';
