import { bigint, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { runs } from './runs';

/** A checkpoint object in S3 for one step of a run; a retried attempt re-saving a step overwrites the row. */
export const checkpoints = pgTable(
  'checkpoints',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    step: integer('step').notNull(),
    key: text('key').notNull(),
    sha256: text('sha256').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ name: 'checkpoints_run_step_pk', columns: [t.runId, t.step] })],
);
