import { Hono } from 'hono';
import type { DashboardDeps } from './deps';
import { registerCompareRoutes } from './routes/compare';
import { BadRequestError, NotFoundError } from './routes/http-errors';
import { registerLeaderboardRoutes } from './routes/leaderboard';
import { registerPaperRoutes } from './routes/paper';
import { registerRunRoutes } from './routes/runs';
import { registerSweepRoutes } from './routes/sweeps';
import { errorPage } from './views/layout';

/** The dashboard as a Hono app: every route, no listening socket (tests call `app.request`). Read-only by construction. */
export function createApp(deps: DashboardDeps): Hono {
  const app = new Hono();
  app.use(async (c, next) => {
    await next();
    // Pages embed only their own inline style and script; presigned links are plain navigations.
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
  });
  registerLeaderboardRoutes(app, deps);
  registerPaperRoutes(app, deps);
  registerSweepRoutes(app, deps);
  registerRunRoutes(app, deps);
  registerCompareRoutes(app, deps);
  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? c.json({ error: `no route ${c.req.path}` }, 404)
      : c.html(errorPage('Not found', `Nothing at ${c.req.path}.`), 404),
  );
  app.onError((error, c) => {
    // 42P01 undefined_table: the dashboard never migrates (it is read-only), so say who does.
    const unmigrated = (error as { cause?: { code?: string } }).cause?.code === '42P01';
    const status =
      error instanceof BadRequestError ? 400 : error instanceof NotFoundError ? 404 : unmigrated ? 503 : 500;
    if (status >= 500) console.error(`dashboard: ${c.req.method} ${c.req.path} failed:`, error);
    const message = unmigrated
      ? 'The database has no MiraGe tables yet: run `mirage up` (it applies the migrations), then `mirage demo`.'
      : status === 500
        ? 'Internal error; see the dashboard log.'
        : error.message;
    if (c.req.path.startsWith('/api/')) return c.json({ error: message }, status);
    return c.html(
      errorPage(status === 400 ? 'Bad request' : status === 404 ? 'Not found' : 'Unavailable', message),
      status,
    );
  });
  return app;
}
