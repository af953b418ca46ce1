// The newer test sets (Sora frames vs real-video frames, FLUX.1-dev and SD 3.5 from COCO captions, Chameleon) on
// trees shaped like their releases, made by tools/release_trees (real video files encoded with PyAV, with the debris
// of real downloads): registered with the commands experiments/README.md gives, planned, and run end to end on the
// real stack with a tiny backbone. Checks the frame sampling rule, frame- and video-level metrics (the video AUC
// against sklearn on per-video means computed here from the scores file) and that eval conditions train nothing.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { VideoMetrics } from '@mirage/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentPlan } from '../src/experiments/plan-experiment';
import { ROOT, runMirage } from './support/mirage';
import { tinyProtocolOverrides } from './support/tiny-override';
import { buildReleaseTrees, requireStackEnv } from './support/release-trees';
import { startWorkers, type TestWorkers } from './support/workers';
import { queryRows, stackStore } from './support/stack-clients';

requireStackEnv();
const mirage = (args: string[]) => runMirage(args, process.env, { timeoutMs: 600_000 });

interface TreeRecord {
  uri: string;
  generator: string;
  label: 'real' | 'fake';
  timestamps?: number[];
}
type Trees = Record<string, { root: string; records: TreeRecord[]; debris: { path: string; kind: string }[] }>;

const PAPER = {
  sora: join(ROOT, 'experiments/paper/sdv14-to-sora.yaml'),
  flux: join(ROOT, 'experiments/paper/sdv14-to-flux-sd35.yaml'),
  chameleon: join(ROOT, 'experiments/paper/sdv14-to-chameleon.yaml'),
};
/** Dataset name in the README -> the release tree it is registered from. */
const TREE_OF: Record<string, string> = {
  genimage: 'genimage',
  'sora-frames': 'video',
  'coco-flux': 'coco-t2i',
  'coco-sd35': 'coco-t2i',
  chameleon: 'chameleon',
};
const work = mkdtempSync(join(tmpdir(), 'mirage-newer-'));
const queue = `gpu-newer-${randomUUID().slice(0, 8)}`;
let trees: Trees;
let workers: TestWorkers;
const registered: Record<string, string> = {};

/** The README's `mirage data register` commands of these datasets, with `--root` pointed at the built trees. */
function readmeRegisterCommands(): string[][] {
  const readme = readFileSync(join(ROOT, 'experiments/README.md'), 'utf8');
  const names = Object.keys(TREE_OF).join('|');
  const lines = readme
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => new RegExp(`^mirage data register (${names}) `).test(l));
  return lines.map((line) => {
    const args = line.split(/\s+/).slice(1);
    args[args.indexOf('--root') + 1] = trees[TREE_OF[args[2] as string] as string]?.root as string;
    return args;
  });
}

/**
 * The frames the default sampling (2 per second, at most 16 per video) takes, computed here from the timestamps the
 * tree builder decoded: for t = 0, 0.5, 1, ... the first frame at or after t, each frame once.
 */
function sampledFrames(timestamps: readonly number[], fps = 2): number[] {
  const picked: number[] = [];
  const last = timestamps.at(-1) ?? 0;
  for (let k = 0; k / fps <= last + 1e-9; k++) {
    const index = timestamps.findIndex((t) => t >= k / fps - 1e-9);
    if (index >= 0 && !picked.includes(index)) picked.push(index);
  }
  return picked.slice(0, 16);
}

async function planOf(file: string, sets: string[] = []): Promise<ExperimentPlan> {
  const planned = await mirage(['plan', file, ...sets, '--json']);
  expect(planned.stderr).toBe('');
  return JSON.parse(planned.stdout) as ExperimentPlan;
}

