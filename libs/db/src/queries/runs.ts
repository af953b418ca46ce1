import { and, asc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { RUN_STATUSES, runs, type RunStatus } from '../schema/index';
import { takeExcluded } from './excluded';

/** A stored run row. */
export type Run = typeof runs.$inferSelect;
/** Fields that define a run; lifecycle fields (status, progress, timestamps) are managed by the functions below. */
export type RunInput = Pick<
  typeof runs.$inferInsert,
  | 'id'
  | 'sweepId'
  | 'experiment'
  | 'method'
  | 'trainDataset'
  | 'config'
  | 'configHash'
  | 'seed'
  | 'codeVersion'
  | 'totalSteps'
  | 'planIndex'
>;
/** A progress report from a training heartbeat. */
export interface RunProgress {
  currentStep: number;
  totalSteps?: number;
  lastLoss?: number | null;
  imagesPerSecond?: number | null;
}
/** A status transition; `error` and `attempts` are left unchanged when omitted. */
export interface RunStatusUpdate {
  status: RunStatus;
  error?: string | null;
  attempts?: number;
}

const TERMINAL: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'stopped'];

/**
 * Inserts a run as pending, or refreshes its defining fields. Status and progress are never touched on conflict,
 * so launching a sweep twice does not reset runs that already trained.
 */
export async function upsertRun(db: Db, input: RunInput): Promise<Run> {
  const [row] = await upsertRuns(db, [input]);
  return row!;
}

// Rows per INSERT of upsertRuns: 10 columns each keeps a statement far below Postgres' 65,535 bind parameters.
const RUNS_PER_STATEMENT = 1000;

/** upsertRun for many runs, a thousand per statement (a 100k-run sweep is recorded in 100 statements). */
export async function upsertRuns(db: Db, inputs: readonly RunInput[]): Promise<Run[]> {
  const out: Run[] = [];
  for (let i = 0; i < inputs.length; i += RUNS_PER_STATEMENT)
    out.push(...(await upsertRunChunk(db, inputs.slice(i, i + RUNS_PER_STATEMENT))));
  return out;
}

async function upsertRunChunk(db: Db, inputs: readonly RunInput[]): Promise<Run[]> {
  return db
    .insert(runs)
    .values([...inputs])
    .onConflictDoUpdate({
      target: runs.id,
      set: {
        ...takeExcluded({
          sweepId: runs.sweepId,
          experiment: runs.experiment,
          method: runs.method,
          trainDataset: runs.trainDataset,
          config: runs.config,
          configHash: runs.configHash,
          seed: runs.seed,
          codeVersion: runs.codeVersion,
          planIndex: runs.planIndex,
        }),
        totalSteps: sql`coalesce(excluded."total_steps", ${runs.totalSteps})`,
        updatedAt: sql`now()`,
      },
    })
    .returning();
}

/** Records the latest step, loss and throughput of a run; throws when the run does not exist. */
export async function updateRunProgress(db: Db, runId: string, progress: RunProgress): Promise<Run> {
  if (!Number.isInteger(progress.currentStep) || progress.currentStep < 0) {
    throw new Error(`updateRunProgress: currentStep must be a non-negative integer, got ${progress.currentStep}`);
  }
  const [row] = await db
    .update(runs)
    .set({
      currentStep: progress.currentStep,
      ...(progress.totalSteps !== undefined && { totalSteps: progress.totalSteps }),
      ...(progress.lastLoss !== undefined && { lastLoss: progress.lastLoss }),
      ...(progress.imagesPerSecond !== undefined && { imagesPerSecond: progress.imagesPerSecond }),
      updatedAt: sql`now()`,
    })
    .where(eq(runs.id, runId))
    .returning();
  if (!row) throw new Error(`updateRunProgress: no run with id "${runId}"`);
  return row;
}

/**
 * Moves a run to `status`. Entering training stamps started_at once; a terminal status stamps finished_at and a
 * non-terminal one clears it (a retry after failure). Success clears a stale error unless one is given.
 */
