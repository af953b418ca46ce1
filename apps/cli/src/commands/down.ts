import { Command } from 'commander';
import { downStack } from '@mirage/local-stack';
import { cliEnv } from '../env';
import { columns, pidOf } from '../service-lines';
import { fullStackOptions } from '../stack-options';

/** `mirage down`: stop the processes `mirage up` started (by recorded pid, never by name). */
export function downCommand(): Command {
  return new Command('down').description('stop the local stack processes that `mirage up` started').action(async () => {
    const result = await downStack(fullStackOptions(cliEnv()));
    if (result.services.length === 0) {
      console.log('nothing to stop');
      return;
    }
    console.log(
      columns(result.services.map((service) => [service.name, service.outcome, `pid ${pidOf(service.pid)}`])),
    );
  });
}
