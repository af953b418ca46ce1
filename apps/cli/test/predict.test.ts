// `mirage predict` end to end: a tiny checkpoint trained here for 2 steps on CPU, scored through the real command, from
// a local file and from the stack's S3 (env of a running stack, e.g. /tmp/mdev/stack.env or `mirage up --core`).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ArtifactStore } from '@mirage/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkpointLocation,
  parsePredictions,
  parseThreshold,
  predictionTable,
  withThreshold,
  type Prediction,
} from '../src/commands/predict';
import { ROOT, runMirage } from './support/mirage';
import { stackStore } from './support/stack-clients';

const run = promisify(execFile);
for (const name of ['DATABASE_URL', 'S3_ENDPOINT', 'TEMPORAL_ADDRESS']) {
  if (!process.env[name])
    throw new Error(`${name} is not set: run \`mirage up --core\` and source its stack.env (npm test does)`);
}

// A tiny random CLIP (source "config"), so the checkpoint needs no weights on disk; 2 steps of training.
const TINY_RUN_CONFIG = {
  experiment: 'cli-predict',
  method: 'mirage',
  backbone: {
    source: 'config',
    name_or_path: null,
    config: {
      vision: {
        hidden_size: 32,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        intermediate_size: 64,
        image_size: 32,
        patch_size: 8,
      },
      text: {
        hidden_size: 32,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        intermediate_size: 64,
        max_position_embeddings: 32,
      },
      projection_dim: 32,
    },
    weights_sha256: null,
  },
  prompt: { n_ctx: 4, ctx_init: 'a photo of a', depth: 1, class_words: { real: 'real', fake: 'fake' } },
  loss: { name: 'mirage', w_intra: 1.0, w_inter: 1.0, margin: 0.2, variant: 'hinge', temperature: 0.07 },
  optimizer: { name: 'adamw', lr: 0.01, weight_decay: 0.0, momentum: 0.9, betas: [0.9, 0.999] },
  schedule: { steps: 2, warmup_steps: 1, batch_size: 4, grad_clip: 1.0, checkpoint_every: 2, eval_batch_size: 16 },
  preprocess: {
    train: { policy: 'random_crop', size: 32 },
    eval: { policy: 'clip_resize', size: 32 },
    small_images: 'pad',
  },
  augment: { jpeg: { p: 0.0, quality: [30, 100] }, blur: { p: 0.0, sigma: [0.0, 3.0] }, flip: { p: 0.0 } },
  seed: 0,
  device: 'cpu',
  precision: 'fp32',
  num_workers: 0,
};

// Writes 6 PNGs (fake bright, real dark), trains on them and prints the checkpoint's path.
const TRAIN_TINY = `
import json, sys
from pathlib import Path
import numpy as np
from PIL import Image
from mirage_detector import parse_run_config, train
from mirage_detector.data.records import ImageRecord

config, images, checkpoints = json.loads(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
images.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(0)
records = []
for i in range(6):
    label = i % 2
    pixels = np.clip(rng.normal(190 if label else 60, 25, size=(40, 40, 3)), 0, 255).astype(np.uint8)
    path = images / f"img_{i:03d}.png"
    Image.fromarray(pixels, mode="RGB").save(path)
    records.append(ImageRecord(uri=str(path), label=label, generator="unit" if label else "real-unit", split="train"))
print(train(parse_run_config(config), records, checkpoint_dir=checkpoints).checkpoint_path)
`;

const work = mkdtempSync(join(tmpdir(), 'mirage-predict-test-'));
const images = join(work, 'images');
const bucket = process.env['S3_BUCKET'] || 'mirage';
const key = `tests/predict-${randomUUID()}/step-00000002.safetensors`;
let checkpoint: string;
let store: ArtifactStore;

const mirage = (args: string[]) => runMirage(args, process.env, { cwd: work, timeoutMs: 180_000 });

beforeAll(async () => {
  const { stdout } = await run(
    join(ROOT, '.venv/bin/python'),
    ['-c', TRAIN_TINY, JSON.stringify(TINY_RUN_CONFIG), images, join(work, 'ck')],
    { cwd: ROOT },
  );
  checkpoint = stdout.trim();
  writeFileSync(join(images, 'broken.png'), 'not a png');
  writeFileSync(join(images, 'notes.txt'), 'not an image, and not listed');
  store = stackStore(bucket);
  await store.putFile(key, checkpoint);
}, 180_000);

afterAll(async () => {
  await store?.delete(key);
  store?.close();
  rmSync(work, { recursive: true, force: true });
});

const names = ['broken.png', ...Array.from({ length: 6 }, (_, i) => `img_${String(i).padStart(3, '0')}.png`)];

