import { describe, expect, it } from 'vitest';
import { CSV_HEADER, csvField, renderTable, type ResultRow } from '../src/index';

describe('csvField (RFC 4180)', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    ['', ''],
    [' spaced ', ' spaced '],
  ])('%j -> %j', (raw, quoted) => {
    expect(csvField(raw)).toBe(quoted);
  });
});

describe('renderCsv', () => {
  const base: ResultRow = {
    method: 'm,1',
    runId: 'r',
    seed: 0,
    dataset: 'd"x',
    perturbation: 'none',
    acc: 0.83456,
    accReal: null,
    accFake: null,
    ap: null,
    auc: null,
    accCalibrated: null,
    n: 10,
    thresholdPolicy: 'fixed',
  };
  const csv = renderTable(
    [base, { ...base, seed: 1, runId: 'r1', acc: 0.8 }],
    {
      title: 't',
      metric: 'acc',
      aggregate: 'mean_std',
      includeMean: true,
      digits: 2,
      rowLabels: { 'm,1': 'Method\nOne' },
    },
    'csv',
  );
  const lines = csv.split('\n');

  it('has the documented header, LF line ends and one trailing newline', () => {
    expect(lines[0]).toBe(CSV_HEADER.join(','));
    expect(csv).not.toContain('\r');
    expect(csv.endsWith('\n') && !csv.endsWith('\n\n')).toBe(true);
  });

  it('quotes fields per RFC 4180 and prints numbers with fixed digits', () => {
    // mean (83.456 + 80) / 2 = 81.728; std |83.456 - 80| / sqrt(2) = 2.4437...
    expect(csv).toContain('"m,1","Method\nOne","d""x","d""x",none,acc,mean_std,81.73,2.44,2,,,false,false,false\n');
    expect(csv).toContain('"m,1","Method\nOne",mean,Mean,none,acc,mean_std,81.73,,2,,,false,false,false\n');
  });
});
