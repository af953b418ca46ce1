import type { RunFinished, SweepProgress, SweepWorkflowInput } from '@mirage/contracts';
import { runSearchAttributes } from '@mirage/contracts/workflow';
import {
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  condition,
  continueAsNew,
  defineQuery,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { ControlActivities, PlannedRunRef } from './activity-types';
import { runFinishedSignal, runWorkflow } from './run-workflow';
import { priorityOf } from './priority';

/** Live progress of a sweep; `mirage watch` polls it. */
export const progressQuery = defineQuery<SweepProgress>('progress');

const control = proxyActivities<ControlActivities>({
  startToCloseTimeout: '5 minutes',
  // Bounded by time, not attempts, so a database outage of several minutes delays a sweep instead of failing it.
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

// How long a cancelled sweep waits for its runs to record their cancellation before it ends itself.
const CHILDREN_CANCEL_WAIT = '45 seconds';

// Runs fetched per page of the recorded plan: a page of configs stays far below Temporal's payload limits.
const PLAN_PAGE = 50;

interface SweepState {
  next: number;
  succeeded: number;
  failed: number;
  stopped: number;
  /** Runs in flight, from this execution or carried over from the previous one. */
  running: Set<string>;
  /** Child starts not yet acknowledged by the server; the execution never continues as new with one pending. */
  starting: number;
}

/**
 * Runs every planned point of a sweep as a child run workflow, at most `max_concurrent` at a time. The plan is
 * recorded in Postgres by `mirage launch` and read here page by page, so its size never enters workflow history.
 *
 * The window slides across continue-as-new: children are abandoned by the execution that started them (not
 * cancelled when it continues as new) and report their end with the `runFinished` signal, which reaches whichever
 * execution of the sweep is current. So a new execution starts a run as soon as any run ends, never waiting for the
 * slowest run of a batch. Cancelling the sweep cancels every run in flight explicitly, whoever started it.
 */
export async function sweepWorkflow(input: SweepWorkflowInput): Promise<SweepProgress> {
  const total = input.total_runs;
  const state: SweepState = {
    next: input.next_index,
    succeeded: input.succeeded,
    failed: input.failed,
    stopped: input.stopped,
    running: new Set(input.running),
    starting: 0,
  };
  const progress = (): SweepProgress => ({
    sweep_id: input.sweep_id,
    total,
    succeeded: state.succeeded,
    failed: state.failed,
    stopped: state.stopped,
    running: [...state.running].sort(),
    next_index: state.next,
    done: state.succeeded + state.failed + state.stopped === total,
  });
  setHandler(progressQuery, progress);
  setHandler(runFinishedSignal, (finished: RunFinished) => settle(state, finished));

  let page: PlannedRunRef[] = [];
  const limit = input.spec.sweep.max_concurrent;
  const startedHere = state.next;
  try {
    while (state.next < total) {
      await condition(() => state.running.size < limit);
      if (state.next - startedHere >= input.runs_per_execution || workflowInfo().continueAsNewSuggested) break;
      if (page.length === 0)
        page = await control.plannedRuns({ sweep_id: input.sweep_id, from: state.next, limit: PLAN_PAGE });
      const run = page.shift();
      if (!run || run.index !== state.next) {
        throw ApplicationFailure.nonRetryable(
          `sweep ${input.sweep_id}: planned run ${state.next} of ${total} is not recorded (was the plan recorded by mirage launch?)`,
        );
      }
      state.next++;
      launch(input, run, state);
    }
    if (state.next < total) {
      await condition(() => state.starting === 0);
      await continueAsNew<typeof sweepWorkflow>({
        ...input,
        next_index: state.next,
        succeeded: state.succeeded,
        failed: state.failed,
        stopped: state.stopped,
        running: [...state.running],
      });
    }
    await condition(() => state.running.size === 0);
  } catch (err) {
    if (isCancellation(err)) {
      // Runs are abandoned children (they outlive continue-as-new), so the sweep cancels each itself; each records
      // its run as cancelled (a training stops at its next heartbeat) and signals back. Wait for them, bounded.
      await CancellationScope.nonCancellable(async () => {
        await condition(() => state.starting === 0, CHILDREN_CANCEL_WAIT);
        await Promise.allSettled(
          [...state.running].map((id) => getExternalWorkflowHandle(childWorkflowId(input, id)).cancel()),
        );
        await condition(() => state.running.size === 0, CHILDREN_CANCEL_WAIT);
        await control.finishSweep({ sweep_id: input.sweep_id, status: 'cancelled' });
      });
    }
    throw err;
  }

  await control.finishSweep({ sweep_id: input.sweep_id, status: state.failed > 0 ? 'failed' : 'succeeded' });
  return progress();
}

function childWorkflowId(input: SweepWorkflowInput, runId: string): string {
  return `${input.sweep_id}/${runId}`;
}

/** Counts a run's end once; a repeated or unknown signal changes nothing. */
function settle(state: SweepState, finished: RunFinished): void {
  if (!state.running.delete(finished.run_id)) return;
  if (finished.status === 'succeeded') state.succeeded++;
  else if (finished.status === 'stopped') state.stopped++;
  else if (finished.status === 'failed') state.failed++;
  // 'cancelled' is the sweep's own cancellation coming back: the run is no longer in flight, nothing is counted.
}

function launch(input: SweepWorkflowInput, run: PlannedRunRef, state: SweepState): void {
  state.running.add(run.run_id);
  state.starting++;
  void (async () => {
    try {
      await startChild(runWorkflow, {
        workflowId: childWorkflowId(input, run.run_id),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        ...priorityOf(input.spec.resources.priority),
        // Inherited from the sweep's own attributes plus the run's method; none when the sweep has none.
        typedSearchAttributes: runSearchAttributes(workflowInfo().typedSearchAttributes, run.config.method),
        args: [
          {
            sweep_id: input.sweep_id,
            run_id: run.run_id,
            config: run.config,
            datasets: input.datasets,
            perturbations: input.spec.perturbations,
            code_version: input.code_version,
            bucket: input.bucket,
            task_queue: input.spec.resources.task_queue,
            reuse_across_environments: input.spec.reuse_across_environments,
            early_stop: input.spec.sweep.early_stop,
            video_aggregate: input.spec.video_aggregate,
            priority: input.spec.resources.priority,
          },
        ],
      });
    } catch (err) {
      // A child that could not start never signals: count it here. Nothing is rethrown: this promise has no awaiter,
      // and a rejection would fail the workflow task for ever.
      if (!isCancellation(err)) settle(state, { run_id: run.run_id, status: 'failed' });
      else state.running.delete(run.run_id);
    } finally {
      state.starting--;
    }
  })();
}
