import { Command } from 'commander';
import { ExperimentFileError, SweepExpansionError } from '@mirage/contracts';
import { connectStack } from '../connections';
import { UserError } from '../errors';
import { repoCodeVersion } from '../experiments/code-version-of-repo';
import { launchSweep } from '../experiments/launch-sweep';
import { loadExperiment } from '../experiments/load-experiment';
import { watchSweep } from './watch';

/** Loads, validates and launches an experiment file; returns the sweep id. */
export async function launchExperiment(file: string, overrides: string[], options: { watch: boolean }): Promise<string> {
  let spec;
  try {
    spec = loadExperiment(file, overrides).spec;
  } catch (error) {
    if (error instanceof ExperimentFileError) throw new UserError(`invalid experiment:\n${error.message}`);
    throw error;
  }
  const stack = await connectStack();
  try {
    const result = await launchSweep({ db: stack.db.db, temporal: stack.temporal, spec, codeVersion: repoCodeVersion(), bucket: stack.env['S3_BUCKET'] ?? 'mirage' });
    console.log(`${result.attached ? 'attached to running' : 'started'} sweep ${result.sweepId}`);
    if (options.watch) await watchSweep(stack, result.sweepId);
    return result.sweepId;
  } catch (error) {
    if (error instanceof SweepExpansionError) throw new UserError(`${file}: ${error.message}`);
    throw error;
  } finally {
    await stack.close();
  }
}

/** `mirage launch <experiment.yaml> [--set key=value ...] [--watch]`. */
export function launchCommand(): Command {
  return new Command('launch')
    .description('validate an experiment file and start (or attach to) its sweep')
    .argument('<experiment>', 'experiment YAML file')
    .option('--set <key=value>', 'override a field, e.g. --set optimizer.lr=0.001 (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--watch', 'show progress until the sweep finishes')
    .action(async (file: string, flags: { set: string[]; watch?: boolean }) => {
      await launchExperiment(file, flags.set, { watch: Boolean(flags.watch) });
    });
}
