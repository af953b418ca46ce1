// Shared by the CLI's tests: running the real `mirage` command, and the environment of a private stack.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { StackPorts } from '@mirage/local-stack';

/** The repository root. */
export const ROOT = resolve(__dirname, '../../../..');
/** The real command, as a user runs it. */
export const MIRAGE = join(ROOT, 'apps/cli/bin/mirage');

/** What a command printed and how it exited. */
export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `mirage args` with `env`; never throws, the outcome says how it went. */
export function runMirage(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<Outcome> {
  return new Promise((done) => {
    execFile(
      MIRAGE,
      args,
      { env, cwd: options.cwd ?? ROOT, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** The environment of a private stack in `home` on `ports`; addresses inherited from a sourced stack.env are dropped. */
export function privateStackEnv(home: string, ports: StackPorts): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(DATABASE_URL|S3_|TEMPORAL_|MIRAGE_)/.test(name)),
  );
  return {
    ...inherited,
    MIRAGE_HOME: home,
    MIRAGE_TEMPORAL_PORT: String(ports.temporal),
    MIRAGE_TEMPORAL_UI_PORT: String(ports.temporalUi),
    MIRAGE_PG_PORT: String(ports.postgres),
    MIRAGE_S3_PORT: String(ports.s3),
    MIRAGE_PORT_BASE: String(ports.temporalHttp),
  };
}
