// Activity signatures as the workflows see them. The GPU activities are implemented in Python (apps/gpu-worker)
// and known here by name only; the control activities are implemented by apps/orchestrator.
import type {
  CheckpointRef,
  EvaluateInput,
  EvaluateOutput,
  RunConfig,
  RunEnvironment,
  RungDecision,
  TrainInput,
  TrainOutput,
} from '@mirage/contracts';

/** The Python worker's activities, keyed by their registered names (ACTIVITY_NAMES). */
export interface GpuActivities {
  train(input: TrainInput): Promise<TrainOutput>;
  evaluate(input: EvaluateInput): Promise<EvaluateOutput>;
  environment(input: Record<string, never>): Promise<RunEnvironment>;
}

/** A run of a recorded sweep plan: its plan index, id and resolved config. */
export interface PlannedRunRef {
  index: number;
  run_id: string;
  config: RunConfig;
}

/**
 * One evaluation cell: a column id and perturbation, and the column's selection hash, which (with the checkpoint,
 * preprocessing and code version) is the key its result is cached under across runs, sweeps and column renames.
 */
export interface EvalCell {
  eval_id: string;
  perturbation_id: string;
  selection_hash: string;
}

/** TypeScript control-plane activities (Postgres and S3 bookkeeping), created by createActivities(deps). */
export interface ControlActivities {
  /** A page of the sweep's recorded plan: runs from plan index `from`, in order. */
  plannedRuns(input: { sweep_id: string; from: number; limit: number }): Promise<PlannedRunRef[]>;
  beginRun(input: { run_id: string; sweep_id: string }): Promise<{ trained: TrainOutput | null }>;
  /** Records a training's metrics and checkpoints; `stopped` (early stopping) records them without the output. */
  recordTrainOutput(input: { run_id: string; bucket: string; output: TrainOutput; stopped?: boolean }): Promise<void>;
  /** Records a run's val metric at an early-stopping rung and returns ASHA's verdict on it. */
  reportRung(input: {
    sweep_id: string;
    run_id: string;
    step: number;
    metric: string;
    value: number;
    reduction_factor: number;
  }): Promise<RungDecision>;
  /** `activity_id`: the training's activity id, when the workflow runs several runs (a run group). */
  mirrorTrainProgress(input: {
    run_id: string;
    workflow_id: string;
    task_queue: string;
    activity_id?: string;
  }): Promise<void>;
  planEvalCells(input: {
    run_id: string;
    checkpoint: CheckpointRef;
    preprocess_hash: string;
    code_version: string;
    /** Only cells computed under this environment key are reused; null reuses any (reuse_across_environments). */
    environment_key: string | null;
    cells: EvalCell[];
  }): Promise<{ missing: EvalCell[]; reused: number; copied: number; stale: number }>;
  recordEvalResult(input: {
    run_id: string;
    checkpoint: CheckpointRef;
    preprocess_hash: string;
    code_version: string;
    selection_hash: string;
    output: EvaluateOutput;
  }): Promise<void>;
  finishRun(input: {
    run_id: string;
    status: 'succeeded' | 'failed' | 'cancelled' | 'stopped';
    error: string | null;
  }): Promise<void>;
  finishSweep(input: { sweep_id: string; status: 'succeeded' | 'failed' | 'cancelled' }): Promise<void>;
  /**
   * Several bookkeeping calls in one local activity (a run group batches its runs' calls): each call's result, or
   * its non-retryable failure. Any other failure fails the whole batch, which is retried: every call is idempotent.
   */
  controlBatch(input: { calls: BatchedCall[] }): Promise<BatchedResult[]>;
}

/** The bookkeeping activities a run group batches. */
export type BatchedName =
  'beginRun' | 'recordTrainOutput' | 'reportRung' | 'planEvalCells' | 'recordEvalResult' | 'finishRun';

export interface BatchedCall {
  name: BatchedName;
  input: unknown;
}

/** A batched call's value, or the message and type of its non-retryable failure. */
export type BatchedResult = { value: unknown } | { failure: { message: string; type: string | null } };
