import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { preprocessHash, RunEnvironment, TrainOutput, type IdentifiedRun } from '@mirage/contracts';
import { getRun, listCachedEvalCells, type Db } from '@mirage/db';
import { REPO_ROOT } from '@mirage/local-stack';

const run = promisify(execFile);

/** The environment of this checkout's Python (what a local GPU worker runs), read from the worker itself. */
export async function localEnvironment(): Promise<RunEnvironment> {
  const { stdout } = await run(join(REPO_ROOT, '.venv/bin/python'), ['-m', 'mirage_gpu_worker.environment'], { cwd: REPO_ROOT });
  return RunEnvironment.parse(JSON.parse(stdout));
}

/**
 * Cached eval cells of the planned runs' trainings that were computed under another environment key than `key`:
 * a launch recomputes them instead of reusing them. Runs without a finished training have no cells to count.
 */
export async function countStaleCells(db: Db, runs: readonly IdentifiedRun[], key: string, codeVersion: string): Promise<number> {
  let stale = 0;
  for (const planned of runs) {
    const row = await getRun(db, planned.run_id);
    const trained = row?.trainOutput ? TrainOutput.safeParse(row.trainOutput) : null;
    if (!trained?.success) continue;
    const cells = await listCachedEvalCells(db, { checkpointSha256: trained.data.checkpoint.sha256, preprocessHash: preprocessHash(planned.config), codeVersion });
    stale += cells.filter((c) => c.runId === planned.run_id && c.environmentKey !== key).length;
  }
  return stale;
}

/** Whether any planned run has a recorded training (only then can cells be stale). */
export async function anyTrained(db: Db, runs: readonly IdentifiedRun[]): Promise<boolean> {
  for (const planned of runs) if ((await getRun(db, planned.run_id))?.trainOutput) return true;
  return false;
}

