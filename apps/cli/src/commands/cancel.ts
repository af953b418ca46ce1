import { Command } from 'commander';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { connectStack } from '../connections';
import { UserError } from '../errors';

// Runs stop at their next heartbeat and record themselves; the sweep ends itself once they have (bounded at 45 s).
const CANCEL_WAIT_MS = 60_000;

/** Requests cancellation of a running sweep and waits until it has ended; a sweep that already ended is an error. */
export async function cancelSweep(handle: WorkflowHandle, sweepId: string, waitMs = CANCEL_WAIT_MS): Promise<string> {
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new UserError(`no sweep ${sweepId}`);
    throw error;
  }
  if (status !== 'RUNNING')
    throw new UserError(`sweep ${sweepId} already ended (${status.toLowerCase()}); nothing to cancel`);
  await handle.cancel();
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    status = (await handle.describe()).status.name;
    if (status !== 'RUNNING') return status;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new UserError(
    `cancellation of ${sweepId} was requested, but it is still running after ${waitMs / 1000} s; check \`mirage watch ${sweepId}\``,
  );
}

/** `mirage cancel <sweep>`: cancels the sweep; running trainings stop at their next heartbeat, recorded results stay. */
export function cancelCommand(): Command {
  return new Command('cancel')
    .description('cancel a running sweep and wait until it has stopped (recorded results and checkpoints are kept)')
    .argument('<sweep>', 'sweep id')
    .action(async (sweepId: string) => {
      const stack = await connectStack();
      try {
        const status = await cancelSweep(stack.temporal.workflow.getHandle(sweepId), sweepId);
        console.log(
          `sweep ${sweepId} ${status === 'CANCELLED' ? 'cancelled' : `ended ${status.toLowerCase()}`}; recorded results and checkpoints are kept`,
        );
      } finally {
        await stack.close();
      }
    });
}
