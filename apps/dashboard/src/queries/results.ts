import { asc, eq, sql } from 'drizzle-orm';
import { evalResults, experiments, runs, sweeps, type Db } from '@mirage/db';
import type { ResultRow } from '@mirage/tables';

/** An experiment as the dashboard lists it. */
export interface ExperimentSummary {
  name: string;
  protocol: string | null;
  synthetic: boolean;
  description: string;
}

function specText(spec: Record<string, unknown>, field: string): string | null {
  const value = spec[field];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Turns a stored experiment row into its summary; `synthetic` is true only when the spec says exactly `true`. */
export function summariseExperiment(row: { name: string; spec: Record<string, unknown> }): ExperimentSummary {
  return {
    name: row.name,
    protocol: specText(row.spec, 'protocol'),
    synthetic: row.spec['synthetic'] === true,
    description: specText(row.spec, 'description') ?? '',
  };
}

/** Every recorded experiment, by name. */
export async function listExperimentSummaries(db: Db): Promise<ExperimentSummary[]> {
  const rows = await db
    .select({ name: experiments.name, spec: experiments.spec })
    .from(experiments)
    .orderBy(sql`${experiments.name} collate "C"`);
  return rows.map(summariseExperiment);
}

/** Result rows carry the config hash so runs of one method with different configs can be told apart. */
interface TaggedRow extends ResultRow {
  configHash: string;
}

/**
 * Methods whose runs hold two configs under one seed (a sweep over lr, say) would fold two runs into one cell, which
 * @mirage/tables rightly refuses; such methods get the config hash prefix in their row name instead.
 */
export function separateConfigs(rows: readonly TaggedRow[]): ResultRow[] {
  const hashesBySeed = new Map<string, Set<string>>();
  for (const row of rows) {
    const key = JSON.stringify([row.method, row.seed]);
    const hashes = hashesBySeed.get(key) ?? new Set<string>();
    hashes.add(row.configHash);
    hashesBySeed.set(key, hashes);
  }
  const ambiguous = new Set<string>();
  for (const [key, hashes] of hashesBySeed) if (hashes.size > 1) ambiguous.add((JSON.parse(key) as [string])[0]);
  return rows.map(({ configHash, ...row }) =>
    ambiguous.has(row.method) ? { ...row, method: `${row.method} [${configHash.slice(0, 8)}]` } : row,
  );
}

/**
 * Every evaluation result of an experiment's runs as @mirage/tables rows (all perturbations; the table picks one).
 * One indexed join; ordering is left to the table builder, which sorts canonically.
 */
export async function resultRowsForExperiment(db: Db, experiment: string): Promise<ResultRow[]> {
  const rows = await db
    .select({
      method: runs.method,
      runId: runs.id,
      seed: runs.seed,
      configHash: runs.configHash,
      dataset: evalResults.dataset,
      perturbation: evalResults.perturbation,
      acc: evalResults.acc,
      accReal: evalResults.accReal,
      accFake: evalResults.accFake,
      ap: evalResults.ap,
      auc: evalResults.auc,
      accCalibrated: evalResults.accCalibrated,
      n: evalResults.n,
      thresholdPolicy: evalResults.thresholdPolicy,
    })
    .from(evalResults)
    .innerJoin(runs, eq(runs.id, evalResults.runId))
    .where(eq(runs.experiment, experiment));
  return separateConfigs(rows);
}

/** A sweep with its run counts per status. */
export interface SweepSummary {
  id: string;
  experiment: string;
  status: string;
  totalRuns: number;
  createdAt: Date;
  runsByStatus: Record<string, number>;
}

/** Every sweep, newest first, with how many of its runs are in each status. */
export async function listSweepSummaries(db: Db): Promise<SweepSummary[]> {
  const list = await db
    .select()
    .from(sweeps)
    .orderBy(sql`${sweeps.createdAt} desc`, asc(sweeps.id));
  const counts = await db
    .select({ sweepId: runs.sweepId, status: runs.status, n: sql<number>`count(*)::int` })
    .from(runs)
    .groupBy(runs.sweepId, runs.status);
  return list.map((s) => ({
    id: s.id,
    experiment: s.experiment,
    status: s.status,
    totalRuns: s.totalRuns,
    createdAt: s.createdAt,
    runsByStatus: Object.fromEntries(counts.filter((c) => c.sweepId === s.id).map((c) => [c.status, c.n])),
  }));
}
