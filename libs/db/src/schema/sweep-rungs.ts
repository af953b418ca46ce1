import { bigserial, doublePrecision, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { runs } from './runs';
import { sweeps } from './sweeps';

/**
 * A run's val metric at an early-stopping rung of its sweep (sweep.early_stop). `seq` orders arrivals: a verdict is
 * computed from the values recorded up to its own row, so a retried report gets the verdict it first got.
 */
export const sweepRungs = pgTable(
  'sweep_rungs',
  {
    sweepId: text('sweep_id')
      .notNull()
      .references(() => sweeps.id),
    step: integer('step').notNull(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id),
    metric: text('metric').notNull(),
    value: doublePrecision('value').notNull(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.sweepId, t.step, t.runId] }),
    index('sweep_rungs_seq_idx').on(t.sweepId, t.step, t.seq),
  ],
);
