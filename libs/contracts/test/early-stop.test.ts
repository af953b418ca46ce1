import { describe, expect, it } from 'vitest';
import { ashaDecision, EarlyStopSpec, rungSteps, rungValue } from '../src/index';

const spec = (grace_steps: number, reduction_factor: number) =>
  EarlyStopSpec.parse({ method: 'asha', grace_steps, reduction_factor });

describe('rungSteps', () => {
  it('puts rungs at grace * factor^k strictly before the end of training', () => {
    expect(rungSteps(spec(100, 3), 1000)).toEqual([100, 300, 900]);
    expect(rungSteps(spec(100, 3), 900)).toEqual([100, 300]);
    expect(rungSteps(spec(2, 2), 8)).toEqual([2, 4]);
    expect(rungSteps(spec(1000, 4), 1000)).toEqual([]);
  });
});

describe('ashaDecision', () => {
  it('always promotes the first run at a rung', () => {
    expect(ashaDecision(0.1, [0.1], 4)).toEqual({ promote: true, cutoff: 0.1, recorded: 1 });
  });

  it('keeps the top 1/reduction_factor by the interpolated quantile, as numpy.percentile does', () => {
    // numpy.percentile([0.5, 0.6, 0.7, 0.8], 75) == 0.725
    const recorded = [0.5, 0.6, 0.7, 0.8];
    expect(ashaDecision(0.8, recorded, 4).cutoff).toBeCloseTo(0.725, 12);
    expect(ashaDecision(0.8, recorded, 4).promote).toBe(true);
    expect(ashaDecision(0.7, recorded, 4).promote).toBe(false);
    // Half of the runs go on with factor 2: the median of [0.2, 0.4, 0.6] is 0.4, which itself is kept.
    expect(ashaDecision(0.4, [0.2, 0.6, 0.4], 2)).toEqual({ promote: true, cutoff: 0.4, recorded: 3 });
    expect(ashaDecision(0.2, [0.6, 0.4, 0.2], 2).promote).toBe(false);
  });

  it('refuses to judge without the run own value', () => {
    expect(() => ashaDecision(0.5, [], 2)).toThrow(/must include the run being judged/);
  });
});

describe('rungValue', () => {
  it('reads the chosen metric, null when undefined or without val metrics', () => {
    expect(rungValue({ auc: 0.9, ap: 0.8, acc: 0.7 }, 'val_ap')).toBe(0.8);
    expect(rungValue({ auc: null, ap: null, acc: 0.5 }, 'val_auc')).toBeNull();
    expect(rungValue(null, 'val_acc')).toBeNull();
  });
});
