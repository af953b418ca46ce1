import type { TableAggregate, TableMetric, TableModel } from '@mirage/tables';
import type { Db } from '@mirage/db';
import {
  experimentPerturbations,
  experimentPerturbationsFromResults,
  leaderboardMatrix,
  leaderboardMatrixFromResults,
  type MatrixQuery,
} from './leaderboard-matrix';
import { listExperimentSummaries, type ExperimentSummary } from './results';

/** What the leaderboard shows: one experiment or all, one metric, one seed aggregate, one perturbation. */
export interface LeaderboardQuery {
  experiment?: string;
  metric: TableMetric;
  aggregate: TableAggregate;
  perturbation: string;
}

/** One experiment's section: its matrix (null when it has no results under the query) and the perturbations it has. */
export interface LeaderboardSection {
  experiment: ExperimentSummary;
  table: TableModel | null;
  perturbations: string[];
}

/** Where a leaderboard's numbers come from; both sources give the same sections. */
export interface LeaderboardSource {
  matrix(db: Db, query: MatrixQuery): Promise<TableModel | null>;
  perturbations(db: Db, experiment: string): Promise<string[]>;
}

/** The trigger-kept per-cell sums in leaderboard_cells: what the dashboard serves. */
export const cellSumsSource: LeaderboardSource = { matrix: leaderboardMatrix, perturbations: experimentPerturbations };

/** A fold over every eval_results row: the reference the sums are checked against (tests, benchmark). */
export const resultScanSource: LeaderboardSource = {
  matrix: leaderboardMatrixFromResults,
  perturbations: experimentPerturbationsFromResults,
};

/** The sections of the leaderboard, one per experiment (or only the asked one), by experiment name. */
export async function loadLeaderboard(
  db: Db,
  query: LeaderboardQuery,
  source: LeaderboardSource = cellSumsSource,
): Promise<LeaderboardSection[]> {
  const all = await listExperimentSummaries(db);
  const shown = query.experiment === undefined ? all : all.filter((e) => e.name === query.experiment);
  return Promise.all(shown.map((experiment) => loadSection(db, experiment, query, source)));
}

async function loadSection(
  db: Db,
  experiment: ExperimentSummary,
  query: LeaderboardQuery,
  source: LeaderboardSource,
): Promise<LeaderboardSection> {
  const [table, perturbations] = await Promise.all([
    source.matrix(db, {
      experiment: experiment.name,
      metric: query.metric,
      aggregate: query.aggregate,
      perturbation: query.perturbation,
      title: experiment.protocol ? `${experiment.name} (${experiment.protocol})` : experiment.name,
      synthetic: experiment.synthetic,
    }),
    source.perturbations(db, experiment.name),
  ]);
  return { experiment, table, perturbations };
}
