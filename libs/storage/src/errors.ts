/** Thrown when an object's bytes do not hash to the sha256 recorded in its metadata. */
export class ChecksumMismatchError extends Error {
  /** Builds the error naming the key and both hashes. */
  constructor(
    readonly key: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`checksum mismatch for s3 object "${key}": metadata sha256 ${expected}, downloaded bytes hash to ${actual}`);
    this.name = 'ChecksumMismatchError';
  }
}

/** Thrown when an object has no sha256 metadata, so its bytes cannot be verified (never trusted silently). */
export class MissingChecksumError extends Error {
  /** Builds the error naming the key. */
  constructor(readonly key: string) {
    super(
      `s3 object "${key}" has no "sha256" user metadata; it was not written by the artifact store and cannot be verified`,
    );
    this.name = 'MissingChecksumError';
  }
}

/** Thrown when reading a key that does not exist. */
export class ArtifactNotFoundError extends Error {
  /** Builds the error naming the bucket and key. */
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`s3 object "${key}" not found in bucket "${bucket}"`);
    this.name = 'ArtifactNotFoundError';
  }
}

/** Thrown when a local file changed between hashing it and uploading it; the partial upload is deleted. */
export class SourceChangedError extends Error {
  /** Builds the error naming the file and key. */
  constructor(
    readonly path: string,
    readonly key: string,
  ) {
    super(
      `file "${path}" changed while it was uploaded to "${key}"; the upload was deleted, retry once the file is complete`,
    );
    this.name = 'SourceChangedError';
  }
}
