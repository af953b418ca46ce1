import { z } from 'zod';
import { DatasetSelection, SPLITS } from './dataset';
import { EarlyStopSpec } from './early-stop';
import { VideoAggregate } from './activities';
import { Perturbation } from './perturbation';
import {
  AugmentConfig,
  BackboneConfig,
  LossConfig,
  METHODS,
  OptimizerConfig,
  PreprocessConfig,
  PromptConfig,
  ScheduleConfig,
} from './run-config';

// ExperimentSpec is what a researcher writes in YAML. Every block has documented defaults so that a file states
// only what differs; the defaults of the MiraGe-specific blocks are a RECONSTRUCTION (the paper's values are not
// public) and are named as such in experiments/README.md.

/** A dataset (by registered name) and the part of it to use. */
export const DatasetRefSpec = z.strictObject({
  name: z.string().min(1),
  version: z.string().min(1).optional(),
  split: z.enum(SPLITS).optional(),
  generators: z.array(z.string().min(1)).min(1).optional(),
  classes: z.array(z.string().min(1)).min(1).optional(),
  max_images: z.number().int().positive().optional(),
  sample_seed: z.number().int().min(0).optional(),
});
export type DatasetRefSpec = z.infer<typeof DatasetRefSpec>;

/** An evaluation column of the cross-generator matrix; `id` defaults to `name` or `name:gen1+gen2`. */
export const EvalTargetSpec = DatasetRefSpec.extend({ id: z.string().min(1).optional() });
export type EvalTargetSpec = z.infer<typeof EvalTargetSpec>;

const SweepValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const RandomDistribution = z.union([
  z.strictObject({ choice: z.array(SweepValue).min(1) }),
  z.strictObject({ uniform: z.tuple([z.number(), z.number()]) }),
  z.strictObject({ log_uniform: z.tuple([z.number().positive(), z.number().positive()]) }),
]);

/** Grid and random search over dotted RunConfig paths (`optimizer.lr`, `method`, `loss.w_intra`). */
export const SweepSpec = z.strictObject({
  grid: z.record(z.string(), z.array(SweepValue).min(1)).default({}),
  random: z
    .strictObject({
      samples: z.number().int().positive(),
      seed: z.number().int().min(0).default(0),
      space: z.record(z.string(), RandomDistribution),
    })
    .optional(),
  max_concurrent: z.number().int().positive().default(2),
  /**
   * Opt-in: runs per child workflow. Absent (or 1), each run is a workflow of its own (`<sweep_id>/<run_id>` in
   * Temporal). Above 1, a run group workflow runs up to this many runs side by side, which shares the per-workflow
   * costs among them (about a third of the orchestration per run for a sweep of many short runs, in
   * apps/orchestrator/bench/sweep-overhead.ts); Temporal then lists one workflow per group, not per run.
   */
  runs_per_group: z.number().int().positive().optional(),
  /** Stop unpromising runs at rungs of a validation metric (needs `val`); null trains every run to the end. */
  early_stop: EarlyStopSpec.nullable().default(null),
});

/**
 * Settings one method trains with whatever the sweep point, so each baseline keeps its published optimizer and batch
 * size in a sweep over `method` (UnivFD: Adam, lr 1e-4, batch 256). A path the sweep grid sets explicitly wins.
 */
export const MethodOverrides = z.strictObject({
  optimizer: OptimizerConfig.partial().optional(),
  schedule: ScheduleConfig.partial().optional(),
  augment: AugmentConfig.partial().optional(),
});
export type MethodOverrides = z.infer<typeof MethodOverrides>;

/** A number a paper reports, for reproduced-minus-reported deltas. */
export const ReportedResultSpec = z.strictObject({
  paper: z.string().min(1),
  method: z.string().min(1),
  dataset: z.string().min(1),
  metric: z.enum(['acc', 'acc_calibrated', 'ap', 'auc']).default('acc'),
  value: z.number(),
  source: z.string().optional(),
});

