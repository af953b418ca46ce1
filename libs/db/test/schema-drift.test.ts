import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../src/index';

const projectRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const drizzleKit = join(projectRoot, '..', '..', 'node_modules', '.bin', 'drizzle-kit');

describe('committed migrations', () => {
  // drizzle-kit check only validates the migration history; this catches a schema edit without `generate`.
  it('match the TypeScript schema (generate on a copy produces nothing new)', async () => {
    // drizzle-kit prefixes --out with "./" and exits 0 on errors, so the copy must sit under the project root and
    // success is read from its output, not its exit status.
    const copyName = `.drift-check-${randomBytes(4).toString('hex')}`;
    const copy = join(projectRoot, copyName);
    try {
      cpSync(MIGRATIONS_FOLDER, copy, { recursive: true });
      const before = readdirSync(copy).sort();
      const { stdout, stderr } = await promisify(execFile)(
        drizzleKit,
        ['generate', '--dialect', 'postgresql', '--schema', './src/schema/index.ts', '--out', `./${copyName}`],
        { cwd: projectRoot },
      );
      expect(readdirSync(copy).sort()).toEqual(before);
      expect(`${stdout}${stderr}`).toContain('No schema changes');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
