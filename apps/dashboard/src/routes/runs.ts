import type { Hono } from 'hono';
import type { DashboardDeps } from '../deps';
import { loadRunDetail } from '../queries/run-detail';
import { runPage } from '../views/run';
import { NotFoundError } from './http-errors';

/** `/runs/:id` and `/api/runs/:id`. */
export function registerRunRoutes(app: Hono, deps: DashboardDeps): void {
  const load = async (id: string) => {
    const detail = await loadRunDetail(deps.db, deps.store, id);
    if (!detail) throw new NotFoundError(`No run with id "${id}".`);
    return detail;
  };
  app.get('/runs/:id', async (c) => c.html(runPage(await load(c.req.param('id')))));
  app.get('/api/runs/:id', async (c) => c.json(await load(c.req.param('id'))));
}
