/** Names shared by the TypeScript orchestrator and the Python GPU worker; exported to generated/constants.json. */
export const TASK_QUEUES = {
  /** Python worker: train / evaluate on a GPU (or the CPU in tests and the demo). */
  gpu: 'gpu',
  /** TypeScript worker: workflows and control-plane activities (db, storage, tables). */
  control: 'mirage-control',
} as const;

/** Activity names; the Python worker registers `train` and `evaluate` under exactly these names. */
export const ACTIVITY_NAMES = {
  train: 'train',
  evaluate: 'evaluate',
} as const;

/** Workflow type names registered by the orchestrator. */
export const WORKFLOW_NAMES = {
  sweep: 'sweepWorkflow',
  run: 'runWorkflow',
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
