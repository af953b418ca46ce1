import { describe, expect, it } from 'vitest';
import { ExperimentFileError, parseExperimentYaml } from '../src';

const valid = `
name: mini
backbone:
  source: config
  name_or_path: null
  config:
    vision: { hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, image_size: 32, patch_size: 8 }
    text: { hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 32 }
    projection_dim: 32
train: { name: cifake, split: train }
eval:
  - name: ddpm-cifar
`;

function issuesOf(text: string) {
  try {
    parseExperimentYaml(text, 'exp.yaml');
  } catch (e) {
    if (e instanceof ExperimentFileError) return e.issues;
    throw e;
  }
  throw new Error('expected the file to be rejected');
}

describe('parseExperimentYaml', () => {
  it('fills documented defaults', () => {
    const spec = parseExperimentYaml(valid, 'exp.yaml');
    expect(spec.loss).toEqual({
      name: 'mirage',
      w_intra: 1,
      w_inter: 1,
      margin: 0.2,
      variant: 'hinge',
      temperature: 0.07,
    });
    expect(spec.seeds).toEqual([0]);
    expect(spec.perturbations).toEqual([{ name: 'none' }]);
  });

  it('names file, line and zod path of a wrong type', () => {
    const issues = issuesOf(
      `${valid}optimizer:\n  name: adamw\n  lr: fast\n  weight_decay: 0\n  momentum: 0.9\n  betas: [0.9, 0.999]\n`,
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'exp.yaml', path: 'optimizer.lr', line: 15 });
    expect(issues[0]?.message).toMatch(/number/);
  });

  it('reports a misspelt key instead of ignoring it', () => {
    const issues = issuesOf(`${valid}seedz: [1, 2]\n`);
    expect(issues[0]?.message).toContain('seedz');
  });

  it('reports every problem, each with its line', () => {
    const text = valid.replace('source: config', 'source: gdrive').replace('split: train', 'split: holdout');
    const issues = issuesOf(text);
    expect(issues.map((i) => i.path).sort()).toEqual(['backbone.source', 'train.split']);
    expect(issues.find((i) => i.path === 'backbone.source')?.line).toBe(4);
  });

  it('names file, line and path of a relation between fields (zod checks it; JSON Schema cannot)', () => {
    const issues = issuesOf(
      `${valid}prompt: { n_ctx: 2, ctx_init: null, depth: 1, class_words: { real: photo, fake: photo } }\n`,
    );
    expect(issues).toEqual([expect.objectContaining({ file: 'exp.yaml', path: 'prompt.class_words.fake', line: 13 })]);
    expect(issues[0]?.message).toBe('must differ from real');
    const patch = issuesOf(valid.replace('image_size: 32, patch_size: 8', 'image_size: 30, patch_size: 8'));
    expect(patch.map((i) => i.path)).toEqual(['backbone.config.vision.image_size']);
  });

  it('reports YAML syntax errors with a line', () => {
    const issues = issuesOf('name: x\nbackbone: [unclosed\n');
    expect(issues[0]?.message).toMatch(/^YAML/);
    expect(issues[0]?.line).toBeGreaterThan(0);
  });

  it('reports a missing required block at its parent', () => {
    const issues = issuesOf(valid.replace(/train: .*\n/, ''));
    expect(issues[0]).toMatchObject({ path: 'train', line: 2 });
  });
});
