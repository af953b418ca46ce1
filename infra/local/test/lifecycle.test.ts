import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { CreateBucketCommand, HeadBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downStack, stackLayout, stackStatus, upStack, type StackOptions, type UpResult } from '../src/index';
import { pidAlive, privateStackOptions } from './helpers';

let options: StackOptions;
let first: UpResult;
let startedPids: number[] = [];

const s3Client = (accessKeyId: string, secretAccessKey: string): S3Client =>
  new S3Client({
    endpoint: `http://127.0.0.1:${options.ports.s3}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  });

beforeAll(async () => {
  options = await privateStackOptions({
    s3: { accessKeyId: 'test-key', secretAccessKey: 'test-secret-1234', bucket: 'lifecycle-bucket' },
  });
  first = await upStack(options);
  startedPids = first.services.map((service) => service.pid).filter((pid): pid is number => pid !== null);
});

afterAll(async () => {
  if (!options) return;
  await downStack(options);
  rmSync(options.stateDir, { recursive: true, force: true });
});

describe('a private local stack', () => {
  it('starts postgres, s3 and temporal as detached processes with pid files', () => {
    expect(first.services.map((service) => [service.name, service.action])).toEqual([
      ['postgres', 'started'],
      ['s3', 'started'],
      ['temporal', 'started'],
    ]);
    expect(startedPids).toHaveLength(3);
    for (const pid of startedPids) expect(pidAlive(pid)).toBe(true);
  });

  it('treats a second up as a no-op: same pids, reported as already running', async () => {
    const second = await upStack(options);
    expect(second.services.map((service) => service.action)).toEqual([
      'already running',
      'already running',
      'already running',
    ]);
    expect(second.services.map((service) => service.pid)).toEqual(startedPids);
  });

  it('reports every service as running with its address', async () => {
    const status = await stackStatus(options);
    const { ports } = options;
    expect(status).toEqual([
      {
        name: 'postgres',
        state: 'running',
        pid: startedPids[0],
        address: `postgres://mirage@127.0.0.1:${ports.postgres}/mirage`,
      },
      { name: 's3', state: 'running', pid: startedPids[1], address: `http://127.0.0.1:${ports.s3}` },
      {
        name: 'temporal',
        state: 'running',
        pid: startedPids[2],
        address: `127.0.0.1:${ports.temporal}`,
        uiUrl: `http://127.0.0.1:${ports.temporalUi}`,
      },
    ]);
  });

  it('writes stack.env and stack.json with working addresses', async () => {
    const layout = stackLayout(options.stateDir);
    const envText = readFileSync(layout.stackEnv, 'utf8');
    const { ports } = options;
    expect(envText).toContain(`export DATABASE_URL='postgres://mirage@127.0.0.1:${ports.postgres}/mirage'\n`);
    expect(envText).toContain(`export S3_ENDPOINT='http://127.0.0.1:${ports.s3}'\n`);
    expect(envText).toContain(`export S3_REGION='us-east-1'\n`);
    expect(envText).toContain(`export S3_ACCESS_KEY_ID='test-key'\n`);
    expect(envText).toContain(`export S3_SECRET_ACCESS_KEY='test-secret-1234'\n`);
    expect(envText).toContain(`export S3_BUCKET='lifecycle-bucket'\n`);
    expect(envText).toContain(`export TEMPORAL_ADDRESS='127.0.0.1:${ports.temporal}'\n`);
    expect(envText).toContain(`export TEMPORAL_NAMESPACE='default'\n`);
    expect(envText).toContain(`export TEMPORAL_UI_URL='http://127.0.0.1:${ports.temporalUi}'\n`);
    const json = JSON.parse(readFileSync(layout.stackJson, 'utf8')) as {
      env: Record<string, string>;
      services: { name: string }[];
    };
    expect(json.env['TEMPORAL_ADDRESS']).toBe(`127.0.0.1:${ports.temporal}`);
    expect(json.services.map((service) => service.name)).toEqual(['postgres', 's3', 'temporal']);
  });

  it('serves the mirage database over TCP with trust auth', async () => {
    const client = new pg.Client({ connectionString: first.env['DATABASE_URL'] });
    await client.connect();
    try {
      const result = await client.query<{ db: string; usr: string }>(
        'select current_database() as db, current_user as usr',
      );
      expect(result.rows[0]).toEqual({ db: 'mirage', usr: 'mirage' });
    } finally {
      await client.end();
    }
  });

  it('serves S3 with the configured keys only, and has created the bucket', async () => {
    const good = s3Client('test-key', 'test-secret-1234');
    await good.send(new HeadBucketCommand({ Bucket: 'lifecycle-bucket' }));
    const buckets = await good.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((bucket) => bucket.Name)).toContain('lifecycle-bucket');
    await expect(s3Client('test-key', 'wrong-secret').send(new ListBucketsCommand({}))).rejects.toThrow(/signature/i);
    await expect(
      s3Client('intruder', 'whatever').send(new CreateBucketCommand({ Bucket: 'intruder-bucket' })),
    ).rejects.toThrow(/access key/i);
  });

  it('serves Temporal with the default namespace', async () => {
    const connection = await Connection.connect({ address: first.env['TEMPORAL_ADDRESS'] });
    try {
      const described = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(described.namespaceInfo?.name).toBe('default');
    } finally {
      await connection.close();
    }
  });

  it('restarts only a service whose process died', async () => {
    process.kill(startedPids[2] as number, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await stackStatus(options)).map((service) => service.state)).toEqual(['running', 'running', 'stopped']);
    const again = await upStack(options);
    expect(again.services.map((service) => service.action)).toEqual(['already running', 'already running', 'started']);
    startedPids = again.services.map((service) => service.pid as number);
  });

  it('down stops every process it started and leaves no pid behind', async () => {
    const down = await downStack(options);
    expect(down.services.map((service) => service.outcome)).toEqual(['stopped', 'stopped', 'stopped']);
    for (const pid of startedPids) expect(pidAlive(pid)).toBe(false);
    const ourSockets = readdirSync('/tmp').filter(
      (entry) => entry.startsWith('seaweedfs-') && entry.endsWith(`-${options.ports.s3}.sock`),
    );
    expect(ourSockets).toEqual([]);
    expect((await stackStatus(options)).map((service) => service.state)).toEqual(['stopped', 'stopped', 'stopped']);
    const again = await downStack(options);
    expect(again.services.map((service) => service.outcome)).toEqual(['not running', 'not running', 'not running']);
  });
});
