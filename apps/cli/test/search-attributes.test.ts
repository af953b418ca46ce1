// Sweeps and runs carry Temporal search attributes (MirageExperiment, MirageSweep, MirageMethod on runs, MirageUser),
// so a lab lists them in Temporal: with the TS client and with the real `temporal workflow list` the issue names.
// A server without the attributes registered (an external one, a stack started before them) still takes launches:
// `mirage launch` warns once and starts the sweep without them, and its runs start without them too.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SEARCH_ATTRIBUTES, WORKFLOW_NAMES } from '@mirage/contracts';
import { Client, Connection, type WorkflowExecutionInfo } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runMirage } from './support/mirage';
import { syntheticSweepYaml } from './support/synthetic-sweep';
import { startWorkers, type TestWorkers } from './support/workers';

const run = promisify(execFile);
for (const name of ['DATABASE_URL', 'S3_ENDPOINT', 'TEMPORAL_ADDRESS']) {
  if (!process.env[name])
    throw new Error(`${name} is not set: run \`mirage up --core\` and source its stack.env (npm test does)`);
}
const TEMPORAL = join(ROOT, '.venv/bin/temporal');
const tag = randomUUID().slice(0, 8);
const user = `sa-user-${tag}`;
const work = mkdtempSync(join(tmpdir(), 'mirage-search-attributes-'));
const queue = `gpu-sa-${tag}`;
const cleanups: (() => Promise<void> | void)[] = [];
let workers: TestWorkers;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  await run(
    join(ROOT, '.venv/bin/python'),
    [
      '-m',
      'synthetic_bench',
      'generate',
      '--out',
      join(work, 'data'),
      '--seed',
      '0',
      '--per-class',
      '8',
      '--size',
      '32',
    ],
    { cwd: join(ROOT, 'tools') },
  );
  for (const family of ['upsampler', 'diffusion']) {
    const registered = await runMirage(
      [
        'data',
        'register',
        `sa-${family}`,
        '--layout',
        'manifest',
        '--root',
        join(work, 'data', `synthetic-${family}`, 'manifest.jsonl'),
      ],
      process.env,
    );
    expect(registered.stderr).toBe('');
  }
  connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS'] as string });
  client = new Client({ connection, namespace: process.env['TEMPORAL_NAMESPACE'] ?? 'default' });
  workers = await startWorkers(queue);
}, 240_000);

