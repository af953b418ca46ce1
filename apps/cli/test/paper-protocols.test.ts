// The paper protocols on trees shaped like the public releases (exact folder names, file formats, native sizes, the
// debris of real downloads), made by tools/release_trees: registered with the commands experiments/README.md gives,
// planned (`mirage plan --json`: every column has both classes and the counts the trees hold), then run end to end on
// the real stack with a tiny backbone (a test-only override of the paper file, not a copy of it).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { evalTargetId, type DatasetRefSpec } from '@mirage/contracts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../src/experiments/load-experiment';
import type { ExperimentPlan } from '../src/experiments/plan-experiment';
import { ROOT, runMirage } from './support/mirage';
import { tinyProtocolOverrides } from './support/tiny-override';
import { buildReleaseTrees, requireStackEnv } from './support/release-trees';
import { startWorkers, type TestWorkers } from './support/workers';

requireStackEnv();
const mirage = (args: string[]) => runMirage(args, process.env, { timeoutMs: 600_000 });

interface TreeRecord {
  uri: string;
  generator: string;
  split: string;
  label: 'real' | 'fake';
  object_class: string | null;
}
type Trees = Record<string, { root: string; records: TreeRecord[] }>;

const PAPER = {
  genimage: join(ROOT, 'experiments/paper/genimage-sdv14.yaml'),
  ufd: join(ROOT, 'experiments/paper/ufd-progan.yaml'),
};
const work = mkdtempSync(join(tmpdir(), 'mirage-paper-'));
const queue = `gpu-paper-${randomUUID().slice(0, 8)}`;
let trees: Trees;
let workers: TestWorkers;

/** The `mirage data register` commands of experiments/README.md for the release layouts, with `--root` pointed at `roots`. */
function readmeRegisterCommands(roots: Record<string, string>): string[][] {
  const readme = readFileSync(join(ROOT, 'experiments/README.md'), 'utf8');
  const lines = readme
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^mirage data register (genimage|forensynths|ufd-diffusion) /.test(l));
  return lines.map((line) => {
    const args = line.split(/\s+/).slice(1);
    const name = args[2] as string;
    const rootAt = args.indexOf('--root') + 1;
    args[rootAt] = roots[name] as string;
    return args;
  });
}

/** What a column of a paper file must hold, counted from the builder's own list of images (not by the plan's code). */
function expectedCounts(ref: DatasetRefSpec): { n_real: number; n_fake: number } {
  const picked = (trees[ref.name]?.records ?? []).filter(
    (r) =>
      (!ref.split || r.split === ref.split) &&
      (!ref.generators || ref.generators.includes(r.generator)) &&
      (!ref.classes || (r.object_class !== null && ref.classes.includes(r.object_class))),
  );
  const limited = ref.max_images ? picked.slice(0, ref.max_images) : picked;
  return {
    n_real: limited.filter((r) => r.label === 'real').length,
    n_fake: limited.filter((r) => r.label === 'fake').length,
  };
}

/** Eval cells with acc and AUC recorded for the runs a plan of `file` with `sets` names (this code version only). */
async function cellCount(file: string, sets: string[]): Promise<number> {
  const plan = JSON.parse((await mirage(['plan', file, ...sets, '--json'])).stdout) as ExperimentPlan;
  const client = new pg.Client({ connectionString: process.env['DATABASE_URL'] });
  await client.connect();
  try {
    const rows = await client.query(
      `select count(*)::int as n from eval_results where run_id = any($1::text[]) and acc is not null and auc is not null`,
      [plan.runs.map((r) => r.run_id)],
    );
    return rows.rows[0].n as number;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  trees = await buildReleaseTrees<Trees>(join(work, 'trees'), ['genimage', 'forensynths', 'ufd-diffusion']);
  const roots = Object.fromEntries(Object.entries(trees).map(([name, tree]) => [name, tree.root]));
  const commands = readmeRegisterCommands(roots);
  expect(commands.map((c) => c[2])).toEqual(['genimage', 'forensynths', 'ufd-diffusion']);
  for (const args of commands) {
    const registered = await mirage(args);
    expect(registered.stderr).toBe('');
    expect(registered.stdout).toMatch(/files skipped/); // every tree carries debris
  }
  workers = await startWorkers(queue);
}, 300_000);

