import type { Hono } from 'hono';
import { z } from 'zod';
import { TABLE_AGGREGATES, TABLE_METRICS } from '@mirage/tables';
import type { DashboardDeps } from '../deps';
import { loadLeaderboard, type LeaderboardQuery } from '../queries/leaderboard';
import { listExperimentSummaries } from '../queries/results';
import { leaderboardPage } from '../views/leaderboard';
import { parseQuery } from './http-errors';

const LeaderboardParams = z.object({
  experiment: z.string().optional(),
  metric: z.enum(TABLE_METRICS).default('acc'),
  agg: z.enum(TABLE_AGGREGATES).default('best'),
  perturbation: z.string().default('none'),
});

function leaderboardQuery(query: Record<string, string>): LeaderboardQuery {
  const params = parseQuery(LeaderboardParams, query);
  return {
    ...(params.experiment !== undefined && { experiment: params.experiment }),
    metric: params.metric,
    aggregate: params.agg,
    perturbation: params.perturbation,
  };
}

/** `/`, `/leaderboard` and `/api/leaderboard`. */
export function registerLeaderboardRoutes(app: Hono, deps: DashboardDeps): void {
  const showPage = async (query: Record<string, string>) => {
    const parsed = leaderboardQuery(query);
    const [sections, experiments] = await Promise.all([
      loadLeaderboard(deps.db, parsed),
      listExperimentSummaries(deps.db),
    ]);
    return leaderboardPage(parsed, sections, experiments);
  };
  app.get('/', async (c) => c.html(await showPage(c.req.query())));
  app.get('/leaderboard', async (c) => c.html(await showPage(c.req.query())));
  app.get('/api/leaderboard', async (c) => {
    const parsed = leaderboardQuery(c.req.query());
    return c.json({ query: parsed, sections: await loadLeaderboard(deps.db, parsed) });
  });
}
