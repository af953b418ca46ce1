import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';

/** What to execute for a service; uid/gid drop privileges (postgres refuses to run as root). */
export interface LaunchCommand {
  command: string;
  args: string[];
  uid?: number;
  gid?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** What a pid file holds: enough to recognise the very process we started, not just any holder of the pid. */
export interface ProcessRecord {
  pid: number;
  argv: string[];
  startedAt: string;
}

/** Reads a pid file written by spawnDetached; null when absent or unreadable (a torn write counts as absent). */
export function readPidFile(path: string): ProcessRecord | null {
  if (!existsSync(path)) return null;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ProcessRecord>;
    if (typeof parsed.pid !== 'number' || !Array.isArray(parsed.argv)) return null;
    return { pid: parsed.pid, argv: parsed.argv.map(String), startedAt: String(parsed.startedAt ?? '') };
  } catch {
    return null;
  }
}

export function removePidFile(path: string): void {
  rmSync(path, { force: true });
}

/** Command line of a live, non-zombie process; null when the pid is gone or already exited. */
function procCmdline(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the parenthesised command name, which may itself contain spaces or ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return null;
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((part, i, all) => i < all.length - 1 || part !== '');
  } catch {
    return null;
  }
}

/** True only when the recorded pid is alive AND still runs the recorded command line (pids get reused). */
export function isRecordedProcessAlive(record: ProcessRecord): boolean {
  const argv = procCmdline(record.pid);
  return argv !== null && argv.length === record.argv.length && argv.every((arg, i) => arg === record.argv[i]);
}

/**
 * Starts a process in its own session (so it outlives the caller and ignores its terminal's signals),
 * appends its output to logFile and records it in pidFile.
 */
export function spawnDetached(
  launch: LaunchCommand,
  logFile: string,
  pidFile: string,
): { child: ChildProcess; record: ProcessRecord } {
  const log = openSync(logFile, 'a');
  try {
    writeSync(log, `\n--- ${new Date().toISOString()} starting: ${[launch.command, ...launch.args].join(' ')}\n`);
    const child = spawn(launch.command, launch.args, {
      detached: true,
      stdio: ['ignore', log, log],
      cwd: launch.cwd,
      env: launch.env ?? process.env,
      uid: launch.uid,
      gid: launch.gid,
    });
    if (child.pid === undefined) throw new Error(`could not spawn ${launch.command}`);
    child.unref();
    const record: ProcessRecord = {
      pid: child.pid,
      argv: [launch.command, ...launch.args],
      startedAt: new Date().toISOString(),
    };
    writeFileSync(pidFile, JSON.stringify(record) + '\n');
    return { child, record };
  } finally {
    closeSync(log);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForExit(record: ProcessRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRecordedProcessAlive(record)) return true;
    await sleep(100);
  }
  return !isRecordedProcessAlive(record);
}

export type StopOutcome = 'stopped' | 'killed' | 'not running';

/**
 * Stops exactly the recorded process: the polite signal first, SIGKILL after timeoutMs. A pid that now
 * belongs to another command is left alone.
 */
export async function stopRecordedProcess(
  record: ProcessRecord,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<StopOutcome> {
  if (!isRecordedProcessAlive(record)) return 'not running';
  try {
    process.kill(record.pid, signal);
  } catch {
    return 'not running';
  }
  if (await waitForExit(record, timeoutMs)) return 'stopped';
  try {
    process.kill(record.pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  await waitForExit(record, 5000);
  return 'killed';
}