/** The table's rows as [path, p_fake, verdict...]. */
const tableRows = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => line.split(/\s{2,}/));

describe('mirage predict', () => {
  let table: string[][];

  it('prints path, p_fake and verdict for every image of a folder, with unreadable files as errors', async () => {
    const out = await mirage(['predict', checkpoint, 'images']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    table = tableRows(out.stdout);
    expect(table[0]).toEqual(['path', 'p_fake', 'verdict']);
    expect(table.slice(1).map((r) => r[0])).toEqual(names.map((n) => `images/${n}`));
    expect(table[1]).toEqual(['images/broken.png', '-', 'error (not an image (unrecognised format))']);
    for (const [, score, verdict] of table.slice(2)) {
      expect(Number(score)).toBeGreaterThanOrEqual(0);
      expect(Number(score)).toBeLessThanOrEqual(1);
      expect(verdict).toBe(Number(score) > 0.5 ? 'fake' : 'real'); // no calibrated threshold: 0.5
    }
  });

  it('reads a checkpoint from the stack S3, prints JSON lines and takes --threshold', async () => {
    const out = await mirage([
      'predict',
      `s3://${bucket}/${key}`,
      join(images, 'img_000.png'),
      join(images, 'img_001.png'),
      join(images, 'broken.png'),
      '--json',
      '--threshold',
      '0',
    ]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const rows = parsePredictions(out.stdout);
    expect(rows.map((r) => r.path)).toEqual(['img_000.png', 'img_001.png', 'broken.png'].map((n) => join(images, n)));
    // the same checkpoint from S3 scores as the local file did
    expect(rows.slice(0, 2).map((r) => r.p_fake?.toFixed(4))).toEqual([table[2]?.[1], table[3]?.[1]]);
    expect(rows.slice(0, 2).map((r) => r.verdict)).toEqual(['fake', 'fake']); // every p_fake > 0
    expect(rows[2]).toMatchObject({ p_fake: null, verdict: 'error' });
  });

  it('names what is wrong, with exit status 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['predict', join(work, 'missing.safetensors'), 'images'], /checkpoint .*missing\.safetensors: no such file/],
      [['predict', checkpoint, 'nowhere'], /nowhere: no such file or folder/],
      [['predict', checkpoint, 'images', '--threshold', '1.5'], /--threshold 1\.5: expected a number in \[0, 1\]/],
      [['predict', `s3://${bucket}/tests/none-${randomUUID()}.safetensors`, 'images'], /no such object/],
      [['predict', `s3://not-the-${bucket}/${key}`, 'images'], new RegExp(`artifacts are in bucket "${bucket}"`)],
      [['predict', 's3://only-a-bucket', 'images'], /expected s3:\/\/<bucket>\/<key>/],
    ];
    const outcomes = await Promise.all(cases.map(([args]) => mirage(args)));
    cases.forEach(([args, message], i) => {
      expect(outcomes[i]?.code, args.join(' ')).toBe(2);
      expect(outcomes[i]?.stderr, args.join(' ')).toMatch(message);
    });
  }, 180_000);
});

describe('predict helpers', () => {
  const p = (path: string, p_fake: number | null): Prediction => ({
    path,
    p_fake,
    verdict: p_fake === null ? 'error' : 'real',
    error: p_fake === null ? 'bad' : null,
  });

  it('applies a threshold with the detector rule: a score equal to it is real', () => {
    expect(withThreshold([p('a', 0.3), p('b', 0.3000001), p('c', null)], 0.3).map((x) => x.verdict)).toEqual([
      'real',
      'fake',
      'error',
    ]);
  });

  it('refuses output that breaks the contract and thresholds outside [0, 1]', () => {
    expect(() => parsePredictions('{"path":"a","p_fake":1.5,"verdict":"fake","error":null}\n')).toThrow(/line 1/);
    expect(() => parsePredictions('Traceback\n')).toThrow(/not JSON at line 1/);
    expect(() => parseThreshold('')).toThrow();
    expect(() => parseThreshold('nan')).toThrow();
    expect(parseThreshold('0.25')).toBe(0.25);
  });

  it('tells S3 keys from local paths and lays out the table', () => {
    expect(checkpointLocation('s3://b/runs/r/ck.safetensors')).toEqual({
      kind: 's3',
      bucket: 'b',
      key: 'runs/r/ck.safetensors',
    });
    expect(checkpointLocation('ck.safetensors')).toEqual({ kind: 'file', path: 'ck.safetensors' });
    expect(predictionTable([p('long/path.png', 0.12345), p('x.png', null)])).toBe(
      'path           p_fake  verdict\nlong/path.png  0.1235  real\nx.png          -       error (bad)',
    );
  });
});
