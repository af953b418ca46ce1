import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * The detector's code version: "detector-" + 16 hex of a SHA-256 over every .py file of the mirage_detector
 * package (path relative to the package's parent, and the file's own SHA-256). The Python worker computes the same
 * (mirage_gpu_worker/code_version.py) and refuses runs planned against other code. Only the detector's code is
 * hashed: it alone decides the numbers, so orchestration changes do not invalidate results.
 */
export function detectorCodeVersion(packageDir: string): string {
  const parent = join(packageDir, '..');
  const files = listPythonFiles(packageDir)
    .map((file) => relative(parent, file).split(sep).join('/'))
    .sort();
  const hash = createHash('sha256');
  for (const rel of files) {
    const fileHash = createHash('sha256')
      .update(readFileSync(join(parent, rel)))
      .digest('hex');
    hash.update(`${rel}\0${fileHash}\n`, 'utf8');
  }
  return `detector-${hash.digest('hex').slice(0, 16)}`;
}

function listPythonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '__pycache__' ? [] : listPythonFiles(path);
    return entry.name.endsWith('.py') ? [path] : [];
  });
}
