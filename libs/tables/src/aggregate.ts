import { MEAN_COLUMN_ID, type TableCell, type TableColumn, type TableModel, type TableRow } from './model';
import { roundHalfAwayFromZero } from './number-format';
import { metricValue, type ReportedRow, type ResultRow, type TableAggregate, type TableSpec } from './rows';
import { validateReportedRows, validateResultRows, validateSpec } from './validate';

// Code-unit order, never localeCompare: the order must not depend on the machine's locale.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRows(a: ResultRow, b: ResultRow): number {
  return (
    compareText(a.method, b.method) ||
    compareText(a.dataset, b.dataset) ||
    a.seed - b.seed ||
    compareText(a.runId, b.runId)
  );
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareText);
}

function cellKey(method: string, dataset: string): string {
  return JSON.stringify([method, dataset]);
}

/** One seed's value of one (method, dataset) cell, in percent. */
interface SeedValue {
  seed: number;
  runId: string;
  percent: number;
}

// Groups the selected rows by cell; values stay in canonical (seed) order so every sum runs in the same order.
function groupBySeed(rows: readonly ResultRow[], spec: TableSpec): Map<string, SeedValue[]> {
  const groups = new Map<string, SeedValue[]>();
  for (const row of rows) {
    const fraction = metricValue(row, spec.metric);
    if (fraction === null) continue;
    const key = cellKey(row.method, row.dataset);
    const group = groups.get(key) ?? [];
    const clash = group.find((v) => v.seed === row.seed);
    if (clash) {
      throw new Error(
        `rows: method "${row.method}" has two results for dataset "${row.dataset}", perturbation ` +
          `"${row.perturbation}", seed ${row.seed} (runs ${clash.runId} and ${row.runId}); give the runs distinct ` +
          `method names so each cell folds one run per seed`,
      );
    }
    group.push({ seed: row.seed, runId: row.runId, percent: fraction * 100 });
    groups.set(key, group);
  }
  return groups;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function mean(values: readonly number[]): number {
  return sum(values) / values.length;
}

/** Sample standard deviation (n-1); null for fewer than two values. */
function sampleStd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values);
  return Math.sqrt(sum(values.map((v) => (v - m) ** 2)) / (values.length - 1));
}

function foldSeeds(values: readonly number[], aggregate: TableAggregate): { value: number; std: number | null } {
  switch (aggregate) {
    case 'best':
      return { value: Math.max(...values), std: null };
    case 'mean':
      return { value: mean(values), std: null };
    case 'mean_std':
      return { value: mean(values), std: sampleStd(values) };
  }
}

function emptyCell(): TableCell {
  return { value: null, std: null, nSeeds: 0, reported: null, delta: null, incomplete: false, best: false };
}

// The reported numbers of spec.reportedPaper for spec.metric, keyed by cell; conflicting duplicates are errors.
function reportedLookup(reported: readonly ReportedRow[], spec: TableSpec): Map<string, ReportedRow> | null {
  if (spec.reportedPaper === undefined) return null;
  const lookup = new Map<string, ReportedRow>();
  for (const row of reported) {
    if (row.paper !== spec.reportedPaper || row.metric !== spec.metric) continue;
    const key = cellKey(row.method, row.dataset);
    const earlier = lookup.get(key);
    if (earlier && earlier.value !== row.value) {
      throw new Error(
        `reported: paper "${row.paper}" gives two ${row.metric} values for method "${row.method}", dataset ` +
          `"${row.dataset}": ${earlier.value} and ${row.value}`,
      );
    }
    if (!earlier || compareText(row.source ?? '', earlier.source ?? '') < 0) lookup.set(key, row);
  }
  if (lookup.size === 0) {
    throw new Error(`spec.reportedPaper: no reported ${spec.metric} numbers for paper "${spec.reportedPaper}"`);
  }
  return lookup;
}

function attachReported(
  cell: TableCell,
  reported: ReportedRow | undefined,
  digits: number,
  used: Set<ReportedRow>,
): void {
  if (!reported) return;
  used.add(reported);
  cell.reported = reported.value;
  if (cell.value !== null) cell.delta = roundHalfAwayFromZero(cell.value, digits) - reported.value;
}

function meanCell(cells: readonly TableCell[]): TableCell {
  const present = cells.filter((c) => c.value !== null);
  const cell = emptyCell();
  cell.incomplete = present.length < cells.length;
  if (present.length === 0) return cell;
  cell.value = mean(present.map((c) => c.value as number));
  cell.nSeeds = Math.min(...present.map((c) => c.nSeeds));
  return cell;
}

