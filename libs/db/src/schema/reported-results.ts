import { doublePrecision, pgTable, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns';

/** Numbers as published in a paper, for diffs between our reproductions and the reported tables. */
export const reportedResults = pgTable(
  'reported_results',
  {
    id: serial('id').primaryKey(),
    paper: text('paper').notNull(),
    method: text('method').notNull(),
    protocol: text('protocol').notNull(),
    dataset: text('dataset').notNull(),
    metric: text('metric').notNull(),
    value: doublePrecision('value').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('reported_results_natural_uq').on(t.paper, t.method, t.protocol, t.dataset, t.metric)],
);
