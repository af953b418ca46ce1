import type { Hono } from 'hono';
import type { DashboardDeps } from '../deps';
import { compareRuns } from '../queries/compare';
import { compareFormPage, comparePage } from '../views/compare';
import { NotFoundError } from './http-errors';

/** `/compare?a=&b=` and `/api/compare?a=&b=`. */
export function registerCompareRoutes(app: Hono, deps: DashboardDeps): void {
  app.get('/compare', async (c) => {
    const a = c.req.query('a') ?? '';
    const b = c.req.query('b') ?? '';
    if (!a || !b)
      return c.html(compareFormPage(a, b, 'Give two run ids (A and B); run ids are listed on each sweep page.'));
    const result = await compareRuns(deps.db, a, b);
    if ('missing' in result)
      return c.html(compareFormPage(a, b, `No run with id "${result.id}" (parameter ${result.missing}).`), 404);
    return c.html(comparePage(result));
  });
  app.get('/api/compare', async (c) => {
    const a = c.req.query('a') ?? '';
    const b = c.req.query('b') ?? '';
    if (!a || !b) return c.json({ error: 'a and b: both run ids are required' }, 400);
    const result = await compareRuns(deps.db, a, b);
    if ('missing' in result) throw new NotFoundError(`${result.missing}: no run with id "${result.id}"`);
    return c.json(result);
  });
}
