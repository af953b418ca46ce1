// The cross-language fixtures: the same files are validated by the Python worker against the generated JSON
// Schema (apps/gpu-worker/tests/test_contract_fixtures.py); both sides must reach the verdict of the folder name.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CROSS_LANGUAGE_SCHEMAS, type CrossLanguageSchemaName } from '../src';

const root = resolve(__dirname, '../fixtures');

function load(verdict: 'valid' | 'invalid') {
  return readdirSync(join(root, verdict)).map((file) => {
    const { schema, value, relation } = JSON.parse(readFileSync(join(root, verdict, file), 'utf8')) as {
      schema: CrossLanguageSchemaName;
      value: unknown;
      /** Set on an invalid fixture that breaks a relation between fields, which only zod checks (not JSON Schema). */
      relation?: string;
    };
    return { file, schema, value, relation };
  });
}

describe('cross-language fixtures (TypeScript side)', () => {
  it.each(load('valid'))('accepts $file', ({ schema, value }) => {
    const result = CROSS_LANGUAGE_SCHEMAS[schema].safeParse(value);
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it.each(load('invalid'))('rejects $file', ({ schema, value, relation }) => {
    const result = CROSS_LANGUAGE_SCHEMAS[schema].safeParse(value);
    expect(result.success).toBe(false);
    // a relation fixture fails on its relation alone (a refinement), not on a field's own type or bound
    if (relation) expect(result.error?.issues.map((issue) => issue.code)).toEqual(['custom']);
  });

  it('has fixtures for both verdicts', () => {
    expect(load('valid').length).toBeGreaterThan(5);
    expect(load('invalid').length).toBeGreaterThan(10);
  });
});
