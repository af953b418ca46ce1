import { hashValue } from './hash';
import type { RunConfig } from './run-config';

/**
 * Run identity: the resolved config (seed included), the train/val manifest hashes and the code version.
 * Evaluation manifests are deliberately NOT part of it: adding a test generator must not retrain anything;
 * evaluation cells are cached by their own key (see evalCacheKey).
 */
export function runId(input: {
  config: RunConfig;
  trainManifestHash: string;
  valManifestHash: string | null;
  codeVersion: string;
}): string {
  return `run-${hashValue(input).slice(0, 24)}`;
}

/** Sweep identity: the validated spec, every manifest it resolved to, and the code version. */
export function sweepId(input: { spec: unknown; manifestHashes: Record<string, string>; codeVersion: string }): string {
  const name = (input.spec as { name?: string }).name ?? 'sweep';
  return `sweep-${name}-${hashValue(input).slice(0, 16)}`;
}

/** The preprocessing part of a config that changes evaluation scores. */
export function preprocessHash(config: RunConfig): string {
  return hashValue({ preprocess: config.preprocess.eval, backbone: config.backbone }).slice(0, 16);
}