// Marks, per column, the cells whose printed value is the highest; incomplete means are not comparable, and a
// column with a single value has nothing to compare.
function markBest(rows: readonly TableRow[], columnCount: number, digits: number): void {
  for (let c = 0; c < columnCount; c++) {
    const candidates = rows
      .map((r) => r.cells[c] as TableCell)
      .filter((cell) => cell.value !== null && !cell.incomplete);
    if (candidates.length < 2) continue;
    const printed = candidates.map((cell) => roundHalfAwayFromZero(cell.value as number, digits));
    const top = Math.max(...printed);
    candidates.forEach((cell, i) => {
      cell.best = printed[i] === top;
    });
  }
}

function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.length > 0 ? s : 'table';
}

/**
 * Builds the table of `spec` from result rows (fractions) and reported rows (percent). The same rows in any order
 * give the same model: rows are sorted canonically and every sum runs in seed order. A (method, dataset) with no
 * value of the metric is a missing cell; the mean column averages the row's present cells and is marked incomplete
 * when any is missing. Throws an error naming the field on malformed input.
 */
export function buildTableModel(
  rows: readonly ResultRow[],
  spec: TableSpec,
  reported: readonly ReportedRow[] = [],
): TableModel {
  validateSpec(spec);
  validateResultRows(rows);
  validateReportedRows(reported);
  const digits = spec.digits ?? 1;
  const perturbation = spec.perturbation ?? 'none';
  const selected = rows.filter((r) => r.perturbation === perturbation).sort(compareRows);
  const datasetIds = spec.columns ?? sortedUnique(selected.map((r) => r.dataset));
  const methodIds = spec.rows ?? sortedUnique(selected.map((r) => r.method));
  if (spec.includeMean && datasetIds.includes(MEAN_COLUMN_ID)) {
    throw new Error(`spec.columns: "${MEAN_COLUMN_ID}" is the id of the mean column; rename that dataset column`);
  }
  const shownMethods = new Set(methodIds);
  const shownDatasets = new Set(datasetIds);
  const shown = selected.filter((r) => shownMethods.has(r.method) && shownDatasets.has(r.dataset));
  const groups = groupBySeed(shown, spec);
  const reportedByCell = reportedLookup(reported, spec);
  const usedReported = new Set<ReportedRow>();

  const columns: TableColumn[] = datasetIds.map((id) => ({ id, label: spec.columnLabels?.[id] ?? id, isMean: false }));
  if (spec.includeMean) columns.push({ id: MEAN_COLUMN_ID, label: 'Mean', isMean: true });

  const tableRows: TableRow[] = methodIds.map((method) => {
    const cells = datasetIds.map((dataset) => {
      const cell = emptyCell();
      const seeds = groups.get(cellKey(method, dataset));
      if (seeds) {
        const folded = foldSeeds(
          seeds.map((s) => s.percent),
          spec.aggregate,
        );
        cell.value = folded.value;
        cell.std = folded.std;
        cell.nSeeds = seeds.length;
      }
      attachReported(cell, reportedByCell?.get(cellKey(method, dataset)), digits, usedReported);
      return cell;
    });
    if (spec.includeMean) {
      const cell = meanCell(cells);
      if (!cell.incomplete)
        attachReported(cell, reportedByCell?.get(cellKey(method, MEAN_COLUMN_ID)), digits, usedReported);
      cells.push(cell);
    }
    return { id: method, label: spec.rowLabels?.[method] ?? method, cells };
  });
  markBest(tableRows, columns.length, digits);

  const seedCounts = [...groups.values()].map((g) => g.length);
  return {
    title: spec.title,
    caption: spec.caption ?? null,
    label: spec.label ?? `tab:${slug(spec.title)}`,
    metric: spec.metric,
    aggregate: spec.aggregate,
    perturbation,
    level: spec.level ?? null,
    digits,
    synthetic: spec.synthetic ?? false,
    columns,
    rows: tableRows,
    thresholdPolicies: sortedUnique(
      shown.filter((r) => metricValue(r, spec.metric) !== null).map((r) => r.thresholdPolicy),
    ),
    seedRange: seedCounts.length > 0 ? { min: Math.min(...seedCounts), max: Math.max(...seedCounts) } : null,
    reported:
      spec.reportedPaper === undefined
        ? null
        : {
            paper: spec.reportedPaper,
            sources: sortedUnique([...usedReported].flatMap((r) => (r.source === undefined ? [] : [r.source]))),
          },
  };
}