export async function setRunStatus(db: Db, runId: string, update: RunStatusUpdate): Promise<Run> {
  if (!(RUN_STATUSES as readonly string[]).includes(update.status)) {
    throw new Error(`setRunStatus: status must be one of ${RUN_STATUSES.join(', ')}; got "${update.status}"`);
  }
  if (update.attempts !== undefined && (!Number.isInteger(update.attempts) || update.attempts < 0)) {
    throw new Error(`setRunStatus: attempts must be a non-negative integer, got ${update.attempts}`);
  }
  const terminal = TERMINAL.includes(update.status);
  const error = update.error !== undefined ? update.error : update.status === 'succeeded' ? null : undefined;
  const [row] = await db
    .update(runs)
    .set({
      status: update.status,
      ...(error !== undefined && { error }),
      ...(update.attempts !== undefined && { attempts: update.attempts }),
      ...(update.status === 'training' && { startedAt: sql`coalesce(${runs.startedAt}, now())` }),
      finishedAt: terminal ? sql`now()` : null,
      updatedAt: sql`now()`,
    })
    .where(eq(runs.id, runId))
    .returning();
  if (!row) throw new Error(`setRunStatus: no run with id "${runId}"`);
  return row;
}

/**
 * Marks every run of a sweep that has not reached a terminal state as cancelled (a cancelled sweep's runs that never
 * started, or whose workflow was stopped before it could record it); returns how many changed.
 */
export async function cancelUnfinishedRuns(db: Db, sweepId: string): Promise<number> {
  const open = RUN_STATUSES.filter((s) => !TERMINAL.includes(s));
  // A count, not the ids: a cancelled 100k-run sweep has ~100k of them.
  const changed = await db
    .update(runs)
    .set({ status: 'cancelled', error: 'cancelled', finishedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(runs.sweepId, sweepId), inArray(runs.status, open)));
  return changed.rowCount ?? 0;
}

/** Sets or clears (null) the message a run shows without changing its status, e.g. a training nobody picks up. */
export async function setRunError(db: Db, runId: string, error: string | null): Promise<void> {
  await db
    .update(runs)
    .set({ error, updatedAt: sql`now()` })
    .where(eq(runs.id, runId));
}

/** One page of a sweep's plan: runs with plan_index >= `from`, in plan order. */
export async function listPlannedRuns(
  db: Db,
  sweepId: string,
  from: number,
  limit: number,
): Promise<Pick<Run, 'id' | 'planIndex' | 'config'>[]> {
  return db
    .select({ id: runs.id, planIndex: runs.planIndex, config: runs.config })
    .from(runs)
    .where(and(eq(runs.sweepId, sweepId), gte(runs.planIndex, from)))
    .orderBy(asc(runs.planIndex))
    .limit(limit);
}

/** The run with this id, or null. */
export async function getRun(db: Db, runId: string): Promise<Run | null> {
  const [row] = await db.select().from(runs).where(eq(runs.id, runId));
  return row ?? null;
}

/**
 * The environment of the newest training recorded at this code version: what the GPU workers that take this code's
 * runs compute with (the CLI's own machine may have no GPU). Null when no training has recorded one.
 */
export async function latestTrainingEnvironment(db: Db, codeVersion: string): Promise<Record<string, unknown> | null> {
  const [row] = await db
    .select({ environment: runs.environment })
    .from(runs)
    .where(and(eq(runs.codeVersion, codeVersion), sql`${runs.environment} is not null`))
    .orderBy(sql`${runs.updatedAt} desc`, asc(runs.id))
    .limit(1);
  return row?.environment ?? null;
}

/** Every run of a sweep, ordered by id so listings are stable. */
export async function listRunsBySweep(db: Db, sweepId: string): Promise<Run[]> {
  return db.select().from(runs).where(eq(runs.sweepId, sweepId)).orderBy(asc(runs.id));
}

/** Stores the output of a finished training (final checkpoint, calibrated threshold); later launches reuse it. */
export async function setRunTrainOutput(db: Db, runId: string, output: Record<string, unknown>): Promise<Run> {
  const environment = (output['environment'] as Record<string, unknown> | undefined) ?? null;
  const [row] = await db
    .update(runs)
    .set({ trainOutput: output, environment, updatedAt: sql`now()` })
    .where(eq(runs.id, runId))
    .returning();
  if (!row) throw new Error(`setRunTrainOutput: no run with id "${runId}"`);
  return row;
}
