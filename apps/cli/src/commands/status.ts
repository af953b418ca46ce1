import { Command } from 'commander';
import { stackStatus } from '@mirage/local-stack';
import { cliEnv } from '../env';
import { addressOf, columns, pidOf } from '../service-lines';
import { fullStackOptions } from '../stack-options';

/** `mirage status`: each service, its state, pid and address. */
export function statusCommand(): Command {
  return new Command('status')
    .description('show each local stack service: state (running/stopped/external/unhealthy), pid and address')
    .option('--json', 'print the statuses as JSON')
    .action(async (flags: { json?: boolean }) => {
      const services = await stackStatus(fullStackOptions(cliEnv()));
      if (flags.json) {
        console.log(JSON.stringify(services, null, 2));
        return;
      }
      const rows = services.map((service) => [service.name, service.state, pidOf(service.pid), addressOf(service)]);
      console.log(columns([['SERVICE', 'STATE', 'PID', 'ADDRESS'], ...rows]));
      for (const service of services.filter((entry) => entry.detail)) console.log(`${service.name}: ${service.detail}`);
    });
}
