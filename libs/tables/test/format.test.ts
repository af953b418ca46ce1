import { describe, expect, it } from 'vitest';
import { buildTableModel, formatFixed, formatSigned, renderCsv, type ResultRow } from '../src/index';
import { resultRow } from './result-row';

describe('formatFixed rounds half away from zero in decimal', () => {
  it.each([
    [0.05, 1, '0.1'], // the fraction 0.0005 is 0.05 %: prints 0.1 at one digit
    [0.0005 * 100, 1, '0.1'],
    [0.04999, 1, '0.0'],
    [-0.05, 1, '-0.1'],
    [-0.04, 1, '0.0'], // rounds to zero: no "-0.0"
    [-0, 1, '0.0'],
    [0, 0, '0'],
    [83.15, 1, '83.2'],
    [83.25, 1, '83.3'],
    [83.35, 1, '83.4'],
    [1.005, 2, '1.01'], // toFixed gives "1.00": it rounds the binary value 1.00499999...
    [2.5, 0, '3'],
    [-2.5, 0, '-3'],
    [0.5, 0, '1'],
    [99.95, 1, '100.0'],
    [100, 1, '100.0'],
    [1e-7, 1, '0.0'],
    [5e-7, 6, '0.000001'],
    [123456.785, 2, '123456.79'],
    [0.1 + 0.2, 6, '0.300000'],
    [1e21, 0, '1000000000000000000000'],
  ])('%s at %i digits -> %s', (value, digits, expected) => {
    expect(formatFixed(value, digits)).toBe(expected);
  });

  it('float noise from summation cannot flip a half', () => {
    const noisy = (0.831 + 0.832) / 2; // 0.8314999999999999 in binary floating point
    expect(noisy * 100).not.toBe(83.15);
    expect(formatFixed(noisy * 100, 1)).toBe('83.2');
  });

  it('rejects non-finite values', () => {
    expect(() => formatFixed(Number.NaN, 1)).toThrow(/finite/);
    expect(() => formatFixed(Infinity, 1)).toThrow(/finite/);
  });

  it('formatSigned signs non-zero results only', () => {
    expect([formatSigned(1.25, 1), formatSigned(-1.25, 1), formatSigned(-0.01, 1), formatSigned(0, 1)]).toEqual([
      '+1.3',
      '-1.3',
      '0.0',
      '0.0',
    ]);
  });

  it('the table prints a mean of 0.0005 and 0.0005 as 0.1 and honours digits', () => {
    const row = (seed: number, acc: number): ResultRow =>
      resultRow({ method: 'm', dataset: 'd', runId: `r${seed}`, seed, acc, n: 1 });
    const spec = { title: 't', metric: 'acc', aggregate: 'mean', includeMean: false } as const;
    const csv = (digits: number) => renderCsv(buildTableModel([row(0, 0.0005), row(1, 0.0005)], { ...spec, digits }));
    expect(csv(1).split('\n')[1]).toContain(',0.1,,2,');
    expect(csv(3).split('\n')[1]).toContain(',0.050,,2,');
    expect(csv(0).split('\n')[1]).toContain(',0,,2,');
  });
});
