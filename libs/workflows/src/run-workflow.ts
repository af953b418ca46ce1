import type {
  EvaluateInput,
  RunEnvironment,
  RunFinished,
  RunWorkflowInput,
  RunWorkflowResult,
  TrainInput,
  TrainOutput,
} from '@mirage/contracts';
import {
  ACTIVITY_NAMES,
  NON_RETRYABLE_ERROR_TYPES,
  environmentKey,
  perturbationId,
  preprocessHash,
  rungSteps,
  rungValue,
  runKeys,
  versionedTaskQueue,
} from '@mirage/contracts/workflow';
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  defineSignal,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { ControlActivities, EvalCell, GpuActivities } from './activity-types';
import { priorityOf } from './priority';

// The short bookkeeping steps run as local activities: the orchestrator worker that runs this workflow also
// implements them, so they skip the server's task dispatch (schedule, poll, start, complete) and cost one marker
// event each. They are idempotent Postgres writes, so a retry after a worker crash is safe, and the retry policy
// is the one they had as normal activities.
/** The bookkeeping steps a run takes, as local activities. */
export type RunBookkeeping = Pick<
  ControlActivities,
  'beginRun' | 'recordTrainOutput' | 'reportRung' | 'planEvalCells' | 'recordEvalResult' | 'finishRun'
>;

/** Options of the bookkeeping local activities (also of a run group's batches of them). */
export const BOOKKEEPING_OPTIONS = {
  startToCloseTimeout: '2 minutes',
  // Bounded by time, not attempts: a Postgres outage of several minutes must not fail a run whose training is done.
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
} as const;

const bookkeeping = proxyLocalActivities<RunBookkeeping>(BOOKKEEPING_OPTIONS);

// Short trainings finish before a mirror would report anything; only a training still running after this long
// gets one (its first poll then lands well within the dashboard's refresh).
export const MIRROR_AFTER_MS = 5_000;

const progressMirror = proxyActivities<Pick<ControlActivities, 'mirrorTrainProgress'>>({
  startToCloseTimeout: '30 days',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  // The mirror only observes; the run must not wait for it to acknowledge cancellation.
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

// GPU activities go to the run's queue at its planned code version (versionedTaskQueue): only workers running that
// code take them, so upgrading workers mid-sweep routes work instead of failing it.
function gpu(input: RunWorkflowInput, activityId?: string): GpuActivities {
  return proxyActivities<GpuActivities>({
    // A run group (run-group-workflow.ts) runs several runs' trainings in one workflow: an id per run's training
    // lets the progress mirror find its own among the group's pending activities.
    ...(activityId === undefined ? {} : { activityId }),
    taskQueue: versionedTaskQueue(input.task_queue, input.code_version),
    ...priorityOf(input.priority),
    // A GPU job may run for days; a dead worker is noticed through missed heartbeats, and the retry resumes
    // from the checkpoint named in the last heartbeat. The worker's pulse thread heartbeats every ~2 s
    // whatever the compute is doing, so 30 s is 15 missed beats, and a killed worker costs 30 s, not minutes.
    startToCloseTimeout: '30 days',
    heartbeatTimeout: '30 seconds',
    retry: {
      initialInterval: '2 seconds',
      maximumInterval: '1 minute',
      maximumAttempts: 20,
      nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
    },
  });
}

/** A run tells its sweep it ended; the signal reaches whichever execution of the sweep is current. */
export const runFinishedSignal = defineSignal<[RunFinished]>('runFinished');

/** Train (or reuse a finished training), evaluate every missing cell, record everything, and tell the sweep. */
export async function runWorkflow(input: RunWorkflowInput): Promise<RunWorkflowResult> {
  try {
    const result = await runToEnd(input);
    await tellSweep({ run_id: input.run_id, status: result.status });
    return result;
  } catch (err) {
    if (isCancellation(err))
      await CancellationScope.nonCancellable(() => tellSweep({ run_id: input.run_id, status: 'cancelled' }));
    throw err;
  }
}

/** Options of a run executed inside another workflow (a run group) rather than as its own run workflow. */
export interface RunPlacement {
  /**
   * Starts watching a training that has just been scheduled under `activity_id` (one per run and rung, since several
   * runs share the workflow): the host mirrors its progress once it has run MIRROR_AFTER, with one timer for all its
   * runs' trainings instead of one each. The returned function stops the watch (and the mirror, if it started).
   */
  watchTraining(training: { run_id: string; activity_id: string; task_queue: string }): () => Promise<void>;
  /** The bookkeeping steps, as the host runs them (a run group batches those of its runs). */
  control: RunBookkeeping;
}

/** The progress mirror of one training, in the current workflow. */
export function startMirror(training: { run_id: string; task_queue: string; activity_id?: string }): {
  stop: () => Promise<void>;
} {
  const scope = new CancellationScope();
  const running = scope
    .run(() => progressMirror.mirrorTrainProgress({ ...training, workflow_id: workflowInfo().workflowId }))
    .catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
    });
  return {
    stop: async () => {
      scope.cancel();
      await running;
    },
  };
}

