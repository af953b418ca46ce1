import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename } from 'node:path';
import { PortInUseError, StackError } from './errors';
import { logFileOf, logTail, pidFileOf, stackLayout, type StackLayout } from './layout';
import type { StackOptions } from './options';
import { isPortFree } from './ports';
import {
  isRecordedProcessAlive,
  readPidFile,
  removePidFile,
  spawnDetached,
  stopRecordedProcess,
  type ProcessRecord,
  type StopOutcome,
} from './process';
import type { ServiceSpec } from './service';
import { createServices } from './services';
import { removeStackFiles, writeStackFiles } from './stack-files';

export type ServiceState = 'running' | 'stopped' | 'external' | 'unhealthy';

/** One line of `status`. */
export interface ServiceStatus {
  name: string;
  state: ServiceState;
  pid: number | null;
  address: string;
  uiUrl?: string;
  /** Why a service is unhealthy. */
  detail?: string;
}

export interface UpResult {
  services: (ServiceStatus & { action: 'started' | 'already running' | 'external' })[];
  /** The variables written to stack.env. */
  env: Record<string, string>;
  layout: StackLayout;
}

export interface DownResult {
  services: { name: string; pid: number | null; outcome: StopOutcome }[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error)) || String(error);

function sameCommand(record: ProcessRecord, spec: ServiceSpec): boolean {
  const { command, args } = spec.command();
  const wanted = [command, ...args];
  return record.argv.length === wanted.length && record.argv.every((arg, i) => arg === wanted[i]);
}

/** The recorded process of a service if it is still the one we started; stale pid files are ignored. */
function runningRecord(layout: StackLayout, name: string): ProcessRecord | null {
  const record = readPidFile(pidFileOf(layout, name));
  return record && isRecordedProcessAlive(record) ? record : null;
}

