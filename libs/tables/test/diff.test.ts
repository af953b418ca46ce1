import { describe, expect, it } from 'vitest';
import { diffTables } from '../src/index';

describe('diffTables', () => {
  it('is empty for identical texts', () => {
    expect(diffTables('', '')).toBe('');
    expect(diffTables('a\nb\n', 'a\nb\n')).toBe('');
  });

  it('shows a changed line with 3 lines of context', () => {
    const expected = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].join('\n') + '\n';
    const actual = expected.replace('5\n', 'five\n');
    expect(diffTables(expected, actual)).toBe(
      ['--- expected', '+++ actual', '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8', ''].join(
        '\n',
      ),
    );
  });

  it('splits distant changes into separate hunks and merges near ones', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const actual = [...lines];
    actual[1] = 'x';
    actual[18] = 'y';
    const diff = diffTables(lines.join('\n') + '\n', actual.join('\n') + '\n');
    expect(diff.match(/^@@/gm)).toHaveLength(2);
    expect(diff).toContain('@@ -1,5 +1,5 @@');
    expect(diff).toContain('@@ -16,5 +16,5 @@');
    actual[5] = 'z';
    expect(diffTables(lines.join('\n') + '\n', actual.join('\n') + '\n').match(/^@@/gm)).toHaveLength(2);
  });

  it('handles pure insertions, deletions and empty sides', () => {
    expect(diffTables('a\nc\n', 'a\nb\nc\n')).toBe('--- expected\n+++ actual\n@@ -1,2 +1,3 @@\n a\n+b\n c\n');
    expect(diffTables('a\nb\n', 'a\n')).toBe('--- expected\n+++ actual\n@@ -1,2 +1 @@\n a\n-b\n');
    expect(diffTables('', 'a\n')).toBe('--- expected\n+++ actual\n@@ -0,0 +1 @@\n+a\n');
  });

  it('reports a missing final newline', () => {
    expect(diffTables('a\n', 'a')).toBe(
      '--- expected\n+++ actual\n@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n',
    );
  });
});
