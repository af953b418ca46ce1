// The orchestrator plans runs with the TypeScript code version; the GPU worker refuses any other than its own.
// Both must hash the detector's sources the same way, or every run would fail with CodeVersionMismatch.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectorCodeVersion } from '../src/experiments/code-version';
import { repoCodeVersion } from '../src/experiments/code-version-of-repo';
import { ROOT } from './support/mirage';

const python = (code: string, ...args: string[]) =>
  execFileSync(join(ROOT, '.venv/bin/python'), ['-c', code, ...args])
    .toString()
    .trim();

describe('detector code version', () => {
  it('equals what the GPU worker computes for this checkout', () => {
    const worker = python('from mirage_gpu_worker.code_version import detector_code_version as v; print(v())');
    expect(repoCodeVersion()).toBe(worker);
  });

  it('agrees on a small tree and changes with any source byte', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'code-version-')), 'pkg');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, '__init__.py'), '');
    writeFileSync(join(dir, 'sub', 'a.py'), 'x = 1\n');
    writeFileSync(join(dir, 'notes.txt'), 'not hashed');
    const worker = (d: string) =>
      python(
        'import sys; from pathlib import Path; from mirage_gpu_worker.code_version import code_version_of; print(code_version_of(Path(sys.argv[1])))',
        d,
      );
    const before = detectorCodeVersion(dir);
    expect(before).toBe(worker(dir));
    writeFileSync(join(dir, 'sub', 'a.py'), 'x = 2\n');
    expect(detectorCodeVersion(dir)).not.toBe(before);
    expect(detectorCodeVersion(dir)).toBe(worker(dir));
  });
});
