import type { Hono } from 'hono';
import { getSweep, listRunsBySweep } from '@mirage/db';
import type { DashboardDeps } from '../deps';
import { runProgressView } from '../progress';
import { listSweepSummaries } from '../queries/results';
import { sweepPage, sweepsPage } from '../views/sweep';
import { NotFoundError } from './http-errors';

/** `/sweeps`, `/sweeps/:id` and `/api/sweeps/:id`. */
export function registerSweepRoutes(app: Hono, deps: DashboardDeps): void {
  const load = async (id: string) => {
    const sweep = await getSweep(deps.db, id);
    if (!sweep) throw new NotFoundError(`No sweep with id "${id}".`);
    const now = deps.now?.() ?? new Date();
    const runs = (await listRunsBySweep(deps.db, id)).map((r) => runProgressView(r, now));
    return { sweep, runs, active: runs.some((r) => !r.terminal) };
  };
  app.get('/sweeps', async (c) => c.html(sweepsPage(await listSweepSummaries(deps.db))));
  app.get('/sweeps/:id', async (c) => {
    const { sweep, runs } = await load(c.req.param('id'));
    return c.html(sweepPage(sweep, runs, deps.sweepRefreshSeconds ?? 5));
  });
  app.get('/api/sweeps/:id', async (c) => c.json(await load(c.req.param('id'))));
}
