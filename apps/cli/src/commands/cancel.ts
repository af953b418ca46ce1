import { Command } from 'commander';
import { WorkflowNotFoundError } from '@temporalio/client';
import { connectStack } from '../connections';
import { UserError } from '../errors';

/** `mirage cancel <sweep>`: cancels the sweep; running trainings stop between steps, recorded results stay. */
export function cancelCommand(): Command {
  return new Command('cancel')
    .description('cancel a running sweep (recorded results are kept)')
    .argument('<sweep>', 'sweep id')
    .action(async (sweepId: string) => {
      const stack = await connectStack();
      try {
        await stack.temporal.workflow.getHandle(sweepId).cancel();
        console.log(`cancellation requested for ${sweepId}`);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new UserError(`no running sweep ${sweepId}`);
        throw error;
      } finally {
        await stack.close();
      }
    });
}
