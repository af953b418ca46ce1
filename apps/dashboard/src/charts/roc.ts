/** One scored image: its true class and the detector's probability that it is fake. */
export interface LabelledScore {
  label: 'real' | 'fake';
  pFake: number;
}

/** A point of the ROC curve: the rates obtained when every score >= threshold is called fake. */
export interface RocPoint {
  fpr: number;
  tpr: number;
  /** Infinity for the first point (nothing called fake), as scikit-learn reports it. */
  threshold: number;
}

/** The full ROC curve (one point per distinct score, plus the origin) and the area under it. */
export interface RocCurve {
  points: RocPoint[];
  auc: number;
  nReal: number;
  nFake: number;
}

/**
 * ROC of "fake" as the positive class, as scikit-learn's `roc_curve(drop_intermediate=False)` + `auc` compute it:
 * scores sorted descending, tied scores form one step (so ties give a diagonal segment, i.e. half credit), AUC by the
 * trapezoidal rule. Throws when a class is missing, since FPR or TPR would then be undefined.
 */
export function rocCurve(scores: readonly LabelledScore[]): RocCurve {
  const nFake = scores.reduce((n, s) => n + (s.label === 'fake' ? 1 : 0), 0);
  const nReal = scores.length - nFake;
  if (nFake === 0 || nReal === 0) {
    throw new Error(`ROC needs both classes: got ${nReal} real and ${nFake} fake scores`);
  }
  const sorted = [...scores].sort((a, b) => b.pFake - a.pFake);
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i] as LabelledScore;
    if (s.label === 'fake') tp++;
    else fp++;
    const next = sorted[i + 1];
    // Only the last of a run of equal scores closes a step: a threshold cannot separate tied images.
    if (next === undefined || next.pFake !== s.pFake)
      points.push({ fpr: fp / nReal, tpr: tp / nFake, threshold: s.pFake });
  }
  let auc = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as RocPoint;
    const b = points[i] as RocPoint;
    auc += ((b.fpr - a.fpr) * (a.tpr + b.tpr)) / 2;
  }
  return { points, auc, nReal, nFake };
}
