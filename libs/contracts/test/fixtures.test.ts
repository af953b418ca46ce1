// The cross-language fixtures: the same files are validated by the Python worker against the generated JSON
// Schema (apps/gpu-worker/tests/test_contract_fixtures.py); both sides must reach the verdict of the folder name.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CROSS_LANGUAGE_SCHEMAS, type CrossLanguageSchemaName } from '../src';

const root = resolve(__dirname, '../fixtures');

function load(verdict: 'valid' | 'invalid') {
  return readdirSync(join(root, verdict)).map((file) => {
    const { schema, value } = JSON.parse(readFileSync(join(root, verdict, file), 'utf8')) as {
      schema: CrossLanguageSchemaName;
      value: unknown;
    };
    return { file, schema, value };
  });
}

describe('cross-language fixtures (TypeScript side)', () => {
  it.each(load('valid'))('accepts $file', ({ schema, value }) => {
    const result = CROSS_LANGUAGE_SCHEMAS[schema].safeParse(value);
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it.each(load('invalid'))('rejects $file', ({ schema, value }) => {
    expect(CROSS_LANGUAGE_SCHEMAS[schema].safeParse(value).success).toBe(false);
  });

  it('has fixtures for both verdicts', () => {
    expect(load('valid').length).toBeGreaterThan(5);
    expect(load('invalid').length).toBeGreaterThan(10);
  });
});
