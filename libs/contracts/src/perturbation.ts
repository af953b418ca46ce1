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

// Parameters that are real numbers; Python prints them with a trailing ".0" when whole (1.0), ints without.
const FLOAT_PARAMS = new Set(['sigma', 'factor']);

/** Canonical id of a perturbation, identical to the Python side's `perturbation_id`: `jpeg(quality=75)`. */
export function perturbationId(p: Perturbation): string {
  const entries = Object.entries(p)
    .filter(([k]) => k !== 'name')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return p.name;
  const params = entries.map(([k, v]) => `${k}=${formatParam(k, v as number)}`);
  return `${p.name}(${params.join(',')})`;
}

function formatParam(key: string, value: number): string {
  return FLOAT_PARAMS.has(key) && Number.isInteger(value) ? `${value}.0` : String(value);
}
