import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { seaweedAdminGrpcPort, type StackPorts } from './ports';
import type { ServiceSpec } from './service';

/** Credentials and bucket clients use; the local server accepts only these keys. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  region: string;
  /** Keys of a second identity that may only read and list (the dashboard's). */
  readOnlyAccessKeyId: string;
  readOnlySecretAccessKey: string;
}

export interface S3ServiceOptions {
  stateDir: string;
  binDir: string;
  ports: StackPorts;
  credentials: S3Credentials;
  /** An S3 endpoint the user runs (S3_ENDPOINT); nothing is started then. */
  externalEndpoint?: string;
}

// weed creates /tmp/seaweedfs-<component>-<port>.sock per listener and leaves them behind on exit.
const SEAWEED_SOCKET = /^seaweedfs-[a-z0-9-]+?-(\d+)\.sock$/;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SeaweedFS `weed mini` (master, volume, filer and S3 gateway in one process) with one identity holding the
 * configured keys: requests signed with any other key are rejected. WebDAV, the admin UI, Iceberg and Lance
 * endpoints are off; every port the process opens is pinned from the port set.
 */
export function createS3Service(options: S3ServiceOptions): ServiceSpec {
  const { ports, credentials } = options;
  const endpoint = options.externalEndpoint ?? `http://127.0.0.1:${ports.s3}`;
  const baseDir = join(options.stateDir, 's3');
  const identitiesFile = join(baseDir, 'identities.json');

  const withClient = async <T>(timeoutMs: number, fn: (client: S3Client) => Promise<T>): Promise<T> => {
    const client = new S3Client({
      endpoint,
      region: credentials.region,
      forcePathStyle: true,
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
      maxAttempts: 1,
      requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
    });
    try {
      return await fn(client);
    } finally {
      client.destroy();
    }
  };

  const claims = [
    { port: ports.s3, key: 's3' },
    { port: ports.s3Grpc, key: 's3Grpc' },
    { port: ports.seaweedMaster, key: 'seaweedMaster' },
    { port: ports.seaweedMasterGrpc, key: 'seaweedMasterGrpc' },
    { port: ports.seaweedVolume, key: 'seaweedVolume' },
    { port: ports.seaweedVolumeGrpc, key: 'seaweedVolumeGrpc' },
    { port: ports.seaweedFiler, key: 'seaweedFiler' },
    { port: ports.seaweedFilerGrpc, key: 'seaweedFilerGrpc' },
    { port: ports.seaweedAdmin, key: 'seaweedAdmin' },
    { port: seaweedAdminGrpcPort(ports), key: 'seaweedAdmin' },
  ];

  return {
    name: 's3',
    address: endpoint,
    external: options.externalEndpoint !== undefined,
    ports: claims,
    stopSignal: 'SIGTERM',
    command: () => ({
      command: join(options.binDir, 'weed'),
      args: [
        'mini',
        `-dir=${join(baseDir, 'data')}`,
        '-ip=127.0.0.1',
        '-ip.bind=127.0.0.1',
        `-s3.port=${ports.s3}`,
        `-s3.port.grpc=${ports.s3Grpc}`,
        `-master.port=${ports.seaweedMaster}`,
        `-master.port.grpc=${ports.seaweedMasterGrpc}`,
        `-volume.port=${ports.seaweedVolume}`,
        `-volume.port.grpc=${ports.seaweedVolumeGrpc}`,
        `-filer.port=${ports.seaweedFiler}`,
        `-filer.port.grpc=${ports.seaweedFilerGrpc}`,
        `-admin.port=${ports.seaweedAdmin}`,
        `-admin.port.grpc=${seaweedAdminGrpcPort(ports)}`,
        '-admin.ui=false',
        '-webdav=false',
        '-s3.port.iceberg=0',
        '-s3.port.lance=0',
        `-s3.config=${identitiesFile}`,
        '-master.telemetry=false',
      ],
      cwd: baseDir,
    }),
    prepare: async () => {
      await mkdir(join(baseDir, 'data'), { recursive: true });
      const identities = {
        identities: [
          {
            name: 'mirage',
            credentials: [{ accessKey: credentials.accessKeyId, secretKey: credentials.secretAccessKey }],
            actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'],
          },
          {
            // The dashboard reads score files and signs checkpoint links; a write with these keys is denied.
            name: 'mirage-dashboard',
            credentials: [
              { accessKey: credentials.readOnlyAccessKeyId, secretKey: credentials.readOnlySecretAccessKey },
            ],
            actions: ['Read', 'List'],
          },
        ],
      };
      await writeFile(identitiesFile, JSON.stringify(identities, null, 2) + '\n', { mode: 0o600 });
    },
    // A signed call proves both that the gateway is up and that it accepts our keys.
    health: (timeoutMs) =>
      withClient(timeoutMs, (client) => client.send(new ListBucketsCommand({}))).then(() => undefined),
    // The gateway answers before the volume server has registered; retry the write probe until it lands.
    ready: (timeoutMs) =>
      withClient(timeoutMs, async (client) => {
        const Bucket = credentials.bucket;
        const exists = await client.send(new HeadBucketCommand({ Bucket })).then(
          () => true,
          () => false,
        );
        if (!exists) await client.send(new CreateBucketCommand({ Bucket }));
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          try {
            await client.send(new PutObjectCommand({ Bucket, Key: '.mirage-ready', Body: 'ok' }));
            await client.send(new DeleteObjectCommand({ Bucket, Key: '.mirage-ready' }));
            return;
          } catch (error) {
            if (Date.now() > deadline) throw error;
            await sleep(250);
          }
        }
      }),
    cleanup: async () => {
      const ours = new Set(claims.map((claim) => String(claim.port)));
      const entries = await readdir('/tmp').catch(() => [] as string[]);
      const leftovers = entries.filter((entry) => ours.has(SEAWEED_SOCKET.exec(entry)?.[1] ?? ''));
      await Promise.all(leftovers.map((entry) => rm(join('/tmp', entry), { force: true })));
    },
    env: {
      S3_ENDPOINT: endpoint,
      S3_REGION: credentials.region,
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      S3_BUCKET: credentials.bucket,
      ...(options.externalEndpoint
        ? {}
        : {
            DASHBOARD_S3_ACCESS_KEY_ID: credentials.readOnlyAccessKeyId,
            DASHBOARD_S3_SECRET_ACCESS_KEY: credentials.readOnlySecretAccessKey,
          }),
    },
  };
}
