import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDb,
  evalResults,
  LEADERBOARD_CELL_METRICS,
  leaderboardCellAggregates,
  leaderboardPerturbations,
  runMigrations,
  updateRunProgress,
  upsertEvalResult,
  upsertExperiment,
  upsertRun,
  upsertSweep,
  type DbHandle,
  type EvalResultInput,
  type LeaderboardCellMetric,
} from '../src/index';
import { createTestDatabase, type TestDatabase } from './test-database';

let database: TestDatabase;
let handle: DbHandle;

// A fixed pseudo-random sequence, so a failure reproduces.
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const METHODS = [
  { method: 'mirage', configHash: 'cfg-lr1' },
  { method: 'mirage', configHash: 'cfg-lr2' },
  { method: 'univfd', configHash: 'cfg-u' },
  { method: 'single', configHash: 'cfg-s' },
];

function result(runId: string, dataset: string, perturbation: string, random: () => number): EvalResultInput {
  const value = () => Math.round(random() * 1e6) / 1e6 + random() * 1e-9;
  return {
    runId,
    dataset,
    perturbation,
    acc: value(),
    accReal: value(),
    accFake: value(),
    ap: value(),
    auc: random() < 0.2 ? null : value(),
    accCalibrated: random() < 0.5 ? null : value(),
    threshold: 0.5,
    thresholdPolicy: random() < 0.3 ? 'calibrated' : 'fixed',
    n: 100,
    nReal: 50,
    nFake: 50,
    scoresKey: `s/${runId}/${dataset}/${perturbation}`,
    scoresSha256: 'f'.repeat(64),
    checkpointSha256: `ck-${runId}`,
    manifestHash: `m-${dataset}`,
    preprocessHash: 'p',
    codeVersion: 'c',
  };
}

// The definition the triggers must keep: the same sums folded from every eval_results row now.
async function expectCellsEqualFold(): Promise<void> {
  const metricSums = LEADERBOARD_CELL_METRICS.map(
    (m) =>
      `count(e.${m})::int as ${m}_n, coalesce(sum(e.${m}::numeric), 0) as ${m}_sum, ` +
      `coalesce(sum(e.${m}::numeric * e.${m}::numeric), 0) as ${m}_sumsq, max(e.${m}) as ${m}_max`,
  ).join(', ');
  const metricColumns = LEADERBOARD_CELL_METRICS.map((m) => `${m}_n, ${m}_sum, ${m}_sumsq, ${m}_max`).join(', ');
  const keys = 'experiment, perturbation, method, config_hash, dataset, threshold_policy';
  const expected = await handle.pool.query(
    `select r.experiment, e.perturbation, r.method, r.config_hash, e.dataset, e.threshold_policy, count(*)::int as results, ${metricSums}
     from eval_results e join runs r on r.id = e.run_id
     group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6`,
  );
  const actual = await handle.pool.query(
    `select ${keys}, results, ${metricColumns} from leaderboard_cells order by ${keys}`,
  );
  // numeric comes back as text: equal strings mean equal sums (numeric equality would ignore trailing zeros, so
  // compare normalised values).
  const normalise = (rows: Record<string, unknown>[]) =>
    rows.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [
          k,
          typeof v === 'string' && /^-?\d+\.\d*$/.test(v) ? v.replace(/\.?0+$/, '') : v,
        ]),
      ),
    );
  expect(normalise(actual.rows)).toEqual(normalise(expected.rows));
}

