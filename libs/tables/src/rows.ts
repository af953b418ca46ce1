/** Metrics a table can show; names follow the database and the JSON contracts (snake_case). */
export const TABLE_METRICS = ['acc', 'acc_calibrated', 'ap', 'auc'] as const;
/** One table metric. */
export type TableMetric = (typeof TABLE_METRICS)[number];

/** How a cell folds the seeds of one (method, dataset): max, mean, or mean with sample standard deviation. */
export const TABLE_AGGREGATES = ['mean', 'best', 'mean_std'] as const;
/** One aggregate. */
export type TableAggregate = (typeof TABLE_AGGREGATES)[number];

/** One evaluation result as read from Postgres: a run (method, seed) on one dataset column under one perturbation. */
export interface ResultRow {
  method: string;
  runId: string;
  seed: number;
  /** Matrix column id of the test dataset. */
  dataset: string;
  /** perturbationId of the evaluation perturbation: "none", "jpeg(quality=75)". */
  perturbation: string;
  /** Metric values are fractions in [0, 1]; null where not computed (accCalibrated without a validation split). */
  acc: number | null;
  accReal: number | null;
  accFake: number | null;
  ap: number | null;
  auc: number | null;
  accCalibrated: number | null;
  n: number;
  /** How the threshold behind `acc` was chosen: "fixed" (0.5 on p(fake)) or "calibrated" (validation split). */
  thresholdPolicy: string;
}

/** A number as a paper prints it (percent), for deltas between reproduced and reported results. */
export interface ReportedRow {
  paper: string;
  method: string;
  dataset: string;
  metric: TableMetric;
  /** Percent, as papers print it (83.2 means 83.2 %). */
  value: number;
  /** Where in the paper the number comes from ("Table 2"). */
  source?: string;
}

/**
 * Which unit a table's numbers count, for columns of video frames: `frame` (every frame scored alone) or `video`
 * (one score per video). `note` is printed under the table after "Level: ", e.g. "video (a video's score is the mean of
 * its frames' p(fake))".
 */
export interface TableLevel {
  name: 'frame' | 'video';
  note: string;
}

/** What table to build from the rows and how to present it. */
export interface TableSpec {
  title: string;
  caption?: string;
  metric: TableMetric;
  aggregate: TableAggregate;
  /** Dataset column ids in display order; default: the sorted unique datasets of the selected rows. */
  columns?: string[];
  columnLabels?: Record<string, string>;
  /** Methods in display order (others are left out); default: the sorted unique methods of the selected rows. */
  rows?: string[];
  rowLabels?: Record<string, string>;
  /** perturbationId of the rows to show; default "none". */
  perturbation?: string;
  /** The level the rows were read at, stated in the notes (and a CSV column); absent for tables of still images. */
  level?: TableLevel;
  /** Adds a "Mean" column: the mean over the shown columns of each row. */
  includeMean: boolean;
  /** Paper whose reported numbers give deltas (reproduced - reported) where one exists. */
  reportedPaper?: string;
  /** Marks the table as built from synthetic data, so it is never mistaken for a paper result. */
  synthetic?: boolean;
  /** Decimals of every printed number; default 1. */
  digits?: number;
  /** LaTeX \label; default "tab:" + a slug of the title. */
  label?: string;
}

/** Reads the fraction of `metric` from a result row. */
export function metricValue(row: ResultRow, metric: TableMetric): number | null {
  switch (metric) {
    case 'acc':
      return row.acc;
    case 'acc_calibrated':
      return row.accCalibrated;
    case 'ap':
      return row.ap;
    case 'auc':
      return row.auc;
  }
}
