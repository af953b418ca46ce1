import { readFile, stat } from 'node:fs/promises';
import { sha256Hex, sha256OfFile, type ArtifactStore } from '@mirage/storage';
import { UserError } from '../errors';
import { blobKey } from '@mirage/contracts';

/** One local file to upload, with the sha256 its manifest record promises. */
export interface LocalBlob {
  sha256: string;
  path: string;
}

/** Counts of an upload so far: files done of `files`, how many were sent and how many S3 already held. */
export interface UploadTally {
  files: number;
  done: number;
  uploaded: number;
  present: number;
  bytesUploaded: number;
  bytesPresent: number;
}

/** How an upload runs: uploads at once, and a callback after every file. */
export interface UploadOptions {
  concurrency: number;
  onProgress?: (tally: UploadTally) => void;
}

// Files up to this size are read once, hashed and sent from memory (at most `concurrency` of them at a time); larger
// ones (videos) stream through putFile, whose recorded sha256 is checked against the manifest's afterwards.
const IN_MEMORY_BYTES = 32 * 1024 * 1024;

/**
 * Uploads each file to its blob key unless S3 already holds that key with the same sha256 (HEAD first), at most
 * `concurrency` at a time. Every file sent is hashed first: one whose bytes no longer match its record (changed or
 * replaced since registration) is an error naming it, and nothing more is started. Files are deduplicated by sha256.
 */
export async function uploadBlobs(
  store: ArtifactStore,
  blobs: readonly LocalBlob[],
  options: UploadOptions,
): Promise<UploadTally> {
  const unique = [...new Map(blobs.map((b) => [b.sha256, b])).values()];
  const tally: UploadTally = {
    files: unique.length,
    done: 0,
    uploaded: 0,
    present: 0,
    bytesUploaded: 0,
    bytesPresent: 0,
  };
  let next = 0;
  let failure: unknown = null;
  const lane = async (): Promise<void> => {
    while (failure === null && next < unique.length) {
      const blob = unique[next++] as LocalBlob;
      try {
        const outcome = await uploadOne(store, blob);
        if (outcome.sent) {
          tally.uploaded += 1;
          tally.bytesUploaded += outcome.bytes;
        } else {
          tally.present += 1;
          tally.bytesPresent += outcome.bytes;
        }
        tally.done += 1;
        options.onProgress?.({ ...tally });
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, unique.length)) }, lane));
  if (failure !== null) throw failure;
  return tally;
}

async function uploadOne(store: ArtifactStore, blob: LocalBlob): Promise<{ sent: boolean; bytes: number }> {
  const key = blobKey(blob.sha256);
  const held = await store.stat(key);
  if (held !== null && held.sha256 === blob.sha256) return { sent: false, bytes: held.bytes };
  const size = await fileSize(blob.path);
  if (size <= IN_MEMORY_BYTES) {
    const body = await readFile(blob.path);
    checkUnchanged(blob, sha256Hex(body));
    await store.put(key, body);
    return { sent: true, bytes: body.length };
  }
  checkUnchanged(blob, (await sha256OfFile(blob.path)).sha256);
  const stored = await store.putFile(key, blob.path);
  if (stored.sha256 !== blob.sha256) {
    await store.delete(key);
    checkUnchanged(blob, stored.sha256);
  }
  return { sent: true, bytes: stored.bytes };
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    throw new UserError(
      `${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); is the dataset's root mounted here (--root)?`,
    );
  }
}

function checkUnchanged(blob: LocalBlob, actual: string): void {
  if (actual !== blob.sha256) {
    throw new UserError(
      `${blob.path}: changed since registration (its bytes hash to ${actual}, the manifest records ${blob.sha256}); register the dataset again`,
    );
  }
}
