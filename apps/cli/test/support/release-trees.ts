// The release-shaped trees of tools/release_trees, for the protocol tests: built by the real builder, read back from
// its JSON summary (what a scan with each tree's layout must find).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './mirage';

const run = promisify(execFile);

/** Throws naming the first stack address missing from the environment (npm test sets them). */
export function requireStackEnv(): void {
  for (const name of ['DATABASE_URL', 'S3_ENDPOINT', 'TEMPORAL_ADDRESS']) {
    if (!process.env[name])
      throw new Error(`${name} is not set: run \`mirage up --core\` and source its stack.env (npm test does)`);
  }
}

/** Builds the trees `which` names (all by default) under `out` and returns the builder's summary of each. */
export async function buildReleaseTrees<Trees>(out: string, which?: readonly string[]): Promise<Trees> {
  const args = ['-m', 'release_trees', '--out', out, ...(which ? ['--which', which.join(',')] : [])];
  const { stdout } = await run(join(ROOT, '.venv/bin/python'), args, { cwd: join(ROOT, 'tools'), maxBuffer: 64 << 20 });
  return (JSON.parse(stdout) as { trees: Trees }).trees;
}
