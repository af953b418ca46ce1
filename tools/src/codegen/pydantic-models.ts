// Renders the pydantic v2 models of the generated JSON Schema with datamodel-code-generator (pinned in the Python
// lock, run from the workspace venv), so the Python side types its messages from the same single source as the
// schema. Builtin formatting only: the output depends on the generator's version alone, not on a formatter's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HEADER = '# GENERATED from libs/contracts (zod) via contracts.schema.json by tools/src/codegen. Do not edit.';

const OPTIONS = [
  '--input-file-type',
  'jsonschema',
  '--output-model-type',
  'pydantic_v2.BaseModel',
  '--target-python-version',
  '3.11',
  '--use-annotated',
  '--field-constraints',
  '--use-standard-collections',
  '--use-union-operator',
  '--use-double-quotes',
  '--use-type-alias-type',
  '--use-title-as-name',
  '--extra-fields',
  'forbid',
  // an enum field's default is the enum member (`SmallImages.pad`), not its string, so a dump is typed throughout
  '--deserialize-default-values',
  'enum',
  '--disable-timestamp',
  '--formatters',
  'builtin',
  '--custom-file-header',
  HEADER,
];

/** The models module for `schemaText` (the generated contracts.schema.json), rendered by `generator`. */
export function renderPydanticModels(schemaText: string, generator: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mirage-codegen-'));
  try {
    const input = join(dir, 'contracts.schema.json');
    const output = join(dir, 'contracts_models.py');
    writeFileSync(input, schemaText);
    const result = spawnSync(generator, ['--input', input, '--output', output, ...OPTIONS], { encoding: 'utf8' });
    if (result.error) {
      throw new Error(
        `cannot run ${generator} (${result.error.message}); install the Python lock: bash tools/setup.sh`,
      );
    }
    if (result.status !== 0) throw new Error(`${generator} failed (exit ${result.status}):\n${result.stderr}`);
    return readFileSync(output, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
