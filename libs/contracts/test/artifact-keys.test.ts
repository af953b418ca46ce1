import { describe, expect, it } from 'vitest';
import { runKeys, slug } from '../src';

describe('runKeys', () => {
  it('builds the documented layout', () => {
    const keys = runKeys('run-1a2b');
    expect(keys.checkpointPrefix).toBe('runs/run-1a2b/checkpoints');
    expect(keys.trainMetrics).toBe('runs/run-1a2b/train-metrics.jsonl');
    expect(keys.scores('midjourney', 'none')).toBe('runs/run-1a2b/scores/midjourney/none.jsonl');
    expect(keys.scores('genimage/midjourney v5', 'jpeg(quality=75)')).toBe(
      'runs/run-1a2b/scores/genimage-midjourney-v5/jpeg-quality-75.jsonl',
    );
    expect(keys.scores('adm', 'blur(sigma=1.0)')).toBe('runs/run-1a2b/scores/adm/blur-sigma-1.0.jsonl');
  });

  it('never produces a path step or an empty segment', () => {
    for (const bad of ['..', '.', '../../etc', 'a..b', '', '///', '-.-']) {
      const segment = slug(bad);
      expect(segment, bad).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
      expect(segment, bad).not.toMatch(/\.\./);
    }
    const key = runKeys('../x').scores('..', 'a..b');
    expect(key.split('/').every((part) => part !== '..' && part !== '.' && part !== '')).toBe(true);
  });
});
