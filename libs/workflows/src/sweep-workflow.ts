import type { RunFinished, RunsFinished, SweepProgress, SweepWorkflowInput } from '@mirage/contracts';
import { SEARCH_ATTRIBUTES, runSearchAttributes } from '@mirage/contracts/workflow';
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
import { runGroupWorkflow, runsFinishedSignal, type RunGroupInput } from './run-group-workflow';
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

// How long a run group waits for more free slots before it starts with those free (see the sweep's loop).
const GROUP_FILL_WAIT = '1 second';

// Runs fetched per page of the recorded plan: a page of configs stays far below Temporal's payload limits.
const PLAN_PAGE = 50;

interface SweepState {
  next: number;
  succeeded: number;
  failed: number;
  stopped: number;
  /** Runs in flight, from this execution or carried over from the previous one. */
  running: Set<string>;
  /** Run groups in flight (runs_per_group > 1): each group's id and its runs still in flight. */
  groups: Map<string, Set<string>>;
  /** The group of each run in flight in a group. */
  groupOf: Map<string, string>;
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
    groups: new Map(),
    groupOf: new Map(),
    starting: 0,
  };
  for (const group of input.running_groups ?? []) {
    state.groups.set(group.id, new Set(group.runs));
    for (const run of group.runs) state.groupOf.set(run, group.id);
  }
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
  setHandler(runsFinishedSignal, (finished: RunsFinished) => {
    for (const run of finished.runs) settle(state, run);
  });

  let page: PlannedRunRef[] = [];
  const limit = input.spec.sweep.max_concurrent;
  // Runs per child workflow: 1 is a run workflow per run; a group never holds more runs than the window.
  const groupSize = Math.max(1, Math.min(input.runs_per_group ?? 1, limit));
  const startedHere = state.next;
  const nextPlanned = async (): Promise<PlannedRunRef> => {
    if (page.length === 0)
      page = await control.plannedRuns({ sweep_id: input.sweep_id, from: state.next, limit: PLAN_PAGE });
    const run = page.shift();
    if (!run || run.index !== state.next) {
      throw ApplicationFailure.nonRetryable(
        `sweep ${input.sweep_id}: planned run ${state.next} of ${total} is not recorded (was the plan recorded by mirage launch?)`,
      );
    }
    state.next++;
    return run;
  };
  try {
    while (state.next < total) {
      await condition(() => state.running.size < limit);
      if (state.next - startedHere >= input.runs_per_execution || workflowInfo().continueAsNewSuggested) break;
      // A group waits a moment (GROUP_FILL_WAIT, from its first free slot) for slots enough for runs_per_group runs,
      // then takes those free: runs that end close together start their successors in one group, and no slot idles
      // for longer than that waiting for others to free up (a group never waits for a slow run to end).
      const wanted = Math.min(groupSize, total - state.next);
      if (groupSize > 1 && limit - state.running.size < wanted)
        await condition(() => limit - state.running.size >= wanted, GROUP_FILL_WAIT);
      const size = Math.min(wanted, limit - state.running.size);
      if (groupSize === 1) {
        launch(input, await nextPlanned(), state);
        continue;
      }
      const runs: PlannedRunRef[] = [];
      while (runs.length < size) runs.push(await nextPlanned());
      launchGroup(input, runs, state);
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
        ...(state.groups.size > 0
          ? { running_groups: [...state.groups].map(([id, runs]) => ({ id, runs: [...runs] })) }
          : { running_groups: undefined }),
      });
    }
    await condition(() => state.running.size === 0);
  } catch (err) {
    if (isCancellation(err)) {
      // Runs are abandoned children (they outlive continue-as-new), so the sweep cancels each itself; each records
      // its run as cancelled (a training stops at its next heartbeat) and signals back. Wait for them, bounded.
      await CancellationScope.nonCancellable(async () => {
        await condition(() => state.starting === 0, CHILDREN_CANCEL_WAIT);
        await Promise.allSettled([
          ...[...state.running]
            .filter((id) => !state.groupOf.has(id))
            .map((id) => getExternalWorkflowHandle(childWorkflowId(input, id)).cancel()),
          ...[...state.groups.keys()].map((id) => getExternalWorkflowHandle(id).cancel()),
        ]);
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
  const group = state.groupOf.get(finished.run_id);
  if (group !== undefined) {
    state.groupOf.delete(finished.run_id);
    const runs = state.groups.get(group);
    runs?.delete(finished.run_id);
    if (runs?.size === 0) state.groups.delete(group);
  }
  if (finished.status === 'succeeded') state.succeeded++;
  else if (finished.status === 'stopped') state.stopped++;
  else if (finished.status === 'failed') state.failed++;
  // 'cancelled' is the sweep's own cancellation coming back: the run is no longer in flight, nothing is counted.
}

/** What every run of the sweep is given besides its own id and config (a run workflow's and a group's input). */
function runCommon(input: SweepWorkflowInput): RunGroupInput['common'] {
  return {
    sweep_id: input.sweep_id,
    datasets: input.datasets,
    perturbations: input.spec.perturbations,
    code_version: input.code_version,
    bucket: input.bucket,
    task_queue: input.spec.resources.task_queue,
    reuse_across_environments: input.spec.reuse_across_environments,
    early_stop: input.spec.sweep.early_stop,
    video_aggregate: input.spec.video_aggregate,
    priority: input.spec.resources.priority,
  };
}

/** Starts one run group for `runs`, consecutive in the plan; its id names the sweep and its first run's index. */
function launchGroup(input: SweepWorkflowInput, runs: PlannedRunRef[], state: SweepState): void {
  const groupId = `${input.sweep_id}/group-${runs[0]!.index}`;
  state.groups.set(groupId, new Set(runs.map((r) => r.run_id)));
  for (const run of runs) {
    state.running.add(run.run_id);
    state.groupOf.set(run.run_id, groupId);
  }
  state.starting++;
  const methods = new Set(runs.map((r) => r.config.method));
  const group: RunGroupInput = {
    common: runCommon(input),
    runs: runs.map((r) => ({ run_id: r.run_id, config: r.config })),
  };
  void (async () => {
    try {
      await startChild(runGroupWorkflow, {
        workflowId: groupId,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        ...priorityOf(input.spec.resources.priority),
        // The sweep's attributes, and the method when every run of the group has the same one.
        typedSearchAttributes: runSearchAttributes(
          workflowInfo().typedSearchAttributes,
          runs[0]!.config.method,
        )?.filter((pair) => methods.size === 1 || pair.key.name !== SEARCH_ATTRIBUTES.method.name),
        args: [group],
      });
    } catch (err) {
      // A group that could not start never signals: count its runs here (see launch).
      for (const run of runs) {
        if (!isCancellation(err)) settle(state, { run_id: run.run_id, status: 'failed' });
        else settle(state, { run_id: run.run_id, status: 'cancelled' });
      }
    } finally {
      state.starting--;
    }
  })();
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
        args: [{ ...runCommon(input), run_id: run.run_id, config: run.config }],
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
