import { buildTableModel } from './aggregate';
import { renderCsv } from './render/csv';
import { renderLatex } from './render/latex';
import { renderMarkdown } from './render/markdown';
import type { ReportedRow, ResultRow, TableSpec } from './rows';

export { buildTableModel } from './aggregate';
export { diffTables, DIFF_CONTEXT_LINES } from './diff';
export * from './model';
export { formatFixed, formatSigned, roundHalfAwayFromZero, SNAP_SIGNIFICANT_DIGITS } from './number-format';
export { captionText, cellText, INCOMPLETE_MARK, MISSING, SYNTHETIC_WARNING, tableNotes } from './presentation';
export type { CellText } from './presentation';
export { CSV_HEADER, csvField, csvText, renderCsv } from './render/csv';
export { escapeLatex, renderLatex } from './render/latex';
export { renderMarkdown } from './render/markdown';
export * from './rows';
export { MAX_DIGITS, validateReportedRows, validateResultRows, validateSpec } from './validate';

/** Output formats of renderTable. */
export const TABLE_FORMATS = ['md', 'latex', 'csv'] as const;
/** One output format. */
export type TableFormat = (typeof TABLE_FORMATS)[number];

/** Builds the table of `spec` from the rows and renders it; the same rows in any order give the same bytes. */
export function renderTable(
  rows: readonly ResultRow[],
  spec: TableSpec,
  format: TableFormat,
  reported: readonly ReportedRow[] = [],
): string {
  const model = buildTableModel(rows, spec, reported);
  switch (format) {
    case 'md':
      return renderMarkdown(model);
    case 'latex':
      return renderLatex(model);
    case 'csv':
      return renderCsv(model);
    default:
      throw new Error(`renderTable: format must be one of ${TABLE_FORMATS.join(', ')}; got ${String(format)}`);
  }
}
