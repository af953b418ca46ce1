import { asc, eq, type SQL } from 'drizzle-orm';
import type { Db } from '../client';
import { evalResults, runs, trainMetrics } from '../schema/index';
import type { EvalResult } from './eval-results';
import type { Run } from './runs';
import type { TrainMetric } from './train-metrics';

/** The runs an export covers: one sweep, or every sweep of an experiment. */
export type ExportScope = { sweepId: string } | { experiment: string };

/** Everything a tracker export reads: the scope's runs, their training curves and their evaluation cells. */
export interface ExportRows {
  runs: Run[];
  trainMetrics: TrainMetric[];
  evalResults: EvalResult[];
}

function inScope(scope: ExportScope): SQL {
  return 'sweepId' in scope ? eq(runs.sweepId, scope.sweepId) : eq(runs.experiment, scope.experiment);
}

/**
 * Reads the rows of an export in three queries, one per table, each filtered by the scope through a join on runs:
 * a sweep of thousands of runs costs no more statements (nor bind parameters) than one run.
 */
export async function listExportRows(db: Db, scope: ExportScope): Promise<ExportRows> {
  const where = inScope(scope);
  const [runRows, metricRows, evalRows] = await Promise.all([
    db.select().from(runs).where(where).orderBy(asc(runs.sweepId), asc(runs.planIndex), asc(runs.id)),
    db
      .select({ point: trainMetrics })
      .from(trainMetrics)
      .innerJoin(runs, eq(runs.id, trainMetrics.runId))
      .where(where)
      .orderBy(asc(trainMetrics.runId), asc(trainMetrics.step)),
    db
      .select({ cell: evalResults })
      .from(evalResults)
      .innerJoin(runs, eq(runs.id, evalResults.runId))
      .where(where)
      .orderBy(asc(evalResults.runId), asc(evalResults.dataset), asc(evalResults.perturbation)),
  ]);
  return { runs: runRows, trainMetrics: metricRows.map((r) => r.point), evalResults: evalRows.map((r) => r.cell) };
}
