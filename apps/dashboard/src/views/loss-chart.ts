import type { TrainMetric } from '@mirage/db';
import { html, type SafeHtml } from './html';

const WIDTH = 720;
const HEIGHT = 260;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };
const PALETTE = ['#1a5fb4', '#c01c28', '#26a269', '#e66100', '#813d9c', '#865e3c', '#1c71d8', '#5e5c64'];
// Enough points for a smooth line at this width; longer curves keep every k-th point (and the last).
const MAX_POINTS = 600;

function thin<T>(points: T[]): T[] {
  if (points.length <= MAX_POINTS) return points;
  const step = Math.ceil(points.length / MAX_POINTS);
  return points.filter((_, i) => i % step === 0 || i === points.length - 1);
}

/** Every loss term of a training curve as one polyline each, on shared axes (inline SVG, no script). */
export function lossChart(metrics: TrainMetric[]): SafeHtml | null {
  const terms = [...new Set(metrics.flatMap((m) => Object.keys(m.lossTerms)))].sort();
  const finite = metrics.flatMap((m) => Object.values(m.lossTerms).filter((v) => Number.isFinite(v)));
  if (terms.length === 0 || finite.length === 0) return null;
  const steps = metrics.map((m) => m.step);
  const [x0, x1] = [Math.min(...steps), Math.max(...steps)];
  const [y0, y1] = [Math.min(...finite), Math.max(...finite)];
  const sx = (step: number) => PAD.left + ((step - x0) / (x1 - x0 || 1)) * (WIDTH - PAD.left - PAD.right);
  const sy = (v: number) => HEIGHT - PAD.bottom - ((v - y0) / (y1 - y0 || 1)) * (HEIGHT - PAD.top - PAD.bottom);
  const lines = terms.map((term, i) => {
    const points = thin(metrics.filter((m) => Number.isFinite(m.lossTerms[term])))
      .map((m) => `${sx(m.step).toFixed(1)},${sy(m.lossTerms[term] as number).toFixed(1)}`)
      .join(' ');
    return { term, points, colour: PALETTE[i % PALETTE.length] as string };
  });
  return html`<svg class="chart" id="loss-chart" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="loss terms by step">
<line x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}" stroke="#888"/>
<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${HEIGHT - PAD.bottom}" stroke="#888"/>
<text x="4" y="${PAD.top + 10}" font-size="11">${y1.toPrecision(3)}</text>
<text x="4" y="${HEIGHT - PAD.bottom}" font-size="11">${y0.toPrecision(3)}</text>
<text x="${PAD.left}" y="${HEIGHT - 8}" font-size="11">step ${x0}</text>
<text x="${WIDTH - PAD.right - 80}" y="${HEIGHT - 8}" font-size="11">step ${x1}</text>
${lines.map((l) => html`<polyline data-term="${l.term}" fill="none" stroke="${l.colour}" stroke-width="1.5" points="${l.points}"/>`)}
</svg>
<p class="muted">${lines.map((l) => html`<span style="color:${l.colour}">■</span> ${l.term} `)}</p>`;
}
