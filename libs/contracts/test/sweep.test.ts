import { describe, expect, it } from 'vitest';
import { ExperimentSpec, expandSweep, perturbationId, type RunConfig, runId, SweepExpansionError } from '../src';

const GOLDEN_RUN_ID = 'run-08cc135075f079f7bcf1c2a9';

const tiny = {
  vision: {
    hidden_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 64,
    image_size: 32,
    patch_size: 8,
  },
  text: {
    hidden_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 64,
    max_position_embeddings: 32,
  },
  projection_dim: 32,
};
const base = {
  name: 'mini',
  backbone: { source: 'config', name_or_path: null, config: tiny },
  train: { name: 'cifake' },
  eval: [{ name: 'ddpm' }],
};

describe('expandSweep', () => {
  it('crosses grid points with seeds in a stable order', () => {
    const spec = ExperimentSpec.parse({
      ...base,
      seeds: [0, 1],
      sweep: { grid: { method: ['mirage', 'coop'], 'optimizer.lr': [0.1, 0.2] } },
    });
    const runs = expandSweep(spec);
    expect(runs).toHaveLength(8);
    expect(runs.map((r) => [r.config.method, r.config.optimizer.lr, r.config.seed])).toEqual([
      ['mirage', 0.1, 0],
      ['mirage', 0.1, 1],
      ['mirage', 0.2, 0],
      ['mirage', 0.2, 1],
      ['coop', 0.1, 0],
      ['coop', 0.1, 1],
      ['coop', 0.2, 0],
      ['coop', 0.2, 1],
    ]);
    expect(expandSweep(spec)).toEqual(runs);
    expect(runs.map((r) => r.config.loss.name)).toEqual([
      'mirage',
      'mirage',
      'mirage',
      'mirage',
      'ce',
      'ce',
      'ce',
      'ce',
    ]);
  });

  it('samples random points reproducibly from the sweep seed', () => {
    const spec = ExperimentSpec.parse({
      ...base,
      sweep: { random: { samples: 5, seed: 3, space: { 'optimizer.lr': { log_uniform: [1e-4, 1e-1] } } } },
    });
    const lrs = expandSweep(spec).map((r) => r.config.optimizer.lr);
    expect(new Set(lrs).size).toBe(5);
    for (const lr of lrs) expect(lr).toBeGreaterThanOrEqual(1e-4);
    expect(expandSweep(spec).map((r) => r.config.optimizer.lr)).toEqual(lrs);
  });

  it('names a misspelt sweep path', () => {
    const spec = ExperimentSpec.parse({ ...base, sweep: { grid: { 'optimiser.lr': [0.1] } } });
    expect(() => expandSweep(spec)).toThrow(SweepExpansionError);
    expect(() => expandSweep(spec)).toThrow(/optimiser\.lr/);
  });

  it('names the field when a sweep value is invalid', () => {
    const spec = ExperimentSpec.parse({ ...base, sweep: { grid: { 'optimizer.lr': [-1] } } });
    expect(() => expandSweep(spec)).toThrow(/optimizer\.lr/);
  });

  it('points a misspelt grid path at its experiment-file field', () => {
    const spec = ExperimentSpec.parse({ ...base, sweep: { grid: { 'optimizer.lrr': [0.1] } } });
    const error = (() => {
      try {
        expandSweep(spec);
      } catch (e) {
        return e as SweepExpansionError;
      }
      throw new Error('expected a SweepExpansionError');
    })();
    expect(error.field).toEqual(['sweep', 'grid', 'optimizer.lrr']);
    expect(error.message).toMatch(/^sweep\.grid\.optimizer\.lrr: unknown config path "optimizer.lrr"/);
  });

  it('gives a method its own settings in a sweep over methods; a path the grid sets wins', () => {
    const spec = ExperimentSpec.parse({
      ...base,
      sweep: { grid: { method: ['mirage', 'univfd'] } },
      method_overrides: { univfd: { optimizer: { lr: 0.0001, weight_decay: 0 }, schedule: { batch_size: 256 } } },
    });
    const [mirage, univfd] = expandSweep(spec);
    expect([mirage?.config.optimizer.lr, mirage?.config.schedule.batch_size]).toEqual([0.002, 32]);
    expect([
      univfd?.config.optimizer.lr,
      univfd?.config.optimizer.weight_decay,
      univfd?.config.schedule.batch_size,
    ]).toEqual([0.0001, 0, 256]);
    expect(univfd?.config.optimizer.name).toBe('adamw');
    const gridWins = ExperimentSpec.parse({ ...spec, sweep: { grid: { method: ['univfd'], 'optimizer.lr': [0.5] } } });
    expect(expandSweep(gridWins)[0]?.config.optimizer.lr).toBe(0.5);
  });
});

describe('identities', () => {
  it('run id changes with seed, selection and code version only', () => {
    const [a, b] = expandSweep(ExperimentSpec.parse({ ...base, seeds: [0, 1] }));
    const id = (config = a!.config, trainSelectionHash = 'h1', codeVersion = 'v1') =>
      runId({ config, trainSelectionHash, valSelectionHash: null, codeVersion });
    expect(id()).toBe(id());
    expect(id(b!.config)).not.toBe(id());
    expect(id(a!.config, 'h2')).not.toBe(id());
    expect(id(a!.config, 'h1', 'v2')).not.toBe(id());
  });

  it('resources.compile reaches the run config only when on, so eager runs keep their ids', () => {
    const id = (config: RunConfig) =>
      runId({ config, trainSelectionHash: 'h1', valSelectionHash: null, codeVersion: 'v1' });
    const [absent] = expandSweep(ExperimentSpec.parse(base));
    const [off] = expandSweep(ExperimentSpec.parse({ ...base, resources: { compile: false } }));
    const [on] = expandSweep(ExperimentSpec.parse({ ...base, resources: { compile: true } }));
    expect(absent!.config).not.toHaveProperty('compile');
    expect(off!.config).toEqual(absent!.config);
    expect(on!.config.compile).toBe(true);
    expect(id(on!.config)).not.toBe(id(absent!.config));
    // the id this spec had before the field existed (computed from the pre-compile baseRunConfig)
    expect(id(absent!.config)).toBe(GOLDEN_RUN_ID);
  });

  it('perturbation ids match the Python spelling', () => {
    expect(perturbationId({ name: 'none' })).toBe('none');
    expect(perturbationId({ name: 'jpeg', quality: 75 })).toBe('jpeg(quality=75)');
    expect(perturbationId({ name: 'blur', sigma: 1 })).toBe('blur(sigma=1.0)');
    expect(perturbationId({ name: 'downscale', factor: 0.5 })).toBe('downscale(factor=0.5)');
  });
});
