import { z } from 'zod';

export const LABELS = ['real', 'fake'] as const;
export const SPLITS = ['train', 'val', 'test'] as const;

/** One image of a dataset manifest (one JSON object per line of the manifest file). */
export const ManifestRecord = z.strictObject({
  uri: z.string().min(1),
  label: z.enum(LABELS),
  generator: z.string().min(1),
  split: z.enum(SPLITS),
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  format: z.string().nullable(),
  jpeg_quality: z.number().int().min(1).max(100).nullable(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ManifestRecord = z.infer<typeof ManifestRecord>;

/** A registered dataset as stored: the manifest lives in S3 under `key`, `content_hash` identifies its records. */
export const DatasetManifest = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" and "-" only'),
  version: z.string().min(1),
  layout: z.enum(['genimage', 'forensynths', 'folder', 'manifest', 'synthetic']),
  root: z.string().min(1),
  key: z.string().min(1),
  content_hash: z.string().regex(/^[0-9a-f]{64}$/),
  n_images: z.number().int().min(0),
  counts: z.strictObject({
    by_label: z.record(z.string(), z.number().int().min(0)),
    by_generator: z.record(z.string(), z.number().int().min(0)),
    by_split: z.record(z.string(), z.number().int().min(0)),
  }),
});
export type DatasetManifest = z.infer<typeof DatasetManifest>;

/** Which records of a dataset a train or eval step uses. */
export const DatasetSelection = z.strictObject({
  split: z.enum(SPLITS).nullable(),
  generators: z.array(z.string().min(1)).min(1).nullable(),
  max_images: z.number().int().positive().nullable(),
});
export type DatasetSelection = z.infer<typeof DatasetSelection>;

/** A resolved pointer to a manifest in S3 plus the selection to apply to it. */
export const ManifestRef = z.strictObject({
  dataset: z.string().min(1),
  version: z.string().min(1),
  key: z.string().min(1),
  content_hash: z.string().regex(/^[0-9a-f]{64}$/),
  selection: DatasetSelection,
});
export type ManifestRef = z.infer<typeof ManifestRef>;
