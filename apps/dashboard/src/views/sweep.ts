import type { Sweep } from '@mirage/db';
import type { RunProgressView } from '../progress';
import type { SweepSummary } from '../queries/results';
import { duration, fixed } from './format';
import { html } from './html';
import { emptyState, page } from './layout';

function runRow(run: RunProgressView) {
  const steps = run.totalSteps === null ? `${run.currentStep}` : `${run.currentStep}/${run.totalSteps}`;
  const pct = run.totalSteps ? Math.min(100, (100 * run.currentStep) / run.totalSteps) : null;
  return html`<tr data-run-id="${run.id}">
<td class="text"><a href="/runs/${encodeURIComponent(run.id)}">${run.id}</a></td>
<td class="text">${run.method}</td><td>${run.seed}</td>
<td class="text status status-${run.status}">${run.status}</td>
<td>${run.attempts}</td>
<td class="steps" data-value="${run.currentStep}">${steps}${pct !== null ? html` <span class="muted">(${fixed(pct, 0)}%)</span>` : null}</td>
<td data-value="${run.lastLoss ?? ''}">${fixed(run.lastLoss, 4)}</td>
<td data-value="${run.imagesPerSecond ?? ''}">${fixed(run.imagesPerSecond, 1)}</td>
<td data-value="${run.etaSeconds ?? ''}">${run.etaSeconds === null ? '—' : duration(run.etaSeconds)}</td>
<td class="error">${run.status === 'failed' ? (run.error ?? 'failed without a recorded error') : null}</td>
</tr>`;
}

/** One sweep: every run's status and progress; reloads itself while any run is still going. */
export function sweepPage(sweep: Sweep, runs: RunProgressView[], refreshSeconds: number): string {
  const active = runs.some((r) => !r.terminal);
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const summary = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
  const table =
    runs.length === 0
      ? emptyState('This sweep has no runs recorded yet; the orchestrator records them as it expands the sweep.')
      : html`<table class="sortable" id="runs">
<thead><tr><th class="text" data-col="0">Run</th><th class="text" data-col="1">Method</th><th data-col="2">Seed</th><th class="text" data-col="3">Status</th>
<th data-col="4">Attempts</th><th data-col="5">Step</th><th data-col="6">Last loss</th><th data-col="7">Images/s</th><th data-col="8">ETA</th><th class="text">Error</th></tr></thead>
<tbody>${runs.map(runRow)}</tbody></table>`;
  return page(
    `Sweep ${sweep.id}`,
    html`<h1>Sweep <code>${sweep.id}</code></h1>
<p>Experiment <a href="/leaderboard?experiment=${encodeURIComponent(sweep.experiment)}">${sweep.experiment}</a> · status <strong id="sweep-status">${sweep.status}</strong>
 · ${runs.length} of ${sweep.totalRuns} runs recorded${summary ? ` (${summary})` : ''}.</p>
<p class="muted" id="refresh-note">${active ? `Refreshing every ${refreshSeconds} s while runs are in progress.` : 'Every run has finished; not refreshing.'}</p>
${table}`,
    active ? { refreshSeconds } : {},
  );
}

/** Every sweep, newest first. */
export function sweepsPage(sweeps: SweepSummary[]): string {
  const body =
    sweeps.length === 0
      ? emptyState('No sweeps launched yet.')
      : html`<table class="sortable"><thead><tr><th class="text" data-col="0">Sweep</th><th class="text" data-col="1">Experiment</th>
<th class="text" data-col="2">Status</th><th data-col="3">Runs</th><th class="text">By status</th><th class="text" data-col="5">Created</th></tr></thead>
<tbody>${sweeps.map(
          (
            s,
          ) => html`<tr><td class="text"><a href="/sweeps/${encodeURIComponent(s.id)}">${s.id}</a></td><td class="text">${s.experiment}</td>
<td class="text">${s.status}</td><td>${s.totalRuns}</td>
<td class="text">${Object.entries(s.runsByStatus)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ')}</td><td class="text">${s.createdAt.toISOString()}</td></tr>`,
        )}</tbody></table>`;
  return page('Sweeps', html`<h1>Sweeps</h1>${body}`);
}
