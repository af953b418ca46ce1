import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { experiments } from '../schema/index';
import { takeExcluded } from './excluded';

/** A stored experiment row. */
export type Experiment = typeof experiments.$inferSelect;
/** Fields to record an experiment; timestamps are set by the database. */
export type ExperimentInput = Omit<typeof experiments.$inferInsert, 'createdAt' | 'updatedAt'>;

/** Inserts or updates the experiment with this name (spec, hash and file path follow the latest call). */
export async function upsertExperiment(db: Db, input: ExperimentInput): Promise<Experiment> {
  const [row] = await db
    .insert(experiments)
    .values(input)
    .onConflictDoUpdate({
      target: experiments.name,
      set: {
        ...takeExcluded({ spec: experiments.spec, specHash: experiments.specHash, filePath: experiments.filePath }),
        updatedAt: sql`now()`,
      },
    })
    .returning();
  return row!;
}

/** The experiment with this name, or null. */
export async function getExperiment(db: Db, name: string): Promise<Experiment | null> {
  const [row] = await db.select().from(experiments).where(eq(experiments.name, name));
  return row ?? null;
}
