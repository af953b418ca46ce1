import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { sweepRungs } from '../schema/index';

/** A run's val metric at one early-stopping rung. */
export interface RungValueInput {
  sweepId: string;
  step: number;
  runId: string;
  metric: string;
  value: number;
}

/**
 * Records a run's value at a rung (once: a repeated report keeps the first value) and returns every value recorded
 * at that rung up to and including it, in arrival order. Reports of one rung are serialized by an advisory lock, so
 * the values a verdict sees are exactly those that arrived before it, however often it is asked again.
 */
export async function recordRungValue(db: Db, input: RungValueInput): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${input.sweepId}), ${input.step})`);
    await tx.insert(sweepRungs).values(input).onConflictDoNothing();
    const [own] = await tx
      .select({ seq: sweepRungs.seq })
      .from(sweepRungs)
      .where(
        and(eq(sweepRungs.sweepId, input.sweepId), eq(sweepRungs.step, input.step), eq(sweepRungs.runId, input.runId)),
      );
    const rows = await tx
      .select({ value: sweepRungs.value })
      .from(sweepRungs)
      .where(and(eq(sweepRungs.sweepId, input.sweepId), eq(sweepRungs.step, input.step), lte(sweepRungs.seq, own!.seq)))
      .orderBy(asc(sweepRungs.seq));
    return rows.map((row) => row.value);
  });
}

/** Every rung value of a sweep, by step then arrival: what ASHA decided from. */
export async function listRungValues(db: Db, sweepId: string): Promise<(typeof sweepRungs.$inferSelect)[]> {
  return db
    .select()
    .from(sweepRungs)
    .where(eq(sweepRungs.sweepId, sweepId))
    .orderBy(asc(sweepRungs.step), asc(sweepRungs.seq));
}
