import type { LabelledScore } from './roc';

/** Per-class counts of p_fake over equal-width bins on [0, 1]. */
export interface ScoreHistogram {
  /** bins + 1 edges, from 0 to 1. */
  edges: number[];
  real: number[];
  fake: number[];
}

/**
 * Counts p_fake per class in `bins` equal bins on [0, 1]; each bin is [lo, hi) except the last, which is closed so
 * p = 1.0 lands in it (numpy.histogram's convention). Throws on a score outside [0, 1] rather than dropping it.
 */
export function scoreHistogram(scores: readonly LabelledScore[], bins = 20): ScoreHistogram {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogram bins must be a positive integer, got ${bins}`);
  const real = new Array<number>(bins).fill(0);
  const fake = new Array<number>(bins).fill(0);
  for (const s of scores) {
    if (!(s.pFake >= 0 && s.pFake <= 1)) throw new Error(`histogram: p_fake ${s.pFake} is outside [0, 1]`);
    const bin = Math.min(Math.floor(s.pFake * bins), bins - 1);
    (s.label === 'fake' ? fake : real)[bin]! += 1;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, i) => i / bins), real, fake };
}
