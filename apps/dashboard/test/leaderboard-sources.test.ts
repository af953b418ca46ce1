import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalResults, experiments, runs, sweeps, upsertEvalResult } from '@mirage/db';
import { TABLE_AGGREGATES, TABLE_METRICS } from '@mirage/tables';
import { cellSumsSource, loadLeaderboard, resultScanSource, type LeaderboardSection } from '../src/queries/leaderboard';
import { listExperimentSummaries } from '../src/queries/results';
import { leaderboardPage } from '../src/views/leaderboard';
import { firstDifference, pageDifference } from './support/printed';
import { createScratchDatabase, type ScratchDatabase } from './support/services';
import { EXPERIMENT, seedDashboard } from './support/seed';

// The page reads trigger-kept sums (leaderboard_cells); these tests hold it to the fold over every result it replaced.
let scratch: ScratchDatabase;
const SWEPT = 'swept';

function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

beforeAll(async () => {
  scratch = await createScratchDatabase('dash_sources');
  const db = scratch.handle.db;
  await seedDashboard(db);
  // A swept experiment: one method under two configs, 1 to 6 seeds per cell, metrics sometimes null, two policies.
  const random = sequence(11);
  await db.insert(experiments).values({ name: SWEPT, spec: { protocol: 'p' }, specHash: 'h' });
  await db
    .insert(sweeps)
    .values({ id: 'sweep-swept', experiment: SWEPT, specHash: 'h', status: 'succeeded', totalRuns: 0 });
  const methods = [
    ['mirage', 'cfg-a'],
    ['mirage', 'cfg-b'],
    ['npr', 'cfg-n'],
    ['lonely', 'cfg-l'],
  ] as const;
  const runRows = methods.flatMap(([method, configHash], m) =>
    Array.from({ length: method === 'lonely' ? 1 : 6 }, (_, seed) => ({
      id: `swept-${m}-${seed}`,
      sweepId: 'sweep-swept',
      experiment: SWEPT,
      method,
      config: {},
      configHash,
      seed,
      codeVersion: 'c',
    })),
  );
  await db.insert(runs).values(runRows);
  const value = () => Math.round(random() * 1e5) / 1e5;
  await db.insert(evalResults).values(
    runRows.flatMap((run, r) =>
      ['adm', 'glide', 'sdv14'].flatMap((dataset, d) =>
        ['none', 'blur(sigma=1)']
          .filter((p) => p === 'none' || (r + d) % 2 === 0)
          .map((perturbation) => ({
            runId: run.id,
            dataset,
            perturbation,
            acc: value(),
            accReal: value(),
            accFake: value(),
            ap: value(),
            auc: random() < 0.25 ? null : value(),
            accCalibrated: random() < 0.5 ? null : value(),
            threshold: 0.5,
            thresholdPolicy: random() < 0.3 ? 'calibrated' : 'fixed',
            n: 10,
            nReal: 5,
            nFake: 5,
            scoresKey: 'k',
            scoresSha256: 's',
            checkpointSha256: `ck-${run.id}`,
            manifestHash: `m-${dataset}`,
            preprocessHash: 'p',
            codeVersion: 'c',
          })),
      ),
    ),
  );
});

afterAll(async () => {
  await scratch?.drop();
});

async function expectSourcesAgree(): Promise<number> {
  const db = scratch.handle.db;
  const all = await listExperimentSummaries(db);
  let tables = 0;
  for (const metric of TABLE_METRICS) {
    for (const aggregate of TABLE_AGGREGATES) {
      for (const perturbation of ['none', 'blur(sigma=1)', 'jpeg(quality=75)', 'absent']) {
        const query = { metric, aggregate, perturbation };
        const [scanned, summed] = [
          await loadLeaderboard(db, query, resultScanSource),
          await loadLeaderboard(db, query, cellSumsSource),
        ];
        // The two folds may differ in the last bits of a mean (summation order), never in what is printed.
        const json = (sections: LeaderboardSection[]) => JSON.parse(JSON.stringify(sections)) as unknown;
        expect(firstDifference(json(summed), json(scanned)), JSON.stringify(query)).toBeNull();
        expect(
          pageDifference(leaderboardPage(query, summed, all), leaderboardPage(query, scanned, all)),
          JSON.stringify(query),
        ).toBeNull();
        tables += summed.filter((s) => s.table !== null).length;
      }
    }
  }
  return tables;
}

describe('leaderboard from leaderboard_cells', () => {
  it('prints the same pages and JSON as the fold over every result, for every metric, aggregate and perturbation', async () => {
    // 3 experiments x 4 metrics x 3 aggregates under "none", 1 x 12 under each other perturbation, minus empty ones.
    expect(await expectSourcesAgree()).toBeGreaterThan(50);
  });

  it('shows sample std for 2+ seeds and none for a single seed', async () => {
    const [section] = await loadLeaderboard(scratch.handle.db, {
      experiment: SWEPT,
      metric: 'acc',
      aggregate: 'mean_std',
      perturbation: 'none',
    });
    const lonely = section!.table!.rows.find((r) => r.id === 'lonely')!;
    expect(lonely.cells[0]).toMatchObject({ nSeeds: 1, std: null });
    const mirage = section!.table!.rows.find((r) => r.id.startsWith('mirage ['))!;
    expect(mirage.cells[0]!.nSeeds).toBe(6);
    expect(mirage.cells[0]!.std).toBeGreaterThan(0);
  });

  it('still agrees after results are replaced and deleted and a run is removed', async () => {
    const db = scratch.handle.db;
    // Lower the best seed of mirage/midjourney in the fixture: its best-of-seeds must fall back to the other seed.
    const [row] = await db
      .select()
      .from(evalResults)
      .where(sql`${evalResults.runId} = 'run-mirage-1' and ${evalResults.dataset} = 'midjourney'`);
    await upsertEvalResult(db, { ...row!, acc: 0.1 });
    const [section] = await loadLeaderboard(db, {
      experiment: EXPERIMENT,
      metric: 'acc',
      aggregate: 'best',
      perturbation: 'none',
    });
    const mirage = section!.table!.rows.find((r) => r.id === 'mirage')!;
    expect(mirage.cells[section!.table!.columns.findIndex((c) => c.id === 'midjourney')]!.value).toBeCloseTo(80, 9);
    await db.execute(sql`delete from eval_results where id % 4 = 0 and run_id like 'swept-%'`);
    await db.execute(sql`delete from runs where id = 'swept-1-0'`);
    await db.execute(sql`update eval_results set auc = null, threshold_policy = 'fixed' where id % 3 = 1`);
    // Fewer tables now: auc went null in a third of the rows, emptying some (metric, perturbation) slices.
    expect(await expectSourcesAgree()).toBeGreaterThan(40);
  });
});
