import { z } from 'zod';
import type { EvalResult, ExportRows, Run, TrainMetric } from '@mirage/db';

/** Format tag of the bundle; libs/trackers (mirage_trackers/bundle.py) reads exactly this version. */
export const BUNDLE_FORMAT = 'mirage-tracker-export/1';

const metric = z.number().nullable();
const cellMetrics = {
  acc: metric,
  acc_real: metric,
  acc_fake: metric,
  ap: metric,
  auc: metric,
  acc_calibrated: metric,
};

/** One train_metrics row: the loss terms (with "total") at a step, and lr and throughput where recorded. */
export const BundleTrainPoint = z.strictObject({
  step: z.number().int().min(0),
  loss_terms: z.record(z.string(), z.number()),
  lr: z.number().nullable(),
  images_per_second: z.number().nullable(),
});

/** One eval_results row: a run on one evaluation column (`column` is its id) under one perturbation. */
export const BundleEvalCell = z.strictObject({
  column: z.string().min(1),
  perturbation: z.string().min(1),
  n: z.number().int().min(0),
  n_real: z.number().int().min(0),
  n_fake: z.number().int().min(0),
  threshold: z.number(),
  metrics: z.strictObject(cellMetrics),
  /** Video-level metrics when the column holds video frames (the cell's `metrics` are then per frame). */
  video: z.strictObject({ ...cellMetrics, n_videos: z.number().int().min(0) }).nullable(),
});

/** One run with its resolved RunConfig, its curve and its cells. */
export const BundleRun = z.strictObject({
  id: z.string().min(1),
  sweep_id: z.string().min(1),
  experiment: z.string().min(1),
  method: z.string().min(1),
  seed: z.number().int(),
  status: z.string().min(1),
  code_version: z.string().min(1),
  config: z.record(z.string(), z.unknown()),
  train: z.array(BundleTrainPoint),
  eval: z.array(BundleEvalCell),
});

/** What `mirage export` hands the Python exporter: one sweep's or experiment's runs as read from Postgres. */
export const TrackerBundle = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  source: z.strictObject({ kind: z.enum(['sweep', 'experiment']), id: z.string().min(1) }),
  runs: z.array(BundleRun),
});
/** The export bundle. */
export type TrackerBundle = z.infer<typeof TrackerBundle>;
/** Which sweep or experiment a bundle holds. */
export type BundleSource = TrackerBundle['source'];

function trainPoint(row: TrainMetric): z.infer<typeof BundleTrainPoint> {
  return { step: row.step, loss_terms: row.lossTerms, lr: row.lr, images_per_second: row.imagesPerSecond };
}

function evalCell(row: EvalResult): z.infer<typeof BundleEvalCell> {
  const video = row.video;
  return {
    column: row.dataset,
    perturbation: row.perturbation,
    n: row.n,
    n_real: row.nReal,
    n_fake: row.nFake,
    threshold: row.threshold,
    metrics: {
      acc: row.acc,
      acc_real: row.accReal,
      acc_fake: row.accFake,
      ap: row.ap,
      auc: row.auc,
      acc_calibrated: row.accCalibrated,
    },
    video: video
      ? {
          acc: video.acc,
          acc_real: video.acc_real,
          acc_fake: video.acc_fake,
          ap: video.ap,
          auc: video.auc,
          acc_calibrated: video.acc_calibrated,
          n_videos: video.n_videos,
        }
      : null,
  };
}

function groupByRun<T extends { runId: string }>(rows: readonly T[]): Map<string, T[]> {
  const byRun = new Map<string, T[]>();
  for (const row of rows) {
    const list = byRun.get(row.runId);
    if (list) list.push(row);
    else byRun.set(row.runId, [row]);
  }
  return byRun;
}

function bundleRun(run: Run, train: readonly TrainMetric[], cells: readonly EvalResult[]): z.infer<typeof BundleRun> {
  return {
    id: run.id,
    sweep_id: run.sweepId,
    experiment: run.experiment,
    method: run.method,
    seed: run.seed,
    status: run.status,
    code_version: run.codeVersion,
    config: run.config,
    train: train.map(trainPoint),
    eval: cells.map(evalCell),
  };
}

/** The bundle of an export's rows; parsed through the schema, so a row the trackers cannot take fails here, named. */
export function buildBundle(source: BundleSource, rows: ExportRows): TrackerBundle {
  const train = groupByRun(rows.trainMetrics);
  const cells = groupByRun(rows.evalResults);
  return TrackerBundle.parse({
    format: BUNDLE_FORMAT,
    source,
    runs: rows.runs.map((run) => bundleRun(run, train.get(run.id) ?? [], cells.get(run.id) ?? [])),
  });
}
