import { reportError } from './errors';
import { createProgram } from './program';

// The AWS SDK warns on every start that future releases will need Node 22; the CLI runs on Node 20 by design.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  const isNodeVersionNotice =
    warning.name === 'NodeVersionSupportWarning' || warning.message.startsWith('NodeVersionSupportWarning');
  if (!isNodeVersionNotice) process.stderr.write(`(node) ${warning.name}: ${warning.message}\n`);
});

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}
