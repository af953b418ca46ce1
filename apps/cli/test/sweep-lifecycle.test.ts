// A sweep's lifecycle beyond the happy path, on the real stack: cancel mid-training ends the sweep as Canceled
// within 60 s with its results kept and its runs marked, a second cancel says the sweep already ended, a later
// launch starts a new execution that resumes from the last checkpoint; a run on a queue nobody polls is reported;
// a grid over a path that does not exist is refused before anything starts; a sweep in run groups trains every run
// through the real worker, and cancelling it ends each group's runs as cancelled.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
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
const mirage = (args: string[]) => runMirage(args, process.env);
const work = mkdtempSync(join(tmpdir(), 'mirage-lifecycle-'));
const queue = `gpu-lifecycle-${randomUUID().slice(0, 8)}`;
let workers: TestWorkers;
let db: pg.Client;
let connection: Connection;

async function rows<T>(sql: string, params: unknown[]): Promise<T[]> {
  return (await db.query(sql, params)).rows as T[];
}

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
      '20',
      '--size',
      '32',
    ],
    { cwd: join(ROOT, 'tools') },
  );
  for (const family of ['upsampler', 'diffusion']) {
    const registered = await mirage([
      'data',
      'register',
      `life-${family}`,
      '--layout',
      'manifest',
      '--root',
      join(work, 'data', `synthetic-${family}`, 'manifest.jsonl'),
    ]);
    expect(registered.stderr).toBe('');
  }
  db = new pg.Client({ connectionString: process.env['DATABASE_URL'] });
  await db.connect();
  connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS'] as string });
  workers = await startWorkers(queue, { ...process.env, MIRAGE_UNPOLLED_REPORT_SECONDS: '2' });
}, 240_000);

afterAll(async () => {
  workers?.stop();
  await db?.end();
  await connection?.close();
  rmSync(work, { recursive: true, force: true });
});

function sweepFile(name: string, extra = ''): string {
  const file = join(work, `${name}.yaml`);
  const yaml = syntheticSweepYaml({
    name,
    prefix: 'life',
    evalFamilies: ['diffusion'],
    steps: 100_000,
    checkpointEvery: 20,
    seeds: [0],
  })
    .replace('task_queue: gpu', `task_queue: ${queue}`)
    .replace(/sweep: .*\n/, `sweep: { grid: { method: [mirage] }, max_concurrent: 1 }\n`);
  writeFileSync(file, yaml + extra);
  return file;
}

