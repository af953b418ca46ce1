// Benchmark (not a test): how long the leaderboard takes over a large result set.
// Seeds RUNS runs x GENERATORS test generators into a scratch database on DATABASE_URL (the triggers fill
// leaderboard_cells as the rows go in), checks that both paths render the same page, then times REQUESTS calls of
// the old path (a fold over every eval_results row) and the new one (the trigger-kept leaderboard_cells) in the same
// run: the matrix query alone, the whole leaderboard load, and the served /api/leaderboard and /leaderboard requests.
// It also times one result upsert with and without the triggers, the price writers pay for the summary.
// Run: source /tmp/dev/env.sh && npx tsx apps/dashboard/bench/leaderboard-query.ts [runs] [generators] [requests]
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { TABLE_AGGREGATES, TABLE_METRICS } from '@mirage/tables';
import { createDb, runMigrations, upsertEvalResult, type Db } from '@mirage/db';
import { createApp } from '../src/app';
import type { ArtifactReader } from '../src/deps';
import { cellSumsSource, loadLeaderboard, resultScanSource, type LeaderboardSource } from '../src/queries/leaderboard';
import { leaderboardMatrix, leaderboardMatrixFromResults, type MatrixQuery } from '../src/queries/leaderboard-matrix';
import { listExperimentSummaries } from '../src/queries/results';
import { leaderboardPage } from '../src/views/leaderboard';
import { pageDifference } from '../test/support/printed';

const RUNS = Number(process.argv[2] ?? 10_000);
const GENERATORS = Number(process.argv[3] ?? 20);
const REQUESTS = Number(process.argv[4] ?? 50);
const METHODS = 20;
const EXPERIMENT = 'bench-genimage';

const adminUrl = process.env['DATABASE_URL'];
if (!adminUrl) throw new Error('DATABASE_URL is not set (source /tmp/dev/env.sh)');

