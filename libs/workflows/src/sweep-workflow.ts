import {
  type RunWorkflowResult,
  type SweepProgress,
  type SweepWorkflowInput,
} from '@mirage/contracts';
import {
  ParentClosePolicy,
  continueAsNew,
  defineQuery,
  isCancellation,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
  condition,
  CancellationScope,
  ApplicationFailure,
} from '@temporalio/workflow';
import type { ControlActivities, PlannedRunRef } from './activity-types';
import { runWorkflow } from './run-workflow';

/** Live progress of a sweep; `mirage watch` polls it. */
export const progressQuery = defineQuery<SweepProgress>('progress');

const control = proxyActivities<ControlActivities>({
  startToCloseTimeout: '5 minutes',
  // Bounded by time, not attempts, so a database outage of several minutes delays a sweep instead of failing it.
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

// Each child costs a handful of history events; continuing as new well before Temporal's limits keeps a
// thousand-run sweep's history small. Temporal also suggests it when the history grows large.
const RUNS_PER_HISTORY = 200;

// How long a cancelled sweep waits for its runs to record their cancellation before it ends itself.
const CHILDREN_CANCEL_WAIT = '45 seconds';

// Runs fetched per page of the recorded plan: a page of configs stays far below Temporal's payload limits.
const PLAN_PAGE = 50;

/**
 * Runs every planned point of a sweep as a child run workflow, at most `max_concurrent` at a time. The plan is
 * recorded in Postgres by `mirage launch` and read here page by page, so its size never enters workflow history.
 */
export async function sweepWorkflow(input: SweepWorkflowInput): Promise<SweepProgress> {
  const total = input.total_runs;
  const state = {
    next: input.next_index,
    succeeded: input.succeeded,
    failed: input.failed,
    running: new Set<string>(),
  };
  const progress = (): SweepProgress => ({
    sweep_id: input.sweep_id,
    total,
    succeeded: state.succeeded,
    failed: state.failed,
    running: [...state.running].sort(),
    next_index: state.next,
    done: state.succeeded + state.failed === total,
  });
  setHandler(progressQuery, progress);

  let page: PlannedRunRef[] = [];
  const limit = input.spec.sweep.max_concurrent;
  const startedHere = state.next;
  try {
    while (state.next < total) {
      await condition(() => state.running.size < limit);
      if (state.next - startedHere >= RUNS_PER_HISTORY || workflowInfo().continueAsNewSuggested) break;
      if (page.length === 0) page = await control.plannedRuns({ sweep_id: input.sweep_id, from: state.next, limit: PLAN_PAGE });
      const run = page.shift();
      if (!run || run.index !== state.next) {
        throw ApplicationFailure.nonRetryable(`sweep ${input.sweep_id}: planned run ${state.next} of ${total} is not recorded (was the plan recorded by mirage launch?)`);
      }
      state.next++;
      launch(input, run, run.run_id, state);
    }
    await condition(() => state.running.size === 0);
  } catch (err) {
    if (isCancellation(err)) {
      // The children got their cancellation with this scope's; each records its run as cancelled (a training is
      // stopped at its next heartbeat). Wait for them, bounded, so the sweep ends Canceled with its runs recorded.
      await CancellationScope.nonCancellable(async () => {
        await condition(() => state.running.size === 0, CHILDREN_CANCEL_WAIT);
        await control.finishSweep({ sweep_id: input.sweep_id, status: 'cancelled' });
      });
    }
    throw err;
  }

  if (state.next < total) {
    await continueAsNew<typeof sweepWorkflow>({ ...input, next_index: state.next, succeeded: state.succeeded, failed: state.failed });
  }
  await control.finishSweep({ sweep_id: input.sweep_id, status: state.failed > 0 ? 'failed' : 'succeeded' });
  return progress();
}

function launch(
  input: SweepWorkflowInput,
  run: PlannedRunRef,
  id: string,
  state: { succeeded: number; failed: number; running: Set<string> },
): void {
  state.running.add(id);
  void (async () => {
    try {
      const child = await startChild(runWorkflow, {
        workflowId: `${input.sweep_id}/${id}`,
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        args: [
          {
            sweep_id: input.sweep_id,
            run_id: id,
            config: run.config,
            datasets: input.datasets,
            perturbations: input.spec.perturbations,
            code_version: input.code_version,
            bucket: input.bucket,
            task_queue: input.spec.resources.task_queue,
            reuse_across_environments: input.spec.reuse_across_environments,
          },
        ],
      });
      const result: RunWorkflowResult = await child.result();
      if (result.status === 'succeeded') state.succeeded++;
      else state.failed++;
    } catch (err) {
      // A cancelled child is the sweep's own cancellation arriving through it: the main loop handles it. Nothing is
      // rethrown here: this promise has no awaiter, and a rejection would fail the workflow task for ever.
      if (!isCancellation(err)) state.failed++;
    } finally {
      state.running.delete(id);
    }
  })();
}
