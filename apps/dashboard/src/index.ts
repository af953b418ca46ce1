export { createApp } from './app';
export { PRESIGN_TTL_SECONDS, type ArtifactReader, type DashboardDeps } from './deps';
export { DEFAULT_SCORE_CHART_LIMITS, type ScoreChartLimits } from './queries/score-charts';
export {
  readOnlyConnectionString,
  startDashboard,
  type DashboardS3Options,
  type RunningDashboard,
  type StartDashboardOptions,
} from './start';
