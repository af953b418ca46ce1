/** Names shared by the TypeScript orchestrator and the Python GPU worker; exported to generated/constants.json. */
export const TASK_QUEUES = {
  /** Python worker: train / evaluate on a GPU (or the CPU in tests and the demo). */
  gpu: 'gpu',
  /** TypeScript worker: workflows and control-plane activities (db, storage, tables). */
  control: 'mirage-control',
} as const;

/**
 * The task queue a run's GPU activities go to: the experiment's queue (a GPU kind: `gpu`, `gpu-h100`, `cpu`) at the
 * code version the run was planned at. A worker polls its configured queue at its own code version, so a rolling
 * upgrade of workers leaves runs planned at the old version on the old workers instead of failing them. The rule
 * is exported to generated/constants.json (`versioned_task_queue`) for the Python worker.
 */
export function versionedTaskQueue(queue: string, codeVersion: string): string {
  return VERSIONED_TASK_QUEUE.replace('{queue}', queue).replace('{code_version}', codeVersion);
}

/** The template of versionedTaskQueue. */
export const VERSIONED_TASK_QUEUE = '{queue}@{code_version}';

/** Activity names; the Python worker registers `train` and `evaluate` under exactly these names. */
export const ACTIVITY_NAMES = {
  train: 'train',
  evaluate: 'evaluate',
  /** The worker's RunEnvironment: what a run that reuses a training asks before it reuses cached cells. */
  environment: 'environment',
} as const;

/** Workflow type names registered by the orchestrator. */
export const WORKFLOW_NAMES = {
  sweep: 'sweepWorkflow',
  run: 'runWorkflow',
  runGroup: 'runGroupWorkflow',
} as const;

/** Error types the detector raises that must not be retried (bad config, missing data, NaN loss, OOM). */
export const NON_RETRYABLE_ERROR_TYPES = [
  'ConfigError',
  'DatasetError',
  'NonFiniteLossError',
  'OutOfMemoryError',
  'CheckpointError',
  'ContractViolation',
  'CodeVersionMismatch',
] as const;

/** The SELECT-only database role the migrations create for the dashboard (libs/db/drizzle/0007_*.sql). */
export const DASHBOARD_ROLE = 'mirage_dashboard';
