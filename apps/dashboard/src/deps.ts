import type { Db } from '@mirage/db';
import type { ArtifactStore } from '@mirage/storage';
import type { ScoreChartLimits } from './queries/score-charts';

/** The only store operations the dashboard may use: it reads artifacts and signs short-lived links, never writes. */
export type ArtifactReader = Pick<ArtifactStore, 'get' | 'presignGet'>;

/** What the dashboard's routes need. */
export interface DashboardDeps {
  db: Db;
  store: ArtifactReader;
  /** Seconds between reloads of a sweep page while a run is still going; default 5. */
  sweepRefreshSeconds?: number;
  /** Score files read and lines used per run page; default 8 files, 200,000 lines each. */
  scoreChartLimits?: ScoreChartLimits;
  /** Clock for ETAs; tests pin it. */
  now?: () => Date;
}

/** Lifetime of every presigned download link the dashboard hands out. */
export const PRESIGN_TTL_SECONDS = 300;
