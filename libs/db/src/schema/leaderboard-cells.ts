import { doublePrecision, integer, numeric, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/** The metrics whose per-cell sums the leaderboard summary keeps (the ones a leaderboard can be ranked by). */
export const LEADERBOARD_CELL_METRICS = ['acc', 'acc_calibrated', 'ap', 'auc'] as const;

/** One metric kept in leaderboard_cells. */
export type LeaderboardCellMetric = (typeof LEADERBOARD_CELL_METRICS)[number];

/**
 * Running sums of one metric over the seeds of a cell: how many non-null values, their sum, their sum of squares
 * (numeric, so adding and later subtracting a value is exact and the mean / sample std never drift) and their max.
 */
function metricSums(metric: LeaderboardCellMetric) {
  return {
    n: integer(`${metric}_n`).notNull().default(0),
    sum: numeric(`${metric}_sum`).notNull().default('0'),
    sumsq: numeric(`${metric}_sumsq`).notNull().default('0'),
    max: doublePrecision(`${metric}_max`),
  };
}

const acc = metricSums('acc');
const accCalibrated = metricSums('acc_calibrated');
const ap = metricSums('ap');
const auc = metricSums('auc');

/**
 * Per-cell aggregates of eval_results for leaderboards, maintained by triggers (migration 0002) on eval_results and
 * runs, so writers change nothing and a leaderboard reads (methods x datasets) rows instead of every result.
 * A cell is (experiment, perturbation, method, config hash, dataset, threshold policy): the policy is part of the key
 * so the set of policies behind a leaderboard cell survives deletes. `results` counts eval_results rows whatever their
 * metric values; a cell row exists exactly while it is positive. Never written by application code.
 */
export const leaderboardCells = pgTable(
  'leaderboard_cells',
  {
    experiment: text('experiment').notNull(),
    perturbation: text('perturbation').notNull(),
    method: text('method').notNull(),
    configHash: text('config_hash').notNull(),
    dataset: text('dataset').notNull(),
    thresholdPolicy: text('threshold_policy').notNull(),
    results: integer('results').notNull(),
    accN: acc.n,
    accSum: acc.sum,
    accSumsq: acc.sumsq,
    accMax: acc.max,
    accCalibratedN: accCalibrated.n,
    accCalibratedSum: accCalibrated.sum,
    accCalibratedSumsq: accCalibrated.sumsq,
    accCalibratedMax: accCalibrated.max,
    apN: ap.n,
    apSum: ap.sum,
    apSumsq: ap.sumsq,
    apMax: ap.max,
    aucN: auc.n,
    aucSum: auc.sum,
    aucSumsq: auc.sumsq,
    aucMax: auc.max,
  },
  (t) => [
    // Leaderboards filter by (experiment, perturbation) and list an experiment's perturbations: both are key prefixes.
    primaryKey({
      name: 'leaderboard_cells_pk',
      columns: [t.experiment, t.perturbation, t.method, t.configHash, t.dataset, t.thresholdPolicy],
    }),
  ],
);
