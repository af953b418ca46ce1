import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { renderTable, TABLE_AGGREGATES, TABLE_METRICS, type TableFormat } from '@mirage/tables';
import type { DashboardDeps } from '../deps';
import { loadPaperComparison, type PaperComparison, type PaperQuery } from '../queries/paper';
import { paperPage } from '../views/paper';
import { NotFoundError, parseQuery } from './http-errors';

const PaperParams = z.object({
  metric: z.enum(TABLE_METRICS).optional(),
  paper: z.string().optional(),
  agg: z.enum(TABLE_AGGREGATES).default('mean'),
});

const DOWNLOADS: Record<string, { format: TableFormat; contentType: string }> = {
  'table.md': { format: 'md', contentType: 'text/markdown; charset=utf-8' },
  'table.tex': { format: 'latex', contentType: 'application/x-tex; charset=utf-8' },
  'table.csv': { format: 'csv', contentType: 'text/csv; charset=utf-8' },
};

async function load(deps: DashboardDeps, c: Context): Promise<{ comparison: PaperComparison; query: PaperQuery }> {
  const params = parseQuery(PaperParams, c.req.query());
  const query: PaperQuery = {
    aggregate: params.agg,
    ...(params.metric !== undefined && { metric: params.metric }),
    ...(params.paper !== undefined && { paper: params.paper }),
  };
  const name = c.req.param('experiment') as string;
  const comparison = await loadPaperComparison(deps.db, name, query);
  if (!comparison) throw new NotFoundError(`No experiment named "${name}".`);
  return { comparison, query };
}

/** `/paper/:experiment` and its table downloads (`table.md`, `table.tex`, `table.csv`). */
export function registerPaperRoutes(app: Hono, deps: DashboardDeps): void {
  app.get('/paper/:experiment', async (c) => {
    const { comparison, query } = await load(deps, c);
    return c.html(paperPage(comparison, query));
  });
  app.get('/paper/:experiment/:file{table\\.(md|tex|csv)}', async (c) => {
    const download = DOWNLOADS[c.req.param('file')] as (typeof DOWNLOADS)[string];
    const { comparison } = await load(deps, c);
    if (comparison.model === null) {
      throw new NotFoundError(comparison.error ?? `No results for ${comparison.experiment.name} yet.`);
    }
    const body = renderTable(comparison.rows, comparison.spec, download.format, comparison.reported);
    return c.body(body, 200, { 'content-type': download.contentType });
  });
}
