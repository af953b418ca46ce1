import { describe, expect, it } from 'vitest';
import { renderTable, TABLE_FORMATS } from '../src/index';
import { demoReported, demoRows, demoSpec } from './demo-rows';
import { shuffled } from './shuffle';

describe('row-order independence', () => {
  it.each(TABLE_FORMATS)('shuffled rows give identical %s bytes', (format) => {
    const reference = renderTable(demoRows(), demoSpec(), format, demoReported());
    for (let seed = 1; seed <= 20; seed++) {
      const rows = shuffled(demoRows(), seed);
      const reported = shuffled(demoReported(), seed + 100);
      expect(renderTable(rows, demoSpec(), format, reported), `shuffle seed ${seed}`).toBe(reference);
    }
  });

  it('the shuffles do reorder the rows', () => {
    expect(shuffled(demoRows(), 1)).not.toEqual(demoRows());
  });
});
