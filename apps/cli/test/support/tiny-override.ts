/**
 * `--set` overrides that run a paper protocol file as it is on CPU in seconds: a tiny random CLIP, a few steps,
 * one seed, the crop at the tiny model's input size, no perturbation sweep, and a name of its own so its results can
 * never be mistaken for the protocol's. Everything else (datasets, selections, columns, methods' own settings) is
 * the paper file's.
 */
export function tinyProtocolOverrides(options: { name: string; taskQueue: string; methods: string[] }): string[] {
  const tiny =
    '{vision: {hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64, image_size: 32, patch_size: 8}, ' +
    'text: {hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64, max_position_embeddings: 32}, projection_dim: 32}';
  const sets = [
    `name=${options.name}`,
    'backbone.source=config',
    'backbone.name_or_path=null',
    `backbone.config=${tiny}`,
    'prompt.depth=1',
    'schedule={steps: 4, warmup_steps: 1, batch_size: 8, grad_clip: 1.0, checkpoint_every: 2, eval_batch_size: 32}',
    'preprocess.train.size=32',
    'preprocess.eval.size=32',
    `resources={task_queue: ${options.taskQueue}, device: cpu, precision: fp32, num_workers: 0}`,
    'seeds=[0]',
    `sweep.grid.method=[${options.methods.join(', ')}]`,
    'perturbations=[{name: none}]',
    'method_overrides.univfd.schedule.batch_size=8',
  ];
  return sets.flatMap((s) => ['--set', s]);
}
