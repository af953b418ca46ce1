import type { z } from 'zod';
import {
  BUNDLE_FORMAT,
  TrackerBundle,
  type BundleEvalCell,
  type BundleRun,
  type BundleSource,
  type BundleTrainPoint,
} from '@mirage/contracts';
import type { EvalResult, ExportRows, Run, TrainMetric } from '@mirage/db';

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
