import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  environmentKey,
  preprocessHash,
  RunEnvironment,
  type IdentifiedRun,
  type VideoAggregate,
} from '@mirage/contracts';
import { latestTrainingEnvironment, listEvalResults, type Db } from '@mirage/db';
import { REPO_ROOT } from '@mirage/local-stack';

const run = promisify(execFile);

/** The environment of this checkout's Python (what a local GPU worker runs), read from the worker itself. */
export async function localEnvironment(): Promise<RunEnvironment> {
  const { stdout } = await run(join(REPO_ROOT, '.venv/bin/python'), ['-m', 'mirage_gpu_worker.environment'], {
    cwd: REPO_ROOT,
  });
  return RunEnvironment.parse(JSON.parse(stdout));
}

/**
 * The planned runs' recorded eval cells (this code version, their own preprocessing) that were computed under
 * another environment than the workers': a launch recomputes them instead of reusing them. The workers' environment
 * is the newest one a training at this code version recorded (the GPU machines, wherever the CLI runs), else this
 * checkout's own, read only when there are cells to compare (a Python start).
 */
export async function findStaleCells(
  db: Db,
  runs: readonly IdentifiedRun[],
  codeVersion: string,
  videoAggregate?: VideoAggregate,
): Promise<{ stale: number; environment: RunEnvironment } | null> {
  const preprocessOf = new Map(runs.map((r) => [r.run_id, preprocessHash(r.config, videoAggregate)]));
  const cells = (await listEvalResults(db, { runIds: [...preprocessOf.keys()] })).filter(
    (c) => c.codeVersion === codeVersion && c.preprocessHash === preprocessOf.get(c.runId),
  );
  if (cells.length === 0) return null;
  const recorded = await latestTrainingEnvironment(db, codeVersion);
  const environment = recorded ? RunEnvironment.parse(recorded) : await localEnvironment();
  const key = environmentKey(environment);
  return { stale: cells.filter((c) => c.environmentKey !== key).length, environment };
}
