import { asc, eq } from 'drizzle-orm';
import type { Db } from '../client';
import { trainMetrics } from '../schema/index';
import { takeExcluded } from './excluded';

/** A stored training-curve point. */
export type TrainMetric = typeof trainMetrics.$inferSelect;
/** Fields of one training-curve point. */
export type TrainMetricInput = Omit<typeof trainMetrics.$inferInsert, 'createdAt'>;

// Six parameters per row; 1000 rows stays far below Postgres' 65535 bind-parameter limit.
const ROWS_PER_STATEMENT = 1000;

/**
 * Batch-records training-curve points. A step logged again (a retry resuming from an earlier checkpoint) takes the
 * new values, so the stored curve is the one of the attempt that finished. Returns the number of distinct rows written.
 */
export async function recordTrainMetrics(db: Db, points: readonly TrainMetricInput[]): Promise<number> {
  // One statement may not touch a row twice (ON CONFLICT rule), so the last point per (run, step) wins up front.
  const latest = new Map<string, TrainMetricInput>();
  for (const point of points) latest.set(`${point.runId}\u0000${point.step}`, point);
  const unique = [...latest.values()];
  let written = 0;
  for (let start = 0; start < unique.length; start += ROWS_PER_STATEMENT) {
    const chunk = unique.slice(start, start + ROWS_PER_STATEMENT);
    const rows = await db
      .insert(trainMetrics)
      .values(chunk)
      .onConflictDoUpdate({
        target: [trainMetrics.runId, trainMetrics.step],
        set: takeExcluded({
          lossTerms: trainMetrics.lossTerms,
          lr: trainMetrics.lr,
          imagesPerSecond: trainMetrics.imagesPerSecond,
        }),
      })
      .returning({ step: trainMetrics.step });
    written += rows.length;
  }
  return written;
}

/** The training curve of a run, by step. */
export async function listTrainMetrics(db: Db, runId: string): Promise<TrainMetric[]> {
  return db.select().from(trainMetrics).where(eq(trainMetrics.runId, runId)).orderBy(asc(trainMetrics.step));
}
