import { doublePrecision, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { runs } from './runs';

/** Training curve points: named loss terms (including the total) per step. */
export const trainMetrics = pgTable(
  'train_metrics',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    step: integer('step').notNull(),
    lossTerms: jsonb('loss_terms').$type<Record<string, number>>().notNull(),
    lr: doublePrecision('lr'),
    imagesPerSecond: doublePrecision('images_per_second'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ name: 'train_metrics_run_step_pk', columns: [t.runId, t.step] })],
);
