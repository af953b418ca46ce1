import { ashaDecision, TrainMetricRecord, TrainOutput } from '@mirage/contracts';
import {
  getRun,
  recordCheckpoint,
  recordRungValue,
  recordTrainMetrics,
  setRunStatus,
  setRunTrainOutput,
  updateRunProgress,
} from '@mirage/db';
import type { ControlActivities } from '@mirage/workflows';
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps';

/** Run lifecycle: start (or reuse a finished training), record the training output and rung verdicts, finish. */
export function runActivities({
  db,
  store,
}: ActivityDeps): Pick<ControlActivities, 'beginRun' | 'recordTrainOutput' | 'reportRung' | 'finishRun'> {
  return {
    async beginRun({ run_id }) {
      const run = await getRun(db, run_id);
      if (!run)
        throw ApplicationFailure.nonRetryable(
          `run ${run_id} was never recorded (mirage launch records every planned run before the sweep starts)`,
        );
      // A run whose training already finished (an earlier launch, or another sweep with the same run id) is
      // never trained again: its checkpoint is content-addressed by the run id.
      const trained = run.trainOutput ? TrainOutput.parse(run.trainOutput) : null;
      await setRunStatus(db, run_id, { status: trained ? 'evaluating' : 'training', error: null });
      return { trained };
    },

    async recordTrainOutput({ run_id, output, stopped = false }) {
      const parsed = TrainOutput.parse(output);
      const lines = (await store.get(parsed.train_metrics_key))
        .toString('utf8')
        .split('\n')
        .filter((l) => l.trim());
      const points = lines.map((line, i) => {
        const record = TrainMetricRecord.safeParse(JSON.parse(line));
        if (!record.success) {
          throw ApplicationFailure.nonRetryable(
            `${parsed.train_metrics_key} line ${i + 1}: ${record.error.issues[0]?.message}`,
          );
        }
        return record.data;
      });
      await recordTrainMetrics(
        db,
        points.map((p) => ({
          runId: run_id,
          step: p.step,
          lossTerms: p.loss_terms,
          lr: p.lr,
          imagesPerSecond: p.images_per_second,
        })),
      );
      for (const ckpt of parsed.checkpoints) {
        await recordCheckpoint(db, {
          runId: run_id,
          step: ckpt.step,
          key: ckpt.key,
          sha256: ckpt.sha256,
          bytes: ckpt.bytes,
        });
      }
      // A run stopped at a rung keeps no output: a re-launch trains on from its last checkpoint and is judged again.
      if (!stopped) await setRunTrainOutput(db, run_id, parsed as unknown as Record<string, unknown>);
      // The progress mirror may stop before the last heartbeat; the output is the final word.
      await updateRunProgress(db, run_id, {
        currentStep: parsed.steps,
        lastLoss: parsed.final_loss_terms['total'] ?? null,
        imagesPerSecond: parsed.images_per_second,
      });
      if (!stopped) await setRunStatus(db, run_id, { status: 'evaluating', attempts: parsed.attempt });
    },

    async reportRung({ sweep_id, run_id, step, metric, value, reduction_factor }) {
      // The run's own value is the last recorded: a retried report is judged on the value first recorded.
      const recorded = await recordRungValue(db, { sweepId: sweep_id, step, runId: run_id, metric, value });
      return ashaDecision(recorded.at(-1)!, recorded, reduction_factor);
    },

    async finishRun({ run_id, status, error }) {
      await setRunStatus(db, run_id, { status, error });
    },
  };
}
