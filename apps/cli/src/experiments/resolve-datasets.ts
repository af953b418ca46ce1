import {
  evalTargetId,
  toSelection,
  type DatasetRefSpec,
  type ExperimentSpec,
  type ManifestRef,
  type ResolvedDatasets,
} from '@mirage/contracts';
import { getDataset, type Db } from '@mirage/db';
import { UserError } from '../errors';

/** Resolves every dataset an experiment names to its registered, content-hashed manifest. */
export async function resolveDatasets(db: Db, spec: ExperimentSpec): Promise<ResolvedDatasets> {
  const train = await resolve(db, spec.train, 'train');
  const val = spec.val ? await resolve(db, spec.val, 'val') : await defaultValidation(db, spec.train);
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
  const row = await getDataset(db, ref.name, ref.version);
  if (!row) {
    const which = ref.version ? `${ref.name}@${ref.version}` : ref.name;
    throw new UserError(
      `${field}: dataset "${which}" is not registered. Register it first: ` +
        `mirage data register ${ref.name} --layout <genimage|forensynths|folder|manifest> --root <path>`,
    );
  }
  return { dataset: row.name, version: row.version, key: row.manifestKey, content_hash: row.contentHash, selection: toSelection(ref) };
}

// Without an explicit `val`, the threshold is calibrated on the train dataset's own val split when it has one;
// never on a test set.
async function defaultValidation(db: Db, train: DatasetRefSpec): Promise<ManifestRef | null> {
  const row = await getDataset(db, train.name, train.version);
  const valCount = row?.counts.by_split?.['val'] ?? 0;
  if (!row || valCount === 0) return null;
  return resolve(db, { ...train, split: 'val', max_images: undefined }, 'val');
}
