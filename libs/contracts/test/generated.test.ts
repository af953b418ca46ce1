import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('generated JSON Schema', () => {
  it('is up to date with the zod contracts (codegen --check)', () => {
    const root = resolve(__dirname, '../../..');
    const run = () =>
      execFileSync(resolve(root, 'node_modules/.bin/tsx'), ['tools/src/codegen/contracts-json-schema.ts', '--check'], {
        cwd: root,
        stdio: 'pipe',
      });
    expect(run).not.toThrow();
  });
});
