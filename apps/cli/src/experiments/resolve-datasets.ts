import {
  evalTargetId,
  toSelection,
  type DatasetRefSpec,
  type ExperimentSpec,
  type ManifestRef,
  type ResolvedDatasets,
} from '@mirage/contracts';
import { getDataset, type Dataset, type Db } from '@mirage/db';
import { UserError } from '../errors';

/** Resolves every dataset an experiment names to its registered, content-hashed manifest. */
export async function resolveDatasets(db: Db, spec: ExperimentSpec): Promise<ResolvedDatasets> {
  const trainRow = await registered(db, spec.train, 'train');
  const train = toManifestRef(trainRow, spec.train);
  const val = spec.val ? await resolve(db, spec.val, 'val') : defaultValidation(trainRow, spec.train);
  const evalTargets = [];
  for (const [i, target] of spec.eval.entries()) {
    evalTargets.push({ id: evalTargetId(target), manifest: await resolve(db, target, `eval[${i}]`) });
  }
  const ids = evalTargets.map((t) => t.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new UserError(`eval column "${duplicate}" appears twice; give one of them an explicit id`);
  return { train, val, eval: evalTargets };
}

async function resolve(db: Db, ref: DatasetRefSpec, field: string): Promise<ManifestRef> {
  return toManifestRef(await registered(db, ref, field), ref);
}

async function registered(db: Db, ref: DatasetRefSpec, field: string): Promise<Dataset> {
  const row = await getDataset(db, ref.name, ref.version);
  if (!row) {
    const which = ref.version ? `${ref.name}@${ref.version}` : ref.name;
    throw new UserError(
      `${field}: dataset "${which}" is not registered. Register it first: ` +
        `mirage data register ${ref.name} --layout <genimage|forensynths|folder|manifest> --root <path>`,
    );
  }
  return row;
}

function toManifestRef(row: Dataset, ref: DatasetRefSpec): ManifestRef {
  return { dataset: row.name, version: row.version, key: row.manifestKey, content_hash: row.contentHash, selection: toSelection(ref) };
}

// Without an explicit `val`, the threshold is calibrated on the train dataset's own val split when it has one;
// never on a test set.
function defaultValidation(row: Dataset, train: DatasetRefSpec): ManifestRef | null {
  if ((row.counts.by_split?.['val'] ?? 0) === 0) return null;
  return toManifestRef(row, { ...train, split: 'val', max_images: undefined });
}
