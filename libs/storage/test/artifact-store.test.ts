import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { HeadBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArtifactNotFoundError,
  ChecksumMismatchError,
  createArtifactStore,
  MissingChecksumError,
  sha256OfFile,
  UnsafeKeyError,
  type ArtifactStore,
  type ArtifactStoreOptions,
} from '../src/index';
import { dropBucket, rawClient, testStoreOptions } from './test-bucket';

const MiB = 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let options: ArtifactStoreOptions;
let store: ArtifactStore;
let raw: S3Client;
let dir: string;

beforeAll(async () => {
  options = testStoreOptions();
  store = createArtifactStore(options);
  raw = rawClient(options);
  dir = await mkdtemp(join(tmpdir(), 'mirage-storage-'));
});

afterAll(async () => {
  store?.close();
  if (raw) {
    await dropBucket(raw, options.bucket);
    raw.destroy();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  for (let written = 0; written < bytes; written += MiB) {
    if (!out.write(randomBytes(Math.min(MiB, bytes - written)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

describe('artifact store', () => {
  it('creates its bucket on the first write, and reads never create it', async () => {
    const missing = () =>
      expect(raw.send(new HeadBucketCommand({ Bucket: options.bucket }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 404 },
      });
    await missing();
    expect(await store.stat('runs/none/x.bin')).toBeNull();
    expect(await store.list('runs/')).toEqual([]);
    await expect(store.get('runs/none/x.bin')).rejects.toBeInstanceOf(ArtifactNotFoundError);
    expect(await store.presignGet('runs/none/x.bin')).toMatch(/^http/);
    await store.delete('runs/none/x.bin');
    await missing();
    await store.put('runs/first/write.txt', 'x');
    await expect(raw.send(new HeadBucketCommand({ Bucket: options.bucket }))).resolves.toBeDefined();
  });

  it('round-trips a small object and records its sha256 as lowercase hex metadata', async () => {
    const body = Buffer.from('{"uri":"/a.png","label":"real"}\n');
    const stored = await store.put('datasets/demo/abc.jsonl', body, { contentType: 'application/x-ndjson' });
    expect(stored).toEqual({ key: 'datasets/demo/abc.jsonl', sha256: sha256(body), bytes: body.length, parts: 1 });
    expect(stored.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.get('datasets/demo/abc.jsonl')).toEqual(body);
    const head = await raw.send(new HeadObjectCommand({ Bucket: options.bucket, Key: 'datasets/demo/abc.jsonl' }));
    expect(head.Metadata?.sha256).toBe(sha256(body));
    expect(head.ContentType).toBe('application/x-ndjson');
    const stat = await store.stat('datasets/demo/abc.jsonl');
    expect(stat).toMatchObject({ bytes: body.length, sha256: sha256(body) });
    expect(stat?.lastModified).toBeInstanceOf(Date);
  });

  it('stores strings as UTF-8', async () => {
    const stored = await store.put('runs/r/notes.txt', 'détecteur');
    expect(stored.bytes).toBe(Buffer.byteLength('détecteur'));
    expect((await store.get('runs/r/notes.txt')).toString('utf8')).toBe('détecteur');
  });

  it('stat of a missing key is null; get of a missing key names it', async () => {
    expect(await store.stat('runs/missing/nothing.bin')).toBeNull();
    await expect(store.get('runs/missing/nothing.bin')).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(store.get('runs/missing/nothing.bin')).rejects.toThrow(/runs\/missing\/nothing\.bin/);
  });

  it('uploads a 70 MiB file in several parts and downloads it intact', async () => {
    const source = join(dir, 'big.bin');
    await writeRandomFile(source, 70 * MiB);
    const original = await sha256OfFile(source);

    const stored = await store.putFile('runs/big/checkpoints/step-00000001.safetensors', source);
    expect(stored).toMatchObject({ sha256: original.sha256, bytes: 70 * MiB });
    expect(stored.parts).toBe(5); // 16 MiB parts
    const head = await raw.send(new HeadObjectCommand({ Bucket: options.bucket, Key: stored.key }));
    expect(head.ETag).toMatch(/-5"?$/);
    expect(head.ContentLength).toBe(70 * MiB);
    expect(head.Metadata?.sha256).toBe(original.sha256);

    const target = join(dir, 'big.copy');
    const fetched = await store.getToFile(stored.key, target);
    expect(fetched).toMatchObject({ sha256: original.sha256, bytes: 70 * MiB });
    expect(await sha256OfFile(target)).toEqual(original);
  });

  it('uses multipart for in-memory bodies above the threshold', async () => {
    const small = createArtifactStore({ ...options, partSizeBytes: 5 * MiB, multipartThresholdBytes: 5 * MiB });
    try {
      const body = randomBytes(12 * MiB);
      const stored = await small.put('runs/mem/blob.bin', body);
      expect(stored.parts).toBe(3);
      // Compared by hash: deep equality over 12 MiB is too slow for vitest's matcher.
      expect(sha256(await small.get('runs/mem/blob.bin'))).toBe(sha256(body));
    } finally {
      small.close();
    }
  });

  it('detects an object whose bytes no longer match its sha256', async () => {
    const key = 'runs/corrupt/checkpoints/step-00000010.safetensors';
    const stored = await store.put(key, Buffer.from('the real checkpoint'));
    const tampered = Buffer.from('bit-rotted bytes!!!');
    await raw.send(
      new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: tampered, Metadata: { sha256: stored.sha256 } }),
    );

    const error = await store.get(key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect(error).toMatchObject({ key, expected: stored.sha256, actual: sha256(tampered) });
    expect((error as Error).message).toContain(key);

    const target = join(dir, 'corrupt.safetensors');
    await expect(store.getToFile(key, target)).rejects.toBeInstanceOf(ChecksumMismatchError);
    expect((await readdir(dir)).filter((name) => name.startsWith('corrupt'))).toEqual([]);
  });

  it('refuses objects without sha256 metadata instead of trusting them', async () => {
    const key = 'runs/foreign/upload.bin';
    await raw.send(new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: Buffer.from('no checksum') }));
    await expect(store.get(key)).rejects.toBeInstanceOf(MissingChecksumError);
    await expect(store.getToFile(key, join(dir, 'foreign.bin'))).rejects.toThrow(/no "sha256" user metadata/);
    expect(await store.stat(key)).toMatchObject({ sha256: null, bytes: 11 });
  });

  it('presigns a GET that plain fetch can download, within the TTL cap', async () => {
    const body = randomBytes(4096);
    await store.put('runs/share/scores.jsonl', body);
    const url = await store.presignGet('runs/share/scores.jsonl', 60);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(body);

    await expect(store.presignGet('runs/share/scores.jsonl', 3601)).rejects.toThrow(/ttlSeconds.*3600/);
    await expect(store.presignGet('runs/share/scores.jsonl', 0)).rejects.toBeInstanceOf(RangeError);
    await expect(store.presignGet('runs/share/scores.jsonl', 3600)).resolves.toMatch(/^http/);
  });

  it('lists every key under a prefix across pages', async () => {
    const keys = Array.from({ length: 1005 }, (_, i) => `runs/many/scores/adm/p${String(i).padStart(4, '0')}.jsonl`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => store.put(key, key)));
    }
    expect(await store.list('runs/many/')).toEqual(keys);
    expect(await store.list('runs/nobody/')).toEqual([]);
  });

  it('deletes objects, and deleting twice is fine', async () => {
    await store.put('runs/tmp/x.bin', 'x');
    await store.delete('runs/tmp/x.bin');
    await store.delete('runs/tmp/x.bin');
    expect(await store.stat('runs/tmp/x.bin')).toBeNull();
  });

  it('refuses unsafe keys before touching S3', async () => {
    await expect(store.put('../escape', 'x')).rejects.toBeInstanceOf(UnsafeKeyError);
    await expect(store.get('runs/../../etc/passwd')).rejects.toBeInstanceOf(UnsafeKeyError);
    await expect(store.putFile('/abs/key', join(dir, 'nothing'))).rejects.toBeInstanceOf(UnsafeKeyError);
  });

  it('reads a file body from disk below the threshold as a single put', async () => {
    const path = join(dir, 'small.jsonl');
    await writeFile(path, '{"a":1}\n');
    const stored = await store.putFile('runs/r/small.jsonl', path);
    expect(stored).toMatchObject({ bytes: 8, parts: 1, sha256: sha256(await readFile(path)) });
  });
});

describe('createArtifactStore', () => {
  it('rejects bad settings by field name', () => {
    const base = testStoreOptions();
    expect(() => createArtifactStore({ ...base, bucket: 'Bad_Bucket' })).toThrow(/bucket/);
    expect(() => createArtifactStore({ ...base, endpoint: '' })).toThrow(/endpoint/);
    expect(() => createArtifactStore({ ...base, partSizeBytes: MiB })).toThrow(/partSizeBytes/);
    expect(() => createArtifactStore({ ...base, multipartThresholdBytes: 6 * MiB })).toThrow(/multipartThresholdBytes/);
  });
});
