import type { RunFinished, RunWorkflowInput, RunWorkflowResult, RunsFinished } from '@mirage/contracts';
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  defineSignal,
  getExternalWorkflowHandle,
  isCancellation,
  proxyLocalActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { BatchedCall, BatchedName, BatchedResult, ControlActivities } from './activity-types';
import {
  BOOKKEEPING_OPTIONS,
  MIRROR_AFTER_MS,
  runToEnd,
  startMirror,
  type RunBookkeeping,
  type RunPlacement,
} from './run-workflow';

const batches = proxyLocalActivities<Pick<ControlActivities, 'controlBatch'>>(BOOKKEEPING_OPTIONS);

interface Queued {
  call: BatchedCall;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * The group's bookkeeping: its runs' calls go out as batches, one local activity each (controlBatch). A call is sent
 * at once when no batch is in flight; calls made meanwhile go together in the next batch. Runs of a group mostly
 * reach the same step together, so a batch serves several runs: one local activity, marker and round trip for them.
 *
 * A batch is not cancellable (bookkeeping is short and idempotent): a call made in a scope that is cancelled
 * meanwhile is rejected with the cancellation at once, as a local activity of its own would be, while its batch
 * runs to its end.
 */
class Bookkeeping {
  private readonly queue: Queued[] = [];
  private inFlight = false;

  readonly control: RunBookkeeping = {
    beginRun: (input) => this.call('beginRun', input),
    recordTrainOutput: (input) => this.call('recordTrainOutput', input),
    reportRung: (input) => this.call('reportRung', input),
    planEvalCells: (input) => this.call('planEvalCells', input),
    recordEvalResult: (input) => this.call('recordEvalResult', input),
    finishRun: (input) => this.call('finishRun', input),
  };

  private call<T>(name: BatchedName, input: unknown): Promise<T> {
    const scope = CancellationScope.current();
    // As a local activity scheduled in a cancelled scope: rejected at once, never run.
    if (scope.consideredCancelled) return scope.cancelRequested as Promise<never>;
    const result = new Promise<T>((resolve, reject) => {
      this.queue.push({ call: { name, input }, resolve: resolve as (value: unknown) => void, reject });
    });
    if (!this.inFlight) void this.pump();
    return scope.cancellable ? Promise.race([result, scope.cancelRequested]) : result;
  }

  private async pump(): Promise<void> {
    this.inFlight = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      let results: BatchedResult[];
      try {
        results = await CancellationScope.nonCancellable(() =>
          batches.controlBatch({ calls: batch.map((q) => q.call) }),
        );
      } catch (err) {
        for (const q of batch) q.reject(err);
        continue;
      }
      batch.forEach((q, i) => {
        const result = results[i]!;
        if ('value' in result) q.resolve(result.value);
        else
          q.reject(
            ApplicationFailure.create({
              message: result.failure.message,
              type: result.failure.type ?? undefined,
              nonRetryable: true,
            }),
          );
      });
    }
    this.inFlight = false;
  }
}

interface Watched {
  training: { run_id: string; activity_id: string; task_queue: string };
  since: number;
  mirror: { stop: () => Promise<void> } | null;
}

/**
 * The group's progress mirrors: a training still running MIRROR_AFTER_MS after it was scheduled gets one, as in
 * runWorkflow, but one timer serves all the group's trainings, where each run would start and cancel its own. The
 * timer is armed for the earliest training not yet mirrored and is never cancelled: when it fires it mirrors those
 * that have run long enough and re-arms for the next one, if any. A group of short trainings thus costs one timer
 * per MIRROR_AFTER_MS of its life, not two timer events per training (it fires at most once with nothing to do).
 */
class Mirrors {
  private readonly waiting = new Set<Watched>();
  private armed = false;

