import {
  sweepId as deriveSweepId,
  TASK_QUEUES,
  WORKFLOW_NAMES,
  type ExperimentSpec,
  type IdentifiedRun,
  type ResolvedDatasets,
  SweepWorkflowInput,
} from '@mirage/contracts';
import { recordSweepPlan, upsertReportedResult, type Db } from '@mirage/db';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/** What `launch` did: the sweep id, and whether it started a new execution or attached to a running one. */
export interface LaunchResult {
  sweepId: string;
  runId: string;
  attached: boolean;
  input: SweepWorkflowInput;
}

/**
 * Starts the sweep workflow whose id is derived from (spec, selections, code version). Launching the same spec
 * twice attaches to the running execution; re-launching a finished sweep starts a new execution whose runs find
 * their trainings and evaluation cells already recorded, so no GPU activity runs.
 */
export async function launchSweep(options: {
  db: Db;
  temporal: Client;
  spec: ExperimentSpec;
  datasets: ResolvedDatasets;
  runs: readonly IdentifiedRun[];
  codeVersion: string;
  bucket: string;
}): Promise<LaunchResult> {
  const { db, temporal, spec, datasets, runs, codeVersion, bucket } = options;
  const manifestHashes: Record<string, string> = { train: datasets.train.selection_hash };
  if (datasets.val) manifestHashes['val'] = datasets.val.selection_hash;
  for (const target of datasets.eval) manifestHashes[`eval:${target.id}`] = target.manifest.selection_hash;
  const sweepId = deriveSweepId({ spec, manifestHashes, codeVersion });
  await recordReported(db, spec);

  const input: SweepWorkflowInput = SweepWorkflowInput.parse({
    sweep_id: sweepId, spec, datasets, code_version: codeVersion, bucket, total_runs: runs.length,
  });
  const running = await runningExecution(temporal, sweepId);
  if (running) return { sweepId, runId: running, attached: true, input };
  await recordSweepPlan(db, { sweepId, spec, runs, codeVersion });
  const handle = await temporal.workflow.start(WORKFLOW_NAMES.sweep, {
    workflowId: sweepId,
    taskQueue: TASK_QUEUES.control,
    args: [input],
    // A concurrent launch that won the race is attached to, never duplicated.
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
  return { sweepId, runId: handle.firstExecutionRunId, attached: false, input };
}

async function runningExecution(temporal: Client, workflowId: string): Promise<string | null> {
  try {
    const description = await temporal.workflow.getHandle(workflowId).describe();
    return description.status.name === 'RUNNING' ? description.runId : null;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

async function recordReported(db: Db, spec: ExperimentSpec): Promise<void> {
  for (const r of spec.reported) {
    await upsertReportedResult(db, {
      paper: r.paper,
      method: r.method,
      protocol: spec.protocol ?? spec.name,
      dataset: r.dataset,
      metric: r.metric,
      value: r.value,
    });
  }
}
