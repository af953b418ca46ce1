import type { ScoreHistogram } from '../charts/histogram';
import type { RocCurve, RocPoint } from '../charts/roc';
import type { ScoreCharts } from '../queries/score-charts';
import { html, type SafeHtml } from './html';

const ROC_SIZE = 240;
const HIST_WIDTH = 420;
const HIST_HEIGHT = 240;
const PAD = { left: 40, right: 10, top: 10, bottom: 30 };
const REAL_COLOUR = '#1a5fb4';
const FAKE_COLOUR = '#c01c28';
// A 240 px plot cannot show more; longer curves keep every k-th point plus the last, which does not change the AUC shown.
const MAX_ROC_POINTS = 500;

function thin(points: RocPoint[]): RocPoint[] {
  if (points.length <= MAX_ROC_POINTS) return points;
  const step = Math.ceil(points.length / MAX_ROC_POINTS);
  return points.filter((_, i) => i % step === 0 || i === points.length - 1);
}

/** The AUC as the caption prints it. */
export function aucText(auc: number): string {
  return auc.toFixed(4);
}

/** ROC curve (FPR on x, TPR on y) as an inline SVG figure with the AUC in its caption. */
export function rocChart(id: string, title: string, roc: RocCurve): SafeHtml {
  const w = ROC_SIZE - PAD.left - PAD.right;
  const h = ROC_SIZE - PAD.top - PAD.bottom;
  const sx = (fpr: number) => PAD.left + fpr * w;
  const sy = (tpr: number) => PAD.top + (1 - tpr) * h;
  const points = thin(roc.points)
    .map((p) => `${sx(p.fpr).toFixed(1)},${sy(p.tpr).toFixed(1)}`)
    .join(' ');
  return html`<figure class="chart-figure"><svg class="chart roc-chart" id="${id}" width="${ROC_SIZE}" height="${ROC_SIZE}" viewBox="0 0 ${ROC_SIZE} ${ROC_SIZE}" role="img" aria-label="ROC curve, ${title}">
<rect x="${PAD.left}" y="${PAD.top}" width="${w}" height="${h}" fill="none" stroke="#888"/>
<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(1)}" y2="${sy(1)}" stroke="#aaa" stroke-dasharray="4 3"/>
<polyline fill="none" stroke="${FAKE_COLOUR}" stroke-width="1.5" points="${points}"/>
<text x="${PAD.left}" y="${ROC_SIZE - 16}" font-size="10">0</text>
<text x="${PAD.left + w - 6}" y="${ROC_SIZE - 16}" font-size="10">1</text>
<text x="${PAD.left + w / 2 - 10}" y="${ROC_SIZE - 4}" font-size="11">FPR</text>
<text x="${PAD.left - 12}" y="${PAD.top + 8}" font-size="10">1</text>
<text x="4" y="${PAD.top + h / 2}" font-size="11">TPR</text>
</svg><figcaption>ROC ${title}: AUC ${aucText(roc.auc)} (${roc.nReal} real, ${roc.nFake} fake)</figcaption></figure>`;
}

/** p_fake histogram, real and fake bars side by side in each bin, with a legend. */
export function histogramChart(id: string, title: string, histogram: ScoreHistogram): SafeHtml {
  const bins = histogram.real.length;
  const w = HIST_WIDTH - PAD.left - PAD.right;
  const h = HIST_HEIGHT - PAD.top - PAD.bottom;
  const max = Math.max(1, ...histogram.real, ...histogram.fake);
  const binWidth = w / bins;
  const bar = (count: number, bin: number, offset: number, colour: string, label: string) => {
    const height = (count / max) * h;
    const lo = histogram.edges[bin] as number;
    const hi = histogram.edges[bin + 1] as number;
    return html`<rect x="${(PAD.left + bin * binWidth + offset).toFixed(1)}" y="${(PAD.top + h - height).toFixed(1)}" width="${(binWidth / 2 - 0.5).toFixed(1)}" height="${height.toFixed(1)}" fill="${colour}" data-count="${count}"><title>${label} ${lo.toFixed(2)}–${hi.toFixed(2)}: ${count}</title></rect>`;
  };
  return html`<figure class="chart-figure"><svg class="chart score-histogram" id="${id}" width="${HIST_WIDTH}" height="${HIST_HEIGHT}" viewBox="0 0 ${HIST_WIDTH} ${HIST_HEIGHT}" role="img" aria-label="p_fake histogram, ${title}">
<line x1="${PAD.left}" y1="${PAD.top + h}" x2="${PAD.left + w}" y2="${PAD.top + h}" stroke="#888"/>
<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + h}" stroke="#888"/>
${histogram.real.map((count, bin) => bar(count, bin, 0, REAL_COLOUR, 'real'))}
${histogram.fake.map((count, bin) => bar(count, bin, binWidth / 2, FAKE_COLOUR, 'fake'))}
<text x="4" y="${PAD.top + 10}" font-size="10">${max}</text>
<text x="${PAD.left}" y="${HIST_HEIGHT - 16}" font-size="10">0</text>
<text x="${PAD.left + w - 6}" y="${HIST_HEIGHT - 16}" font-size="10">1</text>
<text x="${PAD.left + w / 2 - 20}" y="${HIST_HEIGHT - 4}" font-size="11">p(fake)</text>
<rect x="${PAD.left + 10}" y="${PAD.top + 4}" width="10" height="10" fill="${REAL_COLOUR}"/><text x="${PAD.left + 24}" y="${PAD.top + 13}" font-size="11">real</text>
<rect x="${PAD.left + 64}" y="${PAD.top + 4}" width="10" height="10" fill="${FAKE_COLOUR}"/><text x="${PAD.left + 78}" y="${PAD.top + 13}" font-size="11">fake</text>
</svg><figcaption>p(fake) of ${title}: image counts in ${bins} bins on [0, 1]</figcaption></figure>`;
}

/** The charts of one evaluation, or the inline message saying why there are none. */
export function scoreChartsBlock(evalId: number, title: string, charts: ScoreCharts | undefined): SafeHtml {
  if (!charts) return html``;
  if (charts.kind !== 'charts') {
    return html`<div class="score-charts"><h3>${title}</h3><p class="${charts.kind === 'error' ? 'chart-error' : 'muted'}">${charts.message}</p></div>`;
  }
  return html`<div class="score-charts"><h3>${title}</h3>
${charts.capped ? html`<p class="chart-note">Capped: charts use the first ${charts.linesUsed} of ${charts.totalLines} lines of the scores file.</p>` : null}
<div class="chart-row">${rocChart(`roc-${evalId}`, title, charts.roc)}${histogramChart(`hist-${evalId}`, title, charts.histogram)}</div></div>`;
}
