import { describe, expect, it } from 'vitest';
import {
  buildTableModel,
  MEAN_COLUMN_ID,
  renderTable,
  type ReportedRow,
  type ResultRow,
  type TableSpec,
} from '../src/index';
import { resultRow } from './result-row';

function row(
  method: string,
  dataset: string,
  seed: number,
  acc: number | null,
  extra: Partial<ResultRow> = {},
): ResultRow {
  return resultRow({ method, dataset, seed, acc, ...extra });
}

const spec = (over: Partial<TableSpec> = {}): TableSpec => ({
  title: 't',
  metric: 'acc',
  aggregate: 'mean',
  includeMean: false,
  ...over,
});

// Seeds 0.80, 0.82, 0.90: mean 84, max 90, deviations -4, -2, 6 -> sum of squares 56, /2 = 28, std sqrt(28).
const threeSeeds = [row('m', 'a', 0, 0.8), row('m', 'a', 1, 0.82), row('m', 'a', 2, 0.9)];

function onlyCell(rows: ResultRow[], over: Partial<TableSpec>) {
  return buildTableModel(rows, spec(over)).rows[0]!.cells[0]!;
}

describe('buildTableModel aggregates seeds', () => {
  it('mean is the mean over seeds, in percent', () => {
    const cell = onlyCell(threeSeeds, { aggregate: 'mean' });
    expect(cell.value).toBeCloseTo(84, 12);
    expect(cell.std).toBeNull();
    expect(cell.nSeeds).toBe(3);
  });

  it('best is the max over seeds', () => {
    expect(onlyCell(threeSeeds, { aggregate: 'best' }).value).toBeCloseTo(90, 12);
  });

  it('mean_std gives the sample std (n-1)', () => {
    const cell = onlyCell(threeSeeds, { aggregate: 'mean_std' });
    expect(cell.value).toBeCloseTo(84, 12);
    expect(cell.std).toBeCloseTo(Math.sqrt(28), 12);
    expect(renderTable(threeSeeds, spec({ aggregate: 'mean_std' }), 'md')).toContain('| m | 84.0 ± 5.3 |');
  });

  it('std of a single seed is null and printed without ±', () => {
    const cell = onlyCell([row('m', 'a', 7, 0.5)], { aggregate: 'mean_std' });
    expect(cell.std).toBeNull();
    const md = renderTable([row('m', 'a', 7, 0.5)], spec({ aggregate: 'mean_std' }), 'md');
    expect(md).toContain('| m | 50.0 |');
    expect(md).toContain('over 1 seed; no std where a cell has 1 seed.');
  });

  it('states the aggregate and seed count in the notes', () => {
    expect(renderTable(threeSeeds, spec({ aggregate: 'best' }), 'md')).toContain('- Best of 3 seeds (max over seeds).');
    expect(renderTable(threeSeeds, spec({ aggregate: 'mean' }), 'md')).toContain('- Mean over 3 seeds.');
  });

  it('rejects two results of one method for the same seed and cell', () => {
    const rows = [...threeSeeds, { ...row('m', 'a', 1, 0.7), runId: 'other-run' }];
    expect(() => buildTableModel(rows, spec())).toThrow(/method "m".*dataset "a".*seed 1 \(runs m-1 and other-run\)/);
  });
});

