// `mirage table --check` against a COMMITTED expected table rendered from a fixed set of rows: the same rows must
// always regenerate the same bytes, and a difference must fail with a diff.
import { join } from 'node:path';
import { canonicalJson, hashValue, planSweepRuns, toSelection } from '@mirage/contracts';
import {
  createDb,
  recordDatasetSelection,
  runMigrations,
  upsertDataset,
  upsertEvalResult,
  upsertExperiment,
  upsertRun,
  upsertSweep,
} from '@mirage/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMirage } from './support/mirage';
import { loadExperiment } from '../src/experiments/load-experiment';

const file = join(__dirname, 'fixtures/table-fixture.yaml');
const golden = join(__dirname, 'fixtures/table-fixture.expected.md');
const CODE_VERSION = 'fixture-code-v1';
const databaseUrl = process.env['DATABASE_URL'];
if (!databaseUrl)
  throw new Error('DATABASE_URL is not set: run `mirage up --core` and source its stack.env (npm test does)');
const hash = (c: string) => c.repeat(64);

const mirage = (args: string[]) => runMirage(args, process.env);

const handle = createDb(databaseUrl);
beforeAll(async () => {
  await runMigrations(databaseUrl);
  const db = handle.db;
  const spec = loadExperiment(file).spec;
  const manifest = (name: string, h: string) =>
    upsertDataset(db, {
      name,
      version: 'v1',
      layout: 'folder',
      root: '/fixture',
      manifestKey: `datasets/${name}.jsonl`,
      contentHash: hash(h),
      nImages: 4,
      counts: { by_label: { real: 2, fake: 2 }, by_generator: { [name]: 4 }, by_split: { train: 4 } },
      skipped: [],
    });
  await manifest('fixture-train', '1');
  await manifest('fixture-a', '2');
  await manifest('fixture-b', '3');
  // What a launch records: the table finds the runs through the train selection's hash, reading no manifest.
  await recordDatasetSelection(db, {
    selectionHash: hash('1'),
    contentHash: hash('1'),
    selection: canonicalJson(toSelection(spec.train)),
    selectionKey: `selections/${hash('1')}.jsonl`,
    nReal: 2,
    nFake: 2,
  });
  await upsertExperiment(db, {
    name: spec.name,
    spec: spec as unknown as Record<string, unknown>,
    specHash: hashValue(spec),
    filePath: null,
  });
  await upsertSweep(db, {
    id: 'sweep-table-fixture',
    experiment: spec.name,
    specHash: hashValue(spec),
    status: 'succeeded',
    totalRuns: 4,
  });
  const runs = planSweepRuns(spec, { trainHash: hash('1'), valHash: null }, CODE_VERSION);
  for (const [i, r] of runs.entries()) {
    await upsertRun(db, {
      id: r.run_id,
      sweepId: 'sweep-table-fixture',
      experiment: spec.name,
      method: r.config.method,
      trainDataset: 'fixture-train',
      config: r.config as unknown as Record<string, unknown>,
      configHash: hashValue(r.config),
      seed: r.config.seed,
      codeVersion: CODE_VERSION,
      totalSteps: 1,
    });
    for (const [j, dataset] of ['gen-a', 'gen-b'].entries()) {
      const acc = 0.6 + 0.1 * i + 0.05 * j; // hand-written fixture values
      await upsertEvalResult(db, {
        runId: r.run_id,
        dataset,
        perturbation: 'none',
        accReal: acc,
        accFake: acc,
        acc,
        ap: acc,
        auc: acc,
        accCalibrated: null,
        threshold: 0.5,
        thresholdPolicy: 'fixed',
        n: 4,
        nReal: 2,
        nFake: 2,
        scoresKey: `x/${i}/${j}`,
        scoresSha256: hash('e'),
        checkpointSha256: hash(String(i)).slice(0, 63) + String(j),
        manifestHash: hash(String(j + 2)),
        preprocessHash: 'p',
        codeVersion: CODE_VERSION,
      });
    }
  }
});
afterAll(async () => {
  await handle.close();
});

describe('mirage table --check', () => {
  it('passes against the committed expected table', async () => {
    const result = await mirage(['table', file, '--code-version', CODE_VERSION, '--check', golden]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('table matches');
  });

  it('fails with a diff when the expected file differs', async () => {
    const result = await mirage([
      'table',
      file,
      '--code-version',
      CODE_VERSION,
      '--check',
      join(__dirname, 'fixtures/table-fixture.yaml'),
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/differs from/);
    expect(result.stdout).toMatch(/^\+.*\| mirage \|/m);
  });
});
