// Durability on a PRIVATE stack (temp MIRAGE_HOME, free ports, the real `mirage up --core`): a sweep keeps its
// promises while its machinery dies under it. With both runs training, the GPU worker is SIGKILLed (a new one
// takes over and resumes from the checkpoint the last heartbeat named), then the Temporal dev server is stopped
// and started again from its SQLite file while the orchestrator and the new worker reconnect on their own. The
// sweep must finish with every run succeeded, every cell recorded exactly once, and a resumed training.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TrainHeartbeat } from '@mirage/contracts';
import { findFreeStackPorts } from '@mirage/local-stack';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateStackEnv, runMirage, type Outcome } from './support/mirage';
import { syntheticSweepYaml } from './support/synthetic-sweep';

const root = resolve(import.meta.dirname, '../../..');
const python = join(root, '.venv/bin/python');
// ~30 steps/s per run here: the resumed trainings last long enough (~20 s) for the Temporal restart to land mid-step.
const STEPS = 600;
const CHECKPOINT_EVERY = 5;
const EVAL_IDS = ['diffusion', 'quantizer'];

let home = '';
let childEnv: NodeJS.ProcessEnv = {};
let stackEnv: Record<string, string> = {};
const processes: ChildProcess[] = [];
const logs = new Map<ChildProcess, string[]>();
let orchestrator: ChildProcess;
let firstGpu: ChildProcess;

function mirage(args: string[], timeoutMs = 120_000): Promise<Outcome> {
  return runMirage(args, childEnv, { timeoutMs });
}

function start(command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(command, args, { cwd: root, env: { ...childEnv, ...stackEnv, ...extraEnv } });
  const lines: string[] = [];
  child.stdout?.on('data', (d: Buffer) => lines.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => lines.push(d.toString()));
  logs.set(child, lines);
  processes.push(child);
  return child;
}

const logOf = (child: ChildProcess): string => (logs.get(child) ?? []).join('');
const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;
const alive = (pid: number): boolean =>
  existsSync(`/proc/${pid}`) && !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(probe: () => T | Promise<T>, what: string, ms: number): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    // The orchestrator is expected to survive everything here; if it dies, say so instead of timing out.
    if (orchestrator && exited(orchestrator))
      throw new Error(`the orchestrator exited while waiting for ${what}:\n${logOf(orchestrator)}`);
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(250);
  }
}

function startGpuWorker(): ChildProcess {
  // Both trainings run at once, one torch thread each, so one SIGKILL interrupts both.
  return start(python, ['-m', 'mirage_gpu_worker'], {
    MIRAGE_WORKER_MAX_CONCURRENT_ACTIVITIES: '2',
    MIRAGE_TORCH_THREADS: '1',
  });
}

function spec(): string {
  return syntheticSweepYaml({
    name: 'durability-sweep',
    prefix: 'dur',
    evalFamilies: EVAL_IDS,
    steps: STEPS,
    checkpointEvery: CHECKPOINT_EVERY,
    seeds: [0],
  });
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'mirage-durability-'));
  const ports = await findFreeStackPorts();
  childEnv = privateStackEnv(home, ports);
  const up = await mirage(['up', '--core']);
  if (up.code !== 0) throw new Error(`mirage up --core failed:\n${up.stdout}\n${up.stderr}`);
  stackEnv = (JSON.parse(readFileSync(join(home, 'stack.json'), 'utf8')) as { env: Record<string, string> }).env;

  const data = join(home, 'data');
  await new Promise<void>((done, fail) =>
    execFile(
      python,
      ['-m', 'synthetic_bench', 'generate', '--out', data, '--seed', '0', '--per-class', '40', '--size', '32'],
      { cwd: join(root, 'tools') },
      (error) => (error ? fail(error) : done()),
    ),
  );
  for (const family of ['upsampler', ...EVAL_IDS]) {
    const registered = await mirage([
      'data',
      'register',
      `dur-${family}`,
      '--layout',
      'manifest',
      '--root',
      join(data, `synthetic-${family}`, 'manifest.jsonl'),
    ]);
    if (registered.code !== 0) throw new Error(`data register dur-${family} failed: ${registered.stderr}`);
  }
  orchestrator = start(join(root, 'node_modules/.bin/tsx'), [join(root, 'apps/orchestrator/src/main.ts')]);
  firstGpu = startGpuWorker();
  await waitFor(() => logOf(firstGpu).includes('worker ready'), 'the GPU worker', 120_000);
  await waitFor(() => logOf(orchestrator).includes('orchestrator: serving'), 'the orchestrator', 120_000);
}, 240_000);