beforeAll(async () => {
  trees = await buildReleaseTrees<Trees>(join(work, 'trees'), [...new Set(Object.values(TREE_OF))]);
  const commands = readmeRegisterCommands();
  expect(commands.map((c) => c[2])).toEqual(['genimage', 'sora-frames', 'coco-flux', 'coco-sd35', 'chameleon']);
  for (const args of commands) {
    const result = await mirage(args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    registered[args[2] as string] = result.stdout;
  }
  workers = await startWorkers(queue);
}, 300_000);

afterAll(() => {
  workers?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the newer test sets on release-shaped trees', () => {
  it('registers the video tree frame by frame and lists every broken file with its reason', () => {
    const videos = trees['video']?.records ?? [];
    const frames = videos.reduce((n, v) => n + sampledFrames(v.timestamps ?? []).length, 0);
    console.log(`mirage data register sora-frames ...:\n${registered['sora-frames']}`);
    expect(registered['sora-frames']).toContain(`: ${frames} frames of ${videos.length} videos,`);
    for (const name of ['truncated.mp4', 'zero-frames.mp4', 'error-page.mp4', 'empty.webm']) {
      expect(registered['sora-frames']).toMatch(new RegExp(`real/${name.replace('.', '\\.')}: \\S`));
    }
    expect(registered['sora-frames']).toMatch(/fake\/sora\/thumbnail\.jpg: /);
  });

  it.each(Object.entries(PAPER))(
    'mirage plan resolves %s with both classes and the counts of its tree',
    async (name, file) => {
      const plan = await planOf(file);
      expect(plan.errors).toEqual([]);
      expect(plan.runs).toHaveLength(3 * 4);
      for (const column of plan.columns) {
        expect(column.n_real).toBeGreaterThan(0);
        expect(column.n_fake).toBeGreaterThan(0);
      }
      if (name === 'sora') {
        const videos = trees['video']?.records ?? [];
        const count = (label: string) =>
          videos.filter((v) => v.label === label).reduce((n, v) => n + sampledFrames(v.timestamps ?? []).length, 0);
        expect(plan.columns.map((c) => [c.id, c.n_real, c.n_fake, c.n_videos])).toEqual([
          ['Sora', count('real'), count('fake'), videos.length],
        ]);
      } else {
        const tree = name === 'flux' ? 'coco-t2i' : 'chameleon';
        const records = trees[tree]?.records ?? [];
        const count = (label: string, generators: string[]) =>
          records.filter((r) => r.label === label && generators.includes(r.generator)).length;
        const expected =
          name === 'flux'
            ? [
                ['FLUX.1-dev', count('real', ['coco']), count('fake', ['flux.1-dev'])],
                ['SD3.5', count('real', ['coco']), count('fake', ['sd3.5-large'])],
              ]
            : [['Chameleon', count('real', ['chameleon']), count('fake', ['chameleon'])]];
        expect(plan.columns.map((c) => [c.id, c.n_real, c.n_fake])).toEqual(expected);
      }
    },
    120_000,
  );

  it('Sora runs end to end: frame- and video-level metrics, the video AUC equal to sklearn on per-video means', async () => {
    const overrides = tinyProtocolOverrides({ name: 'paper-sora-tiny', taskQueue: queue, methods: ['mirage'] });
    const launched = await mirage(['launch', PAPER.sora, ...overrides, '--watch']);
    expect(launched.stderr).toBe('');
    expect(launched.stdout).toMatch(/1 succeeded, 0 failed/);
    const [runId] = (await planOf(PAPER.sora, overrides)).runs.map((r) => r.run_id);
    const [cell] = await queryRows<{
      n: number;
      n_real: number;
      n_fake: number;
      auc: number;
      video: VideoMetrics;
      scores_key: string;
    }>(
      `select n, n_real, n_fake, auc, video, scores_key from eval_results where run_id = $1 and dataset = 'Sora' and perturbation = 'none'`,
      [runId],
    );
    const videos = trees['video']?.records ?? [];
    const frames = (label: string) =>
      videos.filter((v) => v.label === label).reduce((n, v) => n + sampledFrames(v.timestamps ?? []).length, 0);
    expect({ n_real: cell?.n_real, n_fake: cell?.n_fake }).toEqual({ n_real: frames('real'), n_fake: frames('fake') });
    expect(cell?.video).toMatchObject({ aggregate: { method: 'mean' }, n_videos: videos.length, n_real: 4, n_fake: 3 });

    // Per-video means from the stored per-frame scores, and sklearn's AUC on them.
    const store = stackStore();
    const lines = (await store.get(cell?.scores_key as string)).toString('utf8').trim().split('\n');
    store.close();
    const byVideo = new Map<string, { label: number; scores: number[] }>();
    for (const line of lines) {
      const score = JSON.parse(line) as { video_id: string; label: 'real' | 'fake'; p_fake: number; frame: number };
      const entry = byVideo.get(score.video_id) ?? { label: score.label === 'fake' ? 1 : 0, scores: [] };
      entry.scores.push(score.p_fake);
      byVideo.set(score.video_id, entry);
    }
    expect(byVideo.size).toBe(videos.length);
    const labels = [...byVideo.values()].map((v) => v.label);
    const means = [...byVideo.values()].map((v) => v.scores.reduce((a, b) => a + b, 0) / v.scores.length);
    const script =
      'import json,sys\nfrom sklearn.metrics import roc_auc_score\ny,s=json.load(sys.stdin)\nprint(repr(float(roc_auc_score(y,s))))';
    const sklearn = Number((await runPython(script, JSON.stringify([labels, means]))).trim());
    expect(cell?.video.auc).toBeCloseTo(sklearn, 12);

    // An eval-preprocessing sweep over two more policies on the trained run: it evaluates, it trains nothing.
    const before = { train: workers.activityStarts('train'), evaluate: workers.activityStarts('evaluate') };
    const policies = [
      ...overrides,
      '--set',
      'perturbations=[{name: none}, {name: preprocess, policy: clip_resize, size: 32}, {name: preprocess, policy: tile, size: 32}]',
    ];
    expect((await mirage(['launch', PAPER.sora, ...policies, '--watch'])).stdout).toMatch(/1 succeeded, 0 failed/);
    expect(workers.activityStarts('train')).toBe(before.train);
    expect(workers.activityStarts('evaluate') - before.evaluate).toBe(2);

    for (const level of ['frame', 'video']) {
      const table = await mirage([
        'table',
        PAPER.sora,
        ...policies,
        '--level',
        level,
        '--perturbation',
        'preprocess(policy=clip_resize,size=32)',
      ]);
      expect(table.stderr).toBe('');
      console.log(
        `mirage table ${PAPER.sora} --level ${level} --perturbation "preprocess(policy=clip_resize,size=32)":\n${table.stdout}`,
      );
      expect(table.stdout).toContain(
        level === 'video'
          ? "Level: video (a video's score is the mean of its frames' p(fake)"
          : 'Level: frame (every frame',
      );
      expect(table.stdout).toMatch(/^\| mirage \| \d+\.\d/m);
    }
  }, 600_000);

  it.each([
    [
      'chameleon',
      PAPER.chameleon,
      'preprocess(policy=tile,size=32)',
      '[{name: none}, {name: preprocess, policy: tile, size: 32}]',
    ],
    [
      'flux',
      PAPER.flux,
      'downscale(factor=0.5)+jpeg(quality=75)',
      '[{name: none}, {name: chain, steps: [{name: downscale, factor: 0.5}, {name: jpeg, quality: 75}]}]',
    ],
  ])(
    '%s runs end to end and fills every cell of every condition',
    async (name, file, condition, perturbations) => {
      const overrides = [
        ...tinyProtocolOverrides({ name: `paper-${name}-tiny`, taskQueue: queue, methods: ['mirage'] }),
        '--set',
        `perturbations=${perturbations}`,
      ];
      const launched = await mirage(['launch', file, ...overrides, '--watch']);
      expect(launched.stderr).toBe('');
      expect(launched.stdout).toMatch(/1 succeeded, 0 failed/);
      const plan = await planOf(file, overrides);
      const cells = await queryRows<{ dataset: string; perturbation: string; auc: number | null; video: unknown }>(
        `select dataset, perturbation, auc, video from eval_results where run_id = $1`,
        [plan.runs[0]?.run_id],
      );
      const keys = cells.map((c) => `${c.dataset} / ${c.perturbation}`).sort();
      expect(keys).toEqual(plan.columns.flatMap((c) => [`${c.id} / ${condition}`, `${c.id} / none`]).sort());
      expect(cells.every((c) => c.auc !== null && c.video === null)).toBe(true);
      const table = await mirage(['table', file, ...overrides, '--perturbation', condition]);
      expect(table.stdout).toContain(`Perturbation: ${condition}.`);
      expect(table.stdout).not.toContain('Level:');
    },
    600_000,
  );
});

async function runPython(script: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(join(ROOT, '.venv/bin/python'), ['-c', script], (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
    child.stdin?.end(input);
  });
}
