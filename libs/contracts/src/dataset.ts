import { z } from 'zod';

export const LABELS = ['real', 'fake'] as const;
export const SPLITS = ['train', 'val', 'test'] as const;

/** Names of the dataset layouts the detector registers (`mirage data register --layout`). */
export const LAYOUTS = [
  'genimage',
  'forensynths',
  'ufd-diffusion',
  'folder',
  'manifest',
  'synthetic',
  'video-folder',
  'video-manifest',
] as const;

/**
 * One image of a dataset manifest (one JSON object per line of the manifest file). `uri` is a POSIX path relative
 * to the dataset root (so the same images under another mount point hash the same) or an `s3://` uri;
 * `object_class` is the scene/object class where a release records one (ForenSynths' LSUN classes), else null.
 * A frame of a video is a record too: `uri` and `sha256` are the video file's, `frame` is the frame's index in
 * presentation order, `timestamp` its time in seconds and `video_id` names the video (frames are decoded from the
 * video when evaluated, never stored as images). All three are null for a still image.
 */
export const ManifestRecord = z.strictObject({
  uri: z.string().min(1),
  label: z.enum(LABELS),
  generator: z.string().min(1),
  object_class: z.string().min(1).nullable().default(null),
  split: z.enum(SPLITS),
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  format: z.string().nullable(),
  jpeg_quality: z.number().int().min(1).max(100).nullable(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  video_id: z.string().min(1).nullable().default(null),
  frame: z.number().int().min(0).nullable().default(null),
  timestamp: z.number().min(0).nullable().default(null),
});
export type ManifestRecord = z.infer<typeof ManifestRecord>;

/** A registered dataset as stored: the manifest lives in S3 under `key`, `content_hash` identifies its records. */
export const DatasetManifest = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" and "-" only'),
  version: z.string().min(1),
  layout: z.enum(LAYOUTS),
  root: z.string().min(1),
  key: z.string().min(1),
  content_hash: z.string().regex(/^[0-9a-f]{64}$/),
  n_images: z.number().int().min(0),
  /** Videos the frames come from, for a video layout (n_images then counts frames). */
  n_videos: z.number().int().min(0).optional(),
  counts: z.strictObject({
    by_label: z.record(z.string(), z.number().int().min(0)),
    by_generator: z.record(z.string(), z.number().int().min(0)),
    by_split: z.record(z.string(), z.number().int().min(0)),
    by_class: z.record(z.string(), z.number().int().min(0)).optional(),
  }),
});
export type DatasetManifest = z.infer<typeof DatasetManifest>;

/**
 * Which records of a dataset a train or eval step uses: those of `split`, `generators` and `classes` (null = any),
 * ordered by content hash (shuffled by `sample_seed` when it is set), then the first `max_images`.
 */
export const DatasetSelection = z.strictObject({
  split: z.enum(SPLITS).nullable(),
  generators: z.array(z.string().min(1)).min(1).nullable(),
  classes: z.array(z.string().min(1)).min(1).nullable(),
  max_images: z.number().int().positive().nullable(),
  sample_seed: z.number().int().min(0).nullable(),
});
export type DatasetSelection = z.infer<typeof DatasetSelection>;

/**
 * A resolved selection of a registered dataset. The CLI applies `selection` to the dataset's manifest once, before
 * anything starts, and stores the selected records (in selection order) as their own manifest at `key`, named by
 * its sha256 `selection_hash`: the worker reads those records as they are, and the hash is what run ids and eval
 * cell keys are computed from (the same images under any name or mount give the same hash). Record uris are
 * relative to `root` (the registering machine's dataset folder) unless they are `s3://` uris.
 */
export const ManifestRef = z.strictObject({
  dataset: z.string().min(1),
  version: z.string().min(1),
  content_hash: z.string().regex(/^[0-9a-f]{64}$/),
  selection: DatasetSelection,
  key: z.string().min(1),
  selection_hash: z.string().regex(/^[0-9a-f]{64}$/),
  root: z.string().min(1),
  n_real: z.number().int().min(0),
  n_fake: z.number().int().min(0),
});
export type ManifestRef = z.infer<typeof ManifestRef>;
