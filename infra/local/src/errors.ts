/** A failure the user can act on (busy port, missing binary, dead process): printed as a message, never as a stack. */
export class StackError extends Error {
  override readonly name = 'StackError';
}

/** A port the stack needs is held by a process the stack did not start. */
export class PortInUseError extends StackError {
  constructor(
    readonly service: string,
    readonly port: number,
    hint: string,
  ) {
    super(`cannot start ${service}: port ${port} is already in use by another process (${hint})`);
  }
}
