import type { LaunchCommand } from './process';

/** One port a service binds, with the advice printed when someone else holds it. */
export interface PortClaim {
  port: number;
  /** Which StackPorts entry (or extra name) this is; the key of StackOptions.portHints. */
  key: string;
}

/**
 * A managed process of the local stack. Adding a service (e.g. the dashboard) means writing one of these
 * and listing it in createServices (or passing it as StackOptions.extraServices).
 */
export interface ServiceSpec {
  name: string;
  /** What a client connects to, as printed by status. */
  address: string;
  /** A web UI, when the service has one. */
  uiUrl?: string;
  /** Set when the user pointed the stack at an existing server: nothing is started, stopped or checked. */
  external: boolean;
  /** Every port the process binds; all must be free before anything starts. */
  ports: PortClaim[];
  /** Signal for a clean shutdown (postgres wants SIGINT: SIGTERM would wait for clients to disconnect). */
  stopSignal: NodeJS.Signals;
  /** The exact command line; pure, so a running process can be compared with what would be started now. */
  command(): LaunchCommand;
  /** Creates directories and config files the command needs; idempotent. */
  prepare(): Promise<void>;
  /** Resolves when the service answers a real request, rejects with the reason otherwise. */
  health(timeoutMs: number): Promise<void>;
  /** Idempotent set-up once healthy (database, bucket). */
  ready?(timeoutMs: number): Promise<void>;
  /** Removes what the exited process left outside the state dir (e.g. Unix sockets in /tmp); idempotent. */
  cleanup?(): Promise<void>;
  /** Lines this service contributes to stack.env. */
  env: Record<string, string>;
}
