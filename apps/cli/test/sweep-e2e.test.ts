// End to end on the real stack (env from `mirage up --core`, as tools/test-all.sh provides): real orchestrator and
// GPU worker processes, real Postgres/S3/Temporal. A 2 methods x 2 seeds sweep on SYNTHETIC data finishes with every
// cell recorded; `mirage table` renders it; a second launch starts no GPU activity; an added generator costs exactly
// its own cells.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMirage } from './support/mirage';
import { syntheticSweepYaml } from './support/synthetic-sweep';

const run = promisify(execFile);
const root = resolve(__dirname, '../../..');
for (const name of ['DATABASE_URL', 'S3_ENDPOINT', 'TEMPORAL_ADDRESS']) {
  if (!process.env[name])
    throw new Error(`${name} is not set: run \`mirage up --core\` and source its stack.env (npm test does)`);
}

const work = mkdtempSync(join(tmpdir(), 'mirage-e2e-'));
const workers: ChildProcess[] = [];
const gpuLog: string[] = [];

const mirage = (args: string[]) => runMirage(args, process.env);

function spec(evalFamilies: string[]): string {
  return syntheticSweepYaml({
    name: 'e2e-sweep',
    prefix: 'e2e',
    evalFamilies,
    steps: 12,
    checkpointEvery: 6,
    seeds: [0, 1],
  });
}

const activityStarts = (name: string) =>
  gpuLog
    .join('')
    .split('\n')
    .filter((l) => l.includes(`activity ${name} start`)).length;

async function waitFor(predicate: () => boolean, what: string, ms = 60_000) {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  await run(
    join(root, '.venv/bin/python'),
    [
      '-m',
      'synthetic_bench',
      'generate',
      '--out',
      join(work, 'data'),
      '--seed',
      '0',
      '--per-class',
      '40',
      '--size',
      '32',
    ],
    { cwd: join(root, 'tools') },
  );
  for (const family of ['upsampler', 'diffusion', 'quantizer']) {
    const registered = await mirage([
      'data',
      'register',
      `e2e-${family}`,
      '--layout',
      'manifest',
      '--root',
      join(work, 'data', `synthetic-${family}`, 'manifest.jsonl'),
    ]);
    expect(registered.stderr).toBe('');
  }
  const gpu = spawn(join(root, '.venv/bin/python'), ['-m', 'mirage_gpu_worker'], { cwd: root, env: process.env });
  gpu.stdout?.on('data', (d: Buffer) => gpuLog.push(d.toString()));
  gpu.stderr?.on('data', (d: Buffer) => gpuLog.push(d.toString()));
  workers.push(
    gpu,
    spawn(join(root, 'node_modules/.bin/tsx'), [join(root, 'apps/orchestrator/src/main.ts')], {
      cwd: root,
      env: process.env,
      stdio: 'ignore',
    }),
  );
  await waitFor(() => gpuLog.join('').includes('worker ready'), 'the GPU worker');
}, 180_000);

afterAll(() => {
  for (const w of workers) w.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

describe('a sweep on the real stack', () => {
  const file = join(work, 'e2e.yaml');

  it('finishes 2 methods x 2 seeds with every cell recorded, and mirage table renders it', async () => {
    writeFileSync(file, spec(['upsampler', 'diffusion']));
    const launched = await mirage(['launch', file, '--watch']);
    expect(launched.stderr).toBe('');
    expect(launched.stdout).toMatch(/4 succeeded, 0 failed/);
    const client = new pg.Client({ connectionString: process.env['DATABASE_URL'] });
    await client.connect();
    try {
      const cells = await client.query(
        `select e.run_id, e.dataset from eval_results e join runs r on r.id = e.run_id where r.experiment = 'e2e-sweep'`,
      );
      expect(cells.rowCount).toBe(8);
    } finally {
      await client.end();
    }
    const table = await mirage(['table', file, '--format', 'md']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/\| mirage \|/);
    expect(table.stdout).toMatch(/\| univfd \|/);
    expect(table.stdout).toContain('SYNTHETIC');
    writeFileSync(join(work, 'expected.md'), table.stdout);
    expect((await mirage(['table', file, '--check', join(work, 'expected.md')])).code).toBe(0);
    writeFileSync(join(work, 'changed.md'), table.stdout.replace('mirage', 'MiraGe'));
    const mismatch = await mirage(['table', file, '--check', join(work, 'changed.md')]);
    expect(mismatch.code).not.toBe(0);
    expect(mismatch.stdout).toMatch(/^-.*MiraGe/m);
  }, 420_000);

  it('a second launch starts no GPU activity; an added generator costs exactly its own cells', async () => {
    const before = { train: activityStarts('train'), evaluate: activityStarts('evaluate') };
    const again = await mirage(['launch', file, '--watch']);
    expect(again.stdout).toMatch(/4 succeeded/);
    expect({ train: activityStarts('train'), evaluate: activityStarts('evaluate') }).toEqual(before);

    writeFileSync(file, spec(['upsampler', 'diffusion', 'quantizer']));
    const added = await mirage(['launch', file, '--watch']);
    expect(added.stdout).toMatch(/4 succeeded/);
    expect(activityStarts('train')).toBe(before.train);
    expect(activityStarts('evaluate') - before.evaluate).toBe(4); // one new column x 4 trained runs
    expect(readFileSync(file, 'utf8')).toContain('quantizer');
  }, 420_000);
});
