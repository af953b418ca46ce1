import { getExperiment, listReportedResults, type Db } from '@mirage/db';
import {
  buildTableModel,
  MEAN_COLUMN_ID,
  TABLE_METRICS,
  type ReportedRow,
  type ResultRow,
  type TableAggregate,
  type TableMetric,
  type TableModel,
  type TableSpec,
} from '@mirage/tables';
import { resultRowsForExperiment, summariseExperiment, type ExperimentSummary } from './results';

/** What the paper view compares: which paper's numbers, on which metric, folding seeds how. */
export interface PaperQuery {
  metric?: TableMetric;
  paper?: string;
  aggregate: TableAggregate;
}

/** Everything the paper view and its table downloads are built from; the same rows give the same bytes. */
export interface PaperComparison {
  experiment: ExperimentSummary;
  /** Protocol names whose reported numbers apply: the experiment's protocol and its name. */
  protocols: string[];
  papers: string[];
  paper: string | null;
  metric: TableMetric;
  rows: ResultRow[];
  reported: ReportedRow[];
  spec: TableSpec;
  model: TableModel | null;
  error: string | null;
}

function isTableMetric(metric: string): metric is TableMetric {
  return (TABLE_METRICS as readonly string[]).includes(metric);
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The reproduced rows and the reported numbers of an experiment's protocol, or null when the experiment is unknown. */
export async function loadPaperComparison(db: Db, name: string, query: PaperQuery): Promise<PaperComparison | null> {
  const stored = await getExperiment(db, name);
  if (!stored) return null;
  const experiment = summariseExperiment(stored);
  const protocols = sortedUnique([name, ...(experiment.protocol ? [experiment.protocol] : [])]);
  const [rows, ...reportedByProtocol] = await Promise.all([
    resultRowsForExperiment(db, name),
    ...protocols.map((protocol) => listReportedResults(db, { protocol })),
  ]);
  const allReported: ReportedRow[] = reportedByProtocol
    .flat()
    .filter((r) => isTableMetric(r.metric))
    .map((r) => ({
      paper: r.paper,
      method: r.method,
      dataset: r.dataset,
      metric: r.metric as TableMetric,
      value: r.value,
    }));
  const papers = sortedUnique(allReported.map((r) => r.paper));
  const paper = query.paper ?? papers[0] ?? null;
  const forPaper = allReported.filter((r) => r.paper === paper);
  const metric = query.metric ?? (forPaper.some((r) => r.metric === 'acc') ? 'acc' : (forPaper[0]?.metric ?? 'acc'));
  const reported = forPaper.filter((r) => r.metric === metric);
  const clean = rows.filter((r) => r.perturbation === 'none');
  const spec: TableSpec = {
    title: `${name}: reproduced vs ${paper ?? 'no reported numbers'}`,
    metric,
    aggregate: query.aggregate,
    // Reported-only methods and datasets stay visible: a paper baseline we have not reproduced yet is a row to fill.
    columns: sortedUnique(
      [...clean.map((r) => r.dataset), ...reported.map((r) => r.dataset)].filter((d) => d !== MEAN_COLUMN_ID),
    ),
    rows: sortedUnique([...clean.map((r) => r.method), ...reported.map((r) => r.method)]),
    perturbation: 'none',
    includeMean: true,
    ...(reported.length > 0 && paper !== null && { reportedPaper: paper }),
    synthetic: experiment.synthetic,
  };
  let model: TableModel | null = null;
  let error: string | null = null;
  if (spec.rows!.length > 0 && spec.columns!.length > 0) {
    try {
      model = buildTableModel(rows, spec, reported);
    } catch (e) {
      error = (e as Error).message;
    }
  }
  return { experiment, protocols, papers, paper, metric, rows, reported, spec, model, error };
}
