import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalResults, experiments, reportedResults, runs } from '@mirage/db';
import { createArtifactStore, type ArtifactStore } from '@mirage/storage';
import { renderTable } from '@mirage/tables';
import { createApp, readOnlyConnectionString } from '../src/index';
import { loadPaperComparison } from '../src/queries/paper';
import {
  createScratchDatabase,
  dashboardS3Options,
  s3Options,
  uniqueName,
  type ScratchDatabase,
} from './support/services';
import { EXPERIMENT, HOSTILE_METHOD, PAPER, seedDashboard, SYNTHETIC_EXPERIMENT } from './support/seed';
import { createDb } from '@mirage/db';

let scratch: ScratchDatabase;
let store: ArtifactStore;
let app: ReturnType<typeof createApp>;
const NOW = new Date();

beforeAll(async () => {
  scratch = await createScratchDatabase('dash_api');
  await seedDashboard(scratch.handle.db);
  store = createArtifactStore({ ...s3Options(uniqueName('dash-api')), forcePathStyle: true });
  app = createApp({ db: scratch.handle.db, store, now: () => NOW });
  await seedScoreFiles();
});

// Hand-computed in test/charts.test.ts: one fake-real tie, AUC 3.5/4.
const SCORES_KEY = 'runs/run-synth/scores/charted.jsonl';
const SCORE_LINES = [
  { uri: 'a.png', label: 'fake', p_fake: 0.9 },
  { uri: 'b.png', label: 'fake', p_fake: 0.8 },
  { uri: 'c.png', label: 'real', p_fake: 0.8 },
  { uri: 'd.png', label: 'real', p_fake: 0.3 },
];

async function pointEvalAt(runId: string, dataset: string, key: string, body: string) {
  const stored = await store.put(key, body);
  await scratch.handle.db
    .update(evalResults)
    .set({ scoresKey: key, scoresSha256: createHash('sha256').update(body).digest('hex') })
    .where(and(eq(evalResults.runId, runId), eq(evalResults.dataset, dataset), eq(evalResults.perturbation, 'none')));
  return stored;
}

// run-synth gets a real scores file; run-mirage-0 gets a corrupt one, one replaced after evaluation, and two missing.
async function seedScoreFiles() {
  await pointEvalAt(
    'run-synth',
    'synthetic-gen',
    SCORES_KEY,
    SCORE_LINES.map((l) => JSON.stringify(l)).join('\n') + '\n',
  );
  await pointEvalAt(
    'run-mirage-0',
    'adm',
    'runs/run-mirage-0/scores/adm-none.jsonl',
    '{"uri":"a","label":"real","p_fake":0.2}\nnot json\n',
  );
  await store.put('runs/run-mirage-0/scores/midjourney-none.jsonl', '{"uri":"a","label":"real","p_fake":0.2}\n');
}

afterAll(async () => {
  store?.close();
  await scratch?.drop();
});

async function json<T>(path: string, status = 200): Promise<T> {
  const response = await app.request(path);
  expect(response.status, path).toBe(status);
  return (await response.json()) as T;
}

async function text(path: string, status = 200): Promise<string> {
  const response = await app.request(path);
  expect(response.status, path).toBe(status);
  return response.text();
}

interface Section {
  experiment: { name: string; synthetic: boolean };
  table: {
    columns: { id: string }[];
    rows: { id: string; cells: { value: number | null; std: number | null; best: boolean }[] }[];
  } | null;
  perturbations: string[];
}

function cell(section: Section, method: string, column: string) {
  const c = section.table!.columns.findIndex((col) => col.id === column);
  return section.table!.rows.find((r) => r.id === method)!.cells[c]!;
}