// leaderboardCellAggregates against what max / avg / stddev_samp over the rows give.
async function expectAggregatesEqualFold(
  experiment: string,
  metric: LeaderboardCellMetric,
  perturbation: string,
): Promise<void> {
  const folded = await handle.pool.query<{
    method: string;
    config_hash: string;
    dataset: string;
    seeds: number;
    max: number;
    mean: number;
    std: number | null;
    policies: string[];
  }>(
    `select r.method, r.config_hash, e.dataset, count(*)::int as seeds, max(e.${metric}) as max, avg(e.${metric}) as mean,
            stddev_samp(e.${metric}) as std, array_agg(distinct e.threshold_policy collate "C" order by e.threshold_policy collate "C") as policies
     from eval_results e join runs r on r.id = e.run_id
     where r.experiment = $1 and e.perturbation = $2 and e.${metric} is not null
     group by 1, 2, 3 order by 1, 2, 3`,
    [experiment, perturbation],
  );
  const byKey = (a: { method: string; dataset: string }, b: { method: string; dataset: string }) =>
    a.method.localeCompare(b.method) || a.dataset.localeCompare(b.dataset);
  const cells = (await leaderboardCellAggregates(handle.db, { experiment, metric, perturbation })).sort(
    (a, b) => byKey(a, b) || a.configHash.localeCompare(b.configHash),
  );
  const rows = folded.rows.sort((a, b) => byKey(a, b) || a.config_hash.localeCompare(b.config_hash));
  expect(cells.map((c) => [c.method, c.configHash, c.dataset, c.seeds, c.max, c.policies])).toEqual(
    rows.map((r) => [r.method, r.config_hash, r.dataset, r.seeds, r.max, r.policies]),
  );
  cells.forEach((cell, i) => {
    const row = rows[i]!;
    expect(Math.abs(cell.mean - row.mean)).toBeLessThan(1e-14);
    if (row.std === null) expect(cell.std).toBeNull();
    else expect(Math.abs(cell.std! - row.std)).toBeLessThan(1e-12);
  });
}