afterAll(async () => {
  workers?.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
  await connection?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A two-run sweep (methods mirage and univfd, one seed, 4 steps) named `name` on `taskQueue`. */
function sweepFile(name: string, taskQueue: string): string {
  const file = join(work, `${name}.yaml`);
  const yaml = syntheticSweepYaml({
    name,
    prefix: 'sa',
    evalFamilies: ['diffusion'],
    steps: 4,
    checkpointEvery: 2,
    seeds: [0],
  }).replace('task_queue: gpu', `task_queue: ${taskQueue}`);
  writeFileSync(file, yaml);
  return file;
}

/** Lists `query` until `done` holds for the result (the dev server's visibility is eventually consistent). */
async function listUntil(
  temporal: Client,
  query: string,
  done: (found: WorkflowExecutionInfo[]) => boolean,
  ms = 20_000,
): Promise<WorkflowExecutionInfo[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found: WorkflowExecutionInfo[] = [];
    for await (const info of temporal.workflow.list({ query })) found.push(info);
    if (done(found) || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const attributes = (info: Pick<WorkflowExecutionInfo, 'typedSearchAttributes'>) => ({
  experiment: info.typedSearchAttributes.get(SEARCH_ATTRIBUTES.experiment),
  sweep: info.typedSearchAttributes.get(SEARCH_ATTRIBUTES.sweep),
  method: info.typedSearchAttributes.get(SEARCH_ATTRIBUTES.method),
  user: info.typedSearchAttributes.get(SEARCH_ATTRIBUTES.user),
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('search attributes', () => {
  it('a launched sweep and its runs are listed by MirageExperiment, MirageMethod, MirageSweep and MirageUser, also by the temporal CLI', async () => {
    const name = `sa-listed-${tag}`;
    const launched = await runMirage(['launch', sweepFile(name, queue), '--watch'], {
      ...process.env,
      MIRAGE_USER: user,
    });
    expect(launched.stderr).toBe('');
    expect(launched.stdout).not.toMatch(/warning: .*search attribute/);
    expect(launched.code, `${launched.stdout}\n${workers.log().slice(-3000)}`).toBe(0);
    expect(launched.stdout).toMatch(/2 succeeded, 0 failed/);
    const sweepId = /started sweep (\S+)/.exec(launched.stdout)?.[1] as string;
    expect(sweepId).toBeTruthy();

    const byExperiment = await listUntil(client, `MirageExperiment='${name}'`, (found) => found.length >= 3);
    const summary = byExperiment
      .map((info) => ({ id: info.workflowId, type: info.type, ...attributes(info) }))
      .sort((a, b) => a.id.localeCompare(b.id));
    expect(summary).toEqual([
      { id: sweepId, type: WORKFLOW_NAMES.sweep, experiment: name, sweep: sweepId, method: undefined, user },
      {
        id: expect.stringMatching(new RegExp(`^${sweepId}/`)),
        type: WORKFLOW_NAMES.run,
        experiment: name,
        sweep: sweepId,
        method: expect.any(String),
        user,
      },
      {
        id: expect.stringMatching(new RegExp(`^${sweepId}/`)),
        type: WORKFLOW_NAMES.run,
        experiment: name,
        sweep: sweepId,
        method: expect.any(String),
        user,
      },
    ]);
    expect(
      summary
        .map((s) => s.method)
        .filter(Boolean)
        .sort(),
    ).toEqual(['mirage', 'univfd']);

    // Each run's method is the one its row records.
    const db = new pg.Client({ connectionString: process.env['DATABASE_URL'] });
    await db.connect();
    const recorded = await db
      .query<{ id: string; method: string }>(`select id, method from runs where sweep_id = $1`, [sweepId])
      .finally(() => db.end());
    const univfdRun = recorded.rows.find((r) => r.method === 'univfd')?.id as string;
    expect(univfdRun).toBeTruthy();

    const byMethod = await listUntil(
      client,
      `MirageMethod='univfd' AND MirageExperiment='${name}'`,
      (found) => found.length >= 1,
    );
    expect(byMethod.map((info) => info.workflowId)).toEqual([`${sweepId}/${univfdRun}`]);
    const bySweep = await listUntil(client, `MirageSweep='${sweepId}'`, (found) => found.length >= 3);
    expect(bySweep).toHaveLength(3);
    const byUser = await listUntil(
      client,
      `MirageUser='${user}' AND WorkflowType='${WORKFLOW_NAMES.sweep}'`,
      (found) => found.length >= 1,
    );
    expect(byUser.map((info) => info.workflowId)).toEqual([sweepId]);

    // The acceptance check, with the real CLI.
    const listed = await run(TEMPORAL, [
      'workflow',
      'list',
      '--address',
      process.env['TEMPORAL_ADDRESS'] as string,
      '--namespace',
      process.env['TEMPORAL_NAMESPACE'] ?? 'default',
      '--query',
      `MirageExperiment='${name}'`,
    ]);
    expect(listed.stdout).toContain(sweepId);
    expect(listed.stdout).toContain(`${sweepId}/${univfdRun}`);
  }, 300_000);

  it('on a server without them registered, launch warns once and starts the sweep and its runs without them', async () => {
    // A private in-memory dev server started without --search-attribute, with an orchestrator of its own; Postgres
    // and S3 are the shared stack's. The runs' GPU queue has no worker: only their start matters here.
    const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const address = `127.0.0.1:${port}`;
    const server = spawn(
      TEMPORAL,
      [
        'server',
        'start-dev',
        '--headless',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--http-port',
        String(httpPort),
        '--metrics-port',
        String(metricsPort),
        '--log-level',
        'error',
      ],
      { stdio: 'ignore' },
    );
    cleanups.push(() => void server.kill('SIGTERM'));
    const env = { ...process.env, TEMPORAL_ADDRESS: address, MIRAGE_USER: user };
    const bare = await connectWhenUp(address, server);
    cleanups.push(() => bare.close());
    const bareClient = new Client({ connection: bare, namespace: 'default' });
    const orchestratorLog: string[] = [];
    const orchestrator: ChildProcess = spawn(
      join(ROOT, 'node_modules/.bin/tsx'),
      [join(ROOT, 'apps/orchestrator/src/main.ts')],
      { cwd: ROOT, env },
    );
    orchestrator.stdout?.on('data', (d: Buffer) => orchestratorLog.push(d.toString()));
    orchestrator.stderr?.on('data', (d: Buffer) => orchestratorLog.push(d.toString()));
    cleanups.push(() => void orchestrator.kill('SIGTERM'));

    const name = `sa-fallback-${tag}`;
    const launched = await runMirage(['launch', sweepFile(name, `gpu-nobody-${tag}`)], env);
    expect(launched.stderr).toBe('');
    expect(launched.code).toBe(0);
    const warnings = launched.stdout.split('\n').filter((line) => /search attribute/.test(line));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: .*MirageExperiment, MirageSweep, MirageMethod, MirageUser.*not registered/);
    expect(warnings[0]).toContain(
      'temporal operator search-attribute create --namespace default --name MirageExperiment --type Keyword --name MirageSweep --type Keyword --name MirageMethod --type Keyword --name MirageUser --type Keyword',
    );
    expect(warnings[0]).toMatch(/restart the local stack/);
    const sweepId = /started sweep (\S+)/.exec(launched.stdout)?.[1] as string;
    expect(sweepId).toBeTruthy();

    // Both runs start (a child start naming an unregistered attribute would fail the sweep's workflow task for ever).
    const runs = await listUntil(
      bareClient,
      `WorkflowType='${WORKFLOW_NAMES.run}'`,
      (found) => found.length >= 2,
      60_000,
    );
    expect(runs.map((info) => info.workflowId).sort(), orchestratorLog.join('').slice(-3000)).toEqual([
      expect.stringMatching(new RegExp(`^${sweepId}/`)),
      expect.stringMatching(new RegExp(`^${sweepId}/`)),
    ]);
    for (const info of [...runs, await bareClient.workflow.getHandle(sweepId).describe()]) {
      expect(attributes(info)).toEqual({ experiment: undefined, sweep: undefined, method: undefined, user: undefined });
    }
    const cancelled = await runMirage(['cancel', sweepId], env);
    expect(cancelled.stderr).toBe('');
    expect(cancelled.stdout).toMatch(/cancelled; recorded results and checkpoints are kept/);
  }, 180_000);
});

/** A connection to a just-started dev server, once it has registered its default namespace. */
async function connectWhenUp(address: string, server: ChildProcess): Promise<Connection> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the private Temporal server exited (${server.exitCode})`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return connection;
      } catch (error) {
        await connection.close();
        throw error;
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
