import type { TableModel } from '../model';
import { cellText, INCOMPLETE_MARK, MISSING, SYNTHETIC_WARNING, tableNotes, type CellText } from '../presentation';

// A table cell must stay on one line and must not end the cell early; emphasis characters are escaped so labels
// print literally.
function escapeCell(text: string): string {
  return text.replace(/\r\n|\r|\n/g, ' ').replace(/([\\|*_`])/g, '\\$1');
}

function escapeLine(text: string): string {
  return text.replace(/\r\n|\r|\n/g, ' ');
}

function formatCell(parts: CellText): string {
  if (parts.value === null) return MISSING;
  const shown = parts.std === null ? parts.value : `${parts.value} ± ${parts.std}`;
  const mark = parts.incomplete ? INCOMPLETE_MARK : '';
  const delta = parts.delta === null ? '' : ` (${parts.delta})`;
  return `${parts.best ? `**${shown}**` : shown}${mark}${delta}`;
}

/**
 * Renders a GitHub-flavoured Markdown table: a title, the caption, the table (best value of each column in bold,
 * deltas against the reported paper in parentheses), then notes stating the threshold policy, the aggregate, the
 * reported source and, when flagged, the synthetic warning. LF line ends, one trailing newline.
 */
export function renderMarkdown(model: TableModel): string {
  const lines: string[] = [`# ${escapeLine(model.title)}`, ''];
  if (model.caption !== null) lines.push(escapeLine(model.caption), '');
  if (model.synthetic) lines.push(`**${SYNTHETIC_WARNING}**`, '');
  lines.push(`| Method | ${model.columns.map((c) => escapeCell(c.label)).join(' | ')} |`);
  lines.push(`| :--- | ${model.columns.map(() => '---:').join(' | ')} |`);
  for (const row of model.rows) {
    const cells = row.cells.map((cell) => formatCell(cellText(cell, model.digits)));
    lines.push(`| ${escapeCell(row.label)} | ${cells.join(' | ')} |`);
  }
  lines.push('', 'Notes:', '');
  for (const note of tableNotes(model)) lines.push(`- ${escapeLine(note)}`);
  return `${lines.join('\n')}\n`;
}
