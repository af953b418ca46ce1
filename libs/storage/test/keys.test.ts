import { describe, expect, it } from 'vitest';
import { assertSafeKey, manifestKey, slugSegment, UnsafeKeyError } from '../src/index';

describe('key builders', () => {
  it('address manifests by content', () => {
    expect(manifestKey('sdv14', 'ab12cd')).toBe('datasets/sdv14/ab12cd.jsonl');
  });

  it('reject traversal and empty segments, naming the field', () => {
    expect(() => manifestKey('', 'abc')).toThrow(/dataset name/);
    expect(() => manifestKey('x', '///')).toThrow(/contentHash.*no usable characters/);
    expect(() => slugSegment('.')).toThrow(UnsafeKeyError);
  });

  it('assertSafeKey refuses absolute, dotted and control-character keys', () => {
    expect(assertSafeKey('runs/a/b.jsonl')).toBe('runs/a/b.jsonl');
    for (const bad of ['', '/abs', 'a/../b', 'a//b', './a', 'a/.', 'a\u0000b', 'a\\b']) {
      expect(() => assertSafeKey(bad), bad).toThrow(UnsafeKeyError);
    }
  });
});
