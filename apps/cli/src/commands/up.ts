import { relative } from 'node:path';
import { Command } from 'commander';
import { runMigrations } from '@mirage/db';
import { redactUrl, upStack, type UpResult } from '@mirage/local-stack';
import { cliEnv } from '../env';
import { UserError } from '../errors';
import { addressOf, columns, pidOf } from '../service-lines';
import { fullStackOptions, stackOptionsFromEnv } from '../stack-options';

/** Starts (or checks) the stack and applies migrations; with workers, also the orchestrator, GPU worker and dashboard. */
export async function bringUp(options: { workers: boolean; quiet?: boolean }): Promise<UpResult> {
  const env = cliEnv();
  const core = await upStack(stackOptionsFromEnv(env));
  const databaseUrl = core.env['DATABASE_URL'] ?? '';
  try {
    await runMigrations(databaseUrl);
  } catch (error) {
    throw new UserError(`cannot apply database migrations to ${redactUrl(databaseUrl)}: ${(error as Error).message}`);
  }
  const result = options.workers
    ? await upStack({ ...fullStackOptions(env, core.env), startTimeoutMs: 180_000 })
    : core;
  if (!options.quiet) {
    console.log(
      columns(
        result.services.map((service) => [
          service.name,
          service.action,
          `pid ${pidOf(service.pid)}`,
          addressOf(service),
        ]),
      ),
    );
    console.log(`migrations applied to ${redactUrl(databaseUrl)}`);
    const envFile = relative(process.cwd(), result.layout.stackEnv) || result.layout.stackEnv;
    console.log(`addresses written to ${result.layout.stackEnv}; load them with: source ${envFile}`);
    const dashboard = result.env['DASHBOARD_URL'];
    if (dashboard) console.log(`dashboard: ${dashboard}`);
  }
  return result;
}

/** `mirage up`: start (or check) the local stack, apply database migrations, start the workers and dashboard. */
export function upCommand(): Command {
  return new Command('up')
    .description(
      'start the local stack (PostgreSQL, S3, Temporal), apply migrations, start the workers and the dashboard',
    )
    .option('--core', 'start only PostgreSQL, S3 and Temporal (tests start their own workers)')
    .action(async (flags: { core?: boolean }) => {
      await bringUp({ workers: !flags.core });
    });
}
