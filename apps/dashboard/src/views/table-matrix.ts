import { cellText, INCOMPLETE_MARK, type TableModel } from '@mirage/tables';
import { heatColour } from './format';
import { html, type SafeHtml } from './html';

function columnRange(model: TableModel, column: number): { min: number; max: number } {
  const values = model.rows
    .map((r) => r.cells[column]?.value)
    .filter((v): v is number => v !== null && v !== undefined);
  return values.length === 0 ? { min: 0, max: 0 } : { min: Math.min(...values), max: Math.max(...values) };
}

/** A TableModel as a sortable heat-map matrix: rows are methods, columns datasets then Mean. */
export function matrixTable(model: TableModel, id: string): SafeHtml {
  const ranges = model.columns.map((_, c) => columnRange(model, c));
  return html`<table class="sortable matrix" id="${id}">
<thead><tr><th class="text" data-col="0">Method</th>${model.columns.map(
    (column, c) => html`<th data-col="${c + 1}" title="sort by ${column.label}">${column.label}</th>`,
  )}</tr></thead>
<tbody>${model.rows.map(
    (row) =>
      html`<tr data-method="${row.id}"><td class="text">${row.label}</td>${row.cells.map((cell, c) => {
        const text = cellText(cell, model.digits);
        if (text.value === null) return html`<td class="missing" data-value="">—</td>`;
        const range = ranges[c] as { min: number; max: number };
        const style = `background:${heatColour(cell.value as number, range.min, range.max)}`;
        return html`<td class="${cell.best ? 'best' : ''}" style="${style}" data-value="${cell.value}" title="${cell.nSeeds} seed(s)">${text.value}${text.std !== null ? html` ± ${text.std}` : null}${text.incomplete ? INCOMPLETE_MARK : null}</td>`;
      })}</tr>`,
  )}</tbody>
</table>`;
}
