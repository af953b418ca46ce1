import { relative } from 'node:path';
import { Command } from 'commander';
import { runMigrations } from '@mirage/db';
import { redactUrl, upStack } from '@mirage/local-stack';
import { cliEnv } from '../env';
import { UserError } from '../errors';
import { addressOf, columns, pidOf } from '../service-lines';
import { stackOptionsFromEnv } from '../stack-options';

/** `mirage up`: start (or check) the local stack, apply database migrations, write stack.env. */
export function upCommand(): Command {
  return new Command('up').description('start the local stack (PostgreSQL, S3, Temporal) and apply database migrations').action(async () => {
    const result = await upStack(stackOptionsFromEnv(cliEnv()));
    console.log(columns(result.services.map((service) => [service.name, service.action, `pid ${pidOf(service.pid)}`, addressOf(service)])));
    const databaseUrl = result.env['DATABASE_URL'] ?? '';
    try {
      await runMigrations(databaseUrl);
    } catch (error) {
      throw new UserError(`cannot apply database migrations to ${redactUrl(databaseUrl)}: ${(error as Error).message}`);
    }
    console.log(`migrations applied to ${redactUrl(databaseUrl)}`);
    const envFile = relative(process.cwd(), result.layout.stackEnv) || result.layout.stackEnv;
    console.log(`addresses written to ${result.layout.stackEnv}; load them with: source ${envFile}`);
  });
}
