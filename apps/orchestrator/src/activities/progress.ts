import { TrainHeartbeat, ACTIVITY_NAMES } from '@mirage/contracts';
import { recordCheckpoint, setRunError, updateRunProgress, setRunStatus } from '@mirage/db';
import type { ControlActivities } from '@mirage/workflows';
import { Context } from '@temporalio/activity';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityDeps } from './deps';

// Temporal API enum values (temporal.api.enums.v1): TaskQueueType.ACTIVITY and PendingActivityState.SCHEDULED.
const TASK_QUEUE_TYPE_ACTIVITY = 2;
const PENDING_ACTIVITY_STATE_SCHEDULED = 1;

/**
 * Mirrors the Python train activity's heartbeats (step, loss, images/s, attempt) into Postgres until the
 * workflow cancels it, so `mirage watch` and the dashboard read live progress from one place.
 */
export function progressActivities({
  db,
  temporal,
  progressPollMs = 2000,
  unpolledReportMs = 30_000,
}: ActivityDeps): Pick<ControlActivities, 'mirrorTrainProgress'> {
  const pollers = async (taskQueue: string): Promise<number> => {
    const response = await temporal.workflowService.describeTaskQueue({
      namespace: temporal.options.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: TASK_QUEUE_TYPE_ACTIVITY,
    });
    return response.pollers?.length ?? 0;
  };
  return {
    async mirrorTrainProgress({ run_id, workflow_id, task_queue, activity_id }) {
      const ctx = Context.current();
      const unpolled = new UnpolledQueueReport(unpolledReportMs);
      let lastStep = -1;
      let lastAttempt = 0;
      let lastCheckpoint = '';
      for (;;) {
        ctx.heartbeat();
        const description = await temporal.workflow.getHandle(workflow_id).describe();
        // A run group's workflow has a training per run in flight: its own is the one with its activity id.
        const pending = description.raw.pendingActivities?.find(
          (a) =>
            a.activityType?.name === ACTIVITY_NAMES.train &&
            (activity_id === undefined || a.activityId === activity_id),
        );
        const payload = pending?.heartbeatDetails?.payloads?.[0];
        const waiting = pending?.state === PENDING_ACTIVITY_STATE_SCHEDULED;
        const notice = await unpolled.check(waiting, () => pollers(task_queue), task_queue);
        if (notice !== undefined) await setRunError(db, run_id, notice);
        if (pending && pending.attempt && pending.attempt !== lastAttempt) {
          lastAttempt = pending.attempt;
          await setRunStatus(db, run_id, { status: 'training', attempts: pending.attempt });
        }
        if (payload) {
          const beat = TrainHeartbeat.safeParse(defaultPayloadConverter.fromPayload(payload));
          if (beat.success && beat.data.step !== lastStep) {
            lastStep = beat.data.step;
            await updateRunProgress(db, run_id, {
              currentStep: beat.data.step,
              totalSteps: beat.data.total_steps,
              lastLoss: beat.data.loss_terms['total'] ?? null,
              imagesPerSecond: beat.data.images_per_second,
            });
          }
          // Each uploaded checkpoint is recorded as soon as a heartbeat names it, so a cancelled or failed run keeps
          // the record of what it saved, not only a finished one.
          const checkpoint = beat.success ? beat.data.checkpoint : null;
          if (checkpoint && checkpoint.key !== lastCheckpoint) {
            lastCheckpoint = checkpoint.key;
            await recordCheckpoint(db, {
              runId: run_id,
              step: checkpoint.step,
              key: checkpoint.key,
              sha256: checkpoint.sha256,
              bytes: checkpoint.bytes,
            });
          }
        }
        await Promise.race([ctx.sleep(progressPollMs), ctx.cancelled]);
      }
    },
  };
}

/**
 * Decides when a training waiting on its task queue is reported: once it has been scheduled and not started for
 * `afterMs` while the queue has no poller, and once more (with null, clearing it) when a worker picks it up.
 * `check` returns the run's new notice, or undefined when nothing changes.
 */
export class UnpolledQueueReport {
  private since: number | null = null;
  private reported = false;

  constructor(private readonly afterMs: number) {}

  async check(
    waiting: boolean,
    pollers: () => Promise<number>,
    taskQueue: string,
    now = Date.now(),
  ): Promise<string | null | undefined> {
    if (!waiting) {
      this.since = null;
      if (!this.reported) return undefined;
      this.reported = false;
      return null;
    }
    this.since ??= now;
    if (this.reported || now - this.since < this.afterMs) return undefined;
    if ((await pollers()) > 0) return undefined;
    this.reported = true;
    const waited = Math.round((now - this.since) / 1000);
    return `no worker polls task queue "${taskQueue}" (the training has waited ${waited} s; a GPU worker polls <MIRAGE_GPU_TASK_QUEUE>@<its detector code version>)`;
  }
}
