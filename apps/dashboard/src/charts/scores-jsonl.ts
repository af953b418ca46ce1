import type { LabelledScore } from './roc';

/** The scores read from one per-image scores file, possibly only its first lines. */
export interface ParsedScores {
  scores: LabelledScore[];
  /** Non-empty lines in the whole file. */
  totalLines: number;
  /** True when only the first `maxLines` lines were used. */
  capped: boolean;
}

/**
 * Parses the evaluator's JSON-lines scores ({uri, label: "real"|"fake", p_fake}) up to `maxLines` non-empty lines,
 * counting the rest without parsing them. Throws naming the 1-based line and field of the first bad line.
 */
export function parseScoresJsonl(text: string, maxLines: number): ParsedScores {
  const scores: LabelledScore[] = [];
  let totalLines = 0;
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const stop = end === -1 ? text.length : end;
    lineNo++;
    const line = text.slice(start, stop).trim();
    start = stop + 1;
    if (line === '') continue;
    totalLines++;
    if (totalLines > maxLines) continue;
    scores.push(parseLine(line, lineNo));
  }
  return { scores, totalLines, capped: totalLines > maxLines };
}

function parseLine(line: string, lineNo: number): LabelledScore {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`line ${lineNo}: not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`line ${lineNo}: not a JSON object`);
  const { label, p_fake: pFake } = value as { label?: unknown; p_fake?: unknown };
  if (label !== 'real' && label !== 'fake') throw new Error(`line ${lineNo}: label must be "real" or "fake"`);
  if (typeof pFake !== 'number' || !(pFake >= 0 && pFake <= 1))
    throw new Error(`line ${lineNo}: p_fake must be a number in [0, 1]`);
  return { label, pFake };
}
