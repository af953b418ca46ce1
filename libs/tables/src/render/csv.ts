import type { TableModel } from '../model';
import { formatFixed } from '../number-format';

/** Header of the long CSV: one record per (method, column) cell, the mean column included (dataset "mean"). */
export const CSV_HEADER = [
  'method',
  'method_label',
  'dataset',
  'dataset_label',
  'perturbation',
  'metric',
  'aggregate',
  'value',
  'std',
  'n_seeds',
  'reported',
  'delta',
  'incomplete',
  'best',
  'synthetic',
] as const;

/** Quotes a field per RFC 4180 when it holds a comma, a double quote, CR or LF; quotes inside are doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Neutralises a text cell that a spreadsheet would run as a formula: one starting with `=`, `+`, `-`, `@`, tab or
 * CR gets a leading single quote (OWASP's advice), which Excel, LibreOffice and Sheets show as text. Only for text
 * that comes from users (method, dataset and label ids); never for the numbers the table renders itself.
 */
export function csvText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * Renders a long (tidy) CSV: the header CSV_HEADER, then one record per (method, column) in table order. Numbers
 * have the model's fixed digits (percent); an absent number is an empty field; booleans are true/false. RFC 4180
 * quoting, but LF line ends (not CRLF) so files diff cleanly in git; one trailing newline.
 *
 * Formula injection: the text fields (method, method_label, dataset, dataset_label, perturbation, metric,
 * aggregate) go through csvText, so a method named "=HYPERLINK(...)" arrives as the text "'=HYPERLINK(...)". The
 * numeric fields are left alone: a negative delta "-1.3" stays the number -1.3 for whoever sums the column, and
 * being formatted by formatFixed it can only ever be a number.
 */
export function renderCsv(model: TableModel): string {
  const number = (value: number | null): string => (value === null ? '' : formatFixed(value, model.digits));
  // A table of video columns says its level in a last column; tables of still images keep the header they had.
  const level = model.level === null ? [] : [model.level.name];
  const records: string[][] = [[...CSV_HEADER, ...(model.level === null ? [] : ['level'])]];
  for (const row of model.rows) {
    row.cells.forEach((cell, i) => {
      const column = model.columns[i];
      if (!column) throw new Error(`renderCsv: row "${row.id}" has more cells than columns`);
      records.push([
        csvText(row.id),
        csvText(row.label),
        csvText(column.id),
        csvText(column.label),
        csvText(model.perturbation),
        csvText(model.metric),
        csvText(model.aggregate),
        number(cell.value),
        number(cell.std),
        String(cell.nSeeds),
        number(cell.reported),
        number(cell.delta),
        String(cell.incomplete),
        String(cell.best),
        String(model.synthetic),
        ...level,
      ]);
    });
  }
  return records.map((fields) => fields.map(csvField).join(',')).join('\n') + '\n';
}
