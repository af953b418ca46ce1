import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { versionedTaskQueue } from '@mirage/contracts';
import { findFreeStackPorts, type StackPorts } from '@mirage/local-stack';
import { NativeConnection, Worker } from '@temporalio/worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoCodeVersion } from '../src/experiments/code-version-of-repo';
import { privateStackEnv, runMirage, type Outcome } from './support/mirage';

let home: string;
let ports: StackPorts;
let childEnv: NodeJS.ProcessEnv;

function mirage(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return runMirage(args, { ...childEnv, ...extraEnv }, { cwd: tmpdir() });
}

const pidsIn = (stdout: string): number[] => [...stdout.matchAll(/pid (\d+)/g)].map((match) => Number(match[1]));
const alive = (pid: number): boolean =>
  existsSync(`/proc/${pid}`) && !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'mirage-cli-test-'));
  ports = await findFreeStackPorts();
  // The stack under test must be a fresh local one.
  childEnv = privateStackEnv(home, ports);
});

afterAll(async () => {
  if (!home) return;
  await mirage(['down']);
  rmSync(home, { recursive: true, force: true });
});

describe('mirage up / status / down', () => {
  let startedPids: number[] = [];

  it('up starts the stack, prints its addresses, applies migrations and writes stack.env', async () => {
    const run = await mirage(['up', '--core']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^postgres +started +pid \\d+ +postgres://mirage@127\\.0\\.0\\.1:${ports.postgres}/mirage$`, 'm'),
    );
    expect(run.stdout).toMatch(new RegExp(`^s3 +started +pid \\d+ +http://127\\.0\\.0\\.1:${ports.s3}$`, 'm'));
    expect(run.stdout).toMatch(
      new RegExp(
        `^temporal +started +pid \\d+ +127\\.0\\.0\\.1:${ports.temporal} +\\(ui http://127\\.0\\.0\\.1:${ports.temporalUi}\\)$`,
        'm',
      ),
    );
    expect(run.stdout).toContain(`migrations applied to postgres://mirage@127.0.0.1:${ports.postgres}/mirage`);
    startedPids = pidsIn(run.stdout);
    expect(startedPids).toHaveLength(3);
    expect(readFileSync(join(home, 'stack.env'), 'utf8')).toContain(
      `export TEMPORAL_ADDRESS='127.0.0.1:${ports.temporal}'`,
    );

    const client = new pg.Client({ connectionString: `postgres://mirage@127.0.0.1:${ports.postgres}/mirage` });
    await client.connect();
    try {
      const applied = await client.query<{ n: string }>('select count(*) as n from drizzle.__drizzle_migrations');
      expect(Number(applied.rows[0]?.n)).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });

  it('a second up changes nothing', async () => {
    const run = await mirage(['up', '--core']);
    expect(run.code).toBe(0);
    expect(run.stdout.match(/already running/g)).toHaveLength(3);
    expect(pidsIn(run.stdout)).toEqual(startedPids);
  });

  it('status lists each service running with its pid and address', async () => {
    const run = await mirage(['status']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^SERVICE +STATE +PID +ADDRESS$/m);
    expect(run.stdout).toMatch(
      new RegExp(
        `^postgres +running +${startedPids[0]} +postgres://mirage@127\\.0\\.0\\.1:${ports.postgres}/mirage$`,
        'm',
      ),
    );
    expect(run.stdout).toMatch(new RegExp(`^s3 +running +${startedPids[1]} +http://127\\.0\\.0\\.1:${ports.s3}$`, 'm'));
    expect(run.stdout).toMatch(
      new RegExp(`^temporal +running +${startedPids[2]} +127\\.0\\.0\\.1:${ports.temporal}`, 'm'),
    );
  });

  it("status lists the workers polling each task queue, GPU queues at this checkout's code version", async () => {
    const queue = versionedTaskQueue('gpu-h100', repoCodeVersion());
    const connection = await NativeConnection.connect({ address: `127.0.0.1:${ports.temporal}` });
    const worker = await Worker.create({
      connection,
      taskQueue: queue,
      identity: 'status-test-worker',
      activities: { noop: async () => undefined },
    });
    const running = worker.run();
    try {
      let run: Outcome | undefined;
      // Temporal lists a poller once it has polled; give the new worker a moment.
      for (let i = 0; i < 40 && !/status-test-worker/.test(run?.stdout ?? ''); i++) {
        run = await mirage(['status', '--queue', 'gpu', 'gpu-h100']);
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(run!.code).toBe(0);
      expect(run!.stdout).toMatch(/^QUEUE +KIND +POLLERS +WORKERS$/m);
      expect(run!.stdout).toMatch(
        new RegExp(`^${queue.replace(/[.@]/g, '\\$&')} +activity +1 +status-test-worker$`, 'm'),
      );
      expect(run!.stdout).toMatch(/^gpu@detector-[0-9a-f]+ +activity +0 +-$/m);
      const json = JSON.parse((await mirage(['status', '--json', '--queue', 'gpu-h100'])).stdout) as {
        queues: { queue: string; pollers: string[] }[];
      };
      expect(json.queues.find((q) => q.queue === queue)?.pollers).toEqual(['status-test-worker']);
    } finally {
      worker.shutdown();
      await running;
      await connection.close();
    }
  });

  it('down stops every started process and status then shows them stopped', async () => {
    const run = await mirage(['down']);
    expect(run.code).toBe(0);
    expect(run.stdout.match(/ stopped /g)).toHaveLength(3);
    for (const pid of startedPids) expect(alive(pid)).toBe(false);
    const status = await mirage(['status']);
    expect(status.stdout).toMatch(/^postgres +stopped +- /m);
    expect(status.stdout).toMatch(/^temporal +stopped +- /m);
    expect(existsSync(join(home, 'stack.env'))).toBe(false);
  });

  it('reports a bad setting as `mirage: <message>` with exit 2 and no stack trace', async () => {
    const run = await mirage(['status'], { MIRAGE_PG_PORT: 'abc' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('mirage: MIRAGE_PG_PORT="abc": must be a port number\n');
  });

  it('reports an unknown command with exit 2', async () => {
    const run = await mirage(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^mirage: unknown command 'frobnicate'/);
  });
});
