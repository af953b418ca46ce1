import { cancelUnfinishedRuns, listPlannedRuns, setSweepStatus } from '@mirage/db';
import { RunConfig } from '@mirage/contracts';
import type { ControlActivities } from '@mirage/workflows';
import type { ActivityDeps } from './deps';

/** The sweep's plan, page by page (recorded by `mirage launch`), and its final status. */
export function sweepActivities({ db }: ActivityDeps): Pick<ControlActivities, 'plannedRuns' | 'finishSweep'> {
  return {
    async plannedRuns({ sweep_id, from, limit }) {
      const rows = await listPlannedRuns(db, sweep_id, from, limit);
      return rows.map((row) => ({ index: row.planIndex ?? 0, run_id: row.id, config: RunConfig.parse(row.config) }));
    },
    async finishSweep({ sweep_id, status }) {
      if (status === 'cancelled') await cancelUnfinishedRuns(db, sweep_id);
      await setSweepStatus(db, sweep_id, status);
    },
  };
}
