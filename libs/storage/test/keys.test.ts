import { describe, expect, it } from 'vitest';
import {
  assertSafeKey,
  checkpointKey,
  checkpointsPrefix,
  manifestKey,
  parseCheckpointStep,
  scoresKey,
  slugSegment,
  trainMetricsKey,
  UnsafeKeyError,
} from '../src/index';

describe('key builders', () => {
  it('build the documented layout', () => {
    expect(checkpointKey('r1a2', 50)).toBe('runs/r1a2/checkpoints/step-00000050.safetensors');
    expect(checkpointsPrefix('r1a2')).toBe('runs/r1a2/checkpoints/');
    expect(scoresKey('r1a2', 'midjourney', 'none')).toBe('runs/r1a2/scores/midjourney/none.jsonl');
    expect(scoresKey('r1a2', 'genimage/midjourney v5', 'jpeg(quality=75)')).toBe(
      'runs/r1a2/scores/genimage-midjourney-v5/jpeg-quality-75.jsonl',
    );
    expect(scoresKey('r', 'adm', 'blur(sigma=1.0)')).toBe('runs/r/scores/adm/blur-sigma-1.0.jsonl');
    expect(trainMetricsKey('r1a2')).toBe('runs/r1a2/train-metrics.jsonl');
    expect(manifestKey('sdv14', 'ab12cd')).toBe('datasets/sdv14/ab12cd.jsonl');
  });

  it('pad steps so lexical order is step order, and parse them back', () => {
    const keys = [1000, 50, 9, 100].map((step) => checkpointKey('run', step)).sort();
    expect(keys.map(parseCheckpointStep)).toEqual([9, 50, 100, 1000]);
    expect(parseCheckpointStep('runs/run/scores/a/none.jsonl')).toBeNull();
    expect(() => checkpointKey('run', -1)).toThrow(UnsafeKeyError);
    expect(() => checkpointKey('run', 1.5)).toThrow(/step/);
    expect(() => checkpointKey('run', 100_000_000)).toThrow(/step/);
  });

  it('reject traversal and empty segments, naming the field', () => {
    expect(() => checkpointKey('../other', 1)).toThrow(/runId "\.\.\/other".*\.\./);
    expect(() => scoresKey('run', '..', 'none')).toThrow(/dataset/);
    expect(() => scoresKey('run', 'adm', 'a..b')).toThrow(/perturbation/);
    expect(() => manifestKey('', 'abc')).toThrow(/dataset name/);
    expect(() => manifestKey('x', '///')).toThrow(/contentHash.*no usable characters/);
    expect(() => slugSegment('.')).toThrow(UnsafeKeyError);
  });

  it('assertSafeKey refuses absolute, dotted and control-character keys', () => {
    expect(assertSafeKey('runs/a/b.jsonl')).toBe('runs/a/b.jsonl');
    for (const bad of ['', '/abs', 'a/../b', 'a//b', './a', 'a/.', 'a\u0000b', 'a\\b']) {
      expect(() => assertSafeKey(bad), bad).toThrow(UnsafeKeyError);
    }
  });
});
