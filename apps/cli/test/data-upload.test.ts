// Datasets any worker can read without a shared disk, on the real stack (env of a running stack, e.g.
// /tmp/mdev/stack.env or `mirage up --core`): `mirage data register --upload` and `mirage data push` copy each image
// into S3 once under its sha256 and register s3:// uris; a GPU worker whose mount namespace hides the dataset folder
// then trains and evaluates from S3 alone, and fails a registration that still points at the folder, naming the files.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseManifestLines } from '@mirage/datasets';
import type { ArtifactStore } from '@mirage/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHiddenDataWorkers } from './support/hidden-data-workers';
import { ROOT, runMirage, type Outcome } from './support/mirage';
import type { TestWorkers } from './support/workers';
import { queryRows, stackStore } from './support/stack-clients';

const run = promisify(execFile);
for (const name of ['DATABASE_URL', 'S3_ENDPOINT', 'TEMPORAL_ADDRESS']) {
  if (!process.env[name])
    throw new Error(`${name} is not set: run \`mirage up --core\` and source its stack.env (npm test does)`);
}

// Fresh bytes every run (the bucket is shared and blobs are never deleted): "uploaded" counts mean what they say.
const nonce = randomUUID().slice(0, 8);
const work = mkdtempSync(join(tmpdir(), 'mirage-upload-test-'));
const data = join(work, 'data');
const bucket = process.env['S3_BUCKET'] || 'mirage';
const gpuQueue = `gpu-upload-${nonce}`;
const names = {
  train: `up-train-${nonce}`,
  test: `up-test-${nonce}`,
  again: `up-again-${nonce}`,
  localAgain: `local-again-${nonce}`,
};
let store: ArtifactStore;
let workers: TestWorkers | undefined;
let workersStarting: Promise<TestWorkers>;

const mirage = (args: string[]) => runMirage(args, process.env, { cwd: work, timeoutMs: 180_000 });

// "real": smooth colour ramps, "fake": noise; 40x40 PNGs under <out>/<split>/{real,fake}.
const MAKE_IMAGES = `
import sys, zlib
from pathlib import Path
import numpy as np
from PIL import Image
out, nonce = Path(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(zlib.crc32(nonce.encode()))
for split, n in (("train", 8), ("test", 4), ("changed", 2)):
    for label in ("real", "fake"):
        folder = out / split / label
        folder.mkdir(parents=True)
        for i in range(n):
            if label == "real":
                pixels = np.clip(rng.integers(0, 200, 3)[None, None, :] + np.linspace(0, 50, 40)[None, :, None], 0, 255)
                pixels = pixels.astype(np.uint8).repeat(40, axis=0)
            else:
                pixels = rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(folder / f"{label}-{i}.png")
`;

const TINY_BACKBONE =
  '{ vision: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64, image_size: 32, patch_size: 8 }, ' +
  'text: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64, max_position_embeddings: 32 }, projection_dim: 32 }';

function experimentYaml(name: string, train: string, test: string): string {
  return `name: ${name}
description: a tiny sweep whose worker cannot see the dataset folder
backbone: { source: config, name_or_path: null, config: ${TINY_BACKBONE} }
prompt: { n_ctx: 2, ctx_init: null, depth: 1, class_words: { real: real, fake: fake } }
schedule: { steps: 4, warmup_steps: 1, batch_size: 8, grad_clip: 1.0, checkpoint_every: 2, eval_batch_size: 32 }
preprocess: { train: { policy: random_crop, size: 32 }, eval: { policy: center_crop, size: 32 } }
train: { name: ${train}, split: train }
eval:
  - { name: ${test}, split: test, id: heldout }
seeds: [0]
sweep: { grid: { method: [mirage] }, max_concurrent: 1 }
resources: { task_queue: ${gpuQueue}, device: cpu, precision: fp32, num_workers: 0 }
`;
}

const register = (name: string, folder: string, upload: boolean, split = 'test') =>
  mirage([
    'data',
    'register',
    name,
    '--layout',
    'folder',
    '--root',
    join(data, folder),
    '--option',
    'generator=tiny-gan',
    '--option',
    `split=${split}`,
    ...(upload ? ['--upload'] : []),
  ]);

/** The final progress line's counts: files uploaded and files S3 already held. */
function uploadCounts(outcome: Outcome): { uploaded: number; present: number } {
  const match = /blobs: \d+ files: (\d+) uploaded \(\d+ bytes\), (\d+) already in S3/.exec(outcome.stderr);
  if (!match) throw new Error(`no upload summary on stderr:\n${outcome.stderr}\n${outcome.stdout}`);
  return { uploaded: Number(match[1]), present: Number(match[2]) };
}

const manifestKeyOf = (outcome: Outcome) => /manifest s3 key (\S+)/.exec(outcome.stdout)?.[1] ?? '';
const versionOf = (outcome: Outcome) => /@([0-9a-f]{12})[: ]/.exec(outcome.stdout.split('\n')[0] ?? '')?.[1] ?? '';

beforeAll(async () => {
  await run(join(ROOT, '.venv/bin/python'), ['-c', MAKE_IMAGES, data, nonce]);
  cpSync(join(data, 'train'), join(data, 'again'), { recursive: true });
  mkdirSync(join(work, 'worker'));
  workersStarting = startHiddenDataWorkers({
    gpuQueue,
    hidden: [data],
    cwd: join(work, 'worker'),
    cacheDir: join(work, 'worker-cache'),
  });
  workersStarting.then((w) => (workers = w)).catch(() => undefined);
  store = stackStore(bucket);
}, 60_000);

