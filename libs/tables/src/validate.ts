import { TABLE_AGGREGATES, TABLE_METRICS, type ReportedRow, type ResultRow, type TableSpec } from './rows';

/** Largest `digits` accepted: beyond it the 12-significant-digit snapping of formatFixed would show. */
export const MAX_DIGITS = 6;

const FRACTION_FIELDS = ['acc', 'accReal', 'accFake', 'ap', 'auc', 'accCalibrated'] as const;

function fail(where: string, message: string): never {
  throw new Error(`${where}: ${message}`);
}

function requireText(where: string, field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) fail(where, `${field} must be a non-empty string`);
}

/** Throws an error naming the row index and field of the first malformed result row. */
export function validateResultRows(rows: readonly ResultRow[]): void {
  rows.forEach((row, i) => {
    const where = `rows[${i}]`;
    for (const field of ['method', 'runId', 'dataset', 'perturbation', 'thresholdPolicy'] as const) {
      requireText(where, field, row[field]);
    }
    if (!Number.isInteger(row.seed)) fail(where, `seed must be an integer; got ${String(row.seed)}`);
    if (!Number.isInteger(row.n) || row.n < 0) fail(where, `n must be a non-negative integer; got ${String(row.n)}`);
    for (const field of FRACTION_FIELDS) {
      const value = row[field];
      if (value === null) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
        fail(where, `${field} must be a fraction in [0, 1] or null; got ${String(value)}`);
      }
    }
  });
}

/** Throws an error naming the row index and field of the first malformed reported row. */
export function validateReportedRows(rows: readonly ReportedRow[]): void {
  rows.forEach((row, i) => {
    const where = `reported[${i}]`;
    for (const field of ['paper', 'method', 'dataset'] as const) requireText(where, field, row[field]);
    if (!TABLE_METRICS.includes(row.metric)) {
      fail(where, `metric must be one of ${TABLE_METRICS.join(', ')}; got ${String(row.metric)}`);
    }
    if (typeof row.value !== 'number' || !Number.isFinite(row.value) || row.value < 0 || row.value > 100) {
      fail(where, `value must be a percent in [0, 100]; got ${String(row.value)}`);
    }
    if (row.source !== undefined && typeof row.source !== 'string') fail(where, 'source must be a string');
  });
}

function requireUniqueTexts(field: string, values: readonly string[] | undefined): void {
  if (values === undefined) return;
  const seen = new Set<string>();
  values.forEach((value, i) => {
    requireText('spec', `${field}[${i}]`, value);
    if (seen.has(value)) fail('spec', `${field} lists "${value}" twice`);
    seen.add(value);
  });
}

/** Throws an error naming the first malformed field of a table spec. */
export function validateSpec(spec: TableSpec): void {
  requireText('spec', 'title', spec.title);
  if (!TABLE_METRICS.includes(spec.metric)) {
    fail('spec', `metric must be one of ${TABLE_METRICS.join(', ')}; got ${String(spec.metric)}`);
  }
  if (!TABLE_AGGREGATES.includes(spec.aggregate)) {
    fail('spec', `aggregate must be one of ${TABLE_AGGREGATES.join(', ')}; got ${String(spec.aggregate)}`);
  }
  if (typeof spec.includeMean !== 'boolean') fail('spec', 'includeMean must be a boolean');
  if (spec.digits !== undefined && (!Number.isInteger(spec.digits) || spec.digits < 0 || spec.digits > MAX_DIGITS)) {
    fail('spec', `digits must be an integer in [0, ${MAX_DIGITS}]; got ${String(spec.digits)}`);
  }
  requireUniqueTexts('columns', spec.columns);
  requireUniqueTexts('rows', spec.rows);
  if (spec.perturbation !== undefined) requireText('spec', 'perturbation', spec.perturbation);
  if (spec.level !== undefined) {
    if (spec.level.name !== 'frame' && spec.level.name !== 'video')
      fail('spec', `level.name must be frame or video; got ${String(spec.level.name)}`);
    requireText('spec', 'level.note', spec.level.note);
  }
  if (spec.reportedPaper !== undefined) requireText('spec', 'reportedPaper', spec.reportedPaper);
  if (spec.label !== undefined) requireText('spec', 'label', spec.label);
}
