import { getRun, listEvalResults, type Db, type EvalResult, type Run } from '@mirage/db';
import { diffConfigs, type ConfigDifference } from '../config-diff';

/** Metrics compared between two runs. */
export const COMPARED_METRICS = ['acc', 'accCalibrated', 'ap', 'auc'] as const;
type ComparedMetric = (typeof COMPARED_METRICS)[number];

/** One (dataset, perturbation) both runs were evaluated on, with b - a per metric (null where either lacks it). */
export interface MetricDelta {
  dataset: string;
  perturbation: string;
  a: Record<ComparedMetric, number | null>;
  b: Record<ComparedMetric, number | null>;
  delta: Record<ComparedMetric, number | null>;
}

/** Two runs side by side: config paths that differ and metric deltas on the cells they share. */
export interface RunComparison {
  a: Run;
  b: Run;
  configDiff: ConfigDifference[];
  metrics: MetricDelta[];
  /** Cells evaluated for one run only. */
  onlyA: string[];
  onlyB: string[];
}

function cellId(r: EvalResult): string {
  return `${r.dataset} / ${r.perturbation}`;
}

function pick(r: EvalResult): Record<ComparedMetric, number | null> {
  return { acc: r.acc, accCalibrated: r.accCalibrated, ap: r.ap, auc: r.auc };
}

/** Compares runs a and b; throws naming the parameter whose run does not exist. */
export async function compareRuns(
  db: Db,
  aId: string,
  bId: string,
): Promise<RunComparison | { missing: 'a' | 'b'; id: string }> {
  const [a, b] = await Promise.all([getRun(db, aId), getRun(db, bId)]);
  if (!a) return { missing: 'a', id: aId };
  if (!b) return { missing: 'b', id: bId };
  const [resultsA, resultsB] = await Promise.all([
    listEvalResults(db, { runId: a.id }),
    listEvalResults(db, { runId: b.id }),
  ]);
  const byCellB = new Map(resultsB.map((r) => [cellId(r), r]));
  const metrics: MetricDelta[] = [];
  for (const ra of resultsA) {
    const rb = byCellB.get(cellId(ra));
    if (!rb) continue;
    const va = pick(ra);
    const vb = pick(rb);
    const delta = Object.fromEntries(
      COMPARED_METRICS.map((m) => [m, va[m] !== null && vb[m] !== null ? (vb[m] as number) - (va[m] as number) : null]),
    ) as Record<ComparedMetric, number | null>;
    metrics.push({ dataset: ra.dataset, perturbation: ra.perturbation, a: va, b: vb, delta });
  }
  const cellsA = new Set(resultsA.map(cellId));
  return {
    a,
    b,
    configDiff: diffConfigs(a.config, b.config),
    metrics,
    onlyA: resultsA.map(cellId).filter((c) => !byCellB.has(c)),
    onlyB: resultsB.map(cellId).filter((c) => !cellsA.has(c)),
  };
}
