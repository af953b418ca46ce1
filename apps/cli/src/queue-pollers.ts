import { TASK_QUEUES, versionedTaskQueue } from '@mirage/contracts';
import type { TemporalConnectionSecurity } from '@mirage/local-stack';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';

const { TaskQueueType } = proto.temporal.api.enums.v1;

/** Who polls one task queue for one kind of task, as Temporal's task-queue description says. */
export interface QueuePollers {
  queue: string;
  kind: 'workflow' | 'activity';
  /** Worker identities (pid@host), sorted. */
  pollers: string[];
}

const KINDS = {
  workflow: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  activity: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
} as const;

/**
 * The queues `mirage status` describes: the control queue (workflows and bookkeeping activities) and each GPU queue
 * at this checkout's code version, which is where runs launched from it send their GPU work.
 */
export function statusQueues(
  gpuQueues: readonly string[],
  codeVersion: string,
): { queue: string; kind: QueuePollers['kind'] }[] {
  return [
    { queue: TASK_QUEUES.control, kind: 'workflow' },
    { queue: TASK_QUEUES.control, kind: 'activity' },
    ...gpuQueues.map((queue) => ({ queue: versionedTaskQueue(queue, codeVersion), kind: 'activity' as const })),
  ];
}

/** A Temporal server and namespace, and how to connect to it securely. */
export interface TemporalTarget {
  address: string;
  namespace: string;
  security: TemporalConnectionSecurity;
}

/** Describes each queue's pollers on the server of `target`, within `timeoutMs`. */
export async function describePollers(
  target: TemporalTarget,
  queues: readonly { queue: string; kind: QueuePollers['kind'] }[],
  timeoutMs = 5000,
): Promise<QueuePollers[]> {
  const { address, namespace, security } = target;
  const connection = await Connection.connect({ address, ...security, connectTimeout: timeoutMs });
  try {
    return await connection.withDeadline(Date.now() + timeoutMs, () =>
      Promise.all(
        queues.map(async ({ queue, kind }) => {
          const response = await connection.workflowService.describeTaskQueue({
            namespace,
            taskQueue: { name: queue },
            taskQueueType: KINDS[kind],
          });
          const pollers = (response.pollers ?? []).map((p) => p.identity ?? '?').sort();
          return { queue, kind, pollers };
        }),
      ),
    );
  } finally {
    await connection.close();
  }
}