afterAll(async () => {
  // SIGTERM first: tsx forwards it to the orchestrator's node process, which a SIGKILL of tsx would orphan.
  const running = processes.filter((child) => !exited(child));
  for (const child of running) child.kill('SIGTERM');
  for (let waited = 0; waited < 20_000 && !running.every(exited); waited += 250) await sleep(250);
  for (const child of running) if (!exited(child)) child.kill('SIGKILL');
  if (home) {
    const down = await mirage(['down']);
    if (down.code !== 0) console.error(`mirage down failed: ${down.stderr}`);
    rmSync(home, { recursive: true, force: true });
  }
}, 60_000);

/** The checkpoint each run's pending train activity last heartbeated, by run id (null: none yet). */
async function trainCheckpoints(
  temporal: Client,
  sweepId: string,
  runIds: string[],
): Promise<Map<string, number | null>> {
  const steps = new Map<string, number | null>();
  for (const runId of runIds) {
    const description = await temporal.workflow
      .getHandle(`${sweepId}/${runId}`)
      .describe()
      .catch(() => null);
    const pending = description?.raw.pendingActivities?.find((a) => a.activityType?.name === 'train');
    const payload = pending?.heartbeatDetails?.payloads?.[0];
    const beat = payload ? TrainHeartbeat.safeParse(defaultPayloadConverter.fromPayload(payload)) : null;
    steps.set(runId, beat?.success ? (beat.data.checkpoint?.step ?? null) : null);
  }
  return steps;
}

const resumedCount = (checkpoints: Map<string, number | null>): number =>
  [...checkpoints.values()].filter((s) => s !== null).length;

