import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { datasets } from '../schema/index';
import { excluded, takeExcluded } from './excluded';

/** A stored dataset version row. */
export type Dataset = typeof datasets.$inferSelect;
/** Fields to register a dataset version. */
export type DatasetInput = Omit<typeof datasets.$inferInsert, 'id' | 'createdAt'>;

/** Thrown when a dataset version is registered again with different contents: versions are immutable. */
export class DatasetVersionConflictError extends Error {
  /** Builds the error naming the dataset, its version and both content hashes. */
  constructor(
    readonly datasetName: string,
    readonly version: string,
    readonly recordedHash: string,
    readonly proposedHash: string,
  ) {
    super(
      `dataset ${datasetName}@${version} is already registered with content_hash ${recordedHash}; ` +
        `refusing to replace it with ${proposedHash} (register a new version instead)`,
    );
    this.name = 'DatasetVersionConflictError';
  }
}

/**
 * Registers (name, version); registering the same contents again refreshes the descriptive fields and returns the
 * same row. Different contents under an existing version throw DatasetVersionConflictError and change nothing.
 */
export async function upsertDataset(db: Db, input: DatasetInput): Promise<Dataset> {
  const [row] = await db
    .insert(datasets)
    .values(input)
    .onConflictDoUpdate({
      target: [datasets.name, datasets.version],
      set: takeExcluded({
        layout: datasets.layout,
        root: datasets.root,
        manifestKey: datasets.manifestKey,
        nImages: datasets.nImages,
        counts: datasets.counts,
        skipped: datasets.skipped,
      }),
      setWhere: sql`${datasets.contentHash} = ${excluded(datasets.contentHash)}`,
    })
    .returning();
  if (row) return row;
  const recorded = await getDataset(db, input.name, input.version);
  throw new DatasetVersionConflictError(input.name, input.version, recorded?.contentHash ?? '?', input.contentHash);
}

/** The given version of a dataset, or its most recently registered version when `version` is omitted; null if none. */
export async function getDataset(db: Db, name: string, version?: string): Promise<Dataset | null> {
  const where =
    version === undefined ? eq(datasets.name, name) : and(eq(datasets.name, name), eq(datasets.version, version));
  const [row] = await db
    .select()
    .from(datasets)
    .where(where)
    .orderBy(desc(datasets.createdAt), desc(datasets.id))
    .limit(1);
  return row ?? null;
}

/** Every registered dataset version, by name then registration order. */
export async function listDatasets(db: Db): Promise<Dataset[]> {
  return db.select().from(datasets).orderBy(datasets.name, datasets.createdAt, datasets.id);
}
