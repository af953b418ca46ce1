// Zod-free, so workflow code can import it without the schemas (see workflow.ts).
import type { RunEnvironment } from './activities';
import { hashValue } from './hash';

/**
 * The versions that change numbers (torch, transformers, Pillow, numpy, CUDA), hashed: part of an eval cell's key,
 * so a cell computed under other libraries is stale rather than reused (ExperimentSpec.reuse_across_environments
 * relaxes this, and the table says so).
 */
export function environmentKey(environment: RunEnvironment): string {
  const { torch, transformers, pillow, numpy, cuda } = environment;
  return `env-${hashValue({ torch, transformers, pillow, numpy, cuda }).slice(0, 16)}`;
}
