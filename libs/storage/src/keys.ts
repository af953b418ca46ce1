/**
 * Stable S3 key layout. Every key is built here so the TypeScript side and the Python worker (which receives keys,
 * never builds them) agree, and so a run's artifacts can be listed by prefix:
 *
 *   runs/<runId>/checkpoints/step-00000050.safetensors
 *   runs/<runId>/scores/<dataset>/<perturbation>.jsonl
 *   runs/<runId>/train-metrics.jsonl
 *   datasets/<name>/<contentHash>.jsonl
 *
 * Segments keep only S3's "safe" characters (letters, digits, `.`, `_`, `-`); any run of other characters becomes
 * one `-`, so `jpeg(quality=75)` is stored as `jpeg-quality-75`. Input containing `..` is rejected outright rather
 * than rewritten, because it signals a path-traversal attempt or a bug upstream.
 */

/** Thrown when a key or key segment is empty, contains `..`, or is otherwise unusable as an S3 key. */
export class UnsafeKeyError extends Error {
  /** Builds the error naming what was being built and the offending value. */
  constructor(
    readonly what: string,
    readonly value: string,
    reason: string,
  ) {
    super(`unsafe S3 key ${what} ${JSON.stringify(value)}: ${reason}`);
    this.name = 'UnsafeKeyError';
  }
}

const UNSAFE_RUN = /[^A-Za-z0-9._-]+/g;
const MAX_STEP = 99_999_999;

/** Turns one user-supplied value into a key segment of safe characters; rejects `..`, empty and dot-only results. */
export function slugSegment(value: string, what = 'segment'): string {
  if (typeof value !== 'string' || value.length === 0) throw new UnsafeKeyError(what, String(value), 'must be a non-empty string');
  if (value.includes('..')) throw new UnsafeKeyError(what, value, 'must not contain ".."');
  const slug = value.replace(UNSAFE_RUN, '-').replace(/^-+|-+$/g, '');
  if (slug.length === 0 || /^\.+$/.test(slug)) throw new UnsafeKeyError(what, value, 'has no usable characters');
  return slug;
}

/** Checks a complete key before it reaches S3: relative, no empty, `.` or `..` segments, no control characters. */
export function assertSafeKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new UnsafeKeyError('key', String(key), 'must be a non-empty string');
  if (key.startsWith('/')) throw new UnsafeKeyError('key', key, 'must not start with "/"');
  if (key.length > 1024) throw new UnsafeKeyError('key', key, 'is longer than 1024 characters');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(key)) throw new UnsafeKeyError('key', key, 'contains control characters or "\\"');
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new UnsafeKeyError('key', key, 'has an empty, "." or ".." segment');
    }
  }
  return key;
}

/** Prefix of every artifact of one run: `runs/<runId>/`. */
export function runPrefix(runId: string): string {
  return `runs/${slugSegment(runId, 'runId')}/`;
}

/** Prefix under which a run's checkpoints live; list it to find the latest one. */
export function checkpointsPrefix(runId: string): string {
  return `${runPrefix(runId)}checkpoints/`;
}

/** `runs/<runId>/checkpoints/step-<8-digit step>.safetensors`; zero-padding makes lexical order equal step order. */
export function checkpointKey(runId: string, step: number): string {
  if (!Number.isInteger(step) || step < 0 || step > MAX_STEP) {
    throw new UnsafeKeyError('step', String(step), `must be an integer in [0, ${MAX_STEP}]`);
  }
  return `${checkpointsPrefix(runId)}step-${String(step).padStart(8, '0')}.safetensors`;
}

/** The step encoded in a checkpoint key built by checkpointKey, or null for any other key. */
export function parseCheckpointStep(key: string): number | null {
  const match = /^runs\/[A-Za-z0-9._-]+\/checkpoints\/step-(\d{8})\.safetensors$/.exec(key);
  return match ? Number(match[1]) : null;
}

/** `runs/<runId>/scores/<dataset>/<perturbation slug>.jsonl`: per-image scores of one evaluation cell. */
export function scoresKey(runId: string, dataset: string, perturbationId: string): string {
  return `${runPrefix(runId)}scores/${slugSegment(dataset, 'dataset')}/${slugSegment(perturbationId, 'perturbation')}.jsonl`;
}

/** `runs/<runId>/train-metrics.jsonl`: the full training curve as JSON lines. */
export function trainMetricsKey(runId: string): string {
  return `${runPrefix(runId)}train-metrics.jsonl`;
}

/** `datasets/<name>/<contentHash>.jsonl`: a manifest is addressed by its content, so versions never overwrite. */
export function manifestKey(name: string, contentHash: string): string {
  return `datasets/${slugSegment(name, 'dataset name')}/${slugSegment(contentHash, 'contentHash')}.jsonl`;
}
