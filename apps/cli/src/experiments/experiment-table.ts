import {
  evalTargetId,
  expandSweep,
  planSweepRuns,
  type ExperimentSpec,
  describeVideoAggregate,
} from '@mirage/contracts';
import { listEvalResults, type Db } from '@mirage/db';
import type { ReportedRow, ResultRow, TableLevel, TableSpec } from '@mirage/tables';

/** The run ids an experiment plans for given train/val selections and code version: exactly the runs its table shows. */
export function plannedRunIds(
  spec: ExperimentSpec,
  selections: { trainHash: string; valHash: string | null },
  codeVersion: string,
): Map<string, { method: string; seed: number }> {
  const runs = planSweepRuns(spec, selections, codeVersion);
  return new Map(runs.map((r) => [r.run_id, { method: r.config.method, seed: r.config.seed }]));
}

/** The unit a table counts: every image or frame alone, or one score per video (columns of video frames). */
export type ResultLevel = 'frame' | 'video';

/** Result rows of the planned runs, read from Postgres, and the level they were read at when any column is video. */
export async function experimentResultRows(
  db: Db,
  runs: Map<string, { method: string; seed: number }>,
  level: ResultLevel = 'frame',
): Promise<{ rows: ResultRow[]; level: TableLevel | undefined }> {
  const results = await listEvalResults(db, { runIds: [...runs.keys()] });
  const rows = results.flatMap((r): ResultRow[] => {
    const run = runs.get(r.runId) as { method: string; seed: number };
    const common = {
      method: run.method,
      runId: r.runId,
      seed: run.seed,
      dataset: r.dataset,
      perturbation: r.perturbation,
      thresholdPolicy: r.thresholdPolicy,
    };
    if (level === 'frame') {
      return [
        {
          ...common,
          acc: r.acc,
          accReal: r.accReal,
          accFake: r.accFake,
          ap: r.ap,
          auc: r.auc,
          accCalibrated: r.accCalibrated,
          n: r.n,
        },
      ];
    }
    const v = r.video;
    if (!v) return [];
    return [
      {
        ...common,
        acc: v.acc,
        accReal: v.acc_real,
        accFake: v.acc_fake,
        ap: v.ap,
        auc: v.auc,
        accCalibrated: v.acc_calibrated,
        n: v.n_videos,
      },
    ];
  });
  const videos = results.flatMap((r) => (r.video ? [r.video] : []));
  if (videos.length === 0) return { rows, level: undefined };
  if (level === 'frame')
    return { rows, level: { name: 'frame', note: 'frame (every frame of a video column scored alone)' } };
  const aggregates = [...new Set(videos.map((v) => describeVideoAggregate(v.aggregate)))].sort();
  return {
    rows,
    level: {
      name: 'video',
      note: `video (a video's score is the ${aggregates.join(' or ')} of its frames' p(fake); image columns have no value at this level)`,
    },
  };
}

/** Reported numbers as the experiment file states them (the file is their source; launch also records them). */
export function experimentReportedRows(spec: ExperimentSpec): ReportedRow[] {
  return spec.reported.map((r) => ({
    paper: r.paper,
    method: r.method,
    dataset: r.dataset,
    metric: r.metric,
    value: r.value,
    ...(r.source ? { source: r.source } : {}),
  }));
}

/** The table an experiment file implies: its eval columns in file order, its methods in sweep order. */
export function experimentTableSpec(spec: ExperimentSpec, overrides: Partial<TableSpec> = {}): TableSpec {
  const methods = [...new Set(expandSweep(spec).map((r) => r.config.method))];
  const papers = [...new Set(spec.reported.map((r) => r.paper))];
  return {
    title: spec.description ? `${spec.name}: ${spec.description}` : spec.name,
    metric: 'acc',
    aggregate: spec.seeds.length > 1 ? 'mean_std' : 'mean',
    columns: spec.eval.map(evalTargetId),
    rows: methods,
    includeMean: true,
    synthetic: spec.synthetic,
    ...(papers[0] ? { reportedPaper: papers[0] } : {}),
    ...overrides,
  };
}
