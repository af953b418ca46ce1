import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ExperimentSpec } from './experiment';

/** One problem in an experiment file, located by line/column and by the zod path of the field. */
export interface SpecIssue {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

/** A malformed experiment file; `message` lists every problem as `file:line:col path: message`. */
export class ExperimentFileError extends Error {
  constructor(readonly issues: SpecIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ExperimentFileError';
  }
}

/** `experiments/x.yaml:12:5 optimizer.lr: Too small: expected number to be >0` */
export function formatIssue(issue: SpecIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return `${where} ${issue.path || '(root)'}: ${issue.message}`;
}

/** Parses and validates an experiment file's text; throws ExperimentFileError naming file, line and path. */
export function parseExperimentYaml(text: string, file: string): ExperimentSpec {
  const { value, locate } = parseYamlWithLocations(text, file);
  const result = ExperimentSpec.safeParse(value);
  if (!result.success) throw new ExperimentFileError(zodIssues(result.error, file, locate));
  return result.data;
}

/** Validates an already-parsed object (e.g. after `--set` overrides), locating issues in the original text. */
export function validateExperiment(value: unknown, text: string, file: string): ExperimentSpec {
  const { locate } = parseYamlWithLocations(text, file);
  const result = ExperimentSpec.safeParse(value);
  if (!result.success) throw new ExperimentFileError(zodIssues(result.error, file, locate));
  return result.data;
}

/** Line and column of a field of an experiment file (of its nearest existing parent when it is missing). */
export function locateInExperiment(
  text: string,
  file: string,
  path: readonly PropertyKey[],
): { line: number; column: number } {
  return parseYamlWithLocations(text, file).locate(path);
}

type Locate = (path: readonly PropertyKey[]) => { line: number; column: number };

function parseYamlWithLocations(text: string, file: string): { value: unknown; locate: Locate } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ExperimentFileError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file, line: pos.line, column: pos.col, path: '', message: `YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const locate: Locate = (path) => {
    // Walk up the path until a node exists: a missing field is reported where its parent is.
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return { line: 1, column: 1 };
  };
  return { value: doc.toJS(), locate };
}

function zodIssues(error: z.ZodError, file: string, locate: Locate): SpecIssue[] {
  return error.issues.map((issue) => {
    const { line, column } = locate(issue.path);
    const path = issue.path.map(String).join('.');
    const keys = 'keys' in issue && Array.isArray(issue.keys) ? ` (${issue.keys.join(', ')})` : '';
    return { file, line, column, path, message: `${issue.message}${keys}` };
  });
}
