import { TrainHeartbeat, ACTIVITY_NAMES } from '@mirage/contracts';
import { recordCheckpoint, updateRunProgress, setRunStatus } from '@mirage/db';
import type { ControlActivities } from '@mirage/workflows';
import { Context } from '@temporalio/activity';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityDeps } from './deps';

/**
 * Mirrors the Python train activity's heartbeats (step, loss, images/s, attempt) into Postgres until the
 * workflow cancels it, so `mirage watch` and the dashboard read live progress from one place.
 */
export function progressActivities({ db, temporal, progressPollMs = 2000 }: ActivityDeps): Pick<ControlActivities, 'mirrorTrainProgress'> {
  return {
    async mirrorTrainProgress({ run_id, workflow_id }) {
      const ctx = Context.current();
      let lastStep = -1;
      let lastAttempt = 0;
      let lastCheckpoint = '';
      for (;;) {
        ctx.heartbeat();
        const description = await temporal.workflow.getHandle(workflow_id).describe();
        const pending = description.raw.pendingActivities?.find((a) => a.activityType?.name === ACTIVITY_NAMES.train);
        const payload = pending?.heartbeatDetails?.payloads?.[0];
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
            await recordCheckpoint(db, { runId: run_id, step: checkpoint.step, key: checkpoint.key, sha256: checkpoint.sha256, bytes: checkpoint.bytes });
          }
        }
        await Promise.race([ctx.sleep(progressPollMs), ctx.cancelled]);
      }
    },
  };
}
