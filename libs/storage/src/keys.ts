/**
 * Key safety for the artifact store and the dataset-manifest key. Run artifact keys (checkpoints, scores, train
 * metrics) are laid out by `runKeys` in @mirage/contracts, the one definition the workflows can also import.
 *
 *   datasets/<name>/<contentHash>.jsonl
 *   selections/<selectionHash>.jsonl
 *
 * Segments keep only S3's "safe" characters (letters, digits, `.`, `_`, `-`); any run of other characters becomes
 * one `-`. Input containing `..` is rejected outright rather than rewritten, because it signals a path-traversal
 * attempt or a bug upstream.
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

/** Turns one user-supplied value into a key segment of safe characters; rejects `..`, empty and dot-only results. */
export function slugSegment(value: string, what = 'segment'): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new UnsafeKeyError(what, String(value), 'must be a non-empty string');
  if (value.includes('..')) throw new UnsafeKeyError(what, value, 'must not contain ".."');
  const slug = value.replace(UNSAFE_RUN, '-').replace(/^-+|-+$/g, '');
  if (slug.length === 0 || /^\.+$/.test(slug)) throw new UnsafeKeyError(what, value, 'has no usable characters');
  return slug;
}

/** Checks a complete key before it reaches S3: relative, no empty, `.` or `..` segments, no control characters. */
export function assertSafeKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0)
    throw new UnsafeKeyError('key', String(key), 'must be a non-empty string');
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

/** `datasets/<name>/<contentHash>.jsonl`: a manifest is addressed by its content, so versions never overwrite. */
export function manifestKey(name: string, contentHash: string): string {
  return `datasets/${slugSegment(name, 'dataset name')}/${slugSegment(contentHash, 'contentHash')}.jsonl`;
}

/** `selections/<selectionHash>.jsonl`: the records one dataset selection picked, addressed by their sha256. */
export function selectionKey(selectionHash: string): string {
  return `selections/${slugSegment(selectionHash, 'selectionHash')}.jsonl`;
}
