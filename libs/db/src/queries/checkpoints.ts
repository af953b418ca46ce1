import { and, asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../client';
import { checkpoints } from '../schema/index';
import { takeExcluded } from './excluded';

/** A stored checkpoint row. */
export type Checkpoint = typeof checkpoints.$inferSelect;
/** Fields to record a checkpoint. */
export type CheckpointInput = Omit<typeof checkpoints.$inferInsert, 'createdAt'>;

/** Records the checkpoint of (run, step); a retried attempt that re-saved the step replaces key, hash and size. */
export async function recordCheckpoint(db: Db, input: CheckpointInput): Promise<Checkpoint> {
  const [row] = await db
    .insert(checkpoints)
    .values(input)
    .onConflictDoUpdate({
      target: [checkpoints.runId, checkpoints.step],
      set: takeExcluded({ key: checkpoints.key, sha256: checkpoints.sha256, bytes: checkpoints.bytes }),
    })
    .returning();
  return row!;
}

/** The highest-step checkpoint of a run (where a retry resumes), or null. */
export async function getLatestCheckpoint(db: Db, runId: string): Promise<Checkpoint | null> {
  const [row] = await db
    .select()
    .from(checkpoints)
    .where(eq(checkpoints.runId, runId))
    .orderBy(desc(checkpoints.step))
    .limit(1);
  return row ?? null;
}

/** Every checkpoint of a run, by step. */
export async function listCheckpoints(db: Db, runId: string): Promise<Checkpoint[]> {
  return db.select().from(checkpoints).where(eq(checkpoints.runId, runId)).orderBy(asc(checkpoints.step));
}

/** The checkpoint of (run, step), or null. */
export async function getCheckpoint(db: Db, runId: string, step: number): Promise<Checkpoint | null> {
  const [row] = await db
    .select()
    .from(checkpoints)
    .where(and(eq(checkpoints.runId, runId), eq(checkpoints.step, step)));
  return row ?? null;
}
