import type { TableAggregate, TableLevel, TableMetric } from './rows';

/** Column id of the "Mean" column; a reported row with this dataset id gives the mean column its delta. */
export const MEAN_COLUMN_ID = 'mean';

/** One shown column: a dataset, or the mean over the dataset columns. */
export interface TableColumn {
  id: string;
  label: string;
  isMean: boolean;
}

/** One (method, column) cell; numbers are percent, null where there is nothing to show. */
export interface TableCell {
  /** Aggregated value in percent; null for a missing cell (rendered "—"). */
  value: number | null;
  /** Sample standard deviation (n-1) in percent: mean_std only, null for one seed and for the mean column. */
  std: number | null;
  /** Seeds behind the value; for the mean column the fewest seeds of any contributing cell. */
  nSeeds: number;
  /** The reported paper's number for this cell, percent, when one exists. */
  reported: number | null;
  /** Printed value minus reported (both as printed), when both exist. */
  delta: number | null;
  /** Mean column only: some dataset cells of the row are missing, so the mean covers fewer columns. */
  incomplete: boolean;
  /** Highest printed value of its column (ties all marked), where it has two or more; incomplete means never count. */
  best: boolean;
}

/** One method's row. */
export interface TableRow {
  id: string;
  label: string;
  cells: TableCell[];
}

/** Where the reported numbers come from. */
export interface ReportedSource {
  paper: string;
  /** Unique sorted `source` fields of the used reported rows ("Table 2"). */
  sources: string[];
}

/** A table ready to render: every renderer derives all of its bytes from this. */
export interface TableModel {
  title: string;
  caption: string | null;
  label: string;
  metric: TableMetric;
  aggregate: TableAggregate;
  perturbation: string;
  /** Frame or video level, for tables of video columns; null for still images. */
  level: TableLevel | null;
  digits: number;
  synthetic: boolean;
  columns: TableColumn[];
  rows: TableRow[];
  /** Sorted unique threshold policies of the rows behind the shown values (meaningful for metric acc). */
  thresholdPolicies: string[];
  /** Fewest and most seeds behind any present dataset cell; null when no cell has a value. */
  seedRange: { min: number; max: number } | null;
  reported: ReportedSource | null;
}
