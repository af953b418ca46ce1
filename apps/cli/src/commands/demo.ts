import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { REPO_ROOT } from '@mirage/local-stack';
import { cliEnv } from '../env';
import { UserError } from '../errors';
import { bringUp } from './up';
import { registerDataset } from './data';
import { launchExperiment } from './launch';
import { renderExperimentTable } from './table';

const run = promisify(execFile);
const FAMILIES = ['synthetic-upsampler', 'synthetic-diffusion', 'synthetic-quantizer', 'synthetic-jpeg-double'];
const DEMO_EXPERIMENT = join(REPO_ROOT, 'experiments/demo.yaml');

/** Generates the SYNTHETIC benchmark once (deterministic: same seed, same bytes). */
async function ensureSyntheticData(dir: string, seed: number): Promise<void> {
  if (existsSync(join(dir, 'SYNTHETIC.md'))) return;
  console.log(`generating the SYNTHETIC benchmark in ${dir} (seed ${seed})`);
  try {
    await run(
      join(REPO_ROOT, '.venv/bin/python'),
      ['-m', 'synthetic_bench', 'generate', '--out', dir, '--seed', String(seed), '--per-class', '200', '--size', '32'],
      {
        cwd: join(REPO_ROOT, 'tools'),
      },
    );
  } catch (error) {
    throw new UserError(
      `cannot generate the synthetic benchmark: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`,
    );
  }
}

/** `mirage demo`: stack up, synthetic data, the demo sweep with progress, the leaderboard matrix; the stack stays up. */
export function demoCommand(): Command {
  return new Command('demo')
    .description('run the SYNTHETIC demo end to end: stack, data, a small sweep, the leaderboard (leaves the stack up)')
    .option('--seed <n>', 'seed of the synthetic benchmark', '0')
    .action(async (flags: { seed: string }) => {
      const started = Date.now();
      const up = await bringUp({ workers: true });
      const stateDir = cliEnv().MIRAGE_HOME ?? join(REPO_ROOT, '.mirage');
      const dataDir = join(stateDir, `synthetic-bench-seed${flags.seed}`);
      await ensureSyntheticData(dataDir, Number(flags.seed));
      for (const family of FAMILIES) {
        const { manifest } = await registerDataset(family, {
          layout: 'manifest',
          root: join(dataDir, family, 'manifest.jsonl'),
          option: [],
          seed: '0',
        });
        console.log(`registered ${family}@${manifest.version} (${manifest.n_images} SYNTHETIC images)`);
      }
      await launchExperiment(DEMO_EXPERIMENT, [], { watch: true });
      console.log('');
      console.log(await renderExperimentTable(DEMO_EXPERIMENT, { format: 'md' }));
      console.log(
        `demo finished in ${((Date.now() - started) / 1000).toFixed(0)} s; the stack is still up (mirage status, mirage down)`,
      );
      const dashboard = up.env['DASHBOARD_URL'];
      if (dashboard) console.log(`dashboard: ${dashboard}`);
    });
}
