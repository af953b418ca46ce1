export { experiments } from './experiments';
export { sweeps } from './sweeps';
export { runs, RUN_STATUSES, type RunStatus } from './runs';
export { datasets, type DatasetCounts } from './datasets';
export { checkpoints } from './checkpoints';
export { trainMetrics } from './train-metrics';
export { evalResults } from './eval-results';
export { reportedResults } from './reported-results';
export { leaderboardCells, LEADERBOARD_CELL_METRICS, type LeaderboardCellMetric } from './leaderboard-cells';