afterAll(() => {
  workers?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the paper protocols on release-shaped trees', () => {
  it.each(Object.entries(PAPER))(
    "mirage plan --json resolves every column of %s with both classes and the trees' counts",
    async (_name, file) => {
      const planned = await mirage(['plan', file, '--json']);
      expect(planned.stderr).toBe('');
      expect(planned.code).toBe(0);
      const plan = JSON.parse(planned.stdout) as ExperimentPlan;
      expect(plan.errors).toEqual([]);
      const spec = loadExperiment(file).spec;
      expect(plan.runs).toHaveLength(spec.seeds.length * 4);
      expect(plan.columns.map((c) => c.id)).toEqual(spec.eval.map(evalTargetId));
      for (const [i, column] of plan.columns.entries()) {
        expect({ id: column.id, n_real: column.n_real, n_fake: column.n_fake }).toEqual({
          id: column.id,
          ...expectedCounts(spec.eval[i] as DatasetRefSpec),
        });
        expect(column.n_real).toBeGreaterThan(0);
        expect(column.n_fake).toBeGreaterThan(0);
      }
      expect({ n_real: plan.train.n_real, n_fake: plan.train.n_fake }).toEqual(expectedCounts(spec.train));
      console.log(
        `plan of ${file}:\n${plan.columns.map((c) => `  ${c.id}: ${c.n_real} real, ${c.n_fake} fake`).join('\n')}`,
      );
      if (file === PAPER.genimage) {
        const formats = plan.warnings.filter((w) => w.code === 'format_imbalance').map((w) => w.column);
        expect(formats).toEqual(expect.arrayContaining(['SD1.4', 'Midjourney', 'BigGAN']));
        expect(plan.warnings.find((w) => w.column === 'SD1.4' && w.code === 'format_imbalance')?.message).toMatch(
          /JPEG.*PNG/,
        );
      }
    },
    120_000,
  );

  it('run ids cover the train selection, eval choices do not enter them', async () => {
    const ids = async (...sets: string[]) => {
      const planned = await mirage(['plan', PAPER.genimage, ...sets.flatMap((s) => ['--set', s]), '--json']);
      return (JSON.parse(planned.stdout) as ExperimentPlan).runs.map((r) => r.run_id);
    };
    const full = await ids();
    expect(await ids('train.max_images=2')).not.toEqual(full);
    expect(await ids('train.sample_seed=1', 'train.max_images=2')).not.toEqual(await ids('train.max_images=2'));
    expect(await ids('eval.0.id=MJ', 'perturbations=[{name: none}]')).toEqual(full);
  }, 120_000);

  it('bad inputs get errors naming the option, the file or the column, and nothing starts', async () => {
    const genimage = trees['genimage']?.root as string;
    const noGenerator = await mirage(['data', 'register', 'bad-folder', '--layout', 'folder', '--root', genimage]);
    expect(noGenerator.code).toBe(2);
    expect(noGenerator.stderr).toMatch(/missing required option 'generator'/);
    expect(noGenerator.stderr).not.toMatch(/Traceback/);
    const illTyped = await mirage([
      'data',
      'register',
      'bad-verify',
      '--layout',
      'genimage',
      '--root',
      genimage,
      '--option',
      'verify=maybe',
    ]);
    expect(illTyped.code).toBe(2);
    expect(illTyped.stderr).toMatch(/verify/);
    const unknown = await mirage([
      'data',
      'register',
      'bad-option',
      '--layout',
      'genimage',
      '--root',
      genimage,
      '--option',
      'colour=red',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/colour/);
    const missingRoot = await mirage([
      'data',
      'register',
      'bad-root',
      '--layout',
      'genimage',
      '--root',
      join(work, 'nowhere'),
    ]);
    expect(missingRoot.code).toBe(2);
    expect(missingRoot.stderr).toContain(join(work, 'nowhere'));

    // A diffusion column without its reals: one class only, named by the plan and refused by launch.
    const fakesOnly = ['--set', 'eval.11.generators=[guided]'];
    const planned = await mirage(['plan', PAPER.ufd, ...fakesOnly, '--json']);
    expect(planned.code).toBe(1);
    const plan = JSON.parse(planned.stdout) as ExperimentPlan;
    expect(plan.errors.map((e) => [e.code, e.column])).toEqual([['single_class', 'Guided']]);
    const launched = await mirage([
      'launch',
      PAPER.ufd,
      ...fakesOnly,
      ...tinyProtocolOverrides({ name: 'paper-bad', taskQueue: queue, methods: ['mirage'] }),
    ]);
    expect(launched.code).toBe(2);
    expect(launched.stderr).toMatch(
      /column Guided \(dataset ufd-diffusion\) has 3 fakes and no real image.*nothing was started|nothing was started[\s\S]*column Guided/,
    );
    const unregistered = await mirage(['plan', PAPER.ufd, '--set', 'eval.0.name=forensynths-typo']);
    expect(unregistered.code).toBe(2);
    expect(unregistered.stderr).toMatch(/eval\[0\]: dataset "forensynths-typo" is not registered/);
  }, 180_000);

  it('GenImage SD v1.4 runs end to end and fills every cell; renaming a column computes nothing', async () => {
    const name = 'paper-genimage-tiny';
    const overrides = tinyProtocolOverrides({ name, taskQueue: queue, methods: ['mirage', 'univfd'] });
    const launched = await mirage(['launch', PAPER.genimage, ...overrides, '--watch']);
    expect(launched.stderr).toBe('');
    expect(launched.stdout).toMatch(/2 succeeded, 0 failed/);
    expect(await cellCount(PAPER.genimage, overrides)).toBe(2 * 8);

    const before = { train: workers.activityStarts('train'), evaluate: workers.activityStarts('evaluate') };
    const renamed = await mirage(['launch', PAPER.genimage, ...overrides, '--set', 'eval.0.id=MJ-renamed', '--watch']);
    expect(renamed.stdout).toMatch(/2 succeeded, 0 failed/);
    expect({ train: workers.activityStarts('train'), evaluate: workers.activityStarts('evaluate') }).toEqual(before);
    const table = await mirage([
      'table',
      PAPER.genimage,
      ...overrides,
      '--set',
      'eval.0.id=MJ-renamed',
      '--format',
      'md',
    ]);
    expect(table.stderr).toBe('');
    const header = table.stdout.split('\n').find((l) => l.startsWith('| Method'));
    expect(header).toContain('MJ-renamed');
    for (const method of ['mirage', 'univfd']) {
      const row = table.stdout.split('\n').find((l) => l.startsWith(`| ${method} |`)) as string;
      expect(
        row
          .split('|')
          .slice(2, -1)
          .every((cell) => /\d/.test(cell)),
        `${method} row: ${row}`,
      ).toBe(true);
    }

    // A cell computed under other library versions is stale: plan reports it, a launch recomputes exactly it.
    const runIds = (
      JSON.parse((await mirage(['plan', PAPER.genimage, ...overrides, '--json'])).stdout) as ExperimentPlan
    ).runs.map((r) => r.run_id);
    const client = new pg.Client({ connectionString: process.env['DATABASE_URL'] });
    await client.connect();
    try {
      const changed = await client.query(
        `update eval_results set environment_key = 'env-older' where id = (select id from eval_results where run_id = any($1::text[]) and dataset = 'SD1.4' order by id limit 1)`,
        [runIds],
      );
      expect(changed.rowCount).toBe(1);
    } finally {
      await client.end();
    }
    const renamedOverrides = [...overrides, '--set', 'eval.0.id=MJ-renamed'];
    const planned = JSON.parse(
      (await mirage(['plan', PAPER.genimage, ...renamedOverrides, '--json'])).stdout,
    ) as ExperimentPlan;
    expect(planned.warnings.find((w) => w.code === 'stale_cells')?.message).toMatch(
      /^1 cached eval cells were computed under other library versions/,
    );
    const evaluations = workers.activityStarts('evaluate');
    expect((await mirage(['launch', PAPER.genimage, ...renamedOverrides, '--watch'])).stdout).toMatch(
      /2 succeeded, 0 failed/,
    );
    expect(workers.activityStarts('evaluate') - evaluations).toBe(1);
    const footnoted = await mirage(['table', PAPER.genimage, ...renamedOverrides, '--format', 'md', '--environment']);
    expect(footnoted.stdout).toMatch(
      /_Environment: Python 3\.11\.\d+, torch [^,]+, transformers [^,]+, numpy [^,]+, Pillow [^,]+, CPU/,
    );
  }, 600_000);

  it('UniversalFakeDetect (train ProGAN 4 classes) runs end to end and fills every cell, diffusion columns included', async () => {
    const name = 'paper-ufd-tiny';
    const overrides = tinyProtocolOverrides({ name, taskQueue: queue, methods: ['mirage'] });
    const launched = await mirage(['launch', PAPER.ufd, ...overrides, '--watch']);
    expect(launched.stderr).toBe('');
    expect(launched.stdout).toMatch(/1 succeeded, 0 failed/);
    expect(await cellCount(PAPER.ufd, overrides)).toBe(loadExperiment(PAPER.ufd).spec.eval.length);
  }, 600_000);
});
