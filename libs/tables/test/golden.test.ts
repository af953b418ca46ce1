// Golden files are committed; regenerate them deliberately with UPDATE_GOLDEN=1 and review the diff.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffTables, renderTable, type TableFormat } from '../src/index';
import { demoReported, demoRows, demoSpec } from './demo-rows';

const GOLDEN: Record<TableFormat, string> = { md: 'demo.md', latex: 'demo.tex', csv: 'demo.csv' };

describe('golden files', () => {
  it.each(Object.entries(GOLDEN) as Array<[TableFormat, string]>)(
    '%s matches test/golden/%s byte for byte',
    (format, file) => {
      const path = fileURLToPath(new URL(`./golden/${file}`, import.meta.url));
      const actual = renderTable(demoRows(), demoSpec(), format, demoReported());
      if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, actual);
      const expected = readFileSync(path, 'utf8');
      expect(diffTables(expected, actual)).toBe('');
      expect(Buffer.from(actual, 'utf8').equals(readFileSync(path))).toBe(true);
    },
  );
});