describe('a sweep survives a killed GPU worker and a restarted Temporal server', () => {
  it('finishes with every run succeeded, every cell recorded once, and a training resumed from its checkpoint', async () => {
    const began = Date.now();
    const file = join(home, 'durability.yaml');
    writeFileSync(file, spec());
    const launched = await mirage(['launch', file]);
    expect(launched.stderr).toBe('');
    const sweepId = /started sweep (\S+)/.exec(launched.stdout)?.[1];
    if (!sweepId) throw new Error(`no sweep id in: ${launched.stdout}`);

    const db = new pg.Client({ connectionString: stackEnv['DATABASE_URL'] });
    await db.connect();
    const connection = await Connection.connect({ address: stackEnv['TEMPORAL_ADDRESS'] as string });
    const temporal = new Client({ connection, namespace: stackEnv['TEMPORAL_NAMESPACE'] ?? 'default' });
    try {
      // The sweep workflow records its planned runs in its first activity, just after launch returns.
      const runIds = await waitFor(
        async () => {
          const ids = (
            await db.query<{ id: string }>('select id from runs where sweep_id = $1 order by id', [sweepId])
          ).rows.map((r) => r.id);
          return ids.length === 2 ? ids : null;
        },
        'the planned runs',
        30_000,
      );

      // (a) Both trainings are under way and at least one has published a checkpoint: kill the worker mid-step.
      const checkpointed = await waitFor(
        async () => {
          const steps = await trainCheckpoints(temporal, sweepId, runIds);
          return [...steps.values()].some((s) => s !== null) ? steps : null;
        },
        'a train checkpoint',
        120_000,
      );
      expect(logOf(firstGpu).match(/activity train start/g)).toHaveLength(2);
      firstGpu.kill('SIGKILL');
      await waitFor(() => exited(firstGpu), 'the killed GPU worker to exit', 10_000);
      const killedAt = (Date.now() - began) / 1000;
      const secondGpu = startGpuWorker();
      await waitFor(() => logOf(secondGpu).includes('worker ready'), 'the replacement GPU worker', 120_000);

      // (b) Once the replacement worker is training again (both retries come after the 30 s heartbeat timeout),
      // stop the Temporal dev server by its recorded pid and bring it back from its SQLite state mid-training.
      await waitFor(
        () =>
          (logOf(secondGpu).match(/activity train start .*attempt=[2-9]/g) ?? []).length >= resumedCount(checkpointed),
        'the resumed trainings',
        90_000,
      );
      const resumedAt = (Date.now() - began) / 1000;
      const temporalPid = (JSON.parse(readFileSync(join(home, 'pids', 'temporal.pid'), 'utf8')) as { pid: number }).pid;
      process.kill(temporalPid, 'SIGTERM');
      await waitFor(() => !alive(temporalPid), 'the Temporal server to stop', 30_000);
      await sleep(2000); // long enough for every client to see the server gone
      const restarted = await mirage(['up', '--core']);
      expect(restarted.stderr).toBe('');
      expect(restarted.stdout).toMatch(/^temporal +started +pid \d+/m);
      expect(restarted.stdout).toMatch(/^postgres +already running/m);
      const restartedAt = (Date.now() - began) / 1000;

      const watched = await mirage(['watch', sweepId], 240_000);
      expect(watched.stderr).toBe('');
      expect(watched.stdout).toMatch(/2 succeeded, 0 failed/);

      const runs = (
        await db.query<{
          id: string;
          status: string;
          attempts: number;
          train_output: { resumed_from_step: number | null; attempt: number };
        }>('select id, status, attempts, train_output from runs where sweep_id = $1 order by id', [sweepId])
      ).rows;
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      const resumed = runs.filter((r) => r.attempts >= 2 || r.train_output.resumed_from_step !== null);
      expect(resumed.length).toBeGreaterThanOrEqual(1);
      // A run that had a checkpoint when the worker died must have resumed from it, not started over.
      for (const [runId, step] of checkpointed) {
        if (step === null) continue;
        const output = runs.find((r) => r.id === runId)?.train_output;
        expect(output?.attempt).toBeGreaterThanOrEqual(2);
        expect(output?.resumed_from_step).toBeGreaterThanOrEqual(step);
      }

      const cells = (
        await db.query<{ run_id: string; dataset: string; perturbation: string; n: string }>(
          `select run_id, dataset, perturbation, count(*) as n from eval_results where run_id = any($1) group by 1, 2, 3 order by 1, 2, 3`,
          [runIds],
        )
      ).rows;
      expect(cells).toHaveLength(runIds.length * EVAL_IDS.length);
      expect(cells.every((c) => Number(c.n) === 1)).toBe(true);
      expect(cells.map((c) => `${c.dataset}/${c.perturbation}`).sort()).toEqual(
        runIds.flatMap(() => EVAL_IDS.map((id) => `${id}/none`)).sort(),
      );
      // The replacement worker did the resumed work; the orchestrator lived through the outage.
      expect(logOf(secondGpu)).toMatch(/activity train start .*attempt=[2-9]/);
      expect(exited(orchestrator)).toBe(false);
      console.log(
        `durability: worker killed at ${killedAt.toFixed(1)} s (checkpoints ${JSON.stringify(Object.fromEntries(checkpointed))}), ` +
          `resumed at ${resumedAt.toFixed(1)} s, Temporal restarted at ${restartedAt.toFixed(1)} s, sweep done at ${((Date.now() - began) / 1000).toFixed(1)} s; ` +
          `resumed: ${JSON.stringify(runs.map((r) => ({ attempts: r.attempts, resumed_from_step: r.train_output.resumed_from_step })))}`,
      );
    } catch (error) {
      // What the processes said is the only account of a durability failure; keep it with the test's output.
      for (const child of processes)
        console.error(`--- pid ${child.pid} ${child.spawnargs.slice(1).join(' ')}\n${logOf(child).slice(-4000)}`);
      throw error;
    } finally {
      await connection.close();
      await db.end();
    }
  }, 360_000);

  it('a Postgres outage mid-run delays the bookkeeping: the run succeeds with one training and its cells recorded once', async () => {
    const file = join(home, 'outage.yaml');
    writeFileSync(
      file,
      spec()
        .replace('name: durability-sweep', 'name: outage-sweep')
        .replace(/sweep: .*\n/, 'sweep: { grid: { method: [mirage] }, max_concurrent: 1 }\n'),
    );
    const gpu = processes.filter((child) => child.spawnargs.includes('mirage_gpu_worker') && !exited(child)).at(-1)!;
    const trainStarts = () => (logOf(gpu).match(/activity train start/g) ?? []).length;
    const trainEnds = () => (logOf(gpu).match(/activity train end .* completed/g) ?? []).length;
    // Counted before the launch: the worker may start the training before `launch` has even returned.
    const startsBefore = trainStarts();
    const endsBefore = trainEnds();
    const launched = await mirage(['launch', file]);
    expect(launched.stderr).toBe('');
    const sweepId = /started sweep (\S+)/.exec(launched.stdout)?.[1] as string;
    const connection = await Connection.connect({ address: stackEnv['TEMPORAL_ADDRESS'] as string });
    const temporal = new Client({ connection, namespace: stackEnv['TEMPORAL_NAMESPACE'] ?? 'default' });
    try {
      await waitFor(() => trainStarts() > startsBefore, 'the training to start', 60_000);
      // Stop Postgres (fast shutdown, as `mirage down` does) while the run trains; the training ends during the outage.
      const postgresPid = (JSON.parse(readFileSync(join(home, 'pids', 'postgres.pid'), 'utf8')) as { pid: number }).pid;
      process.kill(postgresPid, 'SIGINT');
      await waitFor(() => !alive(postgresPid), 'Postgres to stop', 30_000);
      const stoppedAt = Date.now();
      await waitFor(() => trainEnds() > endsBefore, 'the training to end while Postgres is down', 120_000);
      await sleep(Math.max(0, 20_000 - (Date.now() - stoppedAt)));
      const restarted = await mirage(['up', '--core']);
      expect(restarted.stdout).toMatch(/^postgres +started +pid \d+/m);
      const outage = (Date.now() - stoppedAt) / 1000;

      const watched = await mirage(['watch', sweepId], 240_000);
      expect(watched.stdout).toMatch(/1 succeeded, 0 failed/);
      const db = new pg.Client({ connectionString: stackEnv['DATABASE_URL'] });
      await db.connect();
      try {
        const runs = (
          await db.query<{ id: string; status: string; train_output: { attempt: number } }>(
            'select id, status, train_output from runs where sweep_id = $1',
            [sweepId],
          )
        ).rows;
        expect(runs.map((r) => [r.status, r.train_output.attempt])).toEqual([['succeeded', 1]]);
        const cells = (
          await db.query<{ n: string }>(
            'select count(*) as n from eval_results where run_id = $1 group by dataset, perturbation',
            [runs[0]!.id],
          )
        ).rows;
        expect(cells.map((c) => Number(c.n))).toEqual(EVAL_IDS.map(() => 1));
      } finally {
        await db.end();
      }
      // One training: the outage cost waiting, not GPU work; and the orchestrator lived through it.
      expect(trainStarts() - startsBefore).toBe(1);
      expect(exited(orchestrator)).toBe(false);
      expect((await temporal.workflow.getHandle(sweepId).describe()).status.name).toBe('COMPLETED');
      console.log(`durability: Postgres down for ${outage.toFixed(1)} s mid-run; the run succeeded with 1 training`);
    } catch (error) {
      for (const child of processes)
        console.error(`--- pid ${child.pid} ${child.spawnargs.slice(1).join(' ')}\n${logOf(child).slice(-4000)}`);
      throw error;
    } finally {
      await connection.close();
    }
  }, 360_000);
});
