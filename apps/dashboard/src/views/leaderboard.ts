import { TABLE_AGGREGATES, TABLE_METRICS, tableNotes } from '@mirage/tables';
import type { LeaderboardQuery, LeaderboardSection } from '../queries/leaderboard';
import type { ExperimentSummary } from '../queries/results';
import { html, type SafeHtml } from './html';
import { emptyState, page, syntheticBanner } from './layout';
import { matrixTable } from './table-matrix';

const AGGREGATE_LABELS: Record<string, string> = {
  best: 'best of seeds',
  mean: 'mean of seeds',
  mean_std: 'mean ± std',
};

function option(value: string, selected: boolean, label = value): SafeHtml {
  return html`<option value="${value}" ${selected ? 'selected' : ''}>${label}</option>`;
}

function filters(query: LeaderboardQuery, experiments: ExperimentSummary[], perturbations: string[]): SafeHtml {
  return html`<form class="filters" method="get" action="/leaderboard">
<label>Experiment<select name="experiment"><option value="">all</option>${experiments.map((e) =>
    option(e.name, e.name === query.experiment),
  )}</select></label>
<label>Metric<select name="metric">${TABLE_METRICS.map((m) => option(m, m === query.metric))}</select></label>
<label>Seeds<select name="agg">${TABLE_AGGREGATES.map((a) => option(a, a === query.aggregate, AGGREGATE_LABELS[a]))}</select></label>
<label>Perturbation<select name="perturbation">${perturbations.map((p) => option(p, p === query.perturbation))}</select></label>
<button type="submit">Show</button>
</form>`;
}

function section(entry: LeaderboardSection, query: LeaderboardQuery): SafeHtml {
  const { experiment, table } = entry;
  const heading = html`<h2 id="exp-${experiment.name}">${experiment.name}${experiment.protocol ? html` <span class="muted">protocol ${experiment.protocol}</span>` : null}
 <a class="muted" href="/paper/${encodeURIComponent(experiment.name)}">paper view</a></h2>`;
  const banner = experiment.synthetic ? syntheticBanner() : null;
  if (table === null) {
    const other = entry.perturbations.length > 0 ? ` It has results under: ${entry.perturbations.join(', ')}.` : '';
    return html`${heading}${banner}${emptyState(`No ${query.metric} results under perturbation "${query.perturbation}" yet.${other}`)}`;
  }
  return html`${heading}${banner}${matrixTable(table, `matrix-${experiment.name}`)}
<ul class="notes">${tableNotes(table).map((n) => html`<li>${n}</li>`)}</ul>`;
}

/** The leaderboard page: filters, then one heat-map matrix per experiment. */
export function leaderboardPage(
  query: LeaderboardQuery,
  sections: LeaderboardSection[],
  experiments: ExperimentSummary[],
): string {
  const perturbations = [...new Set(['none', query.perturbation, ...sections.flatMap((s) => s.perturbations)])].sort();
  const body =
    experiments.length === 0
      ? emptyState('No experiments recorded yet.')
      : sections.length === 0
        ? emptyState(`No experiment named "${query.experiment ?? ''}".`)
        : html`${sections.map((s) => section(s, query))}`;
  return page(
    'Leaderboard',
    html`<h1>Leaderboard</h1>
<p class="muted">Rows: methods; columns: test generators and their mean. Click a column header to sort. Colour runs red (lowest in the column) to green (highest).</p>
${filters(query, experiments, perturbations)}
${body}`,
  );
}
