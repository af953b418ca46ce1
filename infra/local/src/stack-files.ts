import { rm, writeFile } from 'node:fs/promises';
import type { StackLayout } from './layout';
import type { ServiceStatus } from './stack';

const shellQuote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/** The stack.env text: one `export NAME='value'` line per variable, safe to `source`. */
export function renderStackEnv(env: Record<string, string>): string {
  return (
    Object.entries(env)
      .map(([name, value]) => `export ${name}=${shellQuote(value)}`)
      .join('\n') + '\n'
  );
}

/** Writes stack.json and stack.env; both may hold a secret key or a password, hence owner-only. */
export async function writeStackFiles(
  layout: StackLayout,
  services: ServiceStatus[],
  env: Record<string, string>,
): Promise<void> {
  const json = { stateDir: layout.stateDir, writtenAt: new Date().toISOString(), services, env };
  await writeFile(layout.stackJson, JSON.stringify(json, null, 2) + '\n', { mode: 0o600 });
  await writeFile(layout.stackEnv, renderStackEnv(env), { mode: 0o600 });
}

/** A stopped stack has no addresses to hand out. */
export async function removeStackFiles(layout: StackLayout): Promise<void> {
  await rm(layout.stackJson, { force: true });
  await rm(layout.stackEnv, { force: true });
}
