import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns';
import { experiments } from './experiments';

/** One launch of an experiment; the id is the sweep hash, so launching twice lands on the same row. */
export const sweeps = pgTable(
  'sweeps',
  {
    id: text('id').primaryKey(),
    experiment: text('experiment')
      .notNull()
      .references(() => experiments.name, { onUpdate: 'cascade' }),
    specHash: text('spec_hash').notNull(),
    status: text('status').notNull(),
    totalRuns: integer('total_runs').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('sweeps_experiment_idx').on(t.experiment, t.createdAt)],
);
