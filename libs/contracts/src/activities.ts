import { z } from 'zod';
import { ManifestRef } from './dataset';
import { ValMetrics } from './early-stop';
import { Perturbation } from './perturbation';
import { RunConfig } from './run-config';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** A checkpoint file in S3 (one safetensors file: trainable tensors, optimizer, RNG, step, config). */
export const CheckpointRef = z.strictObject({
  key: z.string().min(1),
  sha256: sha256Hex,
  bytes: z.number().int().min(0),
  step: z.number().int().min(0),
});
export type CheckpointRef = z.infer<typeof CheckpointRef>;

/** An image that could not be decoded; runs skip, count and list these instead of crashing. */
export const SkippedImage = z.strictObject({ uri: z.string(), reason: z.string() });

/**
 * A payload lists at most SKIPPED_LISTED skipped images (a set with thousands of broken files must stay far below
 * Temporal's payload limits); these say how many there were and where the whole list is.
 */
const SkippedCount = {
  /** Distinct images left out; `skipped` lists the first of them. */
  skipped_total: z.number().int().min(0).default(0),
  /** S3 key of every skipped image (JSON lines of {uri, reason}) when there are more than `skipped` lists. */
  skipped_key: z.string().min(1).nullable().default(null),
};

const LossTerms = z.record(z.string(), z.number());

/**
 * What a GPU worker computed with: library versions, the Python lock's sha256, CUDA/cuDNN, the GPU and its driver,
 * and the host. Recorded on every run and evaluation cell; its numerics part is the environment key.
 */
export const RunEnvironment = z.strictObject({
  python: z.string().min(1),
  torch: z.string().min(1),
  transformers: z.string().min(1),
  numpy: z.string().min(1),
  pillow: z.string().min(1),
  lock_sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  cuda: z.string().nullable(),
  cudnn: z.string().nullable(),
  gpu: z.string().nullable(),
  driver: z.string().nullable(),
  host: z.string().min(1),
});
export type RunEnvironment = z.infer<typeof RunEnvironment>;

export { environmentKey } from './environment-key';

/** Input of the Python `train` activity. */
export const TrainInput = z.strictObject({
  run_id: z.string().min(1),
  config: RunConfig,
  train_manifest: ManifestRef,
  val_manifest: ManifestRef.nullable(),
  bucket: z.string().min(1),
  checkpoint_prefix: z.string().min(1),
  train_metrics_key: z.string().min(1),
  code_version: z.string().min(1),
  /**
   * Train only up to this step (an early-stopping rung), resuming from the newest stored checkpoint, and report the
   * val metrics there; no calibration. Null trains to the schedule's end.
   */
  stop_at_step: z.number().int().positive().nullable().default(null),
});
export type TrainInput = z.infer<typeof TrainInput>;

/** Heartbeat details of `train`; a retried attempt resumes from `checkpoint`. */
export const TrainHeartbeat = z.strictObject({
  step: z.number().int().min(0),
  total_steps: z.number().int().min(0),
  loss_terms: LossTerms,
  lr: z.number(),
  images_per_second: z.number().min(0),
  checkpoint: CheckpointRef.nullable(),
});
export type TrainHeartbeat = z.infer<typeof TrainHeartbeat>;

/** Output of `train`. Train metrics are in S3 at `train_metrics_key` (JSON lines), never in the payload. */
export const TrainOutput = z.strictObject({
  run_id: z.string().min(1),
  checkpoint: CheckpointRef,
  checkpoints: z.array(CheckpointRef),
  steps: z.number().int().min(0),
  final_loss_terms: LossTerms,
  images_per_second: z.number().min(0),
  calibrated_threshold: z.number().min(0).max(1).nullable(),
  train_metrics_key: z.string().min(1),
  n_train: z.number().int().min(0),
  resumed_from_step: z.number().int().min(0).nullable(),
  /** Temporal attempt number of the activity execution that finished (1 = no retry). */
  attempt: z.number().int().min(1),
  skipped: z.array(SkippedImage),
  ...SkippedCount,
  /** Null only in trainings recorded before environments were (they are asked of a worker again). */
  environment: RunEnvironment.nullable().default(null),
  /** Metrics of `checkpoint` on the val selection; null without a val selection. */
  val_metrics: ValMetrics.nullable().default(null),
});
export type TrainOutput = z.infer<typeof TrainOutput>;

