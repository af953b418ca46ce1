import type { ResultRow } from '../src/index';

/** A ResultRow with only `method` and `dataset` required: seed 0, clean, fixed threshold, n 100, every metric null. */
export function resultRow(fields: Pick<ResultRow, 'method' | 'dataset'> & Partial<ResultRow>): ResultRow {
  return {
    runId: `${fields.method}-${fields.seed ?? 0}`,
    seed: 0,
    perturbation: 'none',
    acc: null,
    accReal: null,
    accFake: null,
    ap: null,
    auc: null,
    accCalibrated: null,
    n: 100,
    thresholdPolicy: 'fixed',
    ...fields,
  };
}
