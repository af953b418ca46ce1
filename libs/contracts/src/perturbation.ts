import { z } from 'zod';

/** A named, seeded image perturbation (robustness rows of the matrix). */
export const ImagePerturbation = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('jpeg'), quality: z.number().int().min(1).max(100) }),
  z.strictObject({ name: z.literal('blur'), sigma: z.number().positive().max(50) }),
  z.strictObject({ name: z.literal('downscale'), factor: z.number().positive().max(1) }),
  z.strictObject({ name: z.literal('crop'), size: z.number().int().positive() }),
]);

/**
 * Evaluation-time preprocessing in place of the run's `preprocess.eval` (AIGIBench's test-time preprocessing
 * axis): `clip_resize` and `center_crop` as in training configs, `tile` scores the image at its native resolution as
 * a grid of `size` tiles (see the detector's transforms). It changes no training, so it is an evaluation condition.
 */
export const EvalPreprocessStep = z.strictObject({
  name: z.literal('preprocess'),
  policy: z.enum(['clip_resize', 'center_crop', 'tile']),
  size: z.number().int().positive(),
});

/**
 * One evaluation condition: `none`, one perturbation, an eval preprocessing, or a chain applied in order (e.g. the
 * "social media" pipeline: downscale, then JPEG). A chain's preprocess step, if any, is its last.
 */
export const Perturbation = z.union([
  z.strictObject({ name: z.literal('none') }),
  ImagePerturbation,
  EvalPreprocessStep,
  z
    .strictObject({ name: z.literal('chain'), steps: z.array(z.union([ImagePerturbation, EvalPreprocessStep])).min(2) })
    .refine((chain) => chain.steps.every((step, i) => step.name !== 'preprocess' || i === chain.steps.length - 1), {
      message: 'a chain may hold one preprocess step, as its last',
      path: ['steps'],
    }),
]);
export type Perturbation = z.infer<typeof Perturbation>;

export { perturbationId } from './perturbation-id';
