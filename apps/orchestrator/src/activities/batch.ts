import type { BatchedResult, ControlActivities } from '@mirage/workflows';
import { ApplicationFailure } from '@temporalio/activity';

/**
 * controlBatch: a run group's bookkeeping calls in one local activity. The calls run side by side (they are of
 * different runs, or one run's next call waits for this batch). A call's non-retryable failure is its own result,
 * so one bad run fails alone; any other failure fails the batch, which is retried whole: every call is idempotent.
 */
export function batchActivity(activities: Omit<ControlActivities, 'controlBatch'>): ControlActivities['controlBatch'] {
  return async ({ calls }) => {
    const settled = await Promise.allSettled(
      calls.map((call) => (activities[call.name] as (input: unknown) => Promise<unknown>)(call.input)),
    );
    return settled.map((outcome): BatchedResult => {
      if (outcome.status === 'fulfilled') return { value: outcome.value ?? null };
      const err: unknown = outcome.reason;
      if (err instanceof ApplicationFailure && err.nonRetryable)
        return { failure: { message: err.message, type: err.type ?? null } };
      throw err;
    });
  };
}
