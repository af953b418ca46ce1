import { readFileSync } from 'node:fs';
import { ExperimentFileError, setPath, validateExperiment, type ExperimentSpec } from '@mirage/contracts';
import { UserError } from '../errors';
import { parse as parseYaml, parseDocument } from 'yaml';

/** An experiment file as loaded: the validated spec plus where it came from. */
export interface LoadedExperiment {
  spec: ExperimentSpec;
  file: string;
  text: string;
}

/**
 * Reads, applies `--set key=value` overrides (values parsed as YAML scalars/flows) and validates an experiment
 * file. Errors name the file, line and field (ExperimentFileError) or the override that is wrong.
 */
export function loadExperiment(file: string, overrides: readonly string[] = []): LoadedExperiment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ExperimentFileError([
      {
        file,
        line: 0,
        column: 0,
        path: '',
        message: `cannot read file (${(err as NodeJS.ErrnoException).code ?? err})`,
      },
    ]);
  }
  const raw = parseDocument(text).toJS() as Record<string, unknown> | null;
  if (raw === null || typeof raw !== 'object') {
    throw new ExperimentFileError([{ file, line: 1, column: 1, path: '', message: 'expected a YAML mapping' }]);
  }
  for (const override of overrides) applyOverride(raw, override, file);
  return { spec: validateExperiment(raw, text, file), file, text };
}

/** loadExperiment for commands: a malformed file becomes a UserError listing every problem by file, line and field. */
export function loadExperimentOrExplain(file: string, overrides: readonly string[] = []): LoadedExperiment {
  try {
    return loadExperiment(file, overrides);
  } catch (error) {
    if (error instanceof ExperimentFileError) throw new UserError(`invalid experiment:\n${error.message}`);
    throw error;
  }
}

function applyOverride(target: Record<string, unknown>, override: string, file: string): void {
  const eq = override.indexOf('=');
  if (eq <= 0) {
    throw new ExperimentFileError([
      { file, line: 0, column: 0, path: '', message: `--set "${override}": expected key=value` },
    ]);
  }
  const path = override.slice(0, eq);
  const value: unknown = parseYaml(override.slice(eq + 1));
  try {
    setOrCreate(target, path, value);
  } catch (err) {
    throw new ExperimentFileError([{ file, line: 0, column: 0, path, message: `--set: ${(err as Error).message}` }]);
  }
}

// Overrides may introduce optional blocks the file omitted (e.g. `--set schedule.steps=10` when the file relies
// on the default schedule); zod validates the result, so a misspelt key is still reported by name. A numeric segment
// indexes a list (`--set eval.0.id=MJ`).
function setOrCreate(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: unknown = target;
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    if (Array.isArray(node)) {
      const index = Number(part);
      if (!/^\d+$/.test(part) || index >= node.length)
        throw new Error(`"${part}" in ${path} is not an index of its list (length ${node.length})`);
      if (last) node[index] = value;
      node = node[index];
      continue;
    }
    if (node === null || typeof node !== 'object')
      throw new Error(`"${parts.slice(0, i).join('.')}" in ${path} is not a mapping or list`);
    const map = node as Record<string, unknown>;
    if (last) {
      if (!(part in map)) map[part] = undefined;
      setPath(map, part, value);
      return;
    }
    if (map[part] === undefined) map[part] = {};
    node = map[part];
  }
}