describe('buildTableModel cells and columns', () => {
  const rows = [row('x', 'a', 0, 0.8), row('x', 'b', 0, 0.9), row('y', 'a', 0, 0.7), row('y', 'c', 0, 0.6)];

  it('makes missing cells explicit and renders them as —', () => {
    const model = buildTableModel(rows, spec());
    expect(model.columns.map((c) => c.id)).toEqual(['a', 'b', 'c']);
    expect(model.rows.map((r) => r.id)).toEqual(['x', 'y']);
    expect(model.rows[0]!.cells[2]).toMatchObject({ value: null, nSeeds: 0 });
    expect(renderTable(rows, spec(), 'md')).toContain('| y | 70.0 | — | 60.0 |');
  });

  it('averages the present cells in the mean column and marks it incomplete', () => {
    const model = buildTableModel(rows, spec({ includeMean: true }));
    const means = model.rows.map((r) => r.cells[3]!);
    expect(model.columns[3]).toEqual({ id: MEAN_COLUMN_ID, label: 'Mean', isMean: true });
    expect(means[0]!.value).toBeCloseTo(85, 12);
    expect(means[0]!.incomplete).toBe(true);
    expect(means[1]!.value).toBeCloseTo(65, 12);
    expect(renderTable(rows, spec({ includeMean: true }), 'md')).toContain('| x | **80.0** | 90.0 | — | 85.0† |');
  });

  it('a complete row mean is not incomplete and can be best', () => {
    const model = buildTableModel(rows, spec({ includeMean: true, columns: ['a'] }));
    expect(model.rows.map((r) => [r.cells[1]!.value, r.cells[1]!.incomplete, r.cells[1]!.best])).toEqual([
      [80, false, true],
      [70, false, false],
    ]);
  });

  it('follows spec.rows/columns order and labels, and keeps listed rows with no data', () => {
    const model = buildTableModel(
      rows,
      spec({ rows: ['y', 'z'], columns: ['c', 'a'], rowLabels: { y: 'Why' }, columnLabels: { c: 'Sea' } }),
    );
    expect(model.rows.map((r) => r.label)).toEqual(['Why', 'z']);
    expect(model.columns.map((c) => c.label)).toEqual(['Sea', 'a']);
    expect(model.rows[0]!.cells.map((c) => c.value)).toEqual([60, 70]);
    expect(model.rows[1]!.cells.every((c) => c.value === null)).toBe(true);
  });

  it('selects the perturbation, default none', () => {
    const jpeg = row('x', 'a', 0, 0.4, { perturbation: 'jpeg(quality=75)' });
    expect(buildTableModel([...rows, jpeg], spec()).rows[0]!.cells[0]!.value).toBeCloseTo(80, 12);
    const model = buildTableModel([...rows, jpeg], spec({ perturbation: 'jpeg(quality=75)' }));
    expect(model.columns.map((c) => c.id)).toEqual(['a']);
    expect(model.rows[0]!.cells[0]!.value).toBeCloseTo(40, 12);
    expect(renderTable([jpeg], spec({ perturbation: 'jpeg(quality=75)' }), 'md')).toContain(
      '- Perturbation: jpeg(quality=75).',
    );
  });

  it('treats a null metric value as missing', () => {
    const model = buildTableModel([row('x', 'a', 0, 0.8)], spec({ metric: 'acc_calibrated' }));
    expect(model.rows[0]!.cells[0]!.value).toBeNull();
  });

  it('reads the metric the spec names', () => {
    const r = row('x', 'a', 0, 0.8, { ap: 0.91, auc: 0.93, accCalibrated: 0.85 });
    const value = (metric: TableSpec['metric']) => onlyCell([r], { metric }).value;
    expect(
      [value('acc'), value('ap'), value('auc'), value('acc_calibrated')].map((v) => Math.round(v! * 1e9) / 1e9),
    ).toEqual([80, 91, 93, 85]);
  });

  it('rejects the mean column id as a dataset column when a mean is shown', () => {
    expect(() => buildTableModel([row('x', 'mean', 0, 0.5)], spec({ includeMean: true }))).toThrow(/spec.columns/);
  });
});

describe('buildTableModel deltas against reported numbers', () => {
  const rows = [row('m', 'a', 0, 0.8404), row('m', 'b', 0, 0.7), row('n', 'a', 0, 0.6)];
  const reported: ReportedRow[] = [
    { paper: 'P', method: 'm', dataset: 'a', metric: 'acc', value: 83.0, source: 'Table 2' },
    { paper: 'P', method: 'm', dataset: 'mean', metric: 'acc', value: 78.0, source: 'Table 2' },
    { paper: 'P', method: 'n', dataset: 'a', metric: 'auc', value: 50.0, source: 'Table 9' },
    { paper: 'Q', method: 'n', dataset: 'a', metric: 'acc', value: 1.0 },
  ];

  it('delta = printed reproduced - reported, only where a reported number exists', () => {
    const model = buildTableModel(rows, spec({ reportedPaper: 'P', includeMean: true }), reported);
    const [a, b, mean] = model.rows[0]!.cells;
    expect(a).toMatchObject({ reported: 83, best: true });
    expect(b!.best).toBe(false); // the only value of its column
    expect(a!.delta).toBeCloseTo(1.0, 12); // 84.04 prints as 84.0
    expect(b).toMatchObject({ reported: null, delta: null });
    expect(mean!.reported).toBe(78);
    expect(mean!.delta).toBeCloseTo(-1, 12); // mean 77.02 prints as 77.0
    expect(model.rows[1]!.cells[0]).toMatchObject({ reported: null, delta: null }); // other metric, other paper
    expect(model.reported).toEqual({ paper: 'P', sources: ['Table 2'] });
    const md = renderTable(rows, spec({ reportedPaper: 'P', includeMean: true }), 'md', reported);
    expect(md).toContain('| m | **84.0** (+1.0) | 70.0 | 77.0 (-1.0) |');
    expect(md).toContain('reproduced − reported, as printed, against the numbers reported in P (Table 2).');
  });

  it('an incomplete mean gets no delta', () => {
    const model = buildTableModel(
      rows,
      spec({ reportedPaper: 'P', includeMean: true, rows: ['m'], columns: ['a', 'b', 'c'] }),
      reported,
    );
    expect(model.rows[0]!.cells[3]).toMatchObject({ incomplete: true, reported: null, delta: null });
  });

  it('a delta that prints as zero is unsigned', () => {
    const md = renderTable([row('m', 'a', 0, 0.8296)], spec({ reportedPaper: 'P' }), 'md', reported);
    expect(md).toContain('| m | 83.0 (0.0) |');
  });

  it('rejects conflicting reported numbers and an unknown paper', () => {
    const clash: ReportedRow[] = [...reported, { paper: 'P', method: 'm', dataset: 'a', metric: 'acc', value: 83.5 }];
    expect(() => buildTableModel(rows, spec({ reportedPaper: 'P' }), clash)).toThrow(/"m", dataset "a": 83 and 83.5/);
    expect(() => buildTableModel(rows, spec({ reportedPaper: 'Nope' }), reported)).toThrow(/spec.reportedPaper/);
  });
});

