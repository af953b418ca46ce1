// The pieces of `--upload` / `data push` against the stack's real S3 (env of a running stack, e.g. /tmp/mdev/stack.env):
// which files a manifest names, the s3:// manifest, and uploadBlobs' dedupe, HEAD skip, bound and sha256 check.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManifestRecord } from '@mirage/contracts';
import { parseManifestLines } from '@mirage/datasets';
import type { ArtifactStore } from '@mirage/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKey, blobUri } from '@mirage/contracts';
import { uploadBlobs, type UploadTally } from '../src/datasets/upload-blobs';
import { localBlobs, manifestBytes, uploadedRecords } from '../src/datasets/uploaded-manifest';
import { uploadSummary } from '../src/datasets/upload-progress';
import { stackStore } from './support/stack-clients';

for (const name of ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID']) {
  if (!process.env[name]) throw new Error(`${name} is not set: source a running stack's stack.env (npm test does)`);
}

const work = mkdtempSync(join(tmpdir(), 'mirage-upload-blobs-'));
const bucket = process.env['S3_BUCKET'] || 'mirage';
let store: ArtifactStore;

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function file(name: string, data: Buffer): { path: string; sha256: string } {
  const path = join(work, name);
  writeFileSync(path, data);
  return { path, sha256: sha256(data) };
}

function record(uri: string, hash: string, frame: number | null = null): ManifestRecord {
  return {
    uri,
    label: 'fake',
    generator: 'g',
    object_class: null,
    split: 'test',
    width: 8,
    height: 8,
    format: 'PNG',
    jpeg_quality: null,
    sha256: hash,
    video_id: frame === null ? null : 'v',
    frame,
    timestamp: frame === null ? null : frame / 2,
  };
}

beforeAll(() => {
  store = stackStore(bucket);
});

afterAll(() => {
  store?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the files of a manifest and its uploaded form', () => {
  const a = 'a'.repeat(64);
  const v = 'b'.repeat(64);
  const records = [
    record('real/x.png', a),
    record('clips/v.mp4', v, 0),
    record('clips/v.mp4', v, 1),
    record(`s3://${bucket}/other/y.png`, 'c'.repeat(64)),
  ];

  it('lists one local file per sha256 (a video once for all its frames) and leaves remote uris alone', () => {
    expect(localBlobs(records, '/data/set')).toEqual([
      { sha256: a, path: '/data/set/real/x.png' },
      { sha256: v, path: '/data/set/clips/v.mp4' },
    ]);
  });

  it('points every local record at its blob and changes nothing else', () => {
    expect(blobKey(a)).toBe(`blobs/sha256/aa/${a}`);
    const uploaded = uploadedRecords(records, bucket);
    expect(uploaded.map((r) => r.uri)).toEqual([
      blobUri(bucket, a),
      blobUri(bucket, v),
      blobUri(bucket, v),
      records[3]?.uri,
    ]);
    expect(uploaded.map(({ uri: _, ...rest }) => rest)).toEqual(records.map(({ uri: _, ...rest }) => rest));
    expect(parseManifestLines(manifestBytes(uploaded).toString('utf8'), 'uploaded')).toEqual(uploaded);
  });
});

describe('uploadBlobs on the real S3', () => {
  it('sends each sha256 once, skips what S3 holds, and keeps at most `concurrency` uploads in flight', async () => {
    const files = Array.from({ length: 10 }, (_, i) => file(`f${i}.bin`, randomBytes(2000 + i)));
    const duplicate = file('dup.bin', readFileSync(files[0]?.path as string));
    let inFlight = 0;
    let most = 0;
    const counting: ArtifactStore = {
      ...store,
      put: async (key, body, options) => {
        most = Math.max(most, ++inFlight);
        try {
          return await store.put(key, body, options);
        } finally {
          inFlight--;
        }
      },
    };
    const tallies: UploadTally[] = [];
    const first = await uploadBlobs(counting, [...files, duplicate], {
      concurrency: 3,
      onProgress: (t) => tallies.push(t),
    });
    expect(first).toMatchObject({ files: 10, done: 10, uploaded: 10, present: 0 });
    expect(first.bytesUploaded).toBe(files.reduce((n, _, i) => n + 2000 + i, 0));
    expect(most).toBeLessThanOrEqual(3);
    expect(tallies.map((t) => t.done)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const f of files) expect((await store.stat(blobKey(f.sha256)))?.sha256).toBe(f.sha256);
    const second = await uploadBlobs(store, files, { concurrency: 8 });
    expect(second).toMatchObject({ uploaded: 0, present: 10, bytesUploaded: 0, bytesPresent: first.bytesUploaded });
    expect(uploadSummary(second)).toBe(
      `blobs: 10 files: 0 uploaded (0 bytes), 10 already in S3 (${first.bytesUploaded} bytes)`,
    );
  });

  it('streams a file above 32 MiB through a multipart upload, checked against its record', async () => {
    const big = file('big.bin', randomBytes(33 * 1024 * 1024));
    expect(await uploadBlobs(store, [big], { concurrency: 2 })).toMatchObject({
      uploaded: 1,
      bytesUploaded: 33 * 1024 * 1024,
    });
    expect(await store.stat(blobKey(big.sha256))).toMatchObject({ sha256: big.sha256, bytes: 33 * 1024 * 1024 });
  }, 60_000);

  it('refuses a file whose bytes differ from its record, naming it, and stores nothing under the promised key', async () => {
    const promised = sha256(randomBytes(32));
    const changed = { path: file('changed.bin', randomBytes(100)).path, sha256: promised };
    await expect(uploadBlobs(store, [changed], { concurrency: 1 })).rejects.toThrow(
      `${changed.path}: changed since registration`,
    );
    expect(await store.stat(blobKey(promised))).toBeNull();
    await expect(
      uploadBlobs(store, [{ path: join(work, 'absent.png'), sha256: promised }], { concurrency: 1 }),
    ).rejects.toThrow(`${join(work, 'absent.png')}: cannot read it (ENOENT)`);
  });
});
