import { Command } from 'commander';
import type { SweepProgress } from '@mirage/contracts';
import { listRunsBySweep, type Run } from '@mirage/db';
import { WorkflowNotFoundError } from '@temporalio/client';
import { connectStack, type StackClients } from '../connections';
import { UserError } from '../errors';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** One progress line of a run: bar, step, loss, images/s and ETA, from what the progress mirror recorded. */
export function runLine(run: Run): string {
  const total = run.totalSteps ?? 0;
  const fraction = total > 0 ? Math.min(1, run.currentStep / total) : 0;
  const width = 20;
  const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '.');
  const ips = run.imagesPerSecond ?? 0;
  const batch = Number((run.config as { schedule?: { batch_size?: number } }).schedule?.batch_size ?? 0);
  const eta = run.status === 'training' && ips > 0 && batch > 0 ? `${Math.ceil(((total - run.currentStep) * batch) / ips)}s` : '-';
  const loss = run.lastLoss === null ? '-' : run.lastLoss.toFixed(4);
  const tail = run.error ? `  error: ${run.error}` : '';
  return `${run.id.slice(0, 16)} ${run.method.padEnd(7)} seed ${run.seed} [${bar}] ${run.status.padEnd(10)} step ${run.currentStep}/${total} loss ${loss} ${ips.toFixed(0)} img/s eta ${eta}${tail}`;
}

// A running sweep whose progress query keeps failing (its workflow task failing, the server restarting) is
// reported after this many polls instead of being waited on silently.
const QUERY_FAILURES_TOLERATED = 30;

/** Polls the sweep's progress query and the runs' recorded progress until the sweep finishes. */
export async function watchSweep(stack: StackClients, sweepId: string, pollMs = 1000): Promise<SweepProgress> {
  const handle = stack.temporal.workflow.getHandle(sweepId);
  let previous = '';
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
      throw new UserError(`sweep ${sweepId} ${verb}: ${count('succeeded')} runs succeeded, ${count('failed')} failed, ${count('cancelled')} cancelled; recorded results and checkpoints are kept`);
    }
    let progress: SweepProgress;
    if (status === 'COMPLETED') progress = (await handle.result()) as SweepProgress;
    else {
      try {
        progress = await handle.query<SweepProgress>('progress');
        failures = 0;
      } catch (error) {
        if (++failures > QUERY_FAILURES_TOLERATED) throw new UserError(`sweep ${sweepId} is running but does not answer its progress query: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, pollMs));
        continue;
      }
    }
    const runs = await listRunsBySweep(stack.db.db, sweepId);
    const frame = [`sweep ${sweepId}: ${progress.succeeded} succeeded, ${progress.failed} failed, ${progress.running.length} running of ${progress.total}`, ...runs.map(runLine)].join('\n');
    if (frame !== previous) {
      console.log(frame);
      previous = frame;
    }
    if (progress.done && runs.every((r) => TERMINAL.has(r.status))) return progress;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** `mirage watch <sweep>`. */
export function watchCommand(): Command {
  return new Command('watch')
    .description('show live progress of a sweep (step, loss, images/s, ETA per run) until it finishes')
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
