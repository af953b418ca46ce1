import { z } from 'zod';

// The bundle `mirage export` writes from Postgres and libs/trackers reads (through the pydantic models the codegen
// generates from this schema): one JSON file per export.

/** Format tag of the bundle; libs/trackers reads exactly this version (mirage_trackers/bundle.py). */
export const BUNDLE_FORMAT = 'mirage-tracker-export/1';

const metric = z.number().nullable();
const cellMetrics = {
  acc: metric,
  acc_real: metric,
  acc_fake: metric,
  ap: metric,
  auc: metric,
  acc_calibrated: metric,
};

/** One train_metrics row: the loss terms (with "total") at a step, and lr and throughput where recorded. */
export const BundleTrainPoint = z.strictObject({
  step: z.number().int().min(0),
  loss_terms: z.record(z.string(), z.number()),
  lr: z.number().nullable(),
  images_per_second: z.number().nullable(),
});

/** One eval_results row: a run on one evaluation column (`column` is its id) under one perturbation. */
export const BundleEvalCell = z.strictObject({
  column: z.string().min(1),
  perturbation: z.string().min(1),
  n: z.number().int().min(0),
  n_real: z.number().int().min(0),
  n_fake: z.number().int().min(0),
  threshold: z.number(),
  metrics: z.strictObject(cellMetrics),
  /** Video-level metrics when the column holds video frames (the cell's `metrics` are then per frame). */
  video: z.strictObject({ ...cellMetrics, n_videos: z.number().int().min(0) }).nullable(),
});

/** One run with its resolved RunConfig, its curve and its cells. */
export const BundleRun = z.strictObject({
  id: z.string().min(1),
  sweep_id: z.string().min(1),
  experiment: z.string().min(1),
  method: z.string().min(1),
  seed: z.number().int(),
  status: z.string().min(1),
  code_version: z.string().min(1),
  config: z.record(z.string(), z.unknown()),
  train: z.array(BundleTrainPoint),
  eval: z.array(BundleEvalCell),
});

/** What `mirage export` hands the Python exporter: one sweep's or experiment's runs as read from Postgres. */
export const TrackerBundle = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  source: z.strictObject({ kind: z.enum(['sweep', 'experiment']), id: z.string().min(1) }),
  runs: z.array(BundleRun),
});
/** The export bundle. */
export type TrackerBundle = z.infer<typeof TrackerBundle>;
/** Which sweep or experiment a bundle holds. */
export type BundleSource = TrackerBundle['source'];
