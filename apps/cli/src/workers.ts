import { join } from 'node:path';
import { TASK_QUEUES, versionedTaskQueue } from '@mirage/contracts';
import { REPO_ROOT, type ServiceSpec } from '@mirage/local-stack';
import { repoCodeVersion } from './experiments/code-version-of-repo';
import { cliEnv } from './env';
import { describePollers, type TemporalTarget } from './queue-pollers';
import { cliTemporalSecurity } from './temporal-security';

/** The processes that make a stack able to run experiments: the orchestrator, the GPU worker, the dashboard. */
export function workerServices(stackEnv: Record<string, string>, options: { dashboardPort: number }): ServiceSpec[] {
  const childEnv = { ...process.env, ...stackEnv };
  const target: TemporalTarget = {
    address: stackEnv['TEMPORAL_ADDRESS'] as string,
    namespace: stackEnv['TEMPORAL_NAMESPACE'] ?? 'default',
    security: cliTemporalSecurity(cliEnv()),
  };
  // `node --import tsx` keeps one process whose command line is exactly what we launched (the stack recognises
  // its processes by /proc cmdline); the tsx launcher script would show up as `node .../tsx`.
  const node = (script: string) => ({ command: process.execPath, args: ['--import', 'tsx', join(REPO_ROOT, script)] });
  const dashboardUrl = `http://127.0.0.1:${options.dashboardPort}`;
  const noop = async () => {};
  // The GPU worker polls its queue at its detector code version, which is this checkout's.
  const gpuQueue = versionedTaskQueue(TASK_QUEUES.gpu, repoCodeVersion());
  return [
    {
      name: 'orchestrator',
      address: `task queue ${TASK_QUEUES.control}`,
      external: false,
      ports: [],
      stopSignal: 'SIGTERM',
      command: () => ({ ...node('apps/orchestrator/src/main.ts'), cwd: REPO_ROOT, env: childEnv }),
      prepare: noop,
      health: (ms) => waitForPollers(target, TASK_QUEUES.control, 'workflow', ms),
      env: {},
    },
    {
      name: 'gpu-worker',
      address: `task queue ${gpuQueue}`,
      external: false,
      ports: [],
      stopSignal: 'SIGTERM',
      command: () => ({
        command: join(REPO_ROOT, '.venv/bin/python'),
        args: ['-m', 'mirage_gpu_worker'],
        cwd: REPO_ROOT,
        env: childEnv,
      }),
      prepare: noop,
      health: (ms) => waitForPollers(target, gpuQueue, 'activity', ms),
      env: {},
    },
    {
      name: 'dashboard',
      address: dashboardUrl,
      uiUrl: dashboardUrl,
      external: false,
      ports: [{ port: options.dashboardPort, key: 'dashboard' }],
      stopSignal: 'SIGTERM',
      command: () => ({
        ...node('apps/dashboard/src/main.ts'),
        cwd: REPO_ROOT,
        env: { ...childEnv, DASHBOARD_PORT: String(options.dashboardPort), DASHBOARD_HOST: '127.0.0.1' },
      }),
      prepare: noop,
      health: async (ms) => {
        const response = await fetch(dashboardUrl, { signal: AbortSignal.timeout(ms) });
        if (!response.ok) throw new Error(`dashboard answered HTTP ${response.status}`);
      },
      env: { DASHBOARD_URL: dashboardUrl },
    },
  ];
}

// A worker is up when Temporal sees it polling its task queue.
async function waitForPollers(
  target: TemporalTarget,
  queue: string,
  kind: 'workflow' | 'activity',
  timeoutMs: number,
): Promise<void> {
  const [described] = await describePollers(target, [{ queue, kind }], timeoutMs);
  if (!described?.pollers.length) throw new Error(`no worker polls task queue ${queue} yet`);
}