/**
 * How a video's frame scores become the video's score: the mean, the max, or the mean after dropping the `trim`
 * fraction of lowest and of highest frame scores (`trim` counts only for `trimmed_mean`).
 */
export const VideoAggregate = z.strictObject({
  method: z.enum(['mean', 'max', 'trimmed_mean']),
  trim: z.number().min(0).lt(0.5),
});
export type VideoAggregate = z.infer<typeof VideoAggregate>;
export const DEFAULT_VIDEO_AGGREGATE: VideoAggregate = { method: 'mean', trim: 0.1 };

/** How a table or page names an aggregate: "mean", "max", "trimmed mean (10 % dropped at each end)". */
export function describeVideoAggregate(aggregate: VideoAggregate): string {
  if (aggregate.method === 'trimmed_mean')
    return `trimmed mean (${Math.round(aggregate.trim * 100)} % dropped at each end)`;
  return aggregate.method;
}

const fraction = z.number().min(0).max(1).nullable();
const count = z.number().int().min(0);

/** Class counts and the metrics of one evaluation, shared by the frame (or image) level and the video level. */
const CellMetrics = {
  n_real: count,
  n_fake: count,
  acc_real: fraction,
  acc_fake: fraction,
  acc: fraction,
  ap: fraction,
  auc: fraction,
  acc_calibrated: fraction,
};

/** Metrics of a video set at video level: one score per video (`aggregate` of its frames' p_fake). */
export const VideoMetrics = z.strictObject({ aggregate: VideoAggregate, n_videos: count, ...CellMetrics });
export type VideoMetrics = z.infer<typeof VideoMetrics>;

/** Input of the Python `evaluate` activity: one (checkpoint, dataset column, perturbation) cell. */
export const EvaluateInput = z.strictObject({
  run_id: z.string().min(1),
  config: RunConfig,
  checkpoint: CheckpointRef,
  eval_id: z.string().min(1),
  manifest: ManifestRef,
  perturbation: Perturbation,
  calibrated_threshold: z.number().min(0).max(1).nullable(),
  bucket: z.string().min(1),
  scores_key: z.string().min(1),
  /** The detector code version the run was planned at; a worker at another version refuses the cell. */
  code_version: z.string().min(1),
  /** Video-level scoring of a column whose records are video frames (ignored for still images). */
  video_aggregate: VideoAggregate.default(DEFAULT_VIDEO_AGGREGATE),
});
export type EvaluateInput = z.infer<typeof EvaluateInput>;

/** Summary metrics of one evaluation cell; per-image scores are in S3 at `scores_key`. */
export const EvaluateOutput = z.strictObject({
  run_id: z.string().min(1),
  eval_id: z.string().min(1),
  perturbation_id: z.string().min(1),
  n: count,
  ...CellMetrics,
  threshold: z.number().min(0).max(1),
  calibrated_threshold: z.number().min(0).max(1).nullable(),
  scores_key: z.string().min(1),
  scores_sha256: sha256Hex,
  skipped: z.array(SkippedImage),
  ...SkippedCount,
  environment: RunEnvironment,
  /** Video-level metrics when the column's records are video frames (the fields above are then per frame). */
  video: VideoMetrics.nullable().default(null),
});
export type EvaluateOutput = z.infer<typeof EvaluateOutput>;

/** One line of the train-metrics JSON-lines file the worker writes to S3. */
export const TrainMetricRecord = z.strictObject({
  step: z.number().int().min(0),
  loss_terms: LossTerms,
  lr: z.number(),
  images_per_second: z.number().min(0),
});
export type TrainMetricRecord = z.infer<typeof TrainMetricRecord>;
