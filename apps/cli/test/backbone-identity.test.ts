// A local backbone is identified by the content of its weight, config and tokenizer files, not by its path.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preprocessHash, runId, RunConfig } from '@mirage/contracts';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/mirage';
import { identifyBackbone } from '../src/experiments/backbone-identity';
import { UserError } from '../src/errors';

const work = mkdtempSync(join(tmpdir(), 'mirage-backbone-'));
const cache = join(work, 'cache.json');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function folder(name: string, weights: string): string {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'tokenizer'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), '{"model_type": "clip"}');
  writeFileSync(join(dir, 'model.safetensors'), weights);
  writeFileSync(join(dir, 'tokenizer', 'vocab.json'), '{"a": 0}');
  writeFileSync(join(dir, 'README.md'), 'not part of the identity');
  return dir;
}

const local = (path: string) => ({ source: 'local' as const, name_or_path: path, config: null, weights_sha256: null });

describe('identifyBackbone', () => {
  it('two folders under the same path with different weights get different identities, run ids and cell keys', async () => {
    const path = folder('clip', 'weights-v1');
    const first = await identifyBackbone(local(path), cache);
    folder('clip', 'weights-v2');
    const second = await identifyBackbone(local(path), cache);
    expect(first.weights_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(second.weights_sha256).not.toBe(first.weights_sha256);
    const config = (backbone: typeof first) =>
      RunConfig.parse({
        experiment: 'x',
        method: 'mirage',
        backbone,
        seed: 0,
        device: 'cpu',
        precision: 'fp32',
        num_workers: 0,
        prompt: { n_ctx: 2, ctx_init: null, depth: 1, class_words: { real: 'real', fake: 'fake' } },
        loss: { name: 'mirage', w_intra: 1, w_inter: 1, margin: 0.2, variant: 'hinge', temperature: 0.07 },
        optimizer: { name: 'adamw', lr: 0.001, weight_decay: 0, momentum: 0.9, betas: [0.9, 0.999] },
        schedule: { steps: 1, warmup_steps: 0, batch_size: 1, grad_clip: 1, checkpoint_every: 1, eval_batch_size: 1 },
        preprocess: { train: { policy: 'random_crop', size: 224 }, eval: { policy: 'center_crop', size: 224 } },
        augment: { jpeg: { p: 0, quality: [30, 100] }, blur: { p: 0, sigma: [0, 3] } },
      });
    const id = (backbone: typeof first) =>
      runId({ config: config(backbone), trainSelectionHash: 'a'.repeat(64), valSelectionHash: null, codeVersion: 'c' });
    expect(id(second)).not.toBe(id(first));
    expect(preprocessHash(config(second))).not.toBe(preprocessHash(config(first)));
  });

  it('touching the files without changing their bytes keeps the identity; other files do not count', async () => {
    const path = folder('touched', 'same-weights');
    const before = await identifyBackbone(local(path), cache);
    utimesSync(join(path, 'model.safetensors'), new Date(), new Date(Date.now() + 5000));
    writeFileSync(join(path, 'README.md'), 'edited');
    expect((await identifyBackbone(local(path), cache)).weights_sha256).toBe(before.weights_sha256);
  });

  it('a pinned sha256 that the folder does not match, and a missing folder, are user errors', async () => {
    const path = folder('pinned', 'w');
    await expect(identifyBackbone({ ...local(path), weights_sha256: 'f'.repeat(64) }, cache)).rejects.toThrow(
      /backbone.weights_sha256: the file pins f+, but the files in .* hash to/,
    );
    await expect(identifyBackbone(local(join(work, 'nowhere')), cache)).rejects.toBeInstanceOf(UserError);
  });

  it('the GPU worker computes the same identity (the check it makes before training or evaluating)', async () => {
    const path = folder('both-languages', 'weights-ü');
    const ts = (await identifyBackbone(local(path), cache)).weights_sha256;
    const python = execFileSync(
      join(ROOT, '.venv/bin/python'),
      [
        '-c',
        'import sys, pathlib; from mirage_gpu_worker.backbone_identity import backbone_folder_sha256 as h; print(h(pathlib.Path(sys.argv[1])))',
        path,
      ],
      { encoding: 'utf8' },
    ).trim();
    expect(python).toBe(ts);
  });

  it('hub ids and config-built backbones are left as they are', async () => {
    const hub = {
      source: 'hub' as const,
      name_or_path: 'openai/clip-vit-large-patch14',
      config: null,
      weights_sha256: null,
    };
    expect(await identifyBackbone(hub, cache)).toEqual(hub);
  });
});