describe('leaderboard', () => {
  it('builds the method x dataset matrix with a Mean column, best of seeds by default', async () => {
    const body = await json<{ sections: Section[] }>(`/api/leaderboard?experiment=${EXPERIMENT}`);
    expect(body.sections).toHaveLength(1);
    const section = body.sections[0]!;
    expect(section.table!.columns.map((c) => c.id)).toEqual(['adm', 'midjourney', 'sdv14', 'mean']);
    expect(section.table!.rows.map((r) => r.id)).toEqual(['mirage', 'univfd']);
    expect(cell(section, 'mirage', 'midjourney').value).toBeCloseTo(84, 9);
    expect(cell(section, 'mirage', 'mean').value).toBeCloseTo((72 + 84 + 99) / 3, 9);
    expect(cell(section, 'mirage', 'midjourney').best).toBe(true);
    expect(section.perturbations).toEqual(['jpeg(quality=75)', 'none']);
  });

  it('switches to mean ± std and to another metric and perturbation', async () => {
    const meanStd = await json<{ sections: Section[] }>(`/api/leaderboard?experiment=${EXPERIMENT}&agg=mean_std`);
    const mj = cell(meanStd.sections[0]!, 'mirage', 'midjourney');
    expect(mj.value).toBeCloseTo(82, 9);
    expect(mj.std).toBeCloseTo(Math.SQRT2 * 2, 9);
    const ap = await json<{ sections: Section[] }>(`/api/leaderboard?experiment=${EXPERIMENT}&metric=ap`);
    expect(cell(ap.sections[0]!, 'univfd', 'midjourney').value).toBeCloseTo(65, 9);
    const jpeg = await json<{ sections: Section[] }>(
      `/api/leaderboard?experiment=${EXPERIMENT}&perturbation=jpeg(quality=75)`,
    );
    expect(jpeg.sections[0]!.table!.columns.map((c) => c.id)).toEqual(['midjourney', 'mean']);
    expect(cell(jpeg.sections[0]!, 'mirage', 'midjourney').value).toBeCloseTo(66, 9);
  });

  it('rejects an unknown metric with a 400 naming the parameter', async () => {
    const body = await json<{ error: string }>('/api/leaderboard?metric=f1', 400);
    expect(body.error).toMatch(/^metric:/);
    expect(await text('/leaderboard?agg=median', 400)).toContain('agg:');
  });

  it('renders the page with the threshold policy, a heat map, sortable headers and escaped names', async () => {
    const page = await text('/');
    expect(page).toContain('Accuracy (%) at a fixed 0.5 threshold on p(fake).');
    expect(page).toMatch(/<th data-col="2" title="sort by midjourney">midjourney<\/th>/);
    expect(page).toMatch(/style="background:hsl\(120, 65%, 85%\)" data-value="84"/);
    expect(page).toContain('SYNTHETIC data - not a paper result');
    expect(page).not.toContain(HOSTILE_METHOD);
    expect(page).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
  });

  it('puts the synthetic banner only on synthetic experiments', async () => {
    expect(await text(`/leaderboard?experiment=${EXPERIMENT}`)).not.toContain('SYNTHETIC data');
    expect(await text(`/leaderboard?experiment=${SYNTHETIC_EXPERIMENT}`)).toContain(
      'SYNTHETIC data - not a paper result',
    );
  });

  it('says what to do when there is nothing to show', async () => {
    const page = await text('/leaderboard?experiment=no-such-experiment');
    expect(page).toContain('No experiment named &quot;no-such-experiment&quot;');
    expect(page).toContain('mirage demo');
    const none = await text(`/leaderboard?experiment=${EXPERIMENT}&perturbation=blur(sigma=2)`);
    expect(none).toContain('It has results under: jpeg(quality=75), none.');
    expect(none).toContain('mirage launch experiments/');
  });
});

