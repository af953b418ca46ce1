import { and, eq, isNotNull, sql } from 'drizzle-orm';
import {
  evalResults,
  leaderboardCellAggregates,
  leaderboardPerturbations,
  runs,
  type Db,
  type LeaderboardCellAggregate,
} from '@mirage/db';
import {
  MEAN_COLUMN_ID,
  roundHalfAwayFromZero,
  type TableAggregate,
  type TableCell,
  type TableMetric,
  type TableModel,
  type TableRow,
} from '@mirage/tables';

const METRIC_COLUMNS = {
  acc: evalResults.acc,
  acc_calibrated: evalResults.accCalibrated,
  ap: evalResults.ap,
  auc: evalResults.auc,
} as const;

/** One (method, config, dataset) cell folded over seeds. */
type CellAggregate = LeaderboardCellAggregate;

/** What the matrix covers. */
export interface MatrixQuery {
  experiment: string;
  metric: TableMetric;
  aggregate: TableAggregate;
  perturbation: string;
  title: string;
  synthetic: boolean;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The reference fold: max / avg / stddev_samp per method, config and dataset over every eval_results row of the
 * experiment. Its cost grows with the number of results (~230 ms at 200k rows), so the page reads the trigger-kept
 * leaderboard_cells instead (leaderboardMatrix); this stays as the definition those sums must agree with, for the
 * equivalence tests and the benchmark's old-vs-new figures.
 */
async function scannedCellAggregates(db: Db, query: MatrixQuery): Promise<CellAggregate[]> {
  const value = METRIC_COLUMNS[query.metric];
  return db
    .select({
      method: runs.method,
      configHash: runs.configHash,
      dataset: evalResults.dataset,
      // One row per run and dataset (unique key), so the row count is the number of runs (seeds) folded.
      seeds: sql<number>`count(*)::int`,
      max: sql<number>`max(${value})`.mapWith(Number),
      mean: sql<number>`avg(${value})`.mapWith(Number),
      std: sql<number | null>`stddev_samp(${value})`,
      policies: sql<string[]>`array_agg(distinct ${evalResults.thresholdPolicy})`,
    })
    .from(evalResults)
    .innerJoin(runs, eq(runs.id, evalResults.runId))
    .where(
      and(eq(runs.experiment, query.experiment), eq(evalResults.perturbation, query.perturbation), isNotNull(value)),
    )
    .groupBy(runs.method, runs.configHash, evalResults.dataset);
}

function emptyCell(): TableCell {
  return { value: null, std: null, nSeeds: 0, reported: null, delta: null, incomplete: false, best: false };
}

function rowLabel(method: string, configHash: string, ambiguous: Set<string>): string {
  return ambiguous.has(method) ? `${method} [${configHash.slice(0, 8)}]` : method;
}

// Same rules as @mirage/tables: the mean column averages present cells (incomplete when any is missing) and "best"
// marks the highest printed value of a column with two or more comparable values.
function meanCell(cells: TableCell[]): TableCell {
  const present = cells.filter((c) => c.value !== null);
  const cell = emptyCell();
  cell.incomplete = present.length < cells.length;
  if (present.length === 0) return cell;
  cell.value = present.reduce((s, c) => s + (c.value as number), 0) / present.length;
  cell.nSeeds = Math.min(...present.map((c) => c.nSeeds));
  return cell;
}

function markBest(rows: TableRow[], columns: number, digits: number): void {
  for (let c = 0; c < columns; c++) {
    const candidates = rows
      .map((r) => r.cells[c] as TableCell)
      .filter((cell) => cell.value !== null && !cell.incomplete);
    if (candidates.length < 2) continue;
    const printed = candidates.map((cell) => roundHalfAwayFromZero(cell.value as number, digits));
    const top = Math.max(...printed);
    candidates.forEach((cell, i) => (cell.best = printed[i] === top));
  }
}

/**
 * The leaderboard matrix of one experiment as a TableModel (rendered with @mirage/tables' notes), or null if empty,
 * from the per-cell sums in leaderboard_cells: it reads (methods x datasets) rows whatever the number of seeds.
 * Runs of one method under several configs become one row per config (`method [hash]`). Paper tables keep using
 * @mirage/tables' buildTableModel on raw rows for byte-identical output.
 */
export async function leaderboardMatrix(db: Db, query: MatrixQuery): Promise<TableModel | null> {
  return buildMatrix(
    await leaderboardCellAggregates(db, {
      experiment: query.experiment,
      metric: query.metric,
      perturbation: query.perturbation,
    }),
    query,
  );
}

/** The same matrix folded from every eval_results row (the reference path; see scannedCellAggregates). */
export async function leaderboardMatrixFromResults(db: Db, query: MatrixQuery): Promise<TableModel | null> {
  return buildMatrix(await scannedCellAggregates(db, query), query);
}

function buildMatrix(aggregates: CellAggregate[], query: MatrixQuery): TableModel | null {
  if (aggregates.length === 0) return null;
  const configsByMethod = new Map<string, Set<string>>();
  for (const a of aggregates)
    configsByMethod.set(a.method, (configsByMethod.get(a.method) ?? new Set()).add(a.configHash));
  const ambiguous = new Set([...configsByMethod].filter(([, hashes]) => hashes.size > 1).map(([m]) => m));
  const byCell = new Map(
    aggregates.map((a) => [JSON.stringify([rowLabel(a.method, a.configHash, ambiguous), a.dataset]), a]),
  );
  const datasets = [...new Set(aggregates.map((a) => a.dataset))].sort(compareText);
  const labels = [...new Set(aggregates.map((a) => rowLabel(a.method, a.configHash, ambiguous)))].sort(compareText);
  const digits = 1;
  const rows: TableRow[] = labels.map((label) => {
    const cells = datasets.map((dataset) => {
      const cell = emptyCell();
      const a = byCell.get(JSON.stringify([label, dataset]));
      if (!a) return cell;
      cell.value = (query.aggregate === 'best' ? a.max : a.mean) * 100;
      cell.std = query.aggregate === 'mean_std' && a.std !== null && a.seeds > 1 ? Number(a.std) * 100 : null;
      cell.nSeeds = a.seeds;
      return cell;
    });
    cells.push(meanCell(cells));
    return { id: label, label, cells };
  });
  markBest(rows, datasets.length + 1, digits);
  const seedCounts = aggregates.map((a) => a.seeds);
  return {
    title: query.title,
    caption: null,
    label: `tab:${query.experiment}`,
    metric: query.metric,
    aggregate: query.aggregate,
    perturbation: query.perturbation,
    // The leaderboard aggregates frame-level rows only; a run's page shows its video-level metrics.
    level: null,
    digits,
    synthetic: query.synthetic,
    columns: [
      ...datasets.map((id) => ({ id, label: id, isMean: false })),
      { id: MEAN_COLUMN_ID, label: 'Mean', isMean: true },
    ],
    rows,
    thresholdPolicies: [...new Set(aggregates.flatMap((a) => a.policies))].sort(compareText),
    seedRange: { min: Math.min(...seedCounts), max: Math.max(...seedCounts) },
    reported: null,
  };
}

/** The perturbations an experiment has results under, sorted, from leaderboard_cells. */
export async function experimentPerturbations(db: Db, experiment: string): Promise<string[]> {
  return (await leaderboardPerturbations(db, experiment)).sort(compareText);
}

/** The same list scanned from eval_results (the reference path). */
export async function experimentPerturbationsFromResults(db: Db, experiment: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ perturbation: evalResults.perturbation })
    .from(evalResults)
    .innerJoin(runs, eq(runs.id, evalResults.runId))
    .where(eq(runs.experiment, experiment));
  return rows.map((r) => r.perturbation).sort(compareText);
}