export async function runToEnd(input: RunWorkflowInput, placement?: RunPlacement): Promise<RunWorkflowResult> {
  const { run_id } = input;
  const control = placement?.control ?? bookkeeping;
  try {
    const { trained: previous } = await control.beginRun({ run_id, sweep_id: input.sweep_id });
    const training = previous !== null ? { output: previous, stopped: null } : await trainWithRungs(input, placement);
    const trained = training.output;
    if (training.stopped !== null && !input.early_stop?.evaluate_stopped) {
      await control.finishRun({ run_id, status: 'stopped', error: training.stopped });
      return { run_id, status: 'stopped', trained: true, evaluated: 0, reused: 0, error: training.stopped };
    }
    // Cached cells are reused only when computed under the libraries the workers run now: a fresh training says which
    // those are; a reused one asks a worker (one short activity).
    const environment =
      (previous === null ? trained.environment : null) ?? (await gpu(input)[ACTIVITY_NAMES.environment]({}));
    const { evaluated, reused } = await evaluateMissingCells(input, trained, environment, control);
    const status = training.stopped === null ? 'succeeded' : 'stopped';
    await control.finishRun({ run_id, status, error: training.stopped });
    return { run_id, status, trained: previous === null, evaluated, reused, error: training.stopped };
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() =>
        control.finishRun({ run_id, status: 'cancelled', error: 'cancelled' }),
      );
      throw err;
    }
    const error = describeFailure(err);
    await control.finishRun({ run_id, status: 'failed', error });
    return { run_id, status: 'failed', trained: false, evaluated: 0, reused: 0, error };
  }
}

/** Signals the parent sweep, if any; a sweep that has already ended (cancelled, terminated) is not an error. */
async function tellSweep(finished: RunFinished): Promise<void> {
  const parent = workflowInfo().parent;
  if (!parent) return;
  try {
    await getExternalWorkflowHandle(parent.workflowId).signal(runFinishedSignal, finished);
  } catch (err) {
    if (isCancellation(err)) throw err;
  }
}

/**
 * Trains to the end, or, under early stopping, rung by rung: each rung is a train activity up to that step (resuming
 * from the previous rung's checkpoint, bit-exactly), then ASHA's verdict on its val metric. `stopped` says why a run
 * was stopped at a rung; its checkpoints and metrics are recorded, not its output (a re-launch trains on from there).
 */
async function trainWithRungs(
  input: RunWorkflowInput,
  placement?: RunPlacement,
): Promise<{ output: TrainOutput; stopped: string | null }> {
  const control = placement?.control ?? bookkeeping;
  const spec = input.early_stop;
  for (const step of spec ? rungSteps(spec, input.config.schedule.steps) : []) {
    const output = await train(input, step, placement);
    const value = rungValue(output.val_metrics, spec!.metric);
    // A metric undefined on the val set (one class left after skipping images) cannot rank the run: it goes on.
    if (value === null) continue;
    const decision = await control.reportRung({
      sweep_id: input.sweep_id,
      run_id: input.run_id,
      step,
      metric: spec!.metric,
      value,
      reduction_factor: spec!.reduction_factor,
    });
    if (!decision.promote) {
      await control.recordTrainOutput({ run_id: input.run_id, bucket: input.bucket, output, stopped: true });
      const reason =
        `stopped by ASHA at step ${step}: ${spec!.metric} ${value.toFixed(4)} < cutoff ${decision.cutoff.toFixed(4)} ` +
        `(the 1 - 1/${spec!.reduction_factor} quantile of ${decision.recorded} runs at this rung)`;
      return { output, stopped: reason };
    }
  }
  return { output: await train(input, null, placement), stopped: null };
}

