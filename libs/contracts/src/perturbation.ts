import { z } from 'zod';

/** A named, seeded evaluation perturbation (robustness rows of the matrix). */
export const Perturbation = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('none') }),
  z.strictObject({ name: z.literal('jpeg'), quality: z.number().int().min(1).max(100) }),
  z.strictObject({ name: z.literal('blur'), sigma: z.number().positive().max(50) }),
  z.strictObject({ name: z.literal('downscale'), factor: z.number().positive().max(1) }),
  z.strictObject({ name: z.literal('crop'), size: z.number().int().positive() }),
]);
export type Perturbation = z.infer<typeof Perturbation>;

export { perturbationId } from './perturbation-id';
