import { describe, expect, it } from 'vitest';
import { escapeLatex, renderTable, type ResultRow, type TableSpec } from '../src/index';
import { resultRow } from './result-row';

describe('escapeLatex', () => {
  it.each([
    ['&', '\\&'],
    ['%', '\\%'],
    ['$', '\\$'],
    ['#', '\\#'],
    ['_', '\\_'],
    ['{', '\\{'],
    ['}', '\\}'],
    ['~', '\\textasciitilde{}'],
    ['^', '\\textasciicircum{}'],
    ['\\', '\\textbackslash{}'],
    ['<', '\\textless{}'],
    ['>', '\\textgreater{}'],
    ['|', '\\textbar{}'],
  ])('escapes %s', (raw, escaped) => {
    expect(escapeLatex(`a${raw}b`)).toBe(`a${escaped}b`);
  });

  it('escapes in one pass, so replacements are not escaped again', () => {
    expect(escapeLatex('\\{}')).toBe('\\textbackslash{}\\{\\}');
    expect(escapeLatex('50% & $5 #1 a_b ~^')).toBe('50\\% \\& \\$5 \\#1 a\\_b \\textasciitilde{}\\textasciicircum{}');
    expect(escapeLatex('line\none\r\ntwo')).toBe('line one two');
  });
});

describe('renderLatex', () => {
  const nasty = 'A&B%C$D#E_F{G}H~I^J\\K';
  const rows: ResultRow[] = [
    ['x', 0.8, 0.9],
    ['y', 0.85, 0.7],
  ].flatMap(([method, a, b]) =>
    (
      [
        ['d1', a],
        ['d2', b],
      ] as const
    ).map(([dataset, acc]) => resultRow({ method: method as string, dataset, acc: acc as number, n: 10 })),
  );
  const spec: TableSpec = {
    title: `Title ${nasty}`,
    caption: `Caption ${nasty}`,
    metric: 'acc',
    aggregate: 'best',
    includeMean: false,
    rowLabels: { x: `Row ${nasty}` },
    columnLabels: { d1: `Col ${nasty}` },
    label: 'tab:my_table',
  };
  const escaped = 'A\\&B\\%C\\$D\\#E\\_F\\{G\\}H\\textasciitilde{}I\\textasciicircum{}J\\textbackslash{}K';
  const tex = renderTable(rows, spec, 'latex');

  it('escapes every user string: title, caption, labels', () => {
    expect(tex).toContain(`\\caption{Title ${escaped}. Caption ${escaped}.}`);
    expect(tex).toContain(`    Method & Col ${escaped} & d2 \\\\`);
    expect(tex).toContain(`    Row ${escaped} & 80.0 & \\textbf{90.0} \\\\`);
    expect(tex).toContain('\\label{tab:my\\_table}');
    expect(tex).not.toContain(nasty);
  });

  it('is a booktabs tabular in a table environment with the best value per column in bold', () => {
    expect(tex.startsWith('\\begin{table}[t]\n  \\centering\n')).toBe(true);
    expect(tex.endsWith('\\end{table}\n')).toBe(true);
    for (const part of ['\\begin{tabular}{lrr}', '\\toprule', '\\midrule', '\\bottomrule', '\\end{tabular}']) {
      expect(tex).toContain(part);
    }
    expect(tex).toContain('    y & \\textbf{85.0} & 70.0 \\\\');
    expect(tex).toContain('{\\footnotesize Accuracy (\\%) at a fixed 0.5 threshold on p(fake). Best of 1 seed');
  });

  it('labels default to a slug of the title', () => {
    expect(renderTable(rows, { ...spec, label: undefined, title: 'GenImage: SD v1.4!' }, 'latex')).toContain(
      '\\label{tab:genimage-sd-v1-4}',
    );
  });
});
