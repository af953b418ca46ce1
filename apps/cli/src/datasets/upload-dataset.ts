import type { ManifestRecord } from '@mirage/contracts';
import type { ArtifactStore } from '@mirage/storage';
import { UserError } from '../errors';
import { BLOB_KEY_PREFIX } from '@mirage/contracts';
import { uploadBlobs, type UploadTally } from './upload-blobs';
import { localBlobs, manifestBytes, uploadedRecords } from './uploaded-manifest';
import { uploadProgress, type ProgressSink } from './upload-progress';

/** Uploads at once when `--concurrency` is not given. */
export const DEFAULT_UPLOAD_CONCURRENCY = 8;

/** A dataset's manifest once its files are in S3: the records with blob uris, their bytes, and what was sent. */
export interface UploadedDataset {
  records: ManifestRecord[];
  bytes: Buffer;
  /** What the uploaded registration records as its root: where its images now live. */
  root: string;
  tally: UploadTally;
}

/**
 * Uploads every local file a manifest names (relative uris resolved against `root`) to its content-addressed blob
 * key, with progress on `sink`, and returns the manifest whose records point at the blobs.
 */
export async function uploadDatasetFiles(
  store: ArtifactStore,
  records: readonly ManifestRecord[],
  root: string,
  options: { label: string; concurrency: number; sink: ProgressSink },
): Promise<UploadedDataset> {
  const blobs = localBlobs(records, root);
  const where = `s3://${store.bucket}/${BLOB_KEY_PREFIX}`;
  options.sink.write(
    `uploading ${blobs.length} files of ${options.label} from ${root} to ${where} (${options.concurrency} at a time)\n`,
  );
  const progress = uploadProgress(options.sink);
  const tally = await uploadBlobs(store, blobs, {
    concurrency: options.concurrency,
    onProgress: (t) => progress.update(t),
  });
  progress.finish(tally);
  const uploaded = uploadedRecords(records, store.bucket);
  return { records: uploaded, bytes: manifestBytes(uploaded), root: where.replace(/\/$/, ''), tally };
}

/** `--concurrency`: a whole number of uploads at once, 1 to 64. */
export function parseConcurrency(text: string | undefined): number {
  if (text === undefined) return DEFAULT_UPLOAD_CONCURRENCY;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new UserError(`--concurrency ${text}: expected a whole number from 1 to 64`);
  return n;
}