describe('sweep lifecycle', () => {
  it('cancel mid-training ends the sweep as Canceled within 60 s, keeps checkpoints, marks runs; cancel again fails; relaunch starts anew', async () => {
    const file = sweepFile('life-cancel');
    const launched = await mirage(['launch', file]);
    expect(launched.stderr).toBe('');
    const sweepId = /started sweep (\S+)/.exec(launched.stdout)?.[1] as string;
    expect(sweepId).toBeTruthy();
    const deadline = Date.now() + 120_000;
    while (
      (
        await rows<{ n: number }>(
          `select count(*)::int as n from checkpoints c join runs r on r.id = c.run_id where r.sweep_id = $1`,
          [sweepId],
        )
      )[0]?.n === 0
    ) {
      if (Date.now() > deadline) throw new Error(`no checkpoint recorded:\n${workers.log()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const started = Date.now();
    const cancelled = await mirage(['cancel', sweepId]);
    expect(cancelled.stderr).toBe('');
    expect(cancelled.stdout).toMatch(/cancelled; recorded results and checkpoints are kept/);
    expect(Date.now() - started).toBeLessThan(60_000);
    const client = new Client({ connection });
    expect((await client.workflow.getHandle(sweepId).describe()).status.name).toBe('CANCELLED');
    expect(await rows<{ status: string }>(`select status from runs where sweep_id = $1`, [sweepId])).toEqual([
      { status: 'cancelled' },
    ]);
    expect(
      (
        await rows<{ n: number }>(
          `select count(*)::int as n from checkpoints c join runs r on r.id = c.run_id where r.sweep_id = $1`,
          [sweepId],
        )
      )[0]?.n,
    ).toBeGreaterThan(0);
    expect(workers.orchestratorLog()).not.toMatch(/Unhandled Promise rejection/);

    const watched = await mirage(['watch', sweepId]);
    expect(watched.code).toBe(2);
    expect(watched.stderr).toMatch(/was cancelled: 0 runs succeeded, 0 failed, 1 cancelled/);
    const again = await mirage(['cancel', sweepId]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already ended \(cancelled\)/);

    // A later launch is a new execution, and its training resumes from the newest checkpoint the cancelled one left.
    const newest = (
      await rows<{ step: number }>(
        `select max(c.step)::int as step from checkpoints c join runs r on r.id = c.run_id where r.sweep_id = $1`,
        [sweepId],
      )
    )[0]?.step as number;
    const relaunched = await mirage(['launch', file]);
    expect(relaunched.stdout).toContain(`started sweep ${sweepId}`);
    const resumedAt = Date.now() + 90_000;
    let resumed: RegExpExecArray | null = null;
    while (
      !(resumed = /no checkpoint in the heartbeat details; resuming from \S+ \(step (\d+)\)/.exec(workers.log()))
    ) {
      if (Date.now() > resumedAt)
        throw new Error(`the relaunched training did not resume:\n${workers.log().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(Number(resumed[1])).toBeGreaterThanOrEqual(newest);
    expect((await mirage(['cancel', sweepId])).code).toBe(0);
  }, 300_000);

  it('a run on a task queue no worker polls is reported on the run and in watch', async () => {
    const nobody = `gpu-nobody-${randomUUID().slice(0, 8)}`;
    const file = sweepFile('life-unpolled');
    writeFileSync(file, readFileSync(file, 'utf8').replace(`task_queue: ${queue}`, `task_queue: ${nobody}`));
    const launched = await mirage(['launch', file]);
    const sweepId = /started sweep (\S+)/.exec(launched.stdout)?.[1] as string;
    const deadline = Date.now() + 60_000;
    let error: string | null = null;
    while (!error) {
      if (Date.now() > deadline) throw new Error('the unpolled queue was never reported');
      error =
        (await rows<{ error: string | null }>(`select error from runs where sweep_id = $1`, [sweepId]))[0]?.error ??
        null;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(error).toMatch(new RegExp(`^no worker polls task queue "${nobody}@detector-[0-9a-f]+"`));
    expect((await mirage(['cancel', sweepId])).code).toBe(0);
  }, 120_000);

  it('a grid over a path that does not exist is an error naming file, line and field; nothing starts', async () => {
    const file = sweepFile('life-badgrid');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'grid: { method: [mirage] }',
        'grid: { method: [mirage], optimizer.lrr: [0.1, 0.01] }',
      ),
    );
    const launched = await mirage(['launch', file]);
    expect(launched.code).toBe(2);
    expect(launched.stderr).toMatch(
      new RegExp(`${file}:\\d+:\\d+ sweep\\.grid\\.optimizer\\.lrr: .*unknown config path "optimizer.lrr"`),
    );
    expect(launched.stdout).not.toMatch(/started sweep/);
    expect(await rows(`select id from sweeps where experiment = $1`, ['life-badgrid'])).toEqual([]);
  }, 120_000);

  it('an ASHA sweep stops at a rung exactly the runs its recorded rung values say, with their checkpoints kept', async () => {
    const file = sweepFile('life-asha');
    // Two runs one after the other: a learning rate that learns, then one that barely moves; rungs at 10 and 20 of 40.
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace('steps: 100000', 'steps: 40')
        .replace('checkpoint_every: 20', 'checkpoint_every: 10')
        .replace(
          'grid: { method: [mirage] }, max_concurrent: 1',
          "grid: { 'optimizer.lr': [0.01, 0.0000001] }, max_concurrent: 1, early_stop: { method: asha, metric: val_auc, grace_steps: 10, reduction_factor: 2 }",
        )
        .replace(/^train: (.*)$/m, 'train: $1\nval: { name: life-upsampler, split: val }'),
    );
    const launched = await mirage(['launch', file, '--watch']);
    expect(launched.stderr).toBe('');
    const sweepId = /started sweep (\S+)/.exec(launched.stdout)?.[1] as string;
    expect(launched.code, launched.stdout).toBe(0);
    const rungs = await rows<{ run_id: string; step: number; value: number }>(
      `select run_id, step, value from sweep_rungs where sweep_id = $1 order by step, seq`,
      [sweepId],
    );
    // Re-derive every verdict from the recorded values (numpy's linear-interpolation percentile at 1 - 1/2).
    const expectedStop = new Map<string, number>();
    for (const step of [...new Set(rungs.map((r) => r.step))]) {
      const at = rungs.filter((r) => r.step === step);
      at.forEach((row, i) => {
        const seen = at
          .slice(0, i + 1)
          .map((r) => r.value)
          .sort((a, b) => a - b);
        const position = 0.5 * (seen.length - 1);
        const cutoff =
          seen[Math.floor(position)]! +
          (seen[Math.ceil(position)]! - seen[Math.floor(position)]!) * (position - Math.floor(position));
        if (row.value < cutoff && !expectedStop.has(row.run_id)) expectedStop.set(row.run_id, step);
      });
    }
    expect(
      expectedStop.size,
      `rung values ${JSON.stringify(rungs)}: the barely-learning run should rank below the first`,
    ).toBe(1);
    const runs = await rows<{ id: string; status: string; error: string | null; step: number; cells: number }>(
      `select r.id, r.status, r.error, (select max(step)::int from checkpoints c where c.run_id = r.id) as step,
              (select count(*)::int from eval_results e where e.run_id = r.id) as cells
         from runs r where r.sweep_id = $1`,
      [sweepId],
    );
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      const stoppedAt = expectedStop.get(run.id);
      if (stoppedAt === undefined) {
        expect(run).toMatchObject({ status: 'succeeded', step: 40, cells: 1 });
      } else {
        expect(run).toMatchObject({ status: 'stopped', step: stoppedAt, cells: 0 });
        expect(run.error).toMatch(new RegExp(`^stopped by ASHA at step ${stoppedAt}: val_auc \\d\\.\\d{4} < cutoff`));
      }
    }
    expect(launched.stdout).toMatch(/1 succeeded, 0 failed, 1 stopped early/);
  }, 300_000);

  it('a sweep in run groups trains every run in group workflows; cancelling one ends its groups and marks its runs', async () => {
    const grouped = (name: string, steps: number, lrs: number[]) => {
      const file = sweepFile(name);
      writeFileSync(
        file,
        readFileSync(file, 'utf8')
          .replace('steps: 100000', `steps: ${steps}`)
          .replace('checkpoint_every: 20', `checkpoint_every: ${Math.min(steps, 20)}`)
          .replace(
            'grid: { method: [mirage] }, max_concurrent: 1',
            `grid: { 'optimizer.lr': [${lrs.join(', ')}] }, max_concurrent: 2, runs_per_group: 2`,
          ),
      );
      return file;
    };
    const client = new Client({ connection });
    const statusOf = async (workflowId: string) => (await client.workflow.getHandle(workflowId).describe()).status.name;

    const done = await mirage(['launch', grouped('life-groups', 4, [0.01, 0.02, 0.03]), '--watch']);
    expect(done.stderr).toBe('');
    expect(done.code, done.stdout).toBe(0);
    expect(done.stdout).toMatch(/3 succeeded, 0 failed/);
    const sweepId = /started sweep (\S+)/.exec(done.stdout)?.[1] as string;
    const runs = await rows<{ id: string; status: string; cells: number }>(
      `select r.id, r.status, (select count(*)::int from eval_results e where e.run_id = r.id) as cells
         from runs r where r.sweep_id = $1 order by r.id`,
      [sweepId],
    );
    expect(runs.map((r) => [r.status, r.cells])).toEqual([
      ['succeeded', 1],
      ['succeeded', 1],
      ['succeeded', 1],
    ]);
    // The first group holds the first two runs of the plan; no run has a workflow of its own.
    expect(await statusOf(`${sweepId}/group-0`)).toBe('COMPLETED');
    for (const { id } of runs) await expect(statusOf(`${sweepId}/${id}`)).rejects.toThrow(/not found/i);

    const file = grouped('life-groups-cancel', 100_000, [0.01, 0.02]);
    const launched = await mirage(['launch', file]);
    const cancelId = /started sweep (\S+)/.exec(launched.stdout)?.[1] as string;
    const deadline = Date.now() + 120_000;
    const checkpoints = async () =>
      (
        await rows<{ n: number }>(
          `select count(*)::int as n from checkpoints c join runs r on r.id = c.run_id where r.sweep_id = $1`,
          [cancelId],
        )
      )[0]?.n ?? 0;
    while ((await checkpoints()) === 0) {
      if (Date.now() > deadline) throw new Error(`no checkpoint recorded:\n${workers.log()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const started = Date.now();
    const cancelled = await mirage(['cancel', cancelId]);
    expect(cancelled.stderr).toBe('');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(await statusOf(cancelId)).toBe('CANCELLED');
    expect(await statusOf(`${cancelId}/group-0`)).toBe('CANCELLED');
    expect(await rows<{ status: string }>(`select status from runs where sweep_id = $1`, [cancelId])).toEqual([
      { status: 'cancelled' },
      { status: 'cancelled' },
    ]);
    expect(await checkpoints()).toBeGreaterThan(0);
    expect(workers.orchestratorLog()).not.toMatch(/Unhandled Promise rejection/);
  }, 300_000);
});
