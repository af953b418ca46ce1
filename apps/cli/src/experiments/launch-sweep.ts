import { userInfo } from 'node:os';
import {
  createSearchAttributesCommand,
  SEARCH_ATTRIBUTE_NAMES,
  sweepId as deriveSweepId,
  sweepSearchAttributes,
  TASK_QUEUES,
  WORKFLOW_NAMES,
  type ExperimentSpec,
  type IdentifiedRun,
  type ResolvedDatasets,
  SweepWorkflowInput,
} from '@mirage/contracts';
import { recordSweepPlan, upsertReportedResult, type Db } from '@mirage/db';
import { isGrpcServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';

/** What `launch` did: the sweep id, and whether it started a new execution or attached to a running one. */
export interface LaunchResult {
  sweepId: string;
  runId: string;
  attached: boolean;
  input: SweepWorkflowInput;
  /** Whether the new execution carries the search attributes (false: the server has them not registered). */
  searchAttributes?: boolean;
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
  /** Who launches the sweep: its and its runs' MirageUser search attribute. */
  user: string;
  /** Where the warning goes when the server has the search attributes not registered; default stdout. */
  warn?: (message: string) => void;
}): Promise<LaunchResult> {
  const { db, temporal, spec, datasets, runs, codeVersion, bucket } = options;
  const warn = options.warn ?? ((message: string) => console.log(`warning: ${message}`));
  const manifestHashes: Record<string, string> = { train: datasets.train.selection_hash };
  if (datasets.val) manifestHashes['val'] = datasets.val.selection_hash;
  for (const target of datasets.eval) manifestHashes[`eval:${target.id}`] = target.manifest.selection_hash;
  const sweepId = deriveSweepId({ spec, manifestHashes, codeVersion });
  await recordReported(db, spec);

  const input: SweepWorkflowInput = SweepWorkflowInput.parse({
    sweep_id: sweepId,
    spec,
    datasets,
    code_version: codeVersion,
    bucket,
    total_runs: runs.length,
    ...(spec.sweep.runs_per_group === undefined ? {} : { runs_per_group: spec.sweep.runs_per_group }),
  });
  const running = await runningExecution(temporal, sweepId);
  if (running) return { sweepId, runId: running, attached: true, input };
  await recordSweepPlan(db, { sweepId, spec, runs, codeVersion });
  const start = (withAttributes: boolean) =>
    temporal.workflow.start(WORKFLOW_NAMES.sweep, {
      workflowId: sweepId,
      taskQueue: TASK_QUEUES.control,
      args: [input],
      // A concurrent launch that won the race is attached to, never duplicated.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      // The sweep's runs inherit these (and add their method); a sweep started without them starts runs without.
      ...(withAttributes
        ? {
            typedSearchAttributes: sweepSearchAttributes({
              experiment: spec.name,
              sweepId,
              user: options.user || 'unknown',
            }),
          }
        : {}),
    });
  let handle: Awaited<ReturnType<typeof start>>;
  let searchAttributes = true;
  try {
    handle = await start(true);
  } catch (err) {
    if (!isUnregisteredSearchAttribute(err)) throw err;
    warn(
      `Temporal (namespace ${temporal.options.namespace}) has the search attributes ${SEARCH_ATTRIBUTE_NAMES.join(', ')} not registered, ` +
        `so this sweep and its runs cannot be listed by them; started it without. Register them with ` +
        `\`${createSearchAttributesCommand(temporal.options.namespace)}\` (an external server), or restart the local stack (\`mirage down && mirage up\`).`,
    );
    handle = await start(false);
    searchAttributes = false;
  }
  return { sweepId, runId: handle.firstExecutionRunId, attached: false, input, searchAttributes };
}

// gRPC's INVALID_ARGUMENT, the status a start naming an unregistered search attribute fails with.
const INVALID_ARGUMENT = 3;

/**
 * Whether a start failed because the server has a search attribute not registered ("Namespace default has no
 * mapping defined for search attribute MirageExperiment"; other servers: "search attribute ... is not defined").
 */
function isUnregisteredSearchAttribute(err: unknown): boolean {
  const cause =
    err instanceof Error && isGrpcServiceError(err.cause) ? err.cause : isGrpcServiceError(err) ? err : null;
  return cause !== null && cause.code === INVALID_ARGUMENT && /search attribute/i.test(cause.details ?? cause.message);
}

/** Who launches: `MIRAGE_USER` where set (a shared account, CI), else the login name of the process's user. */
export function launchingUser(env: NodeJS.ProcessEnv): string {
  if (env['MIRAGE_USER']) return env['MIRAGE_USER'];
  try {
    return userInfo().username;
  } catch {
    // A uid without a passwd entry (some containers).
    return 'unknown';
  }
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
