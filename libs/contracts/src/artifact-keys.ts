// S3 key layout of a run's artifacts, shared by the workflows (which cannot import the storage lib: it does
// I/O), the orchestrator and libs/storage.

/** Keys of one run's artifacts. */
export function runKeys(runId: string) {
  const root = `runs/${runId}`;
  return {
    checkpointPrefix: `${root}/checkpoints`,
    trainMetrics: `${root}/train-metrics.jsonl`,
    scores: (evalId: string, perturbationId: string) => `${root}/scores/${slug(evalId)}/${slug(perturbationId)}.jsonl`,
  };
}

/** A key segment safe for any S3 server: letters, digits, '.', '_', '-' only. */
export function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}
