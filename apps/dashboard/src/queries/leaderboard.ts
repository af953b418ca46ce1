import type { TableAggregate, TableMetric, TableModel } from '@mirage/tables';
import type { Db } from '@mirage/db';
import { experimentPerturbations, leaderboardMatrix } from './leaderboard-matrix';
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

/** The sections of the leaderboard, one per experiment (or only the asked one), by experiment name. */
export async function loadLeaderboard(db: Db, query: LeaderboardQuery): Promise<LeaderboardSection[]> {
  const all = await listExperimentSummaries(db);
  const shown = query.experiment === undefined ? all : all.filter((e) => e.name === query.experiment);
  return Promise.all(shown.map((experiment) => loadSection(db, experiment, query)));
}

async function loadSection(db: Db, experiment: ExperimentSummary, query: LeaderboardQuery): Promise<LeaderboardSection> {
  const [table, perturbations] = await Promise.all([
    leaderboardMatrix(db, {
      experiment: experiment.name,
      metric: query.metric,
      aggregate: query.aggregate,
      perturbation: query.perturbation,
      title: experiment.protocol ? `${experiment.name} (${experiment.protocol})` : experiment.name,
      synthetic: experiment.synthetic,
    }),
    experimentPerturbations(db, experiment.name),
  ]);
  return { experiment, table, perturbations };
}
