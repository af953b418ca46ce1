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
  const database = databaseCause(error);
  if (database) {
    // drizzle wraps the driver's error in "Failed query: <the whole SQL>"; the server's own words say more.
    process.stderr.write(`mirage: database error${database.code ? ` (${database.code})` : ''}: ${database.message}\n`);
    return 1;
  }
  process.stderr.write(
    `mirage: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}

function databaseCause(error: unknown): { code?: string; message: string } | null {
  let current: unknown = error;
  while (current instanceof Error) {
    const code = (current as { code?: unknown }).code;
    if (current.name === 'DatabaseError' || (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code))) {
      return { code: typeof code === 'string' ? code : undefined, message: current.message };
    }
    current = current.cause;
  }
  return null;
}
