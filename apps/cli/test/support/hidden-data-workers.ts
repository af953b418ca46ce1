// Workers for a test of data any machine can read: the Python GPU worker runs in a mount namespace of its own in
// which the dataset folders are empty tmpfs mounts (the files exist for the CLI, not for the worker), with its own
// working directory and cache; the orchestrator runs as usual.
import { join } from 'node:path';
import { ROOT } from './mirage';
import { startWorkers, type TestWorkers } from './workers';

// $0 = sh, $1 = python, the rest = folders to hide; mount failures exit before the worker starts.
const HIDE_THEN_RUN =
  'py="$1"; shift; for dir in "$@"; do mount -t tmpfs none "$dir" || exit 97; done; exec "$py" -m mirage_gpu_worker';

/** Starts the orchestrator and a GPU worker on `gpuQueue` that cannot see `hidden`; resolves once the worker polls. */
export function startHiddenDataWorkers(options: {
  gpuQueue: string;
  hidden: string[];
  cwd: string;
  cacheDir: string;
  env?: NodeJS.ProcessEnv;
}): Promise<TestWorkers> {
  return startWorkers(options.gpuQueue, options.env ?? process.env, {
    command: 'unshare',
    args: [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      HIDE_THEN_RUN,
      'sh',
      join(ROOT, '.venv/bin/python'),
      ...options.hidden,
    ],
    cwd: options.cwd,
    env: { MIRAGE_WORKER_CACHE: options.cacheDir },
  });
}
