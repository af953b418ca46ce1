// Workers for a test of data any machine can read: the Python GPU worker runs in a mount namespace of its own in
// which the dataset folders are empty tmpfs mounts (the files exist for the CLI, not for the worker), with its own
// working directory and cache; the orchestrator runs as usual.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './mirage';
import type { TestWorkers } from './workers';

// $0 = sh, $1 = python, the rest = folders to hide; mount failures exit before the worker starts.
const HIDE_THEN_RUN = 'py="$1"; shift; for dir in "$@"; do mount -t tmpfs none "$dir" || exit 97; done; exec "$py" -m mirage_gpu_worker';

/** Starts the orchestrator and a GPU worker on `gpuQueue` that cannot see `hidden`; resolves once the worker polls. */
export async function startHiddenDataWorkers(options: { gpuQueue: string; hidden: string[]; cwd: string; cacheDir: string; env?: NodeJS.ProcessEnv }): Promise<TestWorkers> {
  const env = options.env ?? process.env;
  const chunks: string[] = [];
  const gpu = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', HIDE_THEN_RUN, 'sh', join(ROOT, '.venv/bin/python'), ...options.hidden], {
    cwd: options.cwd,
    env: { ...env, MIRAGE_GPU_TASK_QUEUE: options.gpuQueue, MIRAGE_WORKER_CACHE: options.cacheDir },
  });
  gpu.stdout?.on('data', (d: Buffer) => chunks.push(d.toString()));
  gpu.stderr?.on('data', (d: Buffer) => chunks.push(d.toString()));
  const orchestratorChunks: string[] = [];
  const orchestrator: ChildProcess = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'apps/orchestrator/src/main.ts')], { cwd: ROOT, env });
  orchestrator.stdout?.on('data', (d: Buffer) => orchestratorChunks.push(d.toString()));
  orchestrator.stderr?.on('data', (d: Buffer) => orchestratorChunks.push(d.toString()));
  const log = () => chunks.join('');
  const stop = () => {
    gpu.kill('SIGTERM');
    orchestrator.kill('SIGTERM');
  };
  const deadline = Date.now() + 120_000;
  while (!log().includes('worker ready')) {
    if (Date.now() > deadline || gpu.exitCode !== null) {
      stop();
      throw new Error(`the GPU worker did not start (exit ${gpu.exitCode}):\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    gpuQueue: options.gpuQueue,
    log,
    orchestratorLog: () => orchestratorChunks.join(''),
    activityStarts: (name) => log().split('\n').filter((l) => l.includes(`activity ${name} start`)).length,
    stop,
  };
}
