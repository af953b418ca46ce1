// Emits the JSON Schema of every cross-language contract (from zod, the single source) and the shared constants
// into libs/contracts/generated/, and the same bytes into the GPU worker's package (mirage_gpu_worker/generated/),
// which ships them as package data so an installed worker needs no checkout. `--check` fails when any committed
// file, either copy, differs from what zod produces now. The pydantic models (pydantic-models.ts) are generated from
// that schema and checked the same way, into the detector (whose RunConfig they are; the worker imports them from
// there) and into the trackers package (installed without the detector).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  ACTIVITY_NAMES,
  BACKBONE_FILE_SUFFIXES,
  BLOB_KEY_PREFIX,
  CROSS_LANGUAGE_PARTS,
  CROSS_LANGUAGE_SCHEMAS,
  NON_RETRYABLE_ERROR_TYPES,
  TASK_QUEUES,
  VERSIONED_TASK_QUEUE,
  WORKFLOW_NAMES,
} from '@mirage/contracts';
import { renderPydanticModels } from './pydantic-models';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Every folder that receives the generated files; each gets byte-identical copies. */
const outputDirs = [
  resolve(repoRoot, 'libs/contracts/generated'),
  resolve(repoRoot, 'apps/gpu-worker/src/mirage_gpu_worker/generated'),
];

/** The pydantic models of every message, generated from the schema above, for each Python package that reads them. */
const modelsPaths = [
  resolve(repoRoot, 'libs/detector/src/mirage_detector/generated/contracts_models.py'),
  resolve(repoRoot, 'libs/trackers/src/mirage_trackers/generated/contracts_models.py'),
];
const datamodelCodegen = resolve(repoRoot, '.venv/bin/datamodel-codegen');

/** The generated files, path -> content. */
export function renderGenerated(): Record<string, string> {
  // One registry of every message and shared part: a part used inside a message becomes a `$ref` to its own
  // `$defs` entry, so the schema (and the code generated from it) holds each shape once.
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries({ ...CROSS_LANGUAGE_SCHEMAS, ...CROSS_LANGUAGE_PARTS })) {
    registry.add(schema, { id: name });
  }
  // io: 'input' so that fields with defaults are optional, exactly as zod accepts them.
  const generated = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
    uri: (id) => `#/$defs/${id}`,
  });
  const defs: Record<string, unknown> = {};
  for (const name of Object.keys(generated.schemas).sort()) {
    // the registry id becomes `$id`; the entries are located by their `$defs` key instead
    const { $schema: _dialect, $id: _id, ...json } = generated.schemas[name] as Record<string, unknown>;
    defs[name] = json;
  }
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $comment: 'GENERATED from libs/contracts (zod) by tools/src/codegen/contracts-json-schema.ts. Do not edit.',
    $defs: defs,
  };
  const constants = {
    $comment: 'GENERATED from libs/contracts/src/constants.ts. Do not edit.',
    task_queues: TASK_QUEUES,
    versioned_task_queue: VERSIONED_TASK_QUEUE,
    activity_names: ACTIVITY_NAMES,
    workflow_names: WORKFLOW_NAMES,
    non_retryable_error_types: NON_RETRYABLE_ERROR_TYPES,
    backbone_file_suffixes: BACKBONE_FILE_SUFFIXES,
    blob_key_prefix: BLOB_KEY_PREFIX,
  };
  const files: Record<string, string> = {
    'contracts.schema.json': `${JSON.stringify(schema, null, 2)}\n`,
    'constants.json': `${JSON.stringify(constants, null, 2)}\n`,
  };
  const rendered: Record<string, string> = {};
  for (const dir of outputDirs) {
    for (const [file, content] of Object.entries(files)) rendered[resolve(dir, file)] = content;
  }
  const models = renderPydanticModels(files['contracts.schema.json']!, datamodelCodegen);
  for (const path of modelsPaths) rendered[path] = models;
  return rendered;
}

function main(): void {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [path, content] of Object.entries(renderGenerated())) {
    if (check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {
        current = '';
      }
      if (current !== content) {
        console.error(`stale: ${path} (run: npm run codegen)`);
        stale++;
      }
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      console.log(`wrote ${path}`);
    }
  }
  if (stale > 0) process.exit(1);
}

main();
