import { integer, jsonb, pgTable, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';

/** Image counts of a registered dataset, per label and per generator. */
export interface DatasetCounts {
  by_label: Record<string, number>;
  by_generator: Record<string, number>;
  by_split: Record<string, number>;
  /** Per object class, for releases that record one (ForenSynths' LSUN classes). */
  by_class?: Record<string, number>;
}

/** A registered dataset version: where its manifest lives and what it contains (content hash of the manifest). */
export const datasets = pgTable(
  'datasets',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    version: text('version').notNull(),
    layout: text('layout').notNull(),
    root: text('root').notNull(),
    manifestKey: text('manifest_key').notNull(),
    contentHash: text('content_hash').notNull(),
    nImages: integer('n_images').notNull(),
    counts: jsonb('counts').$type<DatasetCounts>().notNull(),
    skipped: jsonb('skipped').$type<{ uri: string; reason: string }[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('datasets_name_version_uq').on(t.name, t.version)],
);
