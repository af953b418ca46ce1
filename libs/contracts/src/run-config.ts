import { z } from 'zod';

// RunConfig is one fully resolved point of a sweep. It has no defaults on purpose: what the GPU worker receives
// is exactly what was hashed into the run id. Defaults live in ExperimentSpec.

const positiveInt = z.number().int().positive();
const unitInterval = z.number().min(0).max(1);
/** A [low, high] pair of numbers in [lo, hi] with low <= high (a relation, so zod checks it; JSON Schema cannot). */
const range = (item: z.ZodNumber) =>
  z.tuple([item, item]).refine(([low, high]) => low <= high, { message: 'low must not exceed high' });
/** A word of a prompt: not blank (a blank class word would give both prompts the same text). */
const word = z.string().regex(/\S/, 'must not be blank');

/** A tiny or custom CLIP architecture built in code (random weights; nothing downloaded). */
export const ClipArchitecture = z
  .strictObject({
    vision: z.strictObject({
      hidden_size: positiveInt,
      num_hidden_layers: positiveInt,
      num_attention_heads: positiveInt,
      intermediate_size: positiveInt,
      image_size: positiveInt,
      patch_size: positiveInt,
    }),
    text: z.strictObject({
      hidden_size: positiveInt,
      num_hidden_layers: positiveInt,
      num_attention_heads: positiveInt,
      intermediate_size: positiveInt,
      max_position_embeddings: positiveInt,
    }),
    projection_dim: positiveInt,
  })
  .refine(({ vision }) => vision.image_size % vision.patch_size === 0, {
    message: 'image_size must be a multiple of patch_size (a whole number of patches)',
    path: ['vision', 'image_size'],
  });

/**
 * Where the frozen CLIP comes from: a hub id, a local folder, or an architecture built in code. `weights_sha256`
 * identifies a local folder's weight, config and tokenizer files by content (BACKBONE_FILE_PATTERNS): the CLI fills
 * it at plan time, so it enters run ids and eval-cell keys, and a worker refuses a folder whose files differ.
 */
export const BackboneConfig = z
  .strictObject({
    source: z.enum(['hub', 'local', 'config']),
    name_or_path: z.string().min(1).nullable(),
    config: ClipArchitecture.nullable(),
    weights_sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable()
      .default(null),
  })
  // which of the two is required follows the source; the other is null
  .refine((b) => b.source !== 'config' || b.config !== null, {
    message: "required when source is 'config'",
    path: ['config'],
  })
  .refine((b) => b.source === 'config' || b.name_or_path !== null, {
    message: "required when source is 'hub' or 'local'",
    path: ['name_or_path'],
  });

/**
 * The files of a backbone folder its identity covers (weights, model config, tokenizer), as suffixes; the
 * identity is the sha256 of the canonical JSON of {relative path: sha256 of the file} over them. Exported to
 * generated/constants.json for the worker's check.
 */
export const BACKBONE_FILE_SUFFIXES = ['.safetensors', '.bin', '.json', '.txt', '.model'] as const;

/** Multimodal prompt learning (MaPLe-style); `depth` counts the layers that receive deep prompts. */
export const PromptConfig = z.strictObject({
  n_ctx: positiveInt,
  ctx_init: z.string().min(1).nullable(),
  depth: z.number().int().min(1),
  class_words: z
    .strictObject({ real: word, fake: word })
    .refine((w) => w.real !== w.fake, { message: 'must differ from real', path: ['fake'] }),
});

/** The MiraGe loss (reconstruction): CE + w_intra * intra-class alignment + w_inter * inter-class separation. */
export const LossConfig = z.strictObject({
  name: z.enum(['mirage', 'ce']),
  w_intra: z.number().min(0),
  w_inter: z.number().min(0),
  margin: z.number().min(-1).max(1),
  variant: z.enum(['hinge', 'supcon']),
  temperature: z.number().positive(),
});

export const OptimizerConfig = z.strictObject({
  name: z.enum(['adamw', 'sgd']),
  lr: z.number().positive(),
  weight_decay: z.number().min(0),
  momentum: z.number().min(0).max(1),
  // below 1: Adam's bias correction divides by 1 - beta**t, which is zero at beta 1
  betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]),
});

export const ScheduleConfig = z.strictObject({
  steps: positiveInt,
  warmup_steps: z.number().int().min(0),
  batch_size: positiveInt,
  grad_clip: z.number().min(0),
  checkpoint_every: positiveInt,
  eval_batch_size: positiveInt,
});

const PreprocessPolicy = z.strictObject({
  policy: z.enum(['clip_resize', 'center_crop', 'random_crop']),
  size: positiveInt,
});

/**
 * What a crop policy does to an image smaller than the crop: `pad` (the default) keeps its pixels as they are and
 * zero-pads it to the crop size (no resampling trace is added, which a forensic detector could learn); `resize_up`
 * scales its short side up to the crop size first (bicubic), so the input is all image content. `clip_resize`
 * always resizes and ignores this. `mirage plan` warns when a column holds images smaller than the crop.
 */
export const SmallImagePolicy = z.enum(['resize_up', 'pad']);

export const PreprocessConfig = z.strictObject({
  train: PreprocessPolicy,
  eval: z.strictObject({ policy: z.enum(['clip_resize', 'center_crop']), size: positiveInt }),
  small_images: SmallImagePolicy.default('pad'),
});

/** Training-time augmentation; evaluation perturbations are separate (see Perturbation). */
/**
 * Training-time augmentation; evaluation perturbations are separate (see Perturbation). Blur and JPEG are drawn
 * independently with their own probabilities, as CNNDetection / UnivFD train (their "Blur+JPEG (0.5)" setting is
 * p 0.5 each, sigma [0, 3], quality [30, 100]); `flip` is a horizontal flip with probability `p`.
 */
export const AugmentConfig = z.strictObject({
  jpeg: z.strictObject({ p: unitInterval, quality: range(z.number().int().min(1).max(100)) }),
  blur: z.strictObject({ p: unitInterval, sigma: range(z.number().min(0).max(50)) }),
  flip: z.strictObject({ p: unitInterval }).default({ p: 0 }),
});

export const METHODS = ['mirage', 'maple', 'coop', 'univfd'] as const;

/** One resolved run: the exact input the detector trains from. */
export const RunConfig = z.strictObject({
  experiment: z.string().min(1),
  method: z.enum(METHODS),
  backbone: BackboneConfig,
  prompt: PromptConfig,
  loss: LossConfig,
  optimizer: OptimizerConfig,
  schedule: ScheduleConfig,
  preprocess: PreprocessConfig,
  augment: AugmentConfig,
  seed: z.number().int().min(0),
  device: z.enum(['auto', 'cpu', 'cuda']),
  precision: z.enum(['auto', 'fp32', 'bf16']),
  num_workers: z.number().int().min(0),
  /**
   * torch.compile the detector's forward (ExperimentSpec resources.compile). Present only when on: a config without
   * it is the eager default, and every run id computed before the field existed stays the same.
   */
  compile: z.literal(true).optional(),
});
export type RunConfig = z.infer<typeof RunConfig>;
export type BackboneConfig = z.infer<typeof BackboneConfig>;