  watch: RunPlacement['watchTraining'] = (training) => {
    const watched: Watched = { training, since: Date.now(), mirror: null };
    this.waiting.add(watched);
    this.arm();
    return async () => {
      this.waiting.delete(watched);
      await watched.mirror?.stop();
    };
  };

  private arm(): void {
    if (this.armed || this.waiting.size === 0) return;
    let earliest = Infinity;
    for (const w of this.waiting) earliest = Math.min(earliest, w.since);
    this.armed = true;
    sleep(Math.max(1, earliest + MIRROR_AFTER_MS - Date.now())).then(
      () => {
        this.armed = false;
        const now = Date.now();
        for (const w of [...this.waiting]) {
          if (now - w.since < MIRROR_AFTER_MS) continue;
          this.waiting.delete(w);
          w.mirror = startMirror(w.training);
        }
        this.arm();
      },
      (err: unknown) => {
        if (!isCancellation(err)) throw err;
      },
    );
  }
}

/** Some runs of a group ended; the signal reaches whichever execution of the sweep is current. */
export const runsFinishedSignal = defineSignal<[RunsFinished]>('runsFinished');

/** Input of a run group: what every run of it shares, and each run's id and config. */
export interface RunGroupInput {
  common: Omit<RunWorkflowInput, 'run_id' | 'config'>;
  runs: Pick<RunWorkflowInput, 'run_id' | 'config'>[];
}

/**
 * Runs several runs of a sweep side by side in one workflow, each exactly as runWorkflow would (runToEnd: the same
 * activities, bookkeeping and failure accounting), and reports their ends to the sweep in batches. One workflow
 * execution for G runs shares its fixed costs (start, close, visibility, the sandbox's set-up on the worker, the
 * report signal and its acknowledgement) among them: what a sweep of many short runs pays per run is mostly these.
 *
 * A run's end is reported as soon as no report is in flight; ends that arrive meanwhile go out together with the
 * next one, so the sweep frees a run's slot at once, not when the group's slowest run ends. Cancelling the group
 * cancels its runs (each records itself cancelled) and reports them as cancelled.
 */
export async function runGroupWorkflow(input: RunGroupInput): Promise<RunWorkflowResult[]> {
  const groupId = workflowInfo().workflowId;
  const parent = workflowInfo().parent;
  const pending: RunFinished[] = [];
  let sending = false;
  const pump = async (): Promise<void> => {
    sending = true;
    while (pending.length > 0) {
      const runs = pending.splice(0);
      if (!parent) continue;
      try {
        // Not cancellable: a cancelled group still tells the sweep its runs ended.
        await CancellationScope.nonCancellable(() =>
          getExternalWorkflowHandle(parent.workflowId).signal(runsFinishedSignal, { group_id: groupId, runs }),
        );
      } catch {
        // The sweep has ended (cancelled, terminated): nobody is left to count these runs.
      }
    }
    sending = false;
  };
  const report = (finished: RunFinished): void => {
    pending.push(finished);
    if (!sending) void pump();
  };

  const mirrors = new Mirrors();
  const placement: RunPlacement = { watchTraining: mirrors.watch, control: new Bookkeeping().control };
  let cancellation: unknown = null;
  const results = await Promise.all(
    input.runs.map(async (run): Promise<RunWorkflowResult | null> => {
      try {
        const result = await runToEnd({ ...input.common, ...run }, placement);
        report({ run_id: run.run_id, status: result.status });
        return result;
      } catch (err) {
        // runToEnd records every other failure on the run and returns it; only cancellation comes through.
        if (!isCancellation(err)) throw err;
        cancellation ??= err;
        report({ run_id: run.run_id, status: 'cancelled' });
        return null;
      }
    }),
  );
  await CancellationScope.nonCancellable(() => condition(() => !sending && pending.length === 0));
  // Like runWorkflow: the group ends Canceled once its runs have recorded and reported their cancellation.
  if (cancellation !== null) throw cancellation;
  return results.filter((r): r is RunWorkflowResult => r !== null);
}
