import { cellText, TABLE_METRICS, tableNotes, type TableModel } from '@mirage/tables';
import type { PaperComparison, PaperQuery } from '../queries/paper';
import { fixed } from './format';
import { html, type SafeHtml } from './html';
import { emptyState, page, syntheticBanner } from './layout';

function deltaCell(delta: number | null, printed: string | null): SafeHtml {
  if (delta === null || printed === null) return html`<td class="missing" data-value="">—</td>`;
  const cls = delta > 0 ? 'delta-pos' : delta < 0 ? 'delta-neg' : '';
  return html`<td class="delta ${cls}" data-value="${delta}">${printed}</td>`;
}

function sideBySide(model: TableModel): SafeHtml {
  const lines = model.rows.flatMap((row) =>
    row.cells.map((cell, c) => ({ row, cell, column: model.columns[c]!, text: cellText(cell, model.digits) })),
  );
  const shown = lines.filter((l) => l.cell.value !== null || l.cell.reported !== null);
  return html`<table class="sortable" id="paper-comparison">
<thead><tr><th class="text" data-col="0">Method</th><th class="text" data-col="1">Dataset</th><th data-col="2">Reproduced</th><th data-col="3">Reported</th><th data-col="4">Δ (reproduced − reported)</th></tr></thead>
<tbody>${shown.map(
    (l) => html`<tr><td class="text">${l.row.label}</td><td class="text">${l.column.label}</td>
<td data-value="${l.cell.value ?? ''}">${l.text.value ?? '—'}${l.text.std !== null ? html` ± ${l.text.std}` : null}</td>
<td data-value="${l.cell.reported ?? ''}">${l.cell.reported === null ? '—' : fixed(l.cell.reported, model.digits)}</td>
${deltaCell(l.cell.delta, l.text.delta)}</tr>`,
  )}</tbody></table>`;
}

function links(comparison: PaperComparison, query: PaperQuery): SafeHtml {
  const params = new URLSearchParams({ metric: comparison.metric, agg: query.aggregate });
  if (comparison.paper !== null) params.set('paper', comparison.paper);
  const base = `/paper/${encodeURIComponent(comparison.experiment.name)}`;
  return html`<p>Download: <a id="table-md" href="${base}/table.md?${params.toString()}">Markdown</a> ·
<a id="table-tex" href="${base}/table.tex?${params.toString()}">LaTeX</a> ·
<a href="${base}/table.csv?${params.toString()}">CSV</a> (rendered by @mirage/tables from the same rows).</p>`;
}

function selectors(comparison: PaperComparison, query: PaperQuery): SafeHtml {
  return html`<form class="filters" method="get">
<label>Paper<select name="paper">${comparison.papers.map((p) => html`<option ${p === comparison.paper ? 'selected' : ''}>${p}</option>`)}</select></label>
<label>Metric<select name="metric">${TABLE_METRICS.map((m) => html`<option ${m === comparison.metric ? 'selected' : ''}>${m}</option>`)}</select></label>
<label>Seeds<select name="agg">${['mean', 'mean_std', 'best'].map((a) => html`<option ${a === query.aggregate ? 'selected' : ''}>${a}</option>`)}</select></label>
<button type="submit">Show</button></form>`;
}

/** Reproduced vs reported numbers of one experiment, side by side with deltas. */
export function paperPage(comparison: PaperComparison, query: PaperQuery): string {
  const { experiment, model } = comparison;
  const noReported =
    comparison.reported.length === 0
      ? html`<div class="empty">No reported ${comparison.metric} numbers for protocol ${comparison.protocols.join(' or ')}.
Add a <code>reported:</code> block (paper, method, dataset, metric, value in percent) to the experiment YAML and run
<code>mirage launch experiments/...yaml</code> again to record them.</div>`
      : null;
  const body =
    comparison.error !== null
      ? html`<div class="empty">Cannot build this table: ${comparison.error}</div>`
      : model === null
        ? emptyState(`No results for ${experiment.name} yet.`)
        : html`${sideBySide(model)}<ul class="notes">${tableNotes(model).map((n) => html`<li>${n}</li>`)}</ul>${links(comparison, query)}`;
  return page(
    `Paper: ${experiment.name}`,
    html`<h1>${experiment.name}: reproduced vs reported</h1>
${experiment.synthetic ? syntheticBanner() : null}
<p class="muted">Protocol: ${experiment.protocol ?? experiment.name}. Reported paper: ${comparison.paper ?? 'none recorded'}. Clean test images (perturbation none).</p>
${comparison.papers.length > 0 ? selectors(comparison, query) : null}
${noReported}
${body}`,
  );
}
