export {
  createArtifactStore,
  MAX_PRESIGN_TTL_SECONDS,
  type ArtifactStat,
  type ArtifactStore,
  type ArtifactStoreOptions,
  type PutOptions,
  type StoredArtifact,
} from './artifact-store';
export { ArtifactNotFoundError, ChecksumMismatchError, MissingChecksumError, SourceChangedError } from './errors';
export { assertSafeKey, manifestKey, selectionKey, slugSegment, UnsafeKeyError } from './keys';
export { Sha256Meter, sha256Hex, sha256OfFile } from './sha256-meter';
