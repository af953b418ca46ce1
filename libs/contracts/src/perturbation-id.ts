// Zod-free, so workflow code can import it without the schemas (see workflow.ts).
import type { Perturbation } from './perturbation';

// Parameters that are real numbers; Python prints them with a trailing ".0" when whole (1.0), ints without.
const FLOAT_PARAMS = new Set(['sigma', 'factor']);

/**
 * Canonical id of an evaluation condition, identical to the Python side's `perturbation_id`: `jpeg(quality=75)`,
 * `preprocess(policy=center_crop,size=224)`; a chain joins its steps' ids with `+`.
 */
export function perturbationId(p: Perturbation): string {
  if (p.name === 'chain') return p.steps.map((step) => perturbationId(step)).join('+');
  const entries = Object.entries(p)
    .filter(([k]) => k !== 'name')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return p.name;
  const params = entries.map(([k, v]) => `${k}=${formatParam(k, v as number | string)}`);
  return `${p.name}(${params.join(',')})`;
}

function formatParam(key: string, value: number | string): string {
  return typeof value === 'number' && FLOAT_PARAMS.has(key) && Number.isInteger(value) ? `${value}.0` : String(value);
}
