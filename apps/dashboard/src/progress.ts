import type { Run } from '@mirage/db';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'stopped']);

/** True when a run will not change any more (succeeded, failed, cancelled or stopped early). */
export function isTerminal(status: string): boolean {
  return TERMINAL.has(status);
}

function batchSize(config: Record<string, unknown>): number | null {
  const schedule = config['schedule'];
  if (typeof schedule !== 'object' || schedule === null) return null;
  const size = (schedule as Record<string, unknown>)['batch_size'];
  return typeof size === 'number' && size > 0 ? size : null;
}

/**
 * Seconds until a training run reaches its last step, or null when it cannot be told. The current throughput
 * (images/s x batch size) is preferred because it reflects the attempt now running; the average pace since the
 * start is the fallback, which overestimates after a retry resumed from a checkpoint.
 */
export function etaSeconds(run: Run, now: Date): number | null {
  if (run.status !== 'training' || run.totalSteps === null || run.currentStep >= run.totalSteps) return null;
  const remaining = run.totalSteps - run.currentStep;
  const batch = batchSize(run.config);
  if (run.imagesPerSecond !== null && run.imagesPerSecond > 0 && batch !== null) {
    return (remaining * batch) / run.imagesPerSecond;
  }
  if (run.startedAt !== null && run.currentStep > 0) {
    const elapsed = (now.getTime() - run.startedAt.getTime()) / 1000;
    return (elapsed / run.currentStep) * remaining;
  }
  return null;
}

/** A run as the sweep view and its JSON mirror show it: the progress fields without the (large) config. */
export interface RunProgressView {
  id: string;
  method: string;
  seed: number;
  status: string;
  attempts: number;
  currentStep: number;
  totalSteps: number | null;
  lastLoss: number | null;
  imagesPerSecond: number | null;
  etaSeconds: number | null;
  error: string | null;
  terminal: boolean;
  updatedAt: Date;
}

/** The progress view of one run at `now`. */
export function runProgressView(run: Run, now: Date): RunProgressView {
  return {
    id: run.id,
    method: run.method,
    seed: run.seed,
    status: run.status,
    attempts: run.attempts,
    currentStep: run.currentStep,
    totalSteps: run.totalSteps,
    lastLoss: run.lastLoss,
    imagesPerSecond: run.imagesPerSecond,
    etaSeconds: etaSeconds(run, now),
    error: run.error,
    terminal: isTerminal(run.status),
    updatedAt: run.updatedAt,
  };
}
