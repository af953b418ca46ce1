import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client';
import { evalResults, runs } from '../schema/index';
import { takeExcluded } from './excluded';

/** A stored evaluation result row. */
export type EvalResult = typeof evalResults.$inferSelect;
/** Fields of one evaluation result. */
export type EvalResultInput = Omit<typeof evalResults.$inferInsert, 'id' | 'createdAt' | 'updatedAt'>;
/** The evaluation cache key: identical inputs give identical scores, so a hit can be reused instead of re-evaluated. */
export type EvalCacheKey = Pick<
  EvalResultInput,
  'checkpointSha256' | 'manifestHash' | 'perturbation' | 'preprocessHash' | 'codeVersion'
>;
/** Filters for listEvalResults; omitted fields do not filter. */
export interface EvalResultFilter {
  runId?: string;
  runIds?: readonly string[];
  sweepId?: string;
  experiment?: string;
  dataset?: string;
  perturbation?: string;
}

/**
 * Records the result of (run, column, perturbation), replacing an earlier one for the same triple. The cache key is
 * not unique: a copy of a cached result under another column id (a renamed column) is a row of its own.
 */
export async function upsertEvalResult(db: Db, input: EvalResultInput): Promise<EvalResult> {
  return insertEvalResult(db, input);
}

async function insertEvalResult(db: Db, input: EvalResultInput): Promise<EvalResult> {
  const [row] = await db
    .insert(evalResults)
    .values(input)
    .onConflictDoUpdate({
      target: [evalResults.runId, evalResults.dataset, evalResults.perturbation],
      set: {
        ...takeExcluded({
          accReal: evalResults.accReal,
          accFake: evalResults.accFake,
          acc: evalResults.acc,
          ap: evalResults.ap,
          auc: evalResults.auc,
          accCalibrated: evalResults.accCalibrated,
          threshold: evalResults.threshold,
          thresholdPolicy: evalResults.thresholdPolicy,
          n: evalResults.n,
          nReal: evalResults.nReal,
          nFake: evalResults.nFake,
          scoresKey: evalResults.scoresKey,
          scoresSha256: evalResults.scoresSha256,
          checkpointSha256: evalResults.checkpointSha256,
          manifestHash: evalResults.manifestHash,
          preprocessHash: evalResults.preprocessHash,
          codeVersion: evalResults.codeVersion,
          environment: evalResults.environment,
          environmentKey: evalResults.environmentKey,
          video: evalResults.video,
        }),
        updatedAt: sql`now()`,
      },
    })
    .returning();
  return row!;
}

/** A result recorded under this evaluation cache key (the oldest), or null when the evaluation has not been done. */
export async function findEvalResultByCacheKey(db: Db, key: EvalCacheKey): Promise<EvalResult | null> {
  const [row] = await db
    .select()
    .from(evalResults)
    .where(
      and(
        eq(evalResults.checkpointSha256, key.checkpointSha256),
        eq(evalResults.manifestHash, key.manifestHash),
        eq(evalResults.perturbation, key.perturbation),
        eq(evalResults.preprocessHash, key.preprocessHash),
        eq(evalResults.codeVersion, key.codeVersion),
      ),
    )
    .orderBy(asc(evalResults.id))
    .limit(1);
  return row ?? null;
}

/**
 * Every result already evaluated for one checkpoint, preprocessing and code version, whatever run or column holds
 * it: the evaluation cache of a whole run in one query.
 */
export async function listCachedEvalCells(
  db: Db,
  key: Pick<EvalCacheKey, 'checkpointSha256' | 'preprocessHash' | 'codeVersion'>,
): Promise<EvalResult[]> {
  return db
    .select()
    .from(evalResults)
    .where(
      and(
        eq(evalResults.checkpointSha256, key.checkpointSha256),
        eq(evalResults.preprocessHash, key.preprocessHash),
        eq(evalResults.codeVersion, key.codeVersion),
      ),
    );
}

/** Evaluation results matching every given filter, ordered by (run, dataset, perturbation). */
export async function listEvalResults(db: Db, filter: EvalResultFilter = {}): Promise<EvalResult[]> {
  const conditions: SQL[] = [];
  if (filter.runId !== undefined) conditions.push(eq(evalResults.runId, filter.runId));
  if (filter.runIds !== undefined) {
    if (filter.runIds.length === 0) return [];
    // One array parameter, not one bind parameter per run: Postgres allows 65,535 of those, a 100k-run sweep has more.
    conditions.push(
      sql`${evalResults.runId} in (select jsonb_array_elements_text(${JSON.stringify(filter.runIds)}::jsonb))`,
    );
  }
  if (filter.dataset !== undefined) conditions.push(eq(evalResults.dataset, filter.dataset));
  if (filter.perturbation !== undefined) conditions.push(eq(evalResults.perturbation, filter.perturbation));
  const runConditions: SQL[] = [];
  if (filter.sweepId !== undefined) runConditions.push(eq(runs.sweepId, filter.sweepId));
  if (filter.experiment !== undefined) runConditions.push(eq(runs.experiment, filter.experiment));
  if (runConditions.length > 0) {
    conditions.push(
      inArray(
        evalResults.runId,
        db
          .select({ id: runs.id })
          .from(runs)
          .where(and(...runConditions)),
      ),
    );
  }
  return db
    .select()
    .from(evalResults)
    .where(and(...conditions))
    .orderBy(asc(evalResults.runId), asc(evalResults.dataset), asc(evalResults.perturbation));
}
