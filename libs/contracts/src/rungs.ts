// Zod-free, so workflow code can import it without the schemas (see workflow.ts).
import type { EarlyStopSpec, ValMetrics } from './early-stop';

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
