import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { sweeps } from '../schema/index';
import { takeExcluded } from './excluded';

/** A stored sweep row. */
export type Sweep = typeof sweeps.$inferSelect;
/** Fields to record a sweep; timestamps are set by the database. */
export type SweepInput = Omit<typeof sweeps.$inferInsert, 'createdAt' | 'updatedAt'>;

/** Inserts the sweep or updates its status and run count; the id (sweep hash) is the natural key. */
export async function upsertSweep(db: Db, input: SweepInput): Promise<Sweep> {
  const [row] = await db
    .insert(sweeps)
    .values(input)
    .onConflictDoUpdate({
      target: sweeps.id,
      set: {
        ...takeExcluded({
          experiment: sweeps.experiment,
          specHash: sweeps.specHash,
          status: sweeps.status,
          totalRuns: sweeps.totalRuns,
        }),
        updatedAt: sql`now()`,
      },
    })
    .returning();
  return row!;
}

/** Sets a sweep's status; throws when no sweep has this id. */
export async function setSweepStatus(db: Db, sweepId: string, status: string): Promise<Sweep> {
  const [row] = await db
    .update(sweeps)
    .set({ status, updatedAt: sql`now()` })
    .where(eq(sweeps.id, sweepId))
    .returning();
  if (!row) throw new Error(`setSweepStatus: no sweep with id "${sweepId}"`);
  return row;
}

/** The sweep with this id, or null. */
export async function getSweep(db: Db, sweepId: string): Promise<Sweep | null> {
  const [row] = await db.select().from(sweeps).where(eq(sweeps.id, sweepId));
  return row ?? null;
}
