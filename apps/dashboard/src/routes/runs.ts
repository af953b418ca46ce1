import type { Hono } from 'hono';
import type { DashboardDeps } from '../deps';
import { loadRunDetail } from '../queries/run-detail';
import { DEFAULT_SCORE_CHART_LIMITS, loadScoreCharts } from '../queries/score-charts';
import { runPage } from '../views/run';
import { NotFoundError } from './http-errors';

/** `/runs/:id` and `/api/runs/:id`. */
export function registerRunRoutes(app: Hono, deps: DashboardDeps): void {
  const load = async (id: string) => {
    const detail = await loadRunDetail(deps.db, deps.store, id);
    if (!detail) throw new NotFoundError(`No run with id "${id}".`);
    return detail;
  };
  // Only the HTML page reads score files: the JSON mirror stays cheap and links to them instead.
  app.get('/runs/:id', async (c) => {
    const detail = await load(c.req.param('id'));
    const charts = await loadScoreCharts(
      deps.store,
      detail.evalResults,
      deps.scoreChartLimits ?? DEFAULT_SCORE_CHART_LIMITS,
    );
    return c.html(runPage(detail, charts));
  });
  app.get('/api/runs/:id', async (c) => c.json(await load(c.req.param('id'))));
}
