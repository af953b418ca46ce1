import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a stack keeps its files under its state directory. */
export interface StackLayout {
  stateDir: string;
  logsDir: string;
  pidsDir: string;
  /** Addresses and states, for programs. */
  stackJson: string;
  /** `export NAME='value'` lines, for shells. */
  stackEnv: string;
}

export function stackLayout(stateDir: string): StackLayout {
  return {
    stateDir,
    logsDir: join(stateDir, 'logs'),
    pidsDir: join(stateDir, 'pids'),
    stackJson: join(stateDir, 'stack.json'),
    stackEnv: join(stateDir, 'stack.env'),
  };
}

export const logFileOf = (layout: StackLayout, service: string): string => join(layout.logsDir, `${service}.log`);
export const pidFileOf = (layout: StackLayout, service: string): string => join(layout.pidsDir, `${service}.pid`);

/** The last lines of a service log, to explain a failed start without sending the user digging. */
export function logTail(path: string, lines = 15): string {
  if (!existsSync(path)) return '(no log)';
  const text = readFileSync(path, 'utf8').trimEnd().split('\n');
  return text.slice(-lines).join('\n');
}