async function train(
  input: RunWorkflowInput,
  stopAtStep: number | null,
  placement?: RunPlacement,
): Promise<TrainOutput> {
  const control = placement?.control ?? bookkeeping;
  const activityId = placement ? `${input.run_id}/train/${stopAtStep ?? 'end'}` : undefined;
  const keys = runKeys(input.run_id);
  const trainInput: TrainInput = {
    run_id: input.run_id,
    config: input.config,
    train_manifest: input.datasets.train,
    val_manifest: input.datasets.val,
    bucket: input.bucket,
    checkpoint_prefix: keys.checkpointPrefix,
    train_metrics_key: keys.trainMetrics,
    code_version: input.code_version,
    stop_at_step: stopAtStep,
  };
  // Mirror heartbeats (step, loss, images/s) into Postgres while training runs, for `watch` and the dashboard.
  // The delay runs inside the mirror's scope, so a training that ends first cancels the timer and no mirror starts.
  const task_queue = versionedTaskQueue(input.task_queue, input.code_version);
  if (placement && activityId !== undefined) {
    const output = gpu(input, activityId)[ACTIVITY_NAMES.train](trainInput);
    const stopWatching = placement.watchTraining({ run_id: input.run_id, activity_id: activityId, task_queue });
    try {
      const trained = await output;
      if (stopAtStep === null)
        await control.recordTrainOutput({ run_id: input.run_id, bucket: input.bucket, output: trained });
      return trained;
    } finally {
      await stopWatching();
    }
  }
  const mirror = new CancellationScope();
  const mirroring = mirror
    .run(async () => {
      await sleep(MIRROR_AFTER_MS);
      await progressMirror.mirrorTrainProgress({
        run_id: input.run_id,
        workflow_id: workflowInfo().workflowId,
        task_queue,
      });
    })
    .catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
    });
  try {
    const output = await gpu(input)[ACTIVITY_NAMES.train](trainInput);
    if (stopAtStep === null) await control.recordTrainOutput({ run_id: input.run_id, bucket: input.bucket, output });
    return output;
  } finally {
    mirror.cancel();
    await mirroring;
  }
}

async function evaluateMissingCells(
  input: RunWorkflowInput,
  trained: TrainOutput,
  environment: RunEnvironment,
  control: RunBookkeeping,
): Promise<{ evaluated: number; reused: number }> {
  const preprocess_hash = preprocessHash(input.config, input.video_aggregate);
  const cells: EvalCell[] = input.datasets.eval.flatMap((target) =>
    input.perturbations.map((p) => ({
      eval_id: target.id,
      perturbation_id: perturbationId(p),
      selection_hash: target.manifest.selection_hash,
    })),
  );
  const common = {
    run_id: input.run_id,
    checkpoint: trained.checkpoint,
    preprocess_hash,
    code_version: input.code_version,
  };
  const environment_key = input.reuse_across_environments ? null : environmentKey(environment);
  const { missing, reused } = await control.planEvalCells({ ...common, environment_key, cells });
  const evaluate = gpu(input)[ACTIVITY_NAMES.evaluate];
  // Every cell runs to its end and is recorded even when another fails: one bad column must not orphan the others.
  const outcomes = await Promise.allSettled(
    missing.map(async (cell) => {
      const target = input.datasets.eval.find((t) => t.id === cell.eval_id);
      const perturbation = input.perturbations.find((p) => perturbationId(p) === cell.perturbation_id);
      if (!target || !perturbation) throw ApplicationFailure.nonRetryable(`unknown eval cell ${JSON.stringify(cell)}`);
      const evalInput: EvaluateInput = {
        run_id: input.run_id,
        config: input.config,
        checkpoint: trained.checkpoint,
        eval_id: target.id,
        manifest: target.manifest,
        perturbation,
        calibrated_threshold: trained.calibrated_threshold,
        bucket: input.bucket,
        scores_key: runKeys(input.run_id).scores(target.id, cell.perturbation_id),
        code_version: input.code_version,
        video_aggregate: input.video_aggregate,
      };
      const output = await evaluate(evalInput);
      await control.recordEvalResult({ ...common, selection_hash: cell.selection_hash, output });
    }),
  );
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  return { evaluated: missing.length, reused };
}

/** The innermost message of a failure chain: what the detector said, not Temporal's wrapper text. */
function describeFailure(err: unknown): string {
  let current: unknown = err;
  const parts: string[] = [];
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure && current.type) parts.push(`${current.type}: ${current.message}`);
    else if (!(current instanceof ActivityFailure)) parts.push(current.message);
    current = current.cause;
  }
  return parts.at(-1) ?? String(err);
}
