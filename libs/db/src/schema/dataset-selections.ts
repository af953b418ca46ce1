import { integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';

/**
 * Selections of registered datasets already resolved: (manifest content hash, canonical selection) -> the stored
 * manifest of the selected records and its sha256, the hash run ids and eval cell keys are computed from. Resolving
 * an experiment again (launch, plan, table) reads these rows instead of re-reading every manifest.
 */
export const datasetSelections = pgTable(
  'dataset_selections',
  {
    selectionHash: text('selection_hash').notNull(),
    contentHash: text('content_hash').notNull(),
    /** Canonical JSON of the DatasetSelection. */
    selection: text('selection').notNull(),
    selectionKey: text('selection_key').notNull(),
    nReal: integer('n_real').notNull(),
    nFake: integer('n_fake').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('dataset_selections_content_selection_uq').on(t.contentHash, t.selection)],
);
