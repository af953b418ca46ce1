import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat as statFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ArtifactNotFoundError, ChecksumMismatchError, MissingChecksumError, SourceChangedError } from './errors';
import { assertSafeKey } from './keys';
import { Sha256Meter, sha256Hex, sha256OfFile } from './sha256-meter';

const MiB = 1024 * 1024;
/** S3 rejects multipart parts below 5 MiB (except the last). */
const MIN_PART_SIZE = 5 * MiB;
/** Longest lifetime of a presigned URL; longer-lived links to research artifacts are a leak waiting to happen. */
export const MAX_PRESIGN_TTL_SECONDS = 3600;

/** Where the artifact store connects and how it uploads. */
export interface ArtifactStoreOptions {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  /** Path-style URLs (http://host/bucket/key) work with every S3 server; virtual-host style needs DNS. */
  forcePathStyle?: boolean;
  /** Size of one multipart part (at least 5 MiB). */
  partSizeBytes?: number;
  /** Bodies larger than this go through a multipart upload. */
  multipartThresholdBytes?: number;
}

/** What was stored: the key, the SHA-256 recorded as metadata, the size, and how many parts carried it. */
export interface StoredArtifact {
  key: string;
  sha256: string;
  bytes: number;
  parts: number;
}

/** Object facts from a HEAD request; sha256 is null for objects written without the store. */
export interface ArtifactStat {
  bytes: number;
  sha256: string | null;
  lastModified: Date;
}

/** Options of a single upload. */
export interface PutOptions {
  contentType?: string;
}

/** Checksummed access to one S3 bucket; the bucket is created on the first write, never by a read. */
export interface ArtifactStore {
  /** The bucket this store reads and writes. */
  readonly bucket: string;
  /**
   * Creates the bucket if it does not exist; the writes call this once, lazily. Reads never create it (a read-only
   * client such as the dashboard must not change S3): on a missing bucket they behave as on a missing key.
   */
  ensureBucket(): Promise<void>;
  /** Stores `body` under `key` with its SHA-256 as metadata; multipart above the threshold. */
  put(key: string, body: Buffer | string, options?: PutOptions): Promise<StoredArtifact>;
  /** Streams a local file to `key` (multipart above the threshold), recording its SHA-256. */
  putFile(key: string, path: string, options?: PutOptions): Promise<StoredArtifact>;
  /** Downloads `key` into memory and verifies it against its recorded SHA-256. */
  get(key: string): Promise<Buffer>;
  /** Streams `key` to `path`, verified; on any failure no file (partial or not) is left at `path`. */
  getToFile(key: string, path: string): Promise<StoredArtifact>;
  /** Size, recorded SHA-256 and modification time of `key`, or null when it does not exist. */
  stat(key: string): Promise<ArtifactStat | null>;
  /** Every key starting with `prefix`, across all result pages, in lexical order. */
  list(prefix: string): Promise<string[]>;
  /** A GET URL for `key` valid for `ttlSeconds` (default 300, at most 3600). */
  presignGet(key: string, ttlSeconds?: number): Promise<string>;
  /** Deletes `key`; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Releases the client's sockets. */
  close(): void;
}

