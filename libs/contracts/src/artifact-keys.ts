// The S3 key layout of a run's artifacts: the one definition used by the workflows (which cannot import the storage
// lib: it does I/O), the orchestrator and the tests. The GPU worker appends `step-<8 digits>.safetensors` to
// `checkpointPrefix`.

/** Keys of one run's artifacts: `runs/<runId>/{checkpoints/, train-metrics.jsonl, scores/<eval>/<perturbation>.jsonl}`. */
export function runKeys(runId: string) {
  const root = `runs/${slug(runId)}`;
  return {
    checkpointPrefix: `${root}/checkpoints`,
    trainMetrics: `${root}/train-metrics.jsonl`,
    scores: (evalId: string, perturbationId: string) => `${root}/scores/${slug(evalId)}/${slug(perturbationId)}.jsonl`,
  };
}

/**
 * A key segment safe for any S3 server and never a path step: letters, digits, '.', '_', '-' only, no run of dots
 * (so never "." or ".."), no leading or trailing separator; "x" when nothing usable is left.
 */
export function slug(text: string): string {
  return (
    text
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/\.{2,}/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '') || 'x'
  );
}
