import { describeVideoAggregate } from '@mirage/contracts';
import type { RunDetail } from '../queries/run-detail';
import type { ScoreCharts } from '../queries/score-charts';
import { scoreChartsBlock } from './charts';
import { bytes, fixed, percent } from './format';
import { html } from './html';
import { emptyState, page } from './layout';
import { lossChart } from './loss-chart';

const POLICY_TEXT: Record<string, string> = {
  fixed: 'fixed 0.5 on p(fake)',
  calibrated: 'calibrated on a validation split',
};

function evalTable(detail: RunDetail) {
  if (detail.evalResults.length === 0) {
    return emptyState(
      'No evaluation results yet: they appear once training finishes and the evaluation fan-out reports.',
    );
  }
  return html`<table class="sortable" id="eval-results">
<thead><tr><th class="text" data-col="0">Dataset</th><th class="text" data-col="1">Perturbation</th><th data-col="2">Acc</th><th data-col="3">Acc real</th>
<th data-col="4">Acc fake</th><th data-col="5">AP</th><th data-col="6">AUC</th><th data-col="7">Acc calibrated</th><th data-col="8">Threshold</th>
<th class="text">Policy</th><th data-col="10">n (real/fake)</th><th class="text">Scores</th></tr></thead>
<tbody>${detail.evalResults.map((r) => {
    const url = detail.scoreUrls[r.id];
    return html`<tr><td class="text">${r.dataset}</td><td class="text">${r.perturbation}</td>
<td data-value="${r.acc ?? ''}">${percent(r.acc)}</td><td data-value="${r.accReal ?? ''}">${percent(r.accReal)}</td>
<td data-value="${r.accFake ?? ''}">${percent(r.accFake)}</td><td data-value="${r.ap ?? ''}">${percent(r.ap)}</td>
<td data-value="${r.auc ?? ''}">${percent(r.auc)}</td><td data-value="${r.accCalibrated ?? ''}">${percent(r.accCalibrated)}</td>
<td>${fixed(r.threshold, 3)}</td><td class="text">${POLICY_TEXT[r.thresholdPolicy] ?? r.thresholdPolicy}</td>
<td data-value="${r.n}">${r.n} (${r.nReal}/${r.nFake})</td>
<td class="text">${url ? html`<a href="${url}">scores.jsonl</a>` : '—'}</td></tr>`;
  })}</tbody></table>
<p class="notes">Metrics in percent. Acc uses the threshold policy of its row; AP and AUC are threshold-free.${
    detail.evalResults.some((r) => r.video)
      ? ' Rows of video columns are at frame level (every frame scored alone); their video level is below.'
      : ''
  }</p>`;
}

function videoTable(detail: RunDetail) {
  const rows = detail.evalResults.flatMap((r) => (r.video ? [{ r, v: r.video }] : []));
  if (rows.length === 0) return null;
  return html`<h2>Video level</h2>
<table class="sortable" id="video-results">
<thead><tr><th class="text" data-col="0">Dataset</th><th class="text" data-col="1">Perturbation</th><th class="text">Video score</th><th data-col="3">Acc</th>
<th data-col="4">Acc real</th><th data-col="5">Acc fake</th><th data-col="6">AP</th><th data-col="7">AUC</th><th data-col="8">Acc calibrated</th><th data-col="9">videos (real/fake)</th></tr></thead>
<tbody>${rows.map(({ r, v }) => {
    const how = describeVideoAggregate(v.aggregate);
    return html`<tr><td class="text">${r.dataset}</td><td class="text">${r.perturbation}</td><td class="text">${how} of frame p(fake)</td>
<td data-value="${v.acc ?? ''}">${percent(v.acc)}</td><td data-value="${v.acc_real ?? ''}">${percent(v.acc_real)}</td>
<td data-value="${v.acc_fake ?? ''}">${percent(v.acc_fake)}</td><td data-value="${v.ap ?? ''}">${percent(v.ap)}</td>
<td data-value="${v.auc ?? ''}">${percent(v.auc)}</td><td data-value="${v.acc_calibrated ?? ''}">${percent(v.acc_calibrated)}</td>
<td data-value="${v.n_videos}">${v.n_videos} (${v.n_real}/${v.n_fake})</td></tr>`;
  })}</tbody></table>
<p class="notes">One score per video at the same threshold as its frame row; n counts videos.</p>`;
}

