// The single entry of every workflow the orchestrator registers. Workflow code is deterministic: it imports only
// @mirage/contracts and Temporal's workflow API (enforced by lint).
export { runFinishedSignal, runWorkflow } from './run-workflow';
export { runGroupWorkflow, runsFinishedSignal, type RunGroupInput } from './run-group-workflow';
export { progressQuery, sweepWorkflow } from './sweep-workflow';
export type {
  BatchedCall,
  BatchedName,
  BatchedResult,
  ControlActivities,
  EvalCell,
  GpuActivities,
  PlannedRunRef,
} from './activity-types';
