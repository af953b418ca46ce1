import { html, raw, type SafeHtml } from './html';

const STYLE = `
:root { font-family: system-ui, sans-serif; color: #1d2330; background: #f7f8fa; }
body { margin: 0; }
header { background: #1d2330; color: #fff; padding: .6rem 1.2rem; display: flex; gap: 1.2rem; align-items: baseline; }
header a { color: #cfe0ff; text-decoration: none; } header strong { font-size: 1.1rem; }
main { padding: 1rem 1.2rem; max-width: 1400px; }
h1 { font-size: 1.35rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
table { border-collapse: collapse; background: #fff; margin: .5rem 0; font-size: .9rem; }
th, td { border: 1px solid #d6dae1; padding: .3rem .55rem; text-align: right; white-space: nowrap; }
th { background: #eef1f5; } th:first-child, td:first-child, td.text, th.text { text-align: left; }
th[data-col] { cursor: pointer; user-select: none; }
th[aria-sort=ascending]::after { content: ' ▲'; } th[aria-sort=descending]::after { content: ' ▼'; }
td.best { font-weight: 700; } td.missing { color: #9aa1ad; }
.banner { background: #ffe08a; border: 2px solid #d39e00; padding: .6rem .9rem; font-weight: 700; margin: .6rem 0; }
.notes { color: #4a5263; font-size: .85rem; margin: .2rem 0 1rem; padding-left: 1.1rem; }
.empty { background: #fff; border: 1px dashed #aab2c0; padding: 1rem; margin: .6rem 0; }
.empty code, pre { background: #eef1f5; padding: .1rem .3rem; }
pre { padding: .7rem; overflow: auto; max-height: 32rem; background: #fff; border: 1px solid #d6dae1; }
form.filters { display: flex; gap: .8rem; flex-wrap: wrap; align-items: end; margin-bottom: .6rem; }
form.filters label { display: flex; flex-direction: column; font-size: .8rem; }
.status-failed { color: #b3261e; font-weight: 600; } .status-succeeded { color: #1e7b34; }
.status-training, .status-evaluating { color: #1a5fb4; } .status-cancelled, .status-stopped { color: #6b7280; }
.delta-pos { color: #1e7b34; } .delta-neg { color: #b3261e; }
td.error { white-space: pre-wrap; text-align: left; color: #b3261e; max-width: 40rem; }
.muted { color: #6b7280; font-size: .85rem; }
svg.chart { background: #fff; border: 1px solid #d6dae1; }
.chart-row { display: flex; gap: 1rem; flex-wrap: wrap; } figure.chart-figure { margin: 0; } figcaption { font-size: .85rem; }
.chart-error { color: #b3261e; } .chart-note { color: #8a5a00; font-size: .85rem; } h3 { font-size: 1rem; margin-bottom: .3rem; }
`;

// Sorts the body rows of a table.sortable by the clicked column's data-value (numbers) or text; missing values last.
const SORT_SCRIPT = `
document.addEventListener('click', (event) => {
  const th = event.target.closest('table.sortable th[data-col]');
  if (!th) return;
  const table = th.closest('table');
  const col = Number(th.dataset.col);
  const descending = th.getAttribute('aria-sort') !== 'descending';
  table.querySelectorAll('th[data-col]').forEach((h) => h.removeAttribute('aria-sort'));
  th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
  const body = table.tBodies[0];
  const key = (row) => {
    const cell = row.cells[col];
    const v = cell && cell.dataset.value;
    return v === undefined ? (cell ? cell.textContent.trim() : '') : v === '' ? null : Number(v);
  };
  const rows = [...body.rows];
  rows.sort((a, b) => {
    const x = key(a), y = key(b);
    if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return descending ? -order : order;
  });
  rows.forEach((r) => body.appendChild(r));
});
`;

/** Options of a page. */
export interface PageOptions {
  /** Reloads the page after this many seconds (a sweep still running); omitted means no reload. */
  refreshSeconds?: number;
}

/** The page frame: navigation, styles and the sort script around `body`. */
export function page(title: string, body: SafeHtml, options: PageOptions = {}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds !== undefined ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}">` : null}
<title>${title} · MiraGe Lab</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<header><strong>MiraGe Lab</strong><a href="/leaderboard">Leaderboard</a><a href="/sweeps">Sweeps</a><a href="/compare">Compare runs</a></header>
<main>
${body}
</main>
<script>${raw(SORT_SCRIPT)}</script>
</body>
</html>`.toString();
}

/** What to do when there is nothing to show yet: the commands that produce data. */
export function emptyState(message: string): SafeHtml {
  return html`<div class="empty"><p>${message}</p>
<p>Try <code>mirage demo</code> for a small synthetic experiment end to end, or
<code>mirage launch experiments/paper/&lt;protocol&gt;.yaml</code> to run a real one; results appear here as evaluations finish.</p></div>`;
}

/** The warning shown on every view of a synthetic experiment. */
export function syntheticBanner(): SafeHtml {
  return html`<div class="banner" role="alert">SYNTHETIC data - not a paper result</div>`;
}

/** A simple error page body. */
export function errorPage(title: string, message: string): string {
  return page(title, html`<h1>${title}</h1><p>${message}</p><p><a href="/leaderboard">Back to the leaderboard</a></p>`);
}
