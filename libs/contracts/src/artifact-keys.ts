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

/**
 * Content addresses of dataset files in S3 (`mirage data register --upload`): a file's bytes live under their sha256,
 * so they are uploaded once however many datasets, versions or records (a video's frames) hold them, and any reader
 * checks what it got against the key. Exported to generated/constants.json (`blob_key_prefix`) for the GPU worker.
 */
export const BLOB_KEY_PREFIX = 'blobs/sha256/';

/** `blobs/sha256/<first 2 hex>/<sha256>`: where a file with these bytes lives in S3. */
export function blobKey(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256))
    throw new Error(`blobKey: ${JSON.stringify(sha256)} is not a lowercase hex sha256`);
  return `${BLOB_KEY_PREFIX}${sha256.slice(0, 2)}/${sha256}`;
}

/** `s3://<bucket>/<blob key>`: the uri a manifest record gets once its file is uploaded. */
export function blobUri(bucket: string, sha256: string): string {
  return `s3://${bucket}/${blobKey(sha256)}`;
}