afterAll(async () => {
  (workers ?? (await workersStarting.catch(() => undefined)))?.stop();
  store?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('datasets in S3', () => {
  let trainVersion = '';

  it('register --upload puts every image once under blobs/sha256/<2 hex>/<sha256> and registers s3:// uris', async () => {
    const train = await register(names.train, 'train', true, 'train');
    expect(train.code, train.stderr).toBe(0);
    expect(uploadCounts(train)).toEqual({ uploaded: 16, present: 0 });
    expect(train.stderr).toMatch(
      /^uploading 16 files of up-train-\w+ from .*\/data\/train to s3:\/\/\S+\/blobs\/sha256\/ \(8 at a time\)$/m,
    );
    trainVersion = versionOf(train);
    const test = await register(names.test, 'test', true);
    expect(uploadCounts(test)).toEqual({ uploaded: 8, present: 0 });

    const records = parseManifestLines((await store.get(manifestKeyOf(train))).toString('utf8'), 'uploaded manifest');
    expect(records).toHaveLength(16);
    for (const record of records) {
      expect(record.uri).toBe(`s3://${bucket}/blobs/sha256/${record.sha256.slice(0, 2)}/${record.sha256}`);
      expect((await store.stat(record.uri.slice(`s3://${bucket}/`.length)))?.sha256).toBe(record.sha256);
    }
  }, 60_000);

  it('a second dataset of the same images uploads nothing; pushing a local registration of them gives the same manifest', async () => {
    const again = await register(names.again, 'again', true, 'train');
    expect(again.code, again.stderr).toBe(0);
    expect(uploadCounts(again)).toEqual({ uploaded: 0, present: 16 });
    expect(versionOf(again)).toBe(trainVersion); // same records, same blobs: the name and folder are not in the bytes

    const local = await register(names.localAgain, 'again', false, 'train');
    expect(local.stderr).toBe('');
    const pushed = await mirage(['data', 'push', names.localAgain]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(uploadCounts(pushed)).toEqual({ uploaded: 0, present: 16 });
    expect(pushed.stdout).toContain(
      `pushed ${names.localAgain}@${versionOf(local)} as ${names.localAgain}@${trainVersion}`,
    );
  }, 60_000);

  it('a file changed since registration stops the push, naming the file', async () => {
    const name = `changed-${nonce}`;
    expect((await register(name, 'changed', false)).code).toBe(0);
    writeFileSync(join(data, 'changed', 'fake', 'fake-1.png'), 'replaced after registration');
    const pushed = await mirage(['data', 'push', name, '--concurrency', '1']);
    expect(pushed.code).toBe(2);
    expect(pushed.stderr).toContain(
      `mirage: ${join(data, 'changed', 'fake', 'fake-1.png')}: changed since registration`,
    );
  }, 60_000);

  it('a worker that cannot see the dataset folder trains and evaluates from S3 alone', async () => {
    const w = await workersStarting;
    const file = join(work, 'uploaded.yaml');
    writeFileSync(file, experimentYaml(`upload-s3-${nonce}`, names.train, names.test));
    const launched = await mirage(['launch', file, '--watch']);
    expect(launched.stdout, `${launched.stderr}\n${w.log()}`).toMatch(/1 succeeded, 0 failed/);
    expect(w.activityStarts('train')).toBe(1);
    expect(w.activityStarts('evaluate')).toBe(1);
    const cells = await queryRows<{ n: number }>(
      `select count(*)::int as n from eval_results e join runs r on r.id = e.run_id where r.experiment = $1 and r.status = 'succeeded'`,
      [`upload-s3-${nonce}`],
    );
    expect(cells).toEqual([{ n: 1 }]);
  }, 180_000);

  it('the same worker fails a registration that points at the hidden folder, non-retryably, naming the files', async () => {
    const w = await workersStarting;
    const [train, test] = [`local-train-${nonce}`, `local-test-${nonce}`];
    expect((await register(train, 'train', false, 'train')).code).toBe(0);
    expect((await register(test, 'test', false)).code).toBe(0);
    const file = join(work, 'local.yaml');
    writeFileSync(file, experimentYaml(`upload-local-${nonce}`, train, test));
    const trainsBefore = w.activityStarts('train');
    const launched = await mirage(['launch', file, '--watch']);
    expect(`${launched.stdout}${launched.stderr}`, w.log()).toMatch(/0 succeeded, 1 failed/);
    expect(w.activityStarts('train') - trainsBefore).toBe(1); // non-retryable: one attempt, no retry
    expect(w.activityStarts('evaluate')).toBe(1); // the uploaded sweep's cell only
    const [failed] = await queryRows<{ status: string; error: string }>(
      `select status, error from runs where experiment = $1`,
      [`upload-local-${nonce}`],
    );
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toMatch(
      /UnreadableImagesError: training \(3 batches\): \d+ images in a row could not be read, e\.g\. /,
    );
    expect(failed?.error).toContain(`${join(data, 'train')}/`);
    expect(failed?.error).toMatch(/unreadable file: FileNotFoundError/);
  }, 180_000);
});
