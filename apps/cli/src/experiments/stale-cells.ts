import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { environmentKey, preprocessHash, RunEnvironment, type IdentifiedRun } from '@mirage/contracts';
import { listEvalResults, type Db } from '@mirage/db';
import { REPO_ROOT } from '@mirage/local-stack';

const run = promisify(execFile);

/** The environment of this checkout's Python (what a local GPU worker runs), read from the worker itself. */
export async function localEnvironment(): Promise<RunEnvironment> {
  const { stdout } = await run(join(REPO_ROOT, '.venv/bin/python'), ['-m', 'mirage_gpu_worker.environment'], { cwd: REPO_ROOT });
  return RunEnvironment.parse(JSON.parse(stdout));
}

/**
 * The planned runs' recorded eval cells (this code version, their own preprocessing) that were computed under
 * another environment than the local one: a launch recomputes them instead of reusing them. One query for all
 * runs; the local environment is only read (a Python start) when there are cells to compare.
 */
export async function findStaleCells(
  db: Db,
  runs: readonly IdentifiedRun[],
  codeVersion: string,
): Promise<{ stale: number; environment: RunEnvironment } | null> {
  const preprocessOf = new Map(runs.map((r) => [r.run_id, preprocessHash(r.config)]));
  const cells = (await listEvalResults(db, { runIds: [...preprocessOf.keys()] })).filter(
    (c) => c.codeVersion === codeVersion && c.preprocessHash === preprocessOf.get(c.runId),
  );
  if (cells.length === 0) return null;
  const environment = await localEnvironment();
  const key = environmentKey(environment);
  return { stale: cells.filter((c) => c.environmentKey !== key).length, environment };
}
