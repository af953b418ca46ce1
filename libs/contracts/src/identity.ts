import { hashValue } from './hash';
import type { VideoAggregate } from './activities';
import type { RunConfig } from './run-config';

/**
 * Run identity: the resolved config (seed included), the train and val selections and the code version. A
 * selection is named by the sha256 of its selected records (ManifestRef.selection_hash), so it covers the dataset,
 * split, generators, classes, max_images and sampling seed, and not where the images are mounted. Evaluation
 * choices are deliberately NOT part of it: adding a test column must not retrain anything; evaluation cells have
 * their own key (the checkpoint's sha256 and the column's selection_hash).
 */
export function runId(input: {
  config: RunConfig;
  trainSelectionHash: string;
  valSelectionHash: string | null;
  codeVersion: string;
}): string {
  return `run-${hashValue(input).slice(0, 24)}`;
}

/** Sweep identity: the validated spec, every manifest it resolved to, and the code version. */
export function sweepId(input: { spec: unknown; manifestHashes: Record<string, string>; codeVersion: string }): string {
  const name = (input.spec as { name?: string }).name ?? 'sweep';
  return `sweep-${name}-${hashValue(input).slice(0, 16)}`;
}

/**
 * What, besides the checkpoint, the column and the condition, changes an evaluation cell's scores: the run's eval
 * preprocessing and backbone, and how video scores aggregate frames. The default aggregate (mean) is left out, so
 * cells stored before videos existed keep their keys.
 */
export function preprocessHash(config: RunConfig, videoAggregate?: VideoAggregate): string {
  const video = videoAggregate && !isDefaultAggregate(videoAggregate) ? { video: videoAggregate } : {};
  return hashValue({ preprocess: config.preprocess.eval, backbone: config.backbone, ...video }).slice(0, 16);
}

// trim only counts for trimmed_mean, so any mean is the default.
function isDefaultAggregate(aggregate: VideoAggregate): boolean {
  return aggregate.method === 'mean';
}