async function waitHealthy(
  spec: ServiceSpec,
  record: ProcessRecord,
  layout: StackLayout,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = new Error('no health check completed');
  for (;;) {
    if (!isRecordedProcessAlive(record)) {
      throw new StackError(
        `cannot start ${spec.name}: the process exited; last lines of ${logFileOf(layout, spec.name)}:\n${logTail(logFileOf(layout, spec.name))}`,
      );
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    try {
      await spec.health(Math.min(3000, Math.max(remaining, 500)));
      if (spec.ready) await spec.ready(Math.max(deadline - Date.now(), 5000));
      return;
    } catch (error) {
      lastError = error;
      await sleep(250);
    }
  }
  throw new StackError(
    `cannot start ${spec.name}: not healthy after ${Math.round(timeoutMs / 1000)} s (${message(lastError)}); last lines of ${logFileOf(layout, spec.name)}:\n${logTail(logFileOf(layout, spec.name))}`,
  );
}

async function assertPortsFree(specs: ServiceSpec[], hints: Partial<Record<string, string>>): Promise<void> {
  for (const spec of specs) {
    for (const claim of spec.ports) {
      if (!(await isPortFree(claim.port))) {
        throw new PortInUseError(spec.name, claim.port, hints[claim.key] ?? `choose another ${claim.key} port`);
      }
    }
  }
}

function assertExecutable(spec: ServiceSpec): void {
  const { command } = spec.command();
  if (!existsSync(command))
    throw new StackError(`cannot start ${spec.name}: ${command} not found (run tools/setup.sh)`);
}

/**
 * Starts every managed service that is not already running, waits until all are healthy, then writes
 * stack.json and stack.env. Idempotent: running services are checked, not restarted. All-or-nothing: if one
 * service fails, the ones this call started are stopped again.
 */
export async function upStack(options: StackOptions): Promise<UpResult> {
  const layout = stackLayout(options.stateDir);
  const specs = createServices(options);
  const timeoutMs = options.startTimeoutMs ?? 90_000;
  await mkdir(layout.logsDir, { recursive: true });
  await mkdir(layout.pidsDir, { recursive: true });

  const managed = specs.filter((spec) => !spec.external);
  const running = new Map<string, ProcessRecord>();
  for (const spec of managed) {
    const record = runningRecord(layout, spec.name);
    if (!record) continue;
    if (!sameCommand(record, spec)) {
      throw new StackError(
        `${spec.name} is already running (pid ${record.pid}) with other settings (ports or directories); stop the stack first`,
      );
    }
    running.set(spec.name, record);
  }
  const toStart = managed.filter((spec) => !running.has(spec.name));
  toStart.forEach(assertExecutable);
  await assertPortsFree(toStart, options.portHints ?? {});

  const started = new Map<string, ProcessRecord>();
  try {
    for (const spec of toStart) await spec.prepare();
    for (const spec of toStart) {
      removePidFile(pidFileOf(layout, spec.name));
      const { record } = spawnDetached(spec.command(), logFileOf(layout, spec.name), pidFileOf(layout, spec.name));
      started.set(spec.name, record);
    }
    const all = new Map([...running, ...started]);
    await Promise.all(managed.map((spec) => waitHealthy(spec, all.get(spec.name) as ProcessRecord, layout, timeoutMs)));
  } catch (error) {
    await Promise.all(
      toStart
        .filter((spec) => started.has(spec.name))
        .map(async (spec) => {
          await stopRecordedProcess(
            started.get(spec.name) as ProcessRecord,
            spec.stopSignal,
            options.stopTimeoutMs ?? 15_000,
          );
          removePidFile(pidFileOf(layout, spec.name));
          await spec.cleanup?.();
        }),
    );
    throw error;
  }

  const services = specs.map((spec) => {
    const record = running.get(spec.name) ?? started.get(spec.name);
    const base = { name: spec.name, address: spec.address, ...(spec.uiUrl ? { uiUrl: spec.uiUrl } : {}) };
    if (spec.external || !record)
      return { ...base, state: 'external' as const, pid: null, action: 'external' as const };
    return {
      ...base,
      state: 'running' as const,
      pid: record.pid,
      action: running.has(spec.name) ? ('already running' as const) : ('started' as const),
    };
  });
  const env = Object.assign({}, ...specs.map((spec) => spec.env)) as Record<string, string>;
  await writeStackFiles(
    layout,
    services.map(({ action: _action, ...status }) => status),
    env,
  );
  return { services, env, layout };
}

/** Each service's state: external ones are reported, not probed; running ones get one health check. */
export async function stackStatus(options: StackOptions): Promise<ServiceStatus[]> {
  const layout = stackLayout(options.stateDir);
  return Promise.all(
    createServices(options).map(async (spec): Promise<ServiceStatus> => {
      const base = { name: spec.name, address: spec.address, ...(spec.uiUrl ? { uiUrl: spec.uiUrl } : {}) };
      if (spec.external) return { ...base, state: 'external', pid: null };
      const record = runningRecord(layout, spec.name);
      if (!record) return { ...base, state: 'stopped', pid: null };
      try {
        await spec.health(3000);
        return { ...base, state: 'running', pid: record.pid };
      } catch (error) {
        return { ...base, state: 'unhealthy', pid: record.pid, detail: message(error) };
      }
    }),
  );
}

/**
 * Stops every process `up` recorded under the state dir (including services no longer configured), each by
 * its recorded pid and only if that pid still runs the recorded command line; removes stack.json/stack.env.
 */
export async function downStack(options: StackOptions): Promise<DownResult> {
  const layout = stackLayout(options.stateDir);
  const specs = createServices(options);
  const recorded = existsSync(layout.pidsDir)
    ? readdirSync(layout.pidsDir)
        .filter((file) => file.endsWith('.pid'))
        .map((file) => basename(file, '.pid'))
    : [];
  const names = [...new Set([...specs.filter((spec) => !spec.external).map((spec) => spec.name), ...recorded])];
  const specOf = (name: string): ServiceSpec | undefined => specs.find((spec) => spec.name === name);
  const services = await Promise.all(
    names.map(async (name) => {
      const pidFile = pidFileOf(layout, name);
      const record = readPidFile(pidFile);
      const spec = specOf(name);
      const outcome: StopOutcome = record
        ? await stopRecordedProcess(record, spec?.stopSignal ?? 'SIGTERM', options.stopTimeoutMs ?? 15_000)
        : 'not running';
      removePidFile(pidFile);
      // A process that survived even SIGKILL still holds its files.
      if (!record || !isRecordedProcessAlive(record)) await spec?.cleanup?.();
      return { name, pid: record?.pid ?? null, outcome };
    }),
  );
  await removeStackFiles(layout);
  return { services };
}
