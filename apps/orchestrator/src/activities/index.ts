import type { ControlActivities } from '@mirage/workflows';
import { batchActivity } from './batch';
import type { ActivityDeps } from './deps';
import { evaluationActivities } from './evaluations';
import { progressActivities } from './progress';
import { runActivities } from './runs';
import { sweepActivities } from './sweeps';

export type { ActivityDeps } from './deps';

/** Every control-plane activity, bound to injected db, S3 and Temporal clients. */
export function createActivities(deps: ActivityDeps): ControlActivities {
  const activities = {
    ...sweepActivities(deps),
    ...runActivities(deps),
    ...progressActivities(deps),
    ...evaluationActivities(deps),
  };
  return { ...activities, controlBatch: batchActivity(activities) };
}
