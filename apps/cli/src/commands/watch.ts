import { Command } from 'commander';
import { createLogUpdate } from 'log-update';
import type { SweepProgress } from '@mirage/contracts';
import { listRunsBySweep, type Run } from '@mirage/db';
import { WorkflowNotFoundError } from '@temporalio/client';
import { connectStack, type StackClients } from '../connections';
import { UserError } from '../errors';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'stopped']);

/** What watch shows of a run: the fields its progress mirror keeps current. */
export type RunProgress = Pick<
  Run,
  | 'id'
  | 'method'
  | 'seed'
  | 'config'
  | 'status'
  | 'attempts'
  | 'error'
  | 'currentStep'
  | 'totalSteps'
  | 'lastLoss'
  | 'imagesPerSecond'
>;

/** One progress line of a run: bar, step, loss, images/s and ETA, from what the progress mirror recorded. */
export function runLine(run: RunProgress): string {
  const total = run.totalSteps ?? 0;
  const fraction = total > 0 ? Math.min(1, run.currentStep / total) : 0;
  const width = 20;
  const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '.');
  const ips = run.imagesPerSecond ?? 0;
  const batch = Number((run.config as { schedule?: { batch_size?: number } }).schedule?.batch_size ?? 0);
  const eta =
    run.status === 'training' && ips > 0 && batch > 0
      ? `${Math.ceil(((total - run.currentStep) * batch) / ips)}s`
      : '-';
  const loss = run.lastLoss === null ? '-' : run.lastLoss.toFixed(4);
  const tail = run.error ? `  error: ${run.error}` : '';
  return `${run.id.slice(0, 16)} ${run.method.padEnd(7)} seed ${run.seed} [${bar}] ${run.status.padEnd(10)} step ${run.currentStep}/${total} loss ${loss} ${ips.toFixed(0)} img/s eta ${eta}${tail}`;
}

/** The sweep's headline: counts from the workflow's progress (tests and users grep "N succeeded, M failed"). */
export function summaryLine(sweepId: string, progress: SweepProgress): string {
  // `stopped` (early stopping) is shown only when a sweep has any, so the usual headline stays as users grep it.
  const stopped = progress.stopped > 0 ? `, ${progress.stopped} stopped early` : '';
  return `sweep ${sweepId}: ${progress.succeeded} succeeded, ${progress.failed} failed${stopped}, ${progress.running.length} running of ${progress.total}`;
}

/** A run's state change as one log line: `run-… mirage seed 0: training step 120/300 loss 0.4100`. */
export function runChangeLine(run: RunProgress): string {
  const loss = run.lastLoss === null ? '-' : run.lastLoss.toFixed(4);
  const attempt = run.attempts > 1 ? ` (attempt ${run.attempts})` : '';
  const tail = run.error ? `  error: ${run.error}` : '';
  return `${run.id} ${run.method} seed ${run.seed}: ${run.status} step ${run.currentStep}/${run.totalSteps ?? '?'} loss ${loss}${attempt}${tail}`;
}

// What makes a run worth a new log line: its status, attempt, error, or the tenth of its schedule it has reached.
function runState(run: RunProgress): string {
  const total = run.totalSteps ?? 0;
  const tenth = total > 0 ? Math.floor((10 * Math.min(run.currentStep, total)) / total) : -1;
  return `${run.status}|${run.attempts}|${tenth}|${run.error ?? ''}`;
}

/** Where watchSweep shows each poll of the sweep. */
export interface ProgressView {
  /** Shows the sweep's summary line and its runs as of one poll. */
  show(summary: string, runs: readonly RunProgress[]): void;
  /** Called once when watching ends (finished or failed); leaves the last state visible. */
  close(): void;
}

/** On a terminal: one frame (summary, then a line per run) redrawn in place whenever it changes. */
export function terminalView(stream: NodeJS.WritableStream): ProgressView {
  const draw = createLogUpdate(stream);
  let previous = '';
  return {
    show(summary, runs) {
      const frame = [summary, ...runs.map(runLine)].join('\n');
      if (frame === previous) return;
      draw(frame);
      previous = frame;
    },
    close: () => draw.done(),
  };
}