/** A whole experiment file: one protocol, its sweep and seeds. */
export const ExperimentSpec = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" and "-" only'),
  description: z.string().default(''),
  protocol: z.string().min(1).optional(),
  synthetic: z.boolean().default(false),
  method: z.enum(METHODS).default('mirage'),
  backbone: BackboneConfig,
  prompt: PromptConfig.default({
    n_ctx: 4,
    ctx_init: 'a photo of a',
    depth: 9,
    class_words: { real: 'real', fake: 'fake' },
  }),
  loss: LossConfig.default({
    name: 'mirage',
    w_intra: 1,
    w_inter: 1,
    margin: 0.2,
    variant: 'hinge',
    temperature: 0.07,
  }),
  optimizer: OptimizerConfig.default({ name: 'adamw', lr: 0.002, weight_decay: 0, momentum: 0.9, betas: [0.9, 0.999] }),
  schedule: ScheduleConfig.default({
    steps: 1000,
    warmup_steps: 50,
    batch_size: 32,
    grad_clip: 1,
    checkpoint_every: 100,
    eval_batch_size: 128,
  }),
  preprocess: PreprocessConfig.default({
    train: { policy: 'random_crop', size: 224 },
    eval: { policy: 'clip_resize', size: 224 },
    small_images: 'pad',
  }),
  augment: AugmentConfig.default({ jpeg: { p: 0, quality: [30, 100] }, blur: { p: 0, sigma: [0, 3] }, flip: { p: 0 } }),
  train: DatasetRefSpec,
  val: DatasetRefSpec.optional(),
  eval: z.array(EvalTargetSpec).min(1),
  perturbations: z
    .array(Perturbation)
    .min(1)
    .default([{ name: 'none' }]),
  /** How video-level scores aggregate frame scores on columns of video frames (an evaluation choice). */
  video_aggregate: VideoAggregate.default({ method: 'mean', trim: 0.1 }),
  seeds: z.array(z.number().int().min(0)).min(1).default([0]),
  sweep: SweepSpec.default({ grid: {}, max_concurrent: 2, early_stop: null }),
  method_overrides: z.partialRecord(z.enum(METHODS), MethodOverrides).default({}),
  resources: z
    .strictObject({
      task_queue: z.string().min(1).default('gpu'),
      device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
      precision: z.enum(['auto', 'fp32', 'bf16']).default('auto'),
      num_workers: z.number().int().min(0).default(0),
      /**
       * Wrap the detector's forward (evaluation and the training step) in torch.compile: faster on a GPU after a
       * warm-up compile, the same model. Absent means off; it reaches the RunConfig only when true, so every run
       * written without it keeps its run id (and a spec without it keeps its sweep id).
       */
      compile: z.boolean().optional(),
      /**
       * Temporal task priority of the sweep's runs and their GPU tasks: 1 (first) to 5 (last); null is the server's
       * default (3). Scheduling only: it enters no run id.
       */
      priority: z.number().int().min(1).max(5).nullable().default(null),
    })
    .default({ task_queue: 'gpu', device: 'auto', precision: 'auto', num_workers: 0, priority: null }),
  reported: z.array(ReportedResultSpec).default([]),
  /**
   * Reuse cached eval cells computed under other library versions (another environment key). Off by default: such
   * cells are recomputed; a table of a sweep that turns it on says so in a footnote.
   */
  reuse_across_environments: z.boolean().default(false),
});
export type ExperimentSpec = z.infer<typeof ExperimentSpec>;
export type ExperimentSpecInput = z.input<typeof ExperimentSpec>;

/** The matrix column id of an evaluation target. */
export function evalTargetId(target: EvalTargetSpec): string {
  if (target.id) return target.id;
  return target.generators ? `${target.name}:${target.generators.join('+')}` : target.name;
}

/** The selection part of a dataset reference, with explicit nulls as the contracts require. */
export function toSelection(ref: DatasetRefSpec): z.infer<typeof DatasetSelection> {
  return {
    split: ref.split ?? null,
    generators: ref.generators ?? null,
    classes: ref.classes ?? null,
    max_images: ref.max_images ?? null,
    sample_seed: ref.sample_seed ?? null,
  };
}
