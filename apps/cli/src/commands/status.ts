import { Command } from 'commander';
import { TASK_QUEUES } from '@mirage/contracts';
import { stackStatus } from '@mirage/local-stack';
import { cliEnv } from '../env';
import { repoCodeVersion } from '../experiments/code-version-of-repo';
import { describePollers, statusQueues, type QueuePollers } from '../queue-pollers';
import { cliTemporalSecurity } from '../temporal-security';
import { addressOf, columns, pidOf } from '../service-lines';
import { fullStackOptions } from '../stack-options';

/** `mirage status`: each service, its state, pid and address; then who polls each task queue. */
export function statusCommand(): Command {
  return new Command('status')
    .description('show each local stack service (state, pid, address) and the workers polling each task queue')
    .option('--queue <names...>', 'GPU task queues to describe (resources.task_queue of your experiments)', [
      TASK_QUEUES.gpu,
    ])
    .option('--json', 'print the statuses as JSON')
    .action(async (flags: { json?: boolean; queue: string[] }) => {
      const env = cliEnv();
      const services = await stackStatus(fullStackOptions(env));
      const temporal = services.find((service) => service.name === 'temporal');
      const address = temporal?.state === 'running' || temporal?.state === 'external' ? temporal.address : undefined;
      const queues = address
        ? await describePollers(
            { address, namespace: env.TEMPORAL_NAMESPACE ?? 'default', security: cliTemporalSecurity(env) },
            statusQueues(flags.queue, repoCodeVersion()),
          )
        : [];
      if (flags.json) {
        console.log(JSON.stringify({ services, queues }, null, 2));
        return;
      }
      const rows = services.map((service) => [service.name, service.state, pidOf(service.pid), addressOf(service)]);
      console.log(columns([['SERVICE', 'STATE', 'PID', 'ADDRESS'], ...rows]));
      for (const service of services.filter((entry) => entry.detail)) console.log(`${service.name}: ${service.detail}`);
      if (queues.length)
        console.log(`\n${columns([['QUEUE', 'KIND', 'POLLERS', 'WORKERS'], ...queues.map(queueRow)])}`);
    });
}

function queueRow(entry: QueuePollers): string[] {
  return [entry.queue, entry.kind, String(entry.pollers.length), entry.pollers.join(', ') || '-'];
}
