import type { Priority } from '@temporalio/common';

/**
 * Temporal's task priority for a resources.priority key (1 first .. 5 last), or nothing for the server's default. The
 * key travels on every child workflow and activity task it is given to; a server whose matcher orders by priority
 * serves lower keys first, an older one ignores it.
 */
export function priorityOf(key: number | null | undefined): { priority?: Priority } {
  return key === null || key === undefined ? {} : { priority: { priorityKey: key } };
}