/** Builds an ArtifactStore; reads no env, connects lazily. */
export function createArtifactStore(options: ArtifactStoreOptions): ArtifactStore {
  const settings = validate(options);
  const { bucket } = settings;
  const client = new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    forcePathStyle: settings.forcePathStyle,
    // Integrity is our own sha256 metadata; the SDK's default CRC trailers are not understood by every S3 server.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  let bucketReady: Promise<void> | undefined;
  const ensureBucket = (): Promise<void> =>
    (bucketReady ??= createBucketIfMissing(client, bucket).catch((error: unknown) => {
      bucketReady = undefined; // let a later call retry, e.g. once the server is up
      throw error;
    }));

  async function upload(key: string, body: Buffer | Readable, sha256: string, contentType?: string): Promise<number> {
    const uploader = new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType, Metadata: { sha256 } },
      partSize: settings.partSizeBytes,
      queueSize: 4,
      leavePartsOnError: false,
    });
    let parts = 1;
    uploader.on('httpUploadProgress', (progress) => {
      if (progress.part !== undefined) parts = Math.max(parts, progress.part);
    });
    await uploader.done();
    return parts;
  }

  async function putBuffer(key: string, body: Buffer, contentType?: string): Promise<StoredArtifact> {
    const sha256 = sha256Hex(body);
    if (body.length > settings.multipartThresholdBytes) {
      const parts = await upload(key, body, sha256, contentType);
      return { key, sha256, bytes: body.length, parts };
    }
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, Metadata: { sha256 } }),
    );
    return { key, sha256, bytes: body.length, parts: 1 };
  }

  async function getObject(key: string): Promise<GetObjectCommandOutput & { expected: string }> {
    let response: GetObjectCommandOutput;
    try {
      response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (isNotFound(error)) throw new ArtifactNotFoundError(bucket, key);
      throw error;
    }
    const expected = response.Metadata?.sha256;
    if (!expected) {
      (response.Body as Readable | undefined)?.destroy();
      throw new MissingChecksumError(key);
    }
    return { ...response, expected };
  }

  return {
    bucket,
    ensureBucket,

    async put(key, body, putOptions = {}) {
      assertSafeKey(key);
      await ensureBucket();
      return putBuffer(key, typeof body === 'string' ? Buffer.from(body, 'utf8') : body, putOptions.contentType);
    },

    async putFile(key, path, putOptions = {}) {
      assertSafeKey(key);
      await ensureBucket();
      const { size } = await statFile(path);
      if (size <= settings.multipartThresholdBytes) return putBuffer(key, await readFile(path), putOptions.contentType);
      // Multipart metadata is sent before the first part, so the digest must be known before uploading:
      // hash in a first pass, re-hash while uploading, and refuse the object if the two passes disagree.
      const expected = await sha256OfFile(path);
      const sha256 = expected.sha256;
      const meter = new Sha256Meter();
      const source = createReadStream(path);
      source.on('error', (error) => meter.destroy(error));
      const parts = await upload(key, source.pipe(meter), sha256, putOptions.contentType);
      if (meter.digest() !== sha256 || meter.bytes !== expected.bytes) {
        try {
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
        throw new SourceChangedError(path, key);
      }
      return { key, sha256, bytes: meter.bytes, parts };
    },

    async get(key) {
      assertSafeKey(key);
      const response = await getObject(key);
      const body = Buffer.from(await response.Body!.transformToByteArray());
      const actual = sha256Hex(body);
      if (actual !== response.expected) throw new ChecksumMismatchError(key, response.expected, actual);
      return body;
    },

    async getToFile(key, path) {
      assertSafeKey(key);
      const response = await getObject(key);
      // Written beside the target and renamed only once verified, so `path` never holds unverified bytes.
      const partial = `${path}.partial-${randomBytes(4).toString('hex')}`;
      const meter = new Sha256Meter();
      try {
        await pipeline(response.Body as Readable, meter, createWriteStream(partial));
        const actual = meter.digest();
        if (actual !== response.expected) throw new ChecksumMismatchError(key, response.expected, actual);
        await rename(partial, path);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
      return { key, sha256: response.expected, bytes: meter.bytes, parts: 1 };
    },

    async stat(key) {
      assertSafeKey(key);
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return {
          bytes: head.ContentLength ?? 0,
          sha256: head.Metadata?.sha256 ?? null,
          lastModified: head.LastModified ?? new Date(0),
        };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },

    async list(prefix) {
      const keys: string[] = [];
      try {
        for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) {
          for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
        }
      } catch (error) {
        if (isNotFound(error)) return []; // no bucket yet: nothing was ever written
        throw error;
      }
      return keys.sort();
    },

    async presignGet(key, ttlSeconds = 300) {
      assertSafeKey(key);
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_PRESIGN_TTL_SECONDS) {
        throw new RangeError(
          `presignGet: ttlSeconds must be an integer in [1, ${MAX_PRESIGN_TTL_SECONDS}], got ${ttlSeconds}`,
        );
      }
      return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: ttlSeconds });
    },

    async delete(key) {
      assertSafeKey(key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },

    close() {
      client.destroy();
    },
  };
}

type Settings = Required<ArtifactStoreOptions>;

function validate(options: ArtifactStoreOptions): Settings {
  for (const field of ['endpoint', 'region', 'accessKeyId', 'secretAccessKey', 'bucket'] as const) {
    if (typeof options[field] !== 'string' || options[field].length === 0) {
      throw new Error(`createArtifactStore: ${field} must be a non-empty string`);
    }
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
    throw new Error(`createArtifactStore: bucket "${options.bucket}" is not a valid S3 bucket name`);
  }
  const settings: Settings = {
    forcePathStyle: true,
    partSizeBytes: 16 * MiB,
    multipartThresholdBytes: 32 * MiB,
    ...options,
  };
  if (!Number.isInteger(settings.partSizeBytes) || settings.partSizeBytes < MIN_PART_SIZE) {
    throw new Error(`createArtifactStore: partSizeBytes must be an integer of at least ${MIN_PART_SIZE} (5 MiB)`);
  }
  if (
    !Number.isInteger(settings.multipartThresholdBytes) ||
    settings.multipartThresholdBytes < settings.partSizeBytes
  ) {
    throw new Error('createArtifactStore: multipartThresholdBytes must be an integer no smaller than partSizeBytes');
  }
  return settings;
}

async function createBucketIfMissing(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    // Another process may have created it between our HEAD and CREATE.
    const name = (error as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === 'NotFound' || e.name === 'NoSuchKey' || e.name === 'NoSuchBucket' || e.$metadata?.httpStatusCode === 404
  );
}
