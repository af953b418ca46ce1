import { COMPARED_METRICS, type RunComparison } from '../queries/compare';
import { percent, signed } from './format';
import { html } from './html';
import { page } from './layout';

function shown(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

function form(a: string, b: string) {
  return html`<form class="filters" method="get" action="/compare">
<label>Run A<input name="a" value="${a}" size="40"></label><label>Run B<input name="b" value="${b}" size="40"></label>
<button type="submit">Compare</button></form>`;
}

/** The compare page before both runs are given (or when one is unknown). */
export function compareFormPage(a: string, b: string, message: string): string {
  return page('Compare runs', html`<h1>Compare runs</h1>${form(a, b)}<div class="empty">${message}</div>`);
}

/** Config diff and metric deltas (B − A, percentage points) of two runs. */
export function comparePage(c: RunComparison): string {
  const diff =
    c.configDiff.length === 0
      ? html`<p>The resolved configs are identical.</p>`
      : html`<table id="config-diff"><thead><tr><th class="text">Path</th><th class="text">A</th><th class="text">B</th></tr></thead>
<tbody>${c.configDiff.map((d) => html`<tr><td class="text"><code>${d.path}</code></td><td class="text">${shown(d.a)}</td><td class="text">${shown(d.b)}</td></tr>`)}</tbody></table>`;
  const metrics =
    c.metrics.length === 0
      ? html`<div class="empty">The two runs share no evaluated (dataset, perturbation) cell.</div>`
      : html`<table class="sortable" id="metric-deltas"><thead><tr><th class="text" data-col="0">Dataset</th><th class="text" data-col="1">Perturbation</th>
${COMPARED_METRICS.map((m, i) => html`<th data-col="${i + 2}">${m} A → B (Δ)</th>`)}</tr></thead>
<tbody>${c.metrics.map(
          (row) =>
            html`<tr><td class="text">${row.dataset}</td><td class="text">${row.perturbation}</td>${COMPARED_METRICS.map(
              (m) => {
                const d = row.delta[m];
                const cls = d === null ? '' : d > 0 ? 'delta-pos' : d < 0 ? 'delta-neg' : '';
                return html`<td class="${cls}" data-value="${d ?? ''}">${percent(row.a[m])} → ${percent(row.b[m])}${d === null ? null : html` (${signed(d * 100)})`}</td>`;
              },
            )}</tr>`,
        )}</tbody></table>`;
  const unmatched = [...c.onlyA.map((x) => `A only: ${x}`), ...c.onlyB.map((x) => `B only: ${x}`)];
  return page(
    'Compare runs',
    html`<h1>Compare runs</h1>${form(c.a.id, c.b.id)}
<p>A: <a href="/runs/${encodeURIComponent(c.a.id)}">${c.a.id}</a> (${c.a.method}, seed ${c.a.seed}) · B: <a href="/runs/${encodeURIComponent(c.b.id)}">${c.b.id}</a> (${c.b.method}, seed ${c.b.seed})</p>
<h2>Config differences</h2>${diff}
<h2>Metric deltas (B − A, percentage points)</h2>${metrics}
${unmatched.length > 0 ? html`<ul class="notes">${unmatched.map((u) => html`<li>${u}</li>`)}</ul>` : null}`,
  );
}