async function expectAllAggregatesEqualFold(experiment: string): Promise<void> {
  for (const metric of LEADERBOARD_CELL_METRICS) {
    for (const perturbation of ['none', 'jpeg(q=75)'])
      await expectAggregatesEqualFold(experiment, metric, perturbation);
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  await runMigrations(database.url);
  handle = createDb(database.url);
  const random = sequence(7);
  await upsertExperiment(handle.db, { name: 'lb', spec: {}, specHash: 'h' });
  await upsertSweep(handle.db, { id: 'sw', experiment: 'lb', specHash: 'h', status: 'running', totalRuns: 0 });
  const rows: EvalResultInput[] = [];
  for (const [m, { method, configHash }] of METHODS.entries()) {
    for (let seed = 0; seed < (method === 'single' ? 1 : 5); seed++) {
      const id = `run-${m}-${seed}`;
      await upsertRun(handle.db, {
        id,
        sweepId: 'sw',
        experiment: 'lb',
        method,
        config: {},
        configHash,
        seed,
        codeVersion: 'c',
      });
      for (const dataset of ['adm', 'midjourney', 'sdv14']) {
        rows.push(result(id, dataset, 'none', random));
        if (seed % 2 === 0) rows.push(result(id, dataset, 'jpeg(q=75)', random));
      }
    }
  }
  // One statement, as a bulk import would write it.
  await handle.db.insert(evalResults).values(rows);
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

describe('leaderboard_cells', () => {
  it('holds the per-cell sums of a bulk insert, and the aggregates equal max / avg / stddev_samp', async () => {
    await expectCellsEqualFold();
    await expectAllAggregatesEqualFold('lb');
  });

  it('gives the sample std (n - 1) and a null std for a single seed', async () => {
    await upsertRun(handle.db, {
      id: 'run-x-0',
      sweepId: 'sw',
      experiment: 'lb',
      method: 'hand',
      config: {},
      configHash: 'cfg-h',
      seed: 0,
      codeVersion: 'c',
    });
    await upsertRun(handle.db, {
      id: 'run-x-1',
      sweepId: 'sw',
      experiment: 'lb',
      method: 'hand',
      config: {},
      configHash: 'cfg-h',
      seed: 1,
      codeVersion: 'c',
    });
    const random = sequence(1);
    await upsertEvalResult(handle.db, {
      ...result('run-x-0', 'adm', 'none', random),
      acc: 0.7,
      thresholdPolicy: 'fixed',
    });
    const one = (
      await leaderboardCellAggregates(handle.db, { experiment: 'lb', metric: 'acc', perturbation: 'none' })
    ).find((c) => c.method === 'hand');
    expect(one).toMatchObject({ seeds: 1, max: 0.7, mean: 0.7, std: null, policies: ['fixed'] });
    await upsertEvalResult(handle.db, {
      ...result('run-x-1', 'adm', 'none', random),
      acc: 0.72,
      thresholdPolicy: 'fixed',
    });
    const two = (
      await leaderboardCellAggregates(handle.db, { experiment: 'lb', metric: 'acc', perturbation: 'none' })
    ).find((c) => c.method === 'hand')!;
    expect(two.seeds).toBe(2);
    expect(two.max).toBe(0.72);
    expect(two.mean).toBeCloseTo(0.71, 15);
    expect(two.std).toBeCloseTo(Math.sqrt((2 * 0.01 ** 2) / 1), 15);
  });

  it('follows upserts that lower a max, deletes, and cells whose every result goes', async () => {
    const cell = async () =>
      (await leaderboardCellAggregates(handle.db, { experiment: 'lb', metric: 'acc', perturbation: 'none' })).find(
        (c) => c.method === 'hand',
      )!;
    // Replacing the max (0.72) with a lower value must bring back the other seed's 0.7.
    await upsertEvalResult(handle.db, {
      ...result('run-x-1', 'adm', 'none', sequence(2)),
      acc: 0.1,
      thresholdPolicy: 'fixed',
    });
    expect((await cell()).max).toBe(0.7);
    await expectCellsEqualFold();
    await handle.db.execute(sql`delete from eval_results where run_id = 'run-x-0'`);
    expect(await cell()).toMatchObject({ seeds: 1, max: 0.1, std: null });
    await handle.db.execute(sql`delete from eval_results where run_id = 'run-x-1'`);
    expect(await cell()).toBeUndefined();
    const left = await handle.pool.query(`select count(*)::int as n from leaderboard_cells where method = 'hand'`);
    expect(left.rows[0].n).toBe(0);
    // A random mix of updates and deletes over many cells at once.
    await handle.db.execute(
      sql`update eval_results set acc = acc / 2, auc = null, threshold_policy = 'fixed' where id % 3 = 0`,
    );
    await handle.db.execute(sql`update eval_results set acc_calibrated = 0.5 where id % 4 = 1`);
    await handle.db.execute(sql`delete from eval_results where id % 5 = 2`);
    await expectCellsEqualFold();
    await expectAllAggregatesEqualFold('lb');
  });

  it('follows runs: progress updates change nothing, a moved run moves its results, a deleted run takes them away', async () => {
    const before = await handle.pool.query('select * from leaderboard_cells order by 1, 2, 3, 4, 5, 6');
    await updateRunProgress(handle.db, 'run-0-0', { currentStep: 10, lastLoss: 0.3, imagesPerSecond: 100 });
    expect((await handle.pool.query('select * from leaderboard_cells order by 1, 2, 3, 4, 5, 6')).rows).toEqual(
      before.rows,
    );
    await handle.db.execute(sql`update runs set method = 'univfd', config_hash = 'cfg-u' where id = 'run-0-1'`);
    await expectCellsEqualFold();
    await handle.db.execute(sql`delete from runs where id in ('run-2-0', 'run-3-0')`);
    await expectCellsEqualFold();
    await expectAllAggregatesEqualFold('lb');
  });

  it('follows an experiment rename (cascaded to runs) and lists perturbations per experiment', async () => {
    expect(await leaderboardPerturbations(handle.db, 'lb')).toEqual(['jpeg(q=75)', 'none']);
    await handle.db.execute(sql`update experiments set name = 'lb-renamed' where name = 'lb'`);
    await expectCellsEqualFold();
    expect(await leaderboardPerturbations(handle.db, 'lb')).toEqual([]);
    expect(await leaderboardPerturbations(handle.db, 'lb-renamed')).toEqual(['jpeg(q=75)', 'none']);
    await expectAllAggregatesEqualFold('lb-renamed');
  });

  it('is rebuilt from eval_results by the backfill the migration runs', async () => {
    await handle.db.execute(sql`delete from leaderboard_cells`);
    await handle.db.execute(
      sql`select leaderboard_cells_rebuild(experiment, method, config_hash) from (select distinct experiment, method, config_hash from runs) g`,
    );
    await expectCellsEqualFold();
  });

  it('empties with eval_results truncated', async () => {
    await handle.db.execute(sql`truncate eval_results`);
    const left = await handle.pool.query('select count(*)::int as n from leaderboard_cells');
    expect(left.rows[0].n).toBe(0);
  });
});
