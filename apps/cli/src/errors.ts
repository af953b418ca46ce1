import { CommanderError } from 'commander';
import { StackError } from '@mirage/local-stack';

/** A mistake the user can fix (bad env value, unreachable database): printed as `mirage: <message>`, exit 2. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** Exit status for usage and environment mistakes, as opposed to 1 for bugs. */
export const USER_ERROR_EXIT = 2;

/** Prints an error the way the user should see it and returns the process exit status. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has already printed its own message (or the help text).
    return error.exitCode === 0 ? 0 : USER_ERROR_EXIT;
  }
  if (error instanceof UserError || error instanceof StackError) {
    process.stderr.write(`mirage: ${error.message}\n`);
    return USER_ERROR_EXIT;
  }
  process.stderr.write(`mirage: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