describe('notes state the threshold policy', () => {
  it('fixed, calibrated, mixed, and threshold-free metrics', () => {
    const fixed = renderTable([row('m', 'a', 0, 0.8)], spec(), 'md');
    expect(fixed).toContain('- Accuracy (%) at a fixed 0.5 threshold on p(fake).');
    const calibrated = renderTable([row('m', 'a', 0, 0.8, { thresholdPolicy: 'calibrated' })], spec(), 'md');
    expect(calibrated).toContain('- Accuracy (%) at a threshold calibrated on a validation split.');
    const mixed = renderTable(
      [row('m', 'a', 0, 0.8), row('n', 'a', 0, 0.7, { thresholdPolicy: 'calibrated' })],
      spec(),
      'md',
    );
    expect(mixed).toContain('the rows mix threshold policies');
    const cal = renderTable([row('m', 'a', 0, 0.8, { accCalibrated: 0.81 })], spec({ metric: 'acc_calibrated' }), 'md');
    expect(cal).toContain('- Accuracy (%) at a threshold calibrated on a validation split.');
    expect(renderTable([row('m', 'a', 0, 0.8, { auc: 0.9 })], spec({ metric: 'auc' }), 'md')).toContain(
      '- ROC AUC (%), threshold-free.',
    );
  });
});

describe('synthetic warning', () => {
  const rows = [row('m', 'a', 0, 0.8)];
  it('is in every format when flagged', () => {
    expect(renderTable(rows, spec({ synthetic: true }), 'md')).toContain('**SYNTHETIC data - not a paper result.**');
    expect(renderTable(rows, spec({ synthetic: true }), 'md')).toContain('- SYNTHETIC data - not a paper result.');
    expect(renderTable(rows, spec({ synthetic: true }), 'latex')).toMatch(
      /\\caption\{[^\n]*SYNTHETIC data - not a paper result\.\}/,
    );
    expect(renderTable(rows, spec({ synthetic: true }), 'csv').split('\n')[1]).toMatch(/,true$/);
  });
  it('is absent otherwise', () => {
    for (const format of ['md', 'latex'] as const) expect(renderTable(rows, spec(), format)).not.toContain('SYNTHETIC');
    expect(renderTable(rows, spec(), 'csv').split('\n')[1]).toMatch(/,false$/);
  });
});

describe('validation names the field', () => {
  it('rejects bad rows, reported rows and specs', () => {
    expect(() => buildTableModel([row('m', 'a', 0, 1.5)], spec())).toThrow('rows[0]: acc must be a fraction');
    expect(() => buildTableModel([row('m', 'a', 0.5, 0.5)], spec())).toThrow('rows[0]: seed must be an integer');
    expect(() => buildTableModel([row('', 'a', 0, 0.5)], spec())).toThrow('rows[0]: method must be a non-empty string');
    expect(() =>
      buildTableModel([], spec(), [{ paper: 'P', method: 'm', dataset: 'a', metric: 'acc', value: 0.9e3 }]),
    ).toThrow('reported[0]: value must be a percent');
    expect(() => buildTableModel([], spec({ digits: 7 }))).toThrow('spec: digits must be an integer in [0, 6]');
    expect(() => buildTableModel([], spec({ metric: 'f1' as never }))).toThrow('spec: metric must be one of');
    expect(() => buildTableModel([], spec({ rows: ['a', 'a'] }))).toThrow('spec: rows lists "a" twice');
    expect(() => renderTable([], spec(), 'html' as never)).toThrow('renderTable: format must be one of md, latex, csv');
  });
});
