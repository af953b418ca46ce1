/** A tiny-CLIP sweep over the SYNTHETIC benchmark (datasets registered as `<prefix>-<family>`), as experiment YAML. */
export function syntheticSweepYaml(options: {
  name: string;
  prefix: string;
  evalFamilies: string[];
  steps: number;
  checkpointEvery: number;
  seeds: number[];
}): string {
  const { name, prefix, evalFamilies, steps, checkpointEvery, seeds } = options;
  return `name: ${name}
description: SYNTHETIC test sweep
synthetic: true
backbone:
  source: config
  name_or_path: null
  config:
    vision: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64, image_size: 32, patch_size: 8 }
    text: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64, max_position_embeddings: 32 }
    projection_dim: 32
prompt: { n_ctx: 2, ctx_init: null, depth: 1, class_words: { real: real, fake: fake } }
schedule: { steps: ${steps}, warmup_steps: 2, batch_size: 16, grad_clip: 1.0, checkpoint_every: ${checkpointEvery}, eval_batch_size: 64 }
preprocess: { train: { policy: random_crop, size: 32 }, eval: { policy: center_crop, size: 32 } }
train: { name: ${prefix}-upsampler, split: train }
eval:
${evalFamilies.map((f) => `  - { name: ${prefix}-${f}, split: test, id: ${f} }`).join('\n')}
seeds: [${seeds.join(', ')}]
sweep: { grid: { method: [mirage, univfd] }, max_concurrent: 2 }
resources: { task_queue: gpu, device: cpu, precision: fp32, num_workers: 0 }
`;
}
