// Benchmark (not a test): how long the leaderboard takes over a large result set.
// Seeds RUNS runs x GENERATORS test generators into a scratch database on DATABASE_URL, then times REQUESTS calls of
// (a) the leaderboard's SQL query alone and (b) the whole /api/leaderboard and /leaderboard requests, printing p50/p95.
// Run: source /tmp/dev/env.sh && npx tsx apps/dashboard/bench/leaderboard-query.ts [runs] [generators] [requests]
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { createDb, runMigrations } from '@mirage/db';
import { createApp } from '../src/app';
import type { ArtifactReader } from '../src/deps';
import { leaderboardMatrix } from '../src/queries/leaderboard-matrix';

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

async function time(label: string, fn: () => Promise<unknown>): Promise<void> {
  await fn(); // warm caches and the pool
  const samples: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  console.log(`${label.padEnd(34)} p50 ${percentile(samples, 50).toFixed(1).padStart(7)} ms   p95 ${percentile(samples, 95).toFixed(1).padStart(7)} ms`);
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
  await db.execute(sql`insert into experiments (name, spec, spec_hash) values (${EXPERIMENT}, '{"protocol":"bench"}', 'h')`);
  await db.execute(sql`insert into sweeps (id, experiment, spec_hash, status, total_runs) values ('bench-sweep', ${EXPERIMENT}, 'h', 'succeeded', ${RUNS})`);
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
  console.log(`seeded ${RUNS} runs x ${GENERATORS} generators = ${RUNS * GENERATORS} eval rows in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  const app = createApp({ db, store: noStore });
  const query = `/leaderboard?experiment=${EXPERIMENT}&metric=acc&agg=mean_std`;
  await time('query: leaderboardMatrix', () =>
    leaderboardMatrix(db, { experiment: EXPERIMENT, metric: 'acc', aggregate: 'mean_std', perturbation: 'none', title: 't', synthetic: false }),
  );
  await time('GET /api/leaderboard (JSON)', async () => {
    const response = await app.request(`/api${query}`);
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    await response.text();
  });
  await time('GET /leaderboard (HTML)', async () => {
    const response = await app.request(query);
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    await response.text();
  });
  console.log(`${REQUESTS} timed requests each, after one warm-up; Postgres at ${url.host}, node ${process.version}`);
} finally {
  await handle.close();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.end();
}