// The leaderboard never signs links; a store that refuses makes sure of it.
const noStore: ArtifactReader = {
  get: () => Promise.reject(new Error('bench: no store')),
  presignGet: () => Promise.reject(new Error('bench: no store')),
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

interface Timing {
  p50: number;
  p95: number;
}

async function time(label: string, fn: () => Promise<unknown>): Promise<Timing> {
  await fn(); // warm caches and the pool
  const samples: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const timing = { p50: percentile(samples, 50), p95: percentile(samples, 95) };
  console.log(`${label.padEnd(44)} p50 ${ms(timing.p50)} ms   p95 ${ms(timing.p95)} ms`);
  return timing;
}

function ms(value: number): string {
  return value.toFixed(value < 10 ? 2 : 1).padStart(7);
}

async function compare(label: string, old: () => Promise<unknown>, next: () => Promise<unknown>): Promise<void> {
  const before = await time(`old ${label}`, old);
  const after = await time(`new ${label}`, next);
  console.log(
    `${''.padEnd(44)} ratio old/new: p50 ${(before.p50 / after.p50).toFixed(1)}x   p95 ${(before.p95 / after.p95).toFixed(1)}x`,
  );
}

// What a reader sees: the page's HTML for every metric and aggregate, built from one source.
async function pages(db: Db, source: LeaderboardSource): Promise<string[]> {
  const experiments = await listExperimentSummaries(db);
  const out: string[] = [];
  for (const metric of TABLE_METRICS) {
    for (const aggregate of TABLE_AGGREGATES) {
      const query = { metric, aggregate, perturbation: 'none' };
      out.push(leaderboardPage(query, await loadLeaderboard(db, query, source), experiments));
    }
  }
  return out;
}

const name = `dash_bench_${Date.now().toString(36)}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database "${name}"`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const handle = createDb(url.toString(), { maxConnections: 4 });
// Dropping the scratch database at the end terminates idle pooled connections; that is expected, not a crash.
handle.pool.on('error', () => undefined);
try {
  await runMigrations(url.toString());
  const db = handle.db;
  const seedStart = performance.now();
  await db.execute(
    sql`insert into experiments (name, spec, spec_hash) values (${EXPERIMENT}, '{"protocol":"bench"}', 'h')`,
  );
  await db.execute(
    sql`insert into sweeps (id, experiment, spec_hash, status, total_runs) values ('bench-sweep', ${EXPERIMENT}, 'h', 'succeeded', ${RUNS})`,
  );
  await db.execute(sql`
    insert into runs (id, sweep_id, experiment, method, config, config_hash, seed, code_version, status)
    select 'run-' || i, 'bench-sweep', ${EXPERIMENT}, 'method-' || (i % ${METHODS}), '{}', 'cfg-' || (i % ${METHODS}),
           i / ${METHODS}, 'bench', 'succeeded'
    from generate_series(0, ${RUNS - 1}) as i`);
  await db.execute(sql`
    insert into eval_results (run_id, dataset, perturbation, acc, acc_real, acc_fake, ap, auc, threshold, threshold_policy,
                              n, n_real, n_fake, scores_key, scores_sha256, checkpoint_sha256, manifest_hash, preprocess_hash, code_version)
    select 'run-' || i, 'gen-' || g, 'none', r, r, r, r, r, 0.5, 'fixed', 1000, 500, 500, 'k', 's', 'ck-' || i, 'm-' || g, 'p', 'bench'
    from generate_series(0, ${RUNS - 1}) as i, generate_series(0, ${GENERATORS - 1}) as g,
         lateral (select 0.5 + 0.5 * random() + 0 * i + 0 * g as r) as v`);
  await db.execute(sql`analyze`);
  console.log(
    `seeded ${RUNS} runs x ${GENERATORS} generators = ${RUNS * GENERATORS} eval rows in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
  );

  const [oldPages, newPages] = [await pages(db, resultScanSource), await pages(db, cellSumsSource)];
  const differing = oldPages.filter((page, i) => pageDifference(page, newPages[i] as string) !== null).length;
  const bitwise = oldPages.filter((page, i) => page === newPages[i]).length;
  console.log(
    `pages identical as printed, sort keys within 1e-12 (HTML, ${TABLE_METRICS.length} metrics x ${TABLE_AGGREGATES.length} aggregates): ` +
      `${differing === 0 ? 'yes' : `NO, ${differing} differ`}; byte-identical to the last bit of data-value: ${bitwise}/${oldPages.length}`,
  );
  if (differing > 0) process.exitCode = 1;

  const app = createApp({ db, store: noStore });
  const query = `/leaderboard?experiment=${EXPERIMENT}&metric=acc&agg=mean_std`;
  const matrix: MatrixQuery = {
    experiment: EXPERIMENT,
    metric: 'acc',
    aggregate: 'mean_std',
    perturbation: 'none',
    title: 't',
    synthetic: false,
  };
  await compare(
    'query: leaderboardMatrix',
    () => leaderboardMatrixFromResults(db, matrix),
    () => leaderboardMatrix(db, matrix),
  );
  const load = { experiment: EXPERIMENT, metric: 'acc' as const, aggregate: 'mean_std' as const, perturbation: 'none' };
  await compare(
    'loadLeaderboard (matrix + perturbations)',
    () => loadLeaderboard(db, load, resultScanSource),
    () => loadLeaderboard(db, load, cellSumsSource),
  );
  await time('new GET /api/leaderboard (JSON)', async () => {
    const response = await app.request(`/api${query}`);
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    await response.text();
  });
  await time('new GET /leaderboard (HTML)', async () => {
    const response = await app.request(query);
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    await response.text();
  });

  // Writers' side: one orchestrator-style upsert (replacing a result, so the update trigger and a max recompute run).
  let write = 0;
  const upsert = () => {
    write++;
    return upsertEvalResult(db, {
      runId: `run-${write % RUNS}`,
      dataset: 'gen-0',
      perturbation: 'none',
      acc: 0.5 + (write % 7) / 14,
      accReal: 0.5,
      accFake: 0.5,
      ap: 0.9,
      auc: 0.9,
      accCalibrated: null,
      threshold: 0.5,
      thresholdPolicy: 'fixed',
      n: 1000,
      nReal: 500,
      nFake: 500,
      scoresKey: 'k',
      scoresSha256: 's',
      checkpointSha256: `ck-${write % RUNS}`,
      manifestHash: 'm-0',
      preprocessHash: 'p',
      codeVersion: 'bench',
    });
  };
  await db.execute(sql`alter table eval_results disable trigger user`);
  const untriggered = await time('old upsertEvalResult (no triggers)', upsert);
  await db.execute(sql`alter table eval_results enable trigger user`);
  const triggered = await time('new upsertEvalResult (triggers)', upsert);
  console.log(`${''.padEnd(44)} write overhead: p50 +${(triggered.p50 - untriggered.p50).toFixed(2)} ms`);
  console.log(`${REQUESTS} timed requests each, after one warm-up; Postgres at ${url.host}, node ${process.version}`);
} finally {
  await handle.close();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.end();
}
