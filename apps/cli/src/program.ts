import { Command } from 'commander';
import { cancelCommand } from './commands/cancel';
import { dataCommand } from './commands/data';
import { demoCommand } from './commands/demo';
import { downCommand } from './commands/down';
import { exportCommand } from './commands/export';
import { launchCommand } from './commands/launch';
import { planCommand } from './commands/plan';
import { predictCommand } from './commands/predict';
import { tableCommand } from './commands/table';
import { watchCommand } from './commands/watch';
import { statusCommand } from './commands/status';
import { upCommand } from './commands/up';

/** The `mirage` command tree; one line per command. */
export function createProgram(): Command {
  const program = new Command('mirage')
    .description('MiraGe Lab: train, sweep and evaluate detectors of AI-generated images')
    .showHelpAfterError('(run mirage --help for usage)')
    .configureOutput({ outputError: (text, write) => write(`mirage: ${text.replace(/^error: /, '')}`) })
    .exitOverride();
  program.addCommand(upCommand());
  program.addCommand(downCommand());
  program.addCommand(statusCommand());
  program.addCommand(dataCommand());
  program.addCommand(planCommand());
  program.addCommand(launchCommand());
  program.addCommand(watchCommand());
  program.addCommand(cancelCommand());
  program.addCommand(tableCommand());
  program.addCommand(exportCommand());
  program.addCommand(predictCommand());
  program.addCommand(demoCommand());
  // Subcommands are built on their own, so they take the root's error output and exit handling here.
  for (const command of program.commands) command.copyInheritedSettings(program);
  return program;
}