describe('paper view', () => {
  it('shows reproduced vs reported with deltas, including reported-only methods', async () => {
    const page = await text(`/paper/${EXPERIMENT}`);
    expect(page).toContain(PAPER);
    // mirage on midjourney: mean of seeds 82.0 vs reported 85.5.
    expect(page).toMatch(
      /<td class="text">mirage<\/td><td class="text">midjourney<\/td>\s*<td data-value="82">82\.0<\/td>\s*<td data-value="85.5">85\.5<\/td>\s*<td class="delta delta-neg" data-value="-3.5">-3\.5<\/td>/,
    );
    expect(page).toMatch(
      /<td class="text">npr<\/td><td class="text">midjourney<\/td>\s*<td data-value="">—<\/td>\s*<td data-value="77.7">77\.7<\/td>/,
    );
    expect(page).toContain(`href="/paper/${EXPERIMENT}/table.md?metric=acc&amp;agg=mean&amp;paper=`);
  });

  it('serves Markdown and LaTeX rendered by @mirage/tables from the same rows', async () => {
    const comparison = (await loadPaperComparison(scratch.handle.db, EXPERIMENT, { aggregate: 'mean' }))!;
    const md = await app.request(`/paper/${EXPERIMENT}/table.md`);
    expect(md.headers.get('content-type')).toContain('text/markdown');
    const mdText = await md.text();
    expect(mdText).toBe(renderTable(comparison.rows, comparison.spec, 'md', comparison.reported));
    expect(mdText).toContain('| mirage | **71.0** (+1.0) | **82.0** (-3.5) |');
    const tex = await text(`/paper/${EXPERIMENT}/table.tex`);
    expect(tex).toBe(renderTable(comparison.rows, comparison.spec, 'latex', comparison.reported));
    expect(tex).toContain('\\begin{tabular}');
  });

  it('404s for an unknown experiment and explains a protocol without reported numbers', async () => {
    expect(await text('/paper/nope', 404)).toContain('No experiment named &quot;nope&quot;');
    const synth = await text(`/paper/${SYNTHETIC_EXPERIMENT}`);
    expect(synth).toContain('No reported acc numbers for protocol demo-synthetic');
    expect(synth).toContain('SYNTHETIC data - not a paper result');
  });
});

describe('sweep view', () => {
  interface SweepBody {
    active: boolean;
    runs: { id: string; status: string; etaSeconds: number | null; error: string | null; attempts: number }[];
  }
  it('reports status, attempts, ETA and recorded errors', async () => {
    const body = await json<SweepBody>('/api/sweeps/sweep-live');
    expect(body.active).toBe(true);
    const training = body.runs.find((r) => r.id === 'run-live-training')!;
    // 750 steps left x 32 images per step / 64 images/s.
    expect(training.etaSeconds).toBeCloseTo(375, 9);
    expect(training.attempts).toBe(2);
    expect(body.runs.find((r) => r.id === 'run-live-failed')!.error).toBe('CUDA out of memory at step 10 <oom>');
    const page = await text('/sweeps/sweep-live');
    expect(page).toContain('<meta http-equiv="refresh" content="5">');
    expect(page).toContain('CUDA out of memory at step 10 &lt;oom&gt;');
    expect(page).toContain('6m 15s');
    expect(page).toContain('250/1000');
  });

  it('stops refreshing once every run is terminal, and lists sweeps', async () => {
    expect((await json<SweepBody>('/api/sweeps/sweep-done')).active).toBe(false);
    expect(await text('/sweeps/sweep-done')).not.toContain('http-equiv="refresh"');
    const list = await text('/sweeps');
    expect(list).toContain('href="/sweeps/sweep-live"');
    expect(list).toContain('1 failed');
    expect((await json<{ error: string }>('/api/sweeps/nope', 404)).error).toContain('nope');
  });
});

