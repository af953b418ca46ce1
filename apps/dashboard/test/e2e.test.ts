import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runs } from '@mirage/db';
import { dashboardDatabaseUrl } from '@mirage/db';
import { startDashboard, type RunningDashboard } from '../src/index';
import { EXPERIMENT, seedDashboard } from './support/seed';
import { createScratchDatabase, dashboardS3Options, uniqueName, type ScratchDatabase } from './support/services';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// The committed screenshot is refreshed only on request, so ordinary test runs never dirty the checkout.
const SCREENSHOT =
  process.env['UPDATE_SCREENSHOT'] === '1'
    ? fileURLToPath(new URL('../../../docs/leaderboard.png', import.meta.url))
    : join(tmpdir(), `${uniqueName('dashboard-leaderboard')}.png`);

let scratch: ScratchDatabase;
let dashboard: RunningDashboard;
let userDataDir: string;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  await stat(CHROMIUM).catch(() => {
    throw new Error(
      `${CHROMIUM} not found: install the Debian package (apt-get install -y chromium; see tools/setup.sh)`,
    );
  });
  scratch = await createScratchDatabase('dash_e2e');
  await seedDashboard(scratch.handle.db);
  // As deployed: the dashboard's SELECT-only role and read-only S3 keys.
  dashboard = await startDashboard({
    databaseUrl: dashboardDatabaseUrl(scratch.url),
    s3: dashboardS3Options(uniqueName('dash-e2e')),
    port: 0,
    host: '127.0.0.1',
    sweepRefreshSeconds: 1,
  });
  userDataDir = await mkdtemp(join(tmpdir(), 'dashboard-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
});

afterAll(async () => {
  await context?.close();
  await dashboard?.close();
  await scratch?.drop();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

async function firstColumn(tableId: string): Promise<string[]> {
  return page.locator(`#${tableId} tbody tr td:first-child`).allInnerTexts();
}

describe('dashboard in a browser', () => {
  it('renders the seeded matrix, sorts on header clicks and never runs injected markup', async () => {
    await page.goto(`${dashboard.url}/leaderboard`);
    const table = `matrix-${EXPERIMENT}`;
    await expect(page.locator(`#${table} thead th`).allInnerTexts()).resolves.toEqual([
      'Method',
      'adm',
      'midjourney',
      'sdv14',
      'Mean',
    ]);
    await expect(page.locator(`#${table} tr[data-method="mirage"] td`).allInnerTexts()).resolves.toEqual([
      'mirage',
      '72.0',
      '84.0',
      '99.0',
      '85.0',
    ]);
    expect(await page.locator('.banner', { hasText: 'SYNTHETIC data - not a paper result' }).isVisible()).toBe(true);
    expect(await page.evaluate('typeof globalThis.__pwned')).toBe('undefined');

    const header = page.locator(`#${table} th`, { hasText: 'midjourney' });
    await header.click();
    await expect(header.getAttribute('aria-sort')).resolves.toBe('descending');
    expect(await firstColumn(table)).toEqual(['mirage', 'univfd']);
    await header.click();
    await expect(header.getAttribute('aria-sort')).resolves.toBe('ascending');
    expect(await firstColumn(table)).toEqual(['univfd', 'mirage']);

    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.goto(`${dashboard.url}/leaderboard?experiment=${EXPERIMENT}`);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect((await stat(SCREENSHOT)).size).toBeGreaterThan(10_000);
  });

  it('shows reproduced vs reported deltas on the paper view', async () => {
    await page.goto(`${dashboard.url}/paper/${EXPERIMENT}`);
    const row = page.locator('#paper-comparison tbody tr', { hasText: 'midjourney' }).filter({ hasText: 'mirage' });
    await expect(row.locator('td').allInnerTexts()).resolves.toEqual(['mirage', 'midjourney', '82.0', '85.5', '-3.5']);
    await expect(row.locator('td.delta').getAttribute('class')).resolves.toContain('delta-neg');
    const md = await page.request.get(
      new URL((await page.locator('#table-md').getAttribute('href'))!, dashboard.url).toString(),
    );
    expect(await md.text()).toContain('| mirage | **71.0** (+1.0) | **82.0** (-3.5) |');
  });

  it('updates the sweep view when a run changes in the database, and stops refreshing when all are done', async () => {
    await page.goto(`${dashboard.url}/sweeps/sweep-live`);
    const status = (id: string) => page.locator(`tr[data-run-id="${id}"] td.status`);
    await expect(status('run-live-training').innerText()).resolves.toBe('training');
    await expect(page.locator('#refresh-note').innerText()).resolves.toContain('Refreshing every 1 s');

    await scratch.handle.db.update(runs).set({ currentStep: 640 }).where(eq(runs.id, 'run-live-training'));
    await page
      .locator('tr[data-run-id="run-live-training"] td.steps', { hasText: '640/1000' })
      .waitFor({ timeout: 15_000 });

    await scratch.handle.db
      .update(runs)
      .set({ status: 'succeeded', currentStep: 1000 })
      .where(eq(runs.sweepId, 'sweep-live'));
    await page
      .locator('tr[data-run-id="run-live-pending"] td.status', { hasText: 'succeeded' })
      .waitFor({ timeout: 15_000 });
    await expect(page.locator('#refresh-note').innerText()).resolves.toBe('Every run has finished; not refreshing.');
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
  });
});
