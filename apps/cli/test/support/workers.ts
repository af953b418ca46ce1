// The real worker processes a CLI test needs: the Python GPU worker on a task queue of the test's own (so activity
// counts read from its log belong to that test alone) and the orchestrator worker.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './mirage';

/** Running workers, their logs, and counts of the activities the GPU worker started. */
export interface TestWorkers {
  gpuQueue: string;
  log(): string;
  orchestratorLog(): string;
  activityStarts(name: 'train' | 'evaluate'): number;
  stop(): void;
}

/** How to start the GPU worker process: by default `python -m mirage_gpu_worker` in the repository root. */
export interface GpuLaunch {
  command: string;
  args: string[];
  cwd: string;
  /** Variables added to the environment (the task queue is always set). */
  env?: NodeJS.ProcessEnv;
}

/** Starts both workers and resolves once the GPU worker polls `gpuQueue`. */
export async function startWorkers(
  gpuQueue: string,
  env: NodeJS.ProcessEnv = process.env,
  launch?: GpuLaunch,
): Promise<TestWorkers> {
  const chunks: string[] = [];
  const how = launch ?? { command: join(ROOT, '.venv/bin/python'), args: ['-m', 'mirage_gpu_worker'], cwd: ROOT };
  const gpu = spawn(how.command, how.args, {
    cwd: how.cwd,
    env: { ...env, ...how.env, MIRAGE_GPU_TASK_QUEUE: gpuQueue },
  });
  gpu.stdout?.on('data', (d: Buffer) => chunks.push(d.toString()));
  gpu.stderr?.on('data', (d: Buffer) => chunks.push(d.toString()));
  const orchestratorChunks: string[] = [];
  const orchestrator: ChildProcess = spawn(
    join(ROOT, 'node_modules/.bin/tsx'),
    [join(ROOT, 'apps/orchestrator/src/main.ts')],
    { cwd: ROOT, env },
  );
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
    gpuQueue,
    log,
    orchestratorLog: () => orchestratorChunks.join(''),
    activityStarts: (name) =>
      log()
        .split('\n')
        .filter((l) => l.includes(`activity ${name} start`)).length,
    stop,
  };
}
