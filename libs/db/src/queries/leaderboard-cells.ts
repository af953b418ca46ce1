import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { leaderboardCells, type LeaderboardCellMetric } from '../schema/index';

/** Which leaderboard cells to read: one experiment, one metric, one perturbation. */
export interface LeaderboardCellQuery {
  experiment: string;
  metric: LeaderboardCellMetric;
  perturbation: string;
}

/**
 * One (method, config hash, dataset) cell folded over seeds, as `max`, `avg` and `stddev_samp` over the results
 * would give it: `seeds` counts the non-null values, `std` is the sample std (n - 1), null with one seed.
 */
export interface LeaderboardCellAggregate {
  method: string;
  configHash: string;
  dataset: string;
  seeds: number;
  max: number;
  mean: number;
  std: number | null;
  /** Threshold policies of the results behind the cell, sorted bytewise. */
  policies: string[];
}

const METRIC_SUMS = {
  acc: {
    n: leaderboardCells.accN,
    sum: leaderboardCells.accSum,
    sumsq: leaderboardCells.accSumsq,
    max: leaderboardCells.accMax,
  },
  acc_calibrated: {
    n: leaderboardCells.accCalibratedN,
    sum: leaderboardCells.accCalibratedSum,
    sumsq: leaderboardCells.accCalibratedSumsq,
    max: leaderboardCells.accCalibratedMax,
  },
  ap: {
    n: leaderboardCells.apN,
    sum: leaderboardCells.apSum,
    sumsq: leaderboardCells.apSumsq,
    max: leaderboardCells.apMax,
  },
  auc: {
    n: leaderboardCells.aucN,
    sum: leaderboardCells.aucSum,
    sumsq: leaderboardCells.aucSumsq,
    max: leaderboardCells.aucMax,
  },
} as const;

/**
 * Seed aggregates of every (method, config, dataset) cell of an experiment under one perturbation, read from
 * leaderboard_cells (kept by triggers) instead of folding eval_results: the cost follows the number of cells, not of
 * results. Cells whose metric is null for every seed are left out, as the fold over non-null values leaves them out.
 * Mean and variance come from exact numeric sums, so they match a fold over the rows to double precision.
 */
export async function leaderboardCellAggregates(
  db: Db,
  query: LeaderboardCellQuery,
): Promise<LeaderboardCellAggregate[]> {
  const columns = METRIC_SUMS[query.metric];
  if (!columns)
    throw new Error(
      `leaderboardCellAggregates: metric must be one of ${Object.keys(METRIC_SUMS).join(', ')}; got "${query.metric}"`,
    );
  const n = sql`sum(${columns.n})`;
  const sum = sql`sum(${columns.sum})`;
  const sumsq = sql`sum(${columns.sumsq})`;
  return db
    .select({
      method: leaderboardCells.method,
      configHash: leaderboardCells.configHash,
      dataset: leaderboardCells.dataset,
      seeds: sql<number>`${n}::int`,
      max: sql<number>`max(${columns.max})`.mapWith(Number),
      mean: sql<number>`(${sum} / ${n})::float8`.mapWith(Number),
      // Sample variance from exact sums; greatest() only guards the sqrt, since numeric makes it non-negative already.
      std: sql<
        number | null
      >`case when ${n} > 1 then sqrt(greatest((${n} * ${sumsq} - ${sum} * ${sum}) / (${n} * (${n} - 1)), 0))::float8 end`,
      policies: sql<
        string[]
      >`array_agg(distinct ${leaderboardCells.thresholdPolicy} collate "C" order by ${leaderboardCells.thresholdPolicy} collate "C")`,
    })
    .from(leaderboardCells)
    .where(
      and(
        eq(leaderboardCells.experiment, query.experiment),
        eq(leaderboardCells.perturbation, query.perturbation),
        gt(columns.n, 0),
      ),
    )
    .groupBy(leaderboardCells.method, leaderboardCells.configHash, leaderboardCells.dataset);
}

/** The perturbations an experiment has results under (any metric), sorted bytewise. */
export async function leaderboardPerturbations(db: Db, experiment: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ perturbation: leaderboardCells.perturbation })
    .from(leaderboardCells)
    .where(eq(leaderboardCells.experiment, experiment));
  return rows.map((r) => r.perturbation).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
