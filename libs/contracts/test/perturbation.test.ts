import { describe, expect, it } from 'vitest';
import { Perturbation, perturbationId } from '../src';

describe('evaluation conditions', () => {
  it.each([
    [{ name: 'none' }, 'none'],
    [{ name: 'jpeg', quality: 75 }, 'jpeg(quality=75)'],
    [{ name: 'blur', sigma: 1 }, 'blur(sigma=1.0)'],
    [{ name: 'preprocess', policy: 'center_crop', size: 224 }, 'preprocess(policy=center_crop,size=224)'],
    [
      {
        name: 'chain',
        steps: [
          { name: 'downscale', factor: 0.5 },
          { name: 'jpeg', quality: 75 },
        ],
      },
      'downscale(factor=0.5)+jpeg(quality=75)',
    ],
    [
      {
        name: 'chain',
        steps: [
          { name: 'downscale', factor: 1 },
          { name: 'preprocess', policy: 'tile', size: 224 },
        ],
      },
      'downscale(factor=1.0)+preprocess(policy=tile,size=224)',
    ],
  ])('%j has the id %s (the Python side prints the same)', (value, id) => {
    expect(perturbationId(Perturbation.parse(value))).toBe(id);
  });

  it('refuses a chain whose preprocess step is not its last', () => {
    const result = Perturbation.safeParse({
      name: 'chain',
      steps: [
        { name: 'preprocess', policy: 'tile', size: 224 },
        { name: 'jpeg', quality: 75 },
      ],
    });
    expect(result.error?.issues.map((i) => i.message)).toContain('a chain may hold one preprocess step, as its last');
  });
});