describe('run view', () => {
  it('shows config, loss curves, per-dataset metrics with perturbation rows and presigned checkpoint links', async () => {
    const page = await text('/runs/run-mirage-0');
    expect(page).toContain('&quot;lr&quot;: 0.002');
    expect(page.match(/<polyline data-term="/g)).toHaveLength(3);
    expect(page).toMatch(
      /<td class="text">midjourney<\/td><td class="text">jpeg\(quality=75\)<\/td>\s*<td data-value="0.66">66\.0<\/td>/,
    );
    const links = [...page.matchAll(/class="download" href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    expect(links).toHaveLength(2);
    const url = new URL(links[0]!);
    expect(url.pathname).toContain('runs/run-mirage-0/checkpoints/step-000500.safetensors');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(page).not.toContain(s3Options('x').secretAccessKey);
    const environment = page.slice(page.indexOf('<table id="environment">'));
    expect(environment).toMatch(
      /<td class="text">training<\/td><td class="text">3\.11\.7<\/td><td class="text">2\.13\.0\+cpu<\/td>/,
    );
    expect(environment).toMatch(
      /<td class="text">evaluation midjourney \/ jpeg\(quality=75\)<\/td>.*<td class="text">12\.8<\/td>.*NVIDIA H200/s,
    );
  });

  it('draws a ROC curve with its AUC and a p_fake histogram from the scores file', async () => {
    const page = await text('/runs/run-synth');
    expect(page).toMatch(/<svg class="chart roc-chart" id="roc-\d+"/);
    expect(page).toMatch(/<svg class="chart score-histogram" id="hist-\d+"/);
    expect(page).toContain('ROC synthetic-gen / none: AUC 0.8750 (2 real, 2 fake)');
    const counts = [...page.matchAll(/fill="(#[0-9a-f]+)" data-count="(\d+)"/g)]
      .filter((m) => m[2] !== '0')
      .map((m) => `${m[1]}:${m[2]}`);
    // real 0.3 -> bin 6, real 0.8 -> bin 16; fake 0.8 -> bin 16, fake 0.9 -> bin 18.
    expect(counts).toEqual(['#1a5fb4:1', '#1a5fb4:1', '#c01c28:1', '#c01c28:1']);
    expect(page).not.toContain('Capped:');
  });

  it('shows missing, corrupt and tampered score files inline and honours the file and line caps', async () => {
    const page = await text('/runs/run-mirage-0');
    expect(page).toContain('cannot chart runs/run-mirage-0/scores/adm-none.jsonl: line 2: not valid JSON');
    expect(page).toContain(
      'scores file runs/run-mirage-0/scores/midjourney-none.jsonl does not match the SHA-256 recorded',
    );
    expect(page).toContain('cannot chart runs/run-mirage-0/scores/sdv14-none.jsonl: s3 object');
    expect(page).not.toContain('roc-chart');
    const capped = createApp({ db: scratch.handle.db, store, scoreChartLimits: { maxFiles: 1, maxLines: 3 } });
    const synth = await (await capped.request('/runs/run-synth')).text();
    expect(synth).toContain('Capped: charts use the first 3 of 4 lines of the scores file.');
    // Pairs over the first three lines: (.9,.8)=1, (.8,.8)=1/2.
    expect(synth).toContain('AUC 0.7500 (1 real, 2 fake)');
    const few = await (await capped.request('/runs/run-mirage-0')).text();
    expect(few.match(/a run page reads at most 1 score files/g)).toHaveLength(3);
  });

  it('mirrors the run as JSON and 404s for unknown runs', async () => {
    const body = await json<{
      run: { id: string };
      evalResults: unknown[];
      checkpoints: { url: string }[];
      trainMetrics: unknown[];
    }>('/api/runs/run-mirage-0');
    expect(body.run.id).toBe('run-mirage-0');
    expect(body.evalResults).toHaveLength(4);
    expect(body.trainMetrics).toHaveLength(20);
    expect(body.checkpoints[1]!.url).toContain('X-Amz-Expires=300');
    await text('/runs/nope', 404);
  });

  it('shows a video column at both levels and says which is which', async () => {
    expect(await text('/runs/run-synth')).not.toContain('Video level');
    const video = {
      aggregate: { method: 'trimmed_mean' as const, trim: 0.1 },
      n_videos: 7,
      n_real: 4,
      n_fake: 3,
      acc_real: 0.75,
      acc_fake: 2 / 3,
      acc: 0.7083,
      ap: 0.8,
      auc: 0.75,
      acc_calibrated: null,
    };
    await scratch.handle.db.update(evalResults).set({ video }).where(eq(evalResults.runId, 'run-synth'));
    try {
      const page = await text('/runs/run-synth');
      expect(page).toContain(
        'Rows of video columns are at frame level (every frame scored alone); their video level is below.',
      );
      const table = page.slice(page.indexOf('<table class="sortable" id="video-results">'));
      expect(table).toMatch(
        /<td class="text">synthetic-gen<\/td><td class="text">none<\/td><td class="text">trimmed mean \(10 % dropped at each end\) of frame p\(fake\)<\/td>\s*<td data-value="0.7083">70\.8<\/td>/,
      );
      expect(table).toContain('<td data-value="7">7 (4/3)</td>');
    } finally {
      await scratch.handle.db.update(evalResults).set({ video: null }).where(eq(evalResults.runId, 'run-synth'));
    }
  });
});

describe('compare', () => {
  it('diffs configs by dotted path and gives metric deltas B - A', async () => {
    const body = await json<{
      configDiff: { path: string; a: unknown; b: unknown }[];
      metrics: { dataset: string; delta: { acc: number } }[];
    }>('/api/compare?a=run-univfd-0&b=run-mirage-0');
    expect(body.configDiff.map((d) => d.path)).toEqual(['method', 'optimizer.lr']);
    expect(body.metrics.find((m) => m.dataset === 'midjourney')!.delta.acc).toBeCloseTo(0.2, 9);
    const page = await text('/compare?a=run-univfd-0&b=run-mirage-0');
    expect(page).toContain('<code>optimizer.lr</code></td><td class="text">0.001</td><td class="text">0.002</td>');
    expect(page).toContain('60.0 → 80.0 (+20.0)');
    expect(page).toContain('B only: midjourney / jpeg(quality=75)');
    expect(await text('/compare?a=run-univfd-0&b=ghost', 404)).toContain(
      'No run with id &quot;ghost&quot; (parameter b)',
    );
    expect(await text('/compare')).toContain('Give two run ids');
  });
});

describe('read-only', () => {
  it('the connection the server uses refuses writes', async () => {
    const handle = createDb(readOnlyConnectionString(scratch.url), { maxConnections: 1 });
    try {
      expect((await handle.db.select().from(experiments)).length).toBe(2);
      // 25006: read_only_sql_transaction, raised by Postgres itself.
      await expect(handle.db.delete(reportedResults)).rejects.toMatchObject({ cause: { code: '25006' } });
      await expect(
        handle.db.update(runs).set({ status: 'failed' }).where(eq(runs.id, 'run-synth')),
      ).rejects.toMatchObject({
        cause: { code: '25006' },
      });
    } finally {
      await handle.close();
    }
    expect((await scratch.handle.db.select().from(reportedResults)).length).toBe(3);
  });
});

describe('the dashboard S3 identity', () => {
  it('reads what the writer stored, and a PUT with its keys is denied', async () => {
    const reader = createArtifactStore({ ...dashboardS3Options(store.bucket), forcePathStyle: true });
    try {
      expect((await reader.get(SCORES_KEY)).toString('utf8')).toContain('"p_fake":0.9');
      await expect(reader.put('runs/run-synth/scores/forged.jsonl', 'x')).rejects.toMatchObject({
        name: 'AccessDenied',
      });
      await expect(store.get('runs/run-synth/scores/forged.jsonl')).rejects.toThrow(
        /not found|NoSuchKey|does not exist/i,
      );
    } finally {
      reader.close();
    }
  });
});

describe('unmigrated database', () => {
  it('answers 503 saying how to create the tables instead of a bare 500', async () => {
    const empty = await createScratchDatabase('dash_empty', { migrate: false });
    try {
      const response = await createApp({ db: empty.handle.db, store }).request('/api/leaderboard');
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: string }).error).toContain('mirage up');
    } finally {
      await empty.drop();
    }
  });
});
