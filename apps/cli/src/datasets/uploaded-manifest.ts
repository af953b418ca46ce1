import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ManifestRecord } from '@mirage/contracts';
import { canonicalManifestLine } from '@mirage/datasets';
import { blobUri } from '@mirage/contracts';
import type { LocalBlob } from './upload-blobs';

/** A uri with a scheme of two letters or more (`s3://...`); drive letters and relative paths have none. */
const REMOTE = /^(?!file:)[a-z][a-z0-9+.-]+:/i;

/** Whether a record's file is on a local disk (a path relative to the root, an absolute path or a file:// uri). */
export function isLocalUri(uri: string): boolean {
  return !REMOTE.test(uri);
}

/** The local file of each record to upload, one per sha256 (a video's frames share one); remote records are left out. */
export function localBlobs(records: readonly ManifestRecord[], root: string): LocalBlob[] {
  const blobs = new Map<string, LocalBlob>();
  for (const record of records) {
    if (!isLocalUri(record.uri) || blobs.has(record.sha256)) continue;
    blobs.set(record.sha256, { sha256: record.sha256, path: localPath(record.uri, root) });
  }
  return [...blobs.values()];
}

/** The records with every local uri replaced by its blob's `s3://<bucket>/blobs/sha256/..` uri; nothing else changes. */
export function uploadedRecords(records: readonly ManifestRecord[], bucket: string): ManifestRecord[] {
  return records.map((record) =>
    isLocalUri(record.uri) ? { ...record, uri: blobUri(bucket, record.sha256) } : record,
  );
}

/** Manifest bytes of `records` in their order, one canonical line each (what the detector writes). */
export function manifestBytes(records: readonly ManifestRecord[]): Buffer {
  return Buffer.from(records.map((r) => `${canonicalManifestLine(r)}\n`).join(''), 'utf8');
}

function localPath(uri: string, root: string): string {
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  return isAbsolute(uri) ? uri : join(root, ...uri.split('/'));
}
