import { describe, expect, it } from 'vitest';
import { CSV_HEADER, csvField, csvText, renderTable, type ResultRow } from '../src/index';
import { resultRow } from './result-row';

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

describe('csvText (formula-injection guard)', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+41', "'+41"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'],
    ['mirage', 'mirage'],
    ['a=b', 'a=b'],
    ['x-1', 'x-1'],
    ["'quoted", "'quoted"],
    ['', ''],
  ])('%j -> %j', (raw, guarded) => {
    expect(csvText(raw)).toBe(guarded);
  });
});

describe('renderCsv formula-injection guard', () => {
  const row = (method: string, dataset: string, acc: number): ResultRow =>
    resultRow({ method, dataset, acc, runId: `r-${method}`, n: 10 });
  const csv = renderTable(
    [row('=cmd', '@evil', 0.5), row('plain', '@evil', 0.9)],
    {
      title: 't',
      metric: 'acc',
      aggregate: 'mean',
      includeMean: false,
      digits: 1,
      rowLabels: { '=cmd': '+label', plain: '-note' },
      columnLabels: { '@evil': '\tTabbed' },
      reportedPaper: 'P',
    },
    'csv',
    [
      { paper: 'P', method: '=cmd', dataset: '@evil', metric: 'acc', value: 51.3 },
      { paper: 'P', method: 'plain', dataset: '@evil', metric: 'acc', value: 88 },
    ],
  );
  const lines = csv.split('\n');

  it('prefixes text cells that a spreadsheet would run as formulas with a single quote', () => {
    expect(lines[1]).toBe("'=cmd,'+label,'@evil,'\tTabbed,none,acc,mean,50.0,,1,51.3,-1.3,false,false,false");
    expect(lines[2]).toBe("plain,'-note,'@evil,'\tTabbed,none,acc,mean,90.0,,1,88.0,2.0,false,true,false");
  });

  it('leaves negative numbers of the table itself as numbers', () => {
    const delta = lines[1]?.split(',')[11];
    expect(delta).toBe('-1.3');
    expect(Number(delta)).toBe(-1.3);
  });
});

describe('the level of a table of video columns', () => {
  const rows = [resultRow({ method: 'mirage', dataset: 'sora', acc: 0.75, runId: 'r-1', n: 8 })];
  const spec = { title: 't', metric: 'acc', aggregate: 'mean', includeMean: false, digits: 1 } as const;

  it('is a last CSV column and a note under the table only when the table has one', () => {
    const video = renderTable(
      rows,
      { ...spec, level: { name: 'video', note: "video (a video's score is the mean of its frames' p(fake))" } },
      'csv',
    ).split('\n');
    expect(video[0]?.endsWith(',synthetic,level')).toBe(true);
    expect(video[1]).toBe('mirage,mirage,sora,sora,none,acc,mean,75.0,,1,,,false,false,false,video');
    const still = renderTable(rows, spec, 'csv').split('\n');
    expect(still[0]?.endsWith(',synthetic')).toBe(true);
    expect(
      renderTable(rows, { ...spec, level: { name: 'frame', note: 'frame (every frame scored alone)' } }, 'md'),
    ).toContain('Level: frame (every frame scored alone).');
    expect(renderTable(rows, spec, 'md')).not.toContain('Level:');
  });

  it('is refused when its name is neither frame nor video', () => {
    expect(() => renderTable(rows, { ...spec, level: { name: 'clip' as 'frame', note: 'x' } }, 'md')).toThrow(
      /level.name must be frame or video/,
    );
  });
});
