import { createRequire } from 'node:module';
import { TASK_QUEUES } from '@mirage/contracts';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';

const require = createRequire(import.meta.url);

/** Resolves the workflows entry file for the Temporal bundler (it bundles TypeScript sources itself). */
export function workflowsPath(): string {
  return require.resolve('@mirage/workflows');
}

/** A worker serving every workflow plus the control activities on the control task queue. */
export async function createOrchestratorWorker(options: {
  address: string;
  namespace: string;
  deps: ActivityDeps;
  taskQueue?: string;
}): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUES.control,
    workflowsPath: workflowsPath(),
    activities: createActivities(options.deps),
    bundlerOptions: { ignoreModules: [] },
  });
  return { worker, connection };
}
