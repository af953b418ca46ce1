import { and, asc, eq, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../client';
import { evalResults, runs, type RunStatus } from '../schema/index';

/** Metrics a leaderboard can rank by: the numeric columns of eval_results. */
export const LEADERBOARD_METRICS = ['acc', 'acc_real', 'acc_fake', 'ap', 'auc', 'acc_calibrated'] as const;

/** One leaderboard metric name (snake_case, as in the database and the JSON contracts). */
export type LeaderboardMetric = (typeof LEADERBOARD_METRICS)[number];

/** Which slice of results a leaderboard covers; omitted fields do not filter. */
export interface LeaderboardQuery {
  metric: LeaderboardMetric;
  experiment?: string;
  trainDataset?: string;
  perturbation?: string;
  /** Only runs in these states; omitted means every state (a run still evaluating shows its finished cells). */
  statuses?: readonly RunStatus[];
}

/** One cell of a leaderboard before aggregation: a run's value of the metric on one test dataset and perturbation. */
export interface LeaderboardRow {
  method: string;
  seed: number;
  runId: string;
  dataset: string;
  perturbation: string;
  value: number;
}

// The "C" collation sorts by bytes, so the order does not depend on the server's locale.
function bytewise(column: PgColumn): SQL {
  return sql`${column} collate "C" asc`;
}

const METRIC_COLUMNS = {
  acc: evalResults.acc,
  acc_real: evalResults.accReal,
  acc_fake: evalResults.accFake,
  ap: evalResults.ap,
  auc: evalResults.auc,
  acc_calibrated: evalResults.accCalibrated,
} as const;

/**
 * The per-run metric values behind a leaderboard, in a fixed order (method, seed, run, dataset, perturbation) so
 * tables rendered from them are byte-identical across calls. Rows where the metric is null (uncalibrated) are left out.
 */
export async function leaderboardRows(db: Db, query: LeaderboardQuery): Promise<LeaderboardRow[]> {
  const column = METRIC_COLUMNS[query.metric];
  if (!column) {
    throw new Error(`leaderboardRows: metric must be one of ${LEADERBOARD_METRICS.join(', ')}; got "${query.metric}"`);
  }
  const conditions: SQL[] = [isNotNull(column)];
  if (query.experiment !== undefined) conditions.push(eq(runs.experiment, query.experiment));
  if (query.trainDataset !== undefined) conditions.push(eq(runs.trainDataset, query.trainDataset));
  if (query.perturbation !== undefined) conditions.push(eq(evalResults.perturbation, query.perturbation));
  if (query.statuses !== undefined) {
    if (query.statuses.length === 0) return [];
    conditions.push(inArray(runs.status, [...query.statuses]));
  }
  const rows = await db
    .select({
      method: runs.method,
      seed: runs.seed,
      runId: runs.id,
      dataset: evalResults.dataset,
      perturbation: evalResults.perturbation,
      value: column,
    })
    .from(evalResults)
    .innerJoin(runs, eq(runs.id, evalResults.runId))
    .where(and(...conditions))
    .orderBy(
      bytewise(runs.method),
      asc(runs.seed),
      bytewise(runs.id),
      bytewise(evalResults.dataset),
      bytewise(evalResults.perturbation),
    );
  return rows as LeaderboardRow[];
}
