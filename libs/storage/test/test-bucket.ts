import { randomBytes } from 'node:crypto';
import { DeleteBucketCommand, DeleteObjectsCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import type { ArtifactStoreOptions } from '../src/index';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: storage tests need a real S3 server (e.g. source /tmp/dev/env.sh)`);
  return value;
}

/** Connection settings from S3_* env with a fresh `mirage-test-<random>` bucket that does not exist yet. */
export function testStoreOptions(): ArtifactStoreOptions {
  return {
    endpoint: required('S3_ENDPOINT'),
    region: required('S3_REGION'),
    accessKeyId: required('S3_ACCESS_KEY_ID'),
    secretAccessKey: required('S3_SECRET_ACCESS_KEY'),
    bucket: `mirage-test-${randomBytes(6).toString('hex')}`,
  };
}

/** A plain SDK client on the same server, for reaching around the store (corrupting objects, checking buckets). */
export function rawClient(options: ArtifactStoreOptions): S3Client {
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Empties and deletes the test bucket; a bucket that was never created is fine. */
export async function dropBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket })) {
      const objects = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (objects.length > 0)
        await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'NoSuchBucket') throw error;
  }
}
