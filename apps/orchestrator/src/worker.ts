import { createRequire } from 'node:module';
import { TASK_QUEUES } from '@mirage/contracts';
import type { TemporalConnectionSecurity } from '@mirage/local-stack';
import { NativeConnection, Worker, type BundleOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';

const require = createRequire(import.meta.url);

/** Resolves the workflows entry file for the Temporal bundler (it bundles TypeScript sources itself). */
export function workflowsPath(): string {
  return require.resolve('@mirage/workflows');
}

/**
 * The reusable V8 context re-evaluates the workflow modules for every workflow execution, and the workflows import
 * a few helpers from @mirage/contracts, whose index builds every zod schema of the platform (~13 ms of worker CPU per
 * workflow, measured). Its modules only declare schemas and pure functions, so marking them side-effect free lets
 * webpack bundle just the modules the workflows actually reach through the index.
 */
const skipUnusedContracts: NonNullable<BundleOptions['webpackConfigHook']> = (config) => ({
  ...config,
  optimization: { ...config.optimization, sideEffects: true },
  module: {
    ...config.module,
    rules: [...(config.module?.rules ?? []), { test: /[\\/]libs[\\/]contracts[\\/]src[\\/]/, sideEffects: false }],
  },
});

/** A worker serving every workflow plus the control activities on the control task queue. */
export async function createOrchestratorWorker(options: {
  address: string;
  namespace: string;
  /** TLS / API key of a secured server (temporalConnectionSecurity); none for the local stack. */
  security?: TemporalConnectionSecurity;
  deps: ActivityDeps;
  taskQueue?: string;
}): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: options.address, ...options.security });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUES.control,
    workflowsPath: workflowsPath(),
    activities: createActivities(options.deps),
    bundlerOptions: { ignoreModules: [], webpackConfigHook: skipUnusedContracts },
  });
  return { worker, connection };
}
