// A fixed, hand-written set of rows behind the golden files (synthetic numbers, not results of any paper).
import type { ReportedRow, ResultRow, TableSpec } from '../src/index';

const DATASETS = ['genimage/adm', 'genimage/biggan', 'genimage/midjourney', 'genimage/sdv14'] as const;

// acc per (method, seed) over DATASETS, as fractions; null = not evaluated.
const ACC: Record<string, Record<number, Array<number | null>>> = {
  mirage: {
    0: [0.8312, 0.9121, 0.8875, 0.9934],
    1: [0.8405, 0.9044, 0.8731, 0.9951],
    2: [0.8268, 0.9187, 0.8802, 0.9948],
  },
  univfd: {
    0: [0.6612, 0.8815, 0.5634, 0.9812],
    1: [0.6745, 0.8722, 0.5571, 0.979],
    2: [0.6688, 0.879, 0.5702, 0.9825],
  },
  'npr&co': { 0: [0.7105, null, 0.6515, 0.9925], 1: [0.7185, null, 0.6485, 0.9915] },
};

function resultRow(method: string, seed: number, dataset: string, acc: number, perturbation = 'none'): ResultRow {
  return {
    method,
    runId: `run-${method}-s${seed}`,
    seed,
    dataset,
    perturbation,
    acc,
    accReal: acc,
    accFake: acc,
    ap: Math.min(1, acc + 0.05),
    auc: Math.min(1, acc + 0.04),
    accCalibrated: null,
    n: 2000,
    thresholdPolicy: 'fixed',
  };
}

/** The demo result rows: three methods, up to three seeds, one missing column, plus JPEG rows the table skips. */
export function demoRows(): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const [method, seeds] of Object.entries(ACC)) {
    for (const [seed, values] of Object.entries(seeds)) {
      values.forEach((acc, i) => {
        if (acc !== null) rows.push(resultRow(method, Number(seed), DATASETS[i] as string, acc));
      });
    }
  }
  rows.push(resultRow('mirage', 0, 'genimage/sdv14', 0.5, 'jpeg(quality=75)'));
  return rows;
}

/** Reported numbers of the demo paper (percent). */
export function demoReported(): ReportedRow[] {
  const paper = 'Demo et al. 2025';
  return [
    { paper, method: 'mirage', dataset: 'genimage/sdv14', metric: 'acc', value: 99.2, source: 'Table 1' },
    { paper, method: 'mirage', dataset: 'genimage/midjourney', metric: 'acc', value: 89.1, source: 'Table 1' },
    { paper, method: 'mirage', dataset: 'genimage/adm', metric: 'acc', value: 84.2, source: 'Table 1' },
    { paper, method: 'mirage', dataset: 'genimage/biggan', metric: 'acc', value: 90.0, source: 'Table 1' },
    { paper, method: 'mirage', dataset: 'mean', metric: 'acc', value: 90.6, source: 'Table 1' },
    { paper, method: 'univfd', dataset: 'genimage/sdv14', metric: 'acc', value: 98.0, source: 'Table 1' },
    { paper, method: 'univfd', dataset: 'genimage/adm', metric: 'auc', value: 80.0, source: 'Table 3' },
    { paper: 'Another paper', method: 'mirage', dataset: 'genimage/adm', metric: 'acc', value: 10.0 },
  ];
}

/** The demo spec: mean ± std, a mean column, deltas against the demo paper, synthetic. */
export function demoSpec(): TableSpec {
  return {
    title: 'Demo: train on SD v1.4, test across generators',
    caption: 'Accuracy of detectors trained on GenImage SD v1.4.',
    metric: 'acc',
    aggregate: 'mean_std',
    columns: ['genimage/sdv14', 'genimage/midjourney', 'genimage/adm', 'genimage/biggan'],
    columnLabels: {
      'genimage/sdv14': 'SD v1.4',
      'genimage/midjourney': 'Midjourney',
      'genimage/adm': 'ADM',
      'genimage/biggan': 'BigGAN',
    },
    rows: ['univfd', 'npr&co', 'mirage'],
    rowLabels: { mirage: 'MiraGe (ours)', univfd: 'UnivFD', 'npr&co': 'NPR_100% {ours}' },
    includeMean: true,
    reportedPaper: 'Demo et al. 2025',
    synthetic: true,
  };
}
