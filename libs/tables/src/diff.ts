/** Unchanged lines shown around each change, as in `diff -u`. */
export const DIFF_CONTEXT_LINES = 3;

interface Line {
  text: string;
  /** false only for a last line without a trailing newline, so that difference shows too. */
  eol: boolean;
}

type Op = { kind: ' ' | '-' | '+'; line: Line; oldIndex: number; newIndex: number };

function splitLines(text: string): Line[] {
  if (text === '') return [];
  const parts = text.split('\n');
  const eolAtEnd = parts[parts.length - 1] === '';
  if (eolAtEnd) parts.pop();
  return parts.map((t, i) => ({ text: t, eol: i < parts.length - 1 || eolAtEnd }));
}

function sameLine(a: Line, b: Line): boolean {
  return a.text === b.text && a.eol === b.eol;
}

// Longest common subsequence by dynamic programming: O(n*m), fine for tables of a few hundred lines.
function editScript(a: Line[], b: Line[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array;
    const below = lcs[i + 1] as Uint32Array;
    for (let j = m - 1; j >= 0; j--) {
      row[j] = sameLine(a[i] as Line, b[j] as Line)
        ? (below[j + 1] as number) + 1
        : Math.max(below[j] as number, row[j + 1] as number);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && sameLine(a[i] as Line, b[j] as Line)) {
      ops.push({ kind: ' ', line: a[i] as Line, oldIndex: i++, newIndex: j++ });
    } else if (j >= m || (i < n && (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
      ops.push({ kind: '-', line: a[i] as Line, oldIndex: i++, newIndex: j });
    } else {
      ops.push({ kind: '+', line: b[j] as Line, oldIndex: i, newIndex: j++ });
    }
  }
  return ops;
}

// Ranges [start, end) of ops to print: each change with its context, overlapping ranges merged.
function hunkRanges(ops: Op[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  ops.forEach((op, k) => {
    if (op.kind === ' ') return;
    const start = Math.max(0, k - DIFF_CONTEXT_LINES);
    const end = Math.min(ops.length, k + DIFF_CONTEXT_LINES + 1);
    const last = ranges[ranges.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else ranges.push([start, end]);
  });
  return ranges;
}

function rangeHeader(start: number, count: number): string {
  // diff -u numbers lines from 1; an empty range names the line before it.
  return count === 0 ? `${start},0` : count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}

/**
 * A unified diff (`--- expected` / `+++ actual`, @@ hunks with 3 lines of context) from expected to actual, for
 * `mirage table --check`; the empty string when the texts are identical. A missing final newline is reported as
 * diff does ("\ No newline at end of file").
 */
export function diffTables(expected: string, actual: string): string {
  if (expected === actual) return '';
  const ops = editScript(splitLines(expected), splitLines(actual));
  const out = ['--- expected', '+++ actual'];
  for (const [start, end] of hunkRanges(ops)) {
    const hunk = ops.slice(start, end);
    const first = hunk[0] as Op;
    const oldCount = hunk.filter((op) => op.kind !== '+').length;
    const newCount = hunk.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${rangeHeader(first.oldIndex, oldCount)} +${rangeHeader(first.newIndex, newCount)} @@`);
    for (const op of hunk) {
      out.push(`${op.kind}${op.line.text}`);
      if (!op.line.eol) out.push('\\ No newline at end of file');
    }
  }
  return `${out.join('\n')}\n`;
}