function checkpointTable(detail: RunDetail) {
  if (detail.checkpoints.length === 0) return emptyState('No checkpoints saved yet.');
  return html`<table id="checkpoints"><thead><tr><th>Step</th><th class="text">Key</th><th>Size</th><th class="text">SHA-256</th><th class="text">Download</th></tr></thead>
<tbody>${detail.checkpoints.map(
    (
      c,
    ) => html`<tr><td>${c.step}</td><td class="text"><code>${c.key}</code></td><td>${bytes(c.bytes)}</td><td class="text"><code>${c.sha256.slice(0, 16)}…</code></td>
<td class="text">${c.url ? html`<a class="download" href="${c.url}">download</a>` : html`<span class="muted">${c.urlError}</span>`}</td></tr>`,
  )}</tbody></table>
<p class="notes">Download links are signed for this page view and expire after 5 minutes; reload for fresh ones.</p>`;
}

function scoreChartsSection(detail: RunDetail, charts: Record<number, ScoreCharts>) {
  if (detail.evalResults.length === 0) return null;
  return html`<h2>Score distributions</h2>
<p class="notes">ROC of fake as the positive class and p(fake) histograms, computed from each evaluation's per-image scores file.</p>
${detail.evalResults.map((r) => scoreChartsBlock(r.id, `${r.dataset} / ${r.perturbation}`, charts[r.id]))}`;
}

const ENVIRONMENT_FIELDS = [
  'python',
  'torch',
  'transformers',
  'numpy',
  'pillow',
  'cuda',
  'cudnn',
  'gpu',
  'driver',
  'lock_sha256',
  'host',
] as const;

// What the training ran with and, where evaluations ran elsewhere or later, what they ran with.
function environmentSection(detail: RunDetail) {
  const seen = new Map<string, Record<string, unknown>>();
  const add = (what: string, environment: unknown) => {
    if (environment && typeof environment === 'object')
      seen.set(`${what}|${JSON.stringify(environment)}`, { what, ...(environment as Record<string, unknown>) });
  };
  add('training', detail.run.environment);
  for (const r of detail.evalResults) add(`evaluation ${r.dataset} / ${r.perturbation}`, r.environment);
  const rows = [...new Map([...seen.values()].map((e) => [JSON.stringify({ ...e, what: undefined }), e])).values()];
  if (rows.length === 0)
    return html`<h2>Environment</h2>${emptyState('No environment recorded (trained before environments were recorded).')}`;
  return html`<h2>Environment</h2>
<table id="environment"><thead><tr><th class="text">where</th>${ENVIRONMENT_FIELDS.map((f) => html`<th class="text">${f}</th>`)}</tr></thead><tbody>${rows.map(
    (e) =>
      html`<tr><td class="text">${String(e['what'])}</td>${ENVIRONMENT_FIELDS.map((f) => html`<td class="text">${e[f] === null || e[f] === undefined ? '-' : String(e[f])}</td>`)}</tr>`,
  )}</tbody></table>`;
}

/** One run: config, loss curves, per-dataset metrics (perturbations as extra rows), score charts and checkpoints. */
export function runPage(detail: RunDetail, scoreCharts: Record<number, ScoreCharts> = {}): string {
  const { run } = detail;
  const chart = lossChart(detail.trainMetrics);
  return page(
    `Run ${run.id}`,
    html`<h1>Run <code>${run.id}</code></h1>
<p>Method <strong>${run.method}</strong> · seed ${run.seed} · experiment <a href="/leaderboard?experiment=${encodeURIComponent(run.experiment)}">${run.experiment}</a>
 · sweep <a href="/sweeps/${encodeURIComponent(run.sweepId)}">${run.sweepId}</a> · status <span class="status-${run.status}">${run.status}</span>
 · attempts ${run.attempts} · step ${run.currentStep}/${run.totalSteps ?? '?'} · code ${run.codeVersion}</p>
${run.error ? html`<pre class="error">${run.error}</pre>` : null}
<p><a href="/compare?a=${encodeURIComponent(run.id)}">Compare with another run…</a></p>
<h2>Loss terms</h2>
${chart ?? emptyState('No training metrics recorded yet.')}
<h2>Metrics per test dataset</h2>
${evalTable(detail)}
${videoTable(detail)}
${scoreChartsSection(detail, scoreCharts)}
<h2>Checkpoints</h2>
${checkpointTable(detail)}
${environmentSection(detail)}
<h2>Resolved config</h2>
<pre id="config">${JSON.stringify(run.config, null, 2)}</pre>`,
  );
}
