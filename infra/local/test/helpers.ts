import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreeStackPorts, type StackOptions } from '../src/index';

/** A private stack: its own temp state dir and its own free ports (never the defaults or the lead's dev stack). */
export async function privateStackOptions(extra: Partial<StackOptions> = {}): Promise<StackOptions> {
  return {
    stateDir: mkdtempSync(join(tmpdir(), 'mirage-stack-test-')),
    ports: await findFreeStackPorts(),
    startTimeoutMs: 60_000,
    ...extra,
  };
}

/** True when the pid exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}