/**
 * Piped or redirected: a log, one line per change of state. The summary line when its counts change, and a run's
 * line when its status, attempt or error changes or its step crosses a tenth of the schedule, so a 300-step run
 * writes about a dozen lines instead of a whole frame every poll.
 */
export function changeLogView(writeLine: (line: string) => void): ProgressView {
  let previousSummary: string | null = null;
  const seen = new Map<string, string>();
  return {
    show(summary, runs) {
      if (summary !== previousSummary) writeLine(summary);
      previousSummary = summary;
      for (const run of runs) {
        const state = runState(run);
        if (seen.get(run.id) === state) continue;
        seen.set(run.id, state);
        writeLine(runChangeLine(run));
      }
    },
    close: () => undefined,
  };
}

/**
 * The view for stdout: redrawn in place on a TTY, a change log otherwise. A TTY that reports no size (a pty nobody
 * sized, as `script` or some CI runners make) gets the log too: log-update draws nothing into zero rows.
 */
export function progressViewFor(
  stream: NodeJS.WritableStream & { isTTY?: boolean; rows?: number; columns?: number },
): ProgressView {
  const sized = (stream.rows ?? 0) > 0 && (stream.columns ?? 0) > 0;
  return stream.isTTY && sized ? terminalView(stream) : changeLogView((line) => stream.write(`${line}\n`));
}

// A running sweep whose progress query keeps failing (its workflow task failing, the server restarting) is
// reported after this many polls instead of being waited on silently.
const QUERY_FAILURES_TOLERATED = 30;

/** Polls the sweep's progress query and the runs' recorded progress until the sweep finishes. */
export async function watchSweep(stack: StackClients, sweepId: string, pollMs = 1000): Promise<SweepProgress> {
  const view = progressViewFor(process.stdout);
  try {
    return await pollSweep(stack, sweepId, pollMs, view);
  } finally {
    view.close();
  }
}

async function pollSweep(
  stack: StackClients,
  sweepId: string,
  pollMs: number,
  view: ProgressView,
): Promise<SweepProgress> {
  const handle = stack.temporal.workflow.getHandle(sweepId);
  let failures = 0;
  for (;;) {
    // A closed workflow still answers queries (by replay), so how it ended is read first, every poll.
    let status: string;
    try {
      status = (await handle.describe()).status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new UserError(`no sweep ${sweepId}`);
      throw error;
    }
    if (status !== 'RUNNING' && status !== 'COMPLETED') {
      const runs = await listRunsBySweep(stack.db.db, sweepId);
      const count = (s: string) => runs.filter((r) => r.status === s).length;
      const verb = status === 'CANCELLED' ? 'was cancelled' : `ended ${status.toLowerCase()}`;
      throw new UserError(
        `sweep ${sweepId} ${verb}: ${count('succeeded')} runs succeeded, ${count('failed')} failed, ${count('cancelled')} cancelled; recorded results and checkpoints are kept`,
      );
    }
    let progress: SweepProgress;
    if (status === 'COMPLETED') progress = (await handle.result()) as SweepProgress;
    else {
      try {
        progress = await handle.query<SweepProgress>('progress');
        failures = 0;
      } catch (error) {
        if (++failures > QUERY_FAILURES_TOLERATED)
          throw new UserError(
            `sweep ${sweepId} is running but does not answer its progress query: ${(error as Error).message}`,
          );
        await new Promise((r) => setTimeout(r, pollMs));
        continue;
      }
    }
    const runs = await listRunsBySweep(stack.db.db, sweepId);
    view.show(summaryLine(sweepId, progress), runs);
    if (progress.done && runs.every((r) => TERMINAL.has(r.status))) return progress;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** `mirage watch <sweep>`. */
export function watchCommand(): Command {
  return new Command('watch')
    .description(
      'show live progress of a sweep (step, loss, images/s, ETA per run) until it finishes; one line per change when piped',
    )
    .argument('<sweep>', 'sweep id printed by launch')
    .action(async (sweepId: string) => {
      const stack = await connectStack();
      try {
        await watchSweep(stack, sweepId);
      } finally {
        await stack.close();
      }
    });
}
