import { Command } from 'commander';
import { connectStack } from '../connections';
import { UserError } from '../errors';
import { repoCodeVersion } from '../experiments/code-version-of-repo';
import { launchingUser, launchSweep } from '../experiments/launch-sweep';
import { loadExperimentOrExplain } from '../experiments/load-experiment';
import { planExperiment } from '../experiments/plan-experiment';
import { watchSweep } from './watch';

/** Above this many runs a launch needs an explicit `--max-runs`: a typo in a grid should not start 10,000 trainings. */
export const DEFAULT_MAX_RUNS = 1000;

/**
 * Loads, plans and checks an experiment file, then launches its sweep; returns the sweep id. Nothing starts when the
 * plan has errors (they are listed) or plans more runs than `maxRuns`; warnings are printed and do not stop it.
 */
export async function launchExperiment(
  file: string,
  overrides: string[],
  options: { watch: boolean; maxRuns?: number },
): Promise<string> {
  const loaded = loadExperimentOrExplain(file, overrides);
  const stack = await connectStack();
  try {
    const { plan, resolved, runs, spec } = await planExperiment(
      { db: stack.db.db, store: stack.store },
      loaded,
      repoCodeVersion(),
    );
    for (const warning of plan.warnings) console.log(`warning: ${warning.message}`);
    if (plan.errors.length > 0) {
      throw new UserError(
        `${file}: the plan has ${plan.errors.length} error(s); nothing was started:\n${plan.errors.map((e) => `  ${e.code}: ${e.message}`).join('\n')}`,
      );
    }
    const maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
    if (runs.length > maxRuns)
      throw new UserError(
        `${file}: the sweep plans ${runs.length} runs, above --max-runs ${maxRuns}; pass --max-runs ${runs.length} to launch it`,
      );
    const cells = plan.columns.length * loaded.spec.perturbations.length;
    console.log(
      `planned ${runs.length} runs x ${cells} eval cells (${plan.columns.length} columns x ${loaded.spec.perturbations.length} perturbations)`,
    );
    await resolved.publish();
    const result = await launchSweep({
      db: stack.db.db,
      temporal: stack.temporal,
      spec,
      datasets: resolved.datasets,
      runs,
      codeVersion: plan.code_version,
      bucket: stack.env['S3_BUCKET'] ?? 'mirage',
      user: launchingUser(process.env),
    });
    console.log(`${result.attached ? 'attached to running' : 'started'} sweep ${result.sweepId}`);
    if (options.watch) {
      const progress = await watchSweep(stack, result.sweepId);
      if (progress.failed > 0) {
        console.error(`${progress.failed} of ${progress.total} runs failed (their errors are listed above)`);
        process.exitCode = 1;
      }
    }
    return result.sweepId;
  } finally {
    await stack.close();
  }
}

/** `mirage launch <experiment.yaml> [--set key=value ...] [--max-runs N] [--watch]`. */
export function launchCommand(): Command {
  return new Command('launch')
    .description('plan, check and start (or attach to) the sweep of an experiment file')
    .argument('<experiment>', 'experiment YAML file')
    .option(
      '--set <key=value>',
      'override a field, e.g. --set optimizer.lr=0.001 (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--max-runs <n>', `refuse sweeps of more runs than this (default ${DEFAULT_MAX_RUNS})`)
    .option('--watch', 'show progress until the sweep finishes')
    .action(async (file: string, flags: { set: string[]; watch?: boolean; maxRuns?: string }) => {
      const maxRuns = flags.maxRuns === undefined ? undefined : Number(flags.maxRuns);
      if (maxRuns !== undefined && (!Number.isInteger(maxRuns) || maxRuns < 1))
        throw new UserError(`--max-runs ${flags.maxRuns}: expected a positive integer`);
      await launchExperiment(file, flags.set, {
        watch: Boolean(flags.watch),
        ...(maxRuns !== undefined ? { maxRuns } : {}),
      });
    });
}
