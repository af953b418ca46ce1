import { and, eq } from 'drizzle-orm';
import type { Db } from '../client';
import { datasetSelections } from '../schema/index';

/** A resolved dataset selection row. */
export type DatasetSelectionRow = typeof datasetSelections.$inferSelect;
/** Fields of a resolved selection. */
export type DatasetSelectionInput = Omit<typeof datasetSelections.$inferInsert, 'createdAt'>;

/** The resolved selection of (manifest content hash, canonical selection JSON), or null when not resolved yet. */
export async function findDatasetSelection(
  db: Db,
  contentHash: string,
  selection: string,
): Promise<DatasetSelectionRow | null> {
  const [row] = await db
    .select()
    .from(datasetSelections)
    .where(and(eq(datasetSelections.contentHash, contentHash), eq(datasetSelections.selection, selection)));
  return row ?? null;
}

/** Records a resolved selection; resolving the same one again keeps the first row (the result is a pure function). */
export async function recordDatasetSelection(db: Db, input: DatasetSelectionInput): Promise<void> {
  await db.insert(datasetSelections).values(input).onConflictDoNothing();
}
