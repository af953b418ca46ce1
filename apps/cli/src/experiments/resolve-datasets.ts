import {
  canonicalJson,
  evalTargetId,
  toSelection,
  type DatasetRefSpec,
  type ExperimentSpec,
  type ManifestRecord,
  type ManifestRef,
  type ResolvedDatasets,
} from '@mirage/contracts';
import { parseManifestLines, selectRecords, type PlannedSelection, type SelectedRecords } from '@mirage/datasets';
import { findDatasetSelection, getDataset, recordDatasetSelection, type Dataset, type Db } from '@mirage/db';
import { selectionKey, type ArtifactStore } from '@mirage/storage';
import { UserError } from '../errors';

/** An experiment's datasets resolved to their selections, with the selected records for the plan's checks. */
export interface ResolvedExperiment {
  datasets: ResolvedDatasets;
  selections: PlannedSelection[];
  /**
   * Stores each selection's records under their sha256 in S3 and remembers the selection in Postgres, so GPU
   * workers read exactly the records that were planned and checked. Launch calls it after the checks pass.
   */
  publish(): Promise<void>;
}

/** Resolves every dataset an experiment names: reads each registered manifest from S3 once and applies each selection. */
export async function resolveExperiment(
  deps: { db: Db; store: ArtifactStore },
  spec: ExperimentSpec,
): Promise<ResolvedExperiment> {
  const manifests = new Map<string, Promise<ManifestRecord[]>>();
  const selections: PlannedSelection[] = [];
  const publishers: (() => Promise<void>)[] = [];
  const { train: trainPolicy, eval: evalPolicy, small_images: smallImages } = spec.preprocess;
  const resolve = async (
    ref: DatasetRefSpec,
    field: string,
    role: PlannedSelection['role'],
    id: string,
  ): Promise<ManifestRef> => {
    const row = await registered(deps.db, ref, field);
    if (!manifests.has(row.contentHash)) manifests.set(row.contentHash, readManifest(deps.store, row));
    const selection = toSelection(ref);
    const selected = selectRecords(await (manifests.get(row.contentHash) as Promise<ManifestRecord[]>), selection);
    const policy = role === 'train' ? trainPolicy : evalPolicy;
    selections.push({
      role,
      id,
      dataset: row.name,
      selection,
      selected,
      crop: { policy: policy.policy, size: policy.size, smallImages },
    });
    publishers.push(() => publish(deps, row, ref, selected));
    return manifestRef(row, ref, selected.sha256, selected.nReal, selected.nFake);
  };
  const train = await resolve(spec.train, 'train', 'train', 'train');
  const val = spec.val ? await resolve(spec.val, 'val', 'val', 'val') : null;
  const evalTargets = [];
  for (const [i, target] of spec.eval.entries()) {
    const id = evalTargetId(target);
    evalTargets.push({ id, manifest: await resolve(target, `eval[${i}]`, 'eval', id) });
  }
  const ids = evalTargets.map((t) => t.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new UserError(`eval column "${duplicate}" appears twice; give one of them an explicit id`);
  return {
    datasets: { train, val, eval: evalTargets },
    selections,
    publish: async () => {
      for (const p of publishers) await p();
    },
  };
}

/**
 * The train and val selection hashes of an experiment, from the selections recorded at launch (no manifest is
 * read): what `mirage table` needs to find the experiment's runs.
 */
export async function recordedTrainSelections(
  db: Db,
  spec: ExperimentSpec,
): Promise<{ trainHash: string; valHash: string | null }> {
  const hashOf = async (ref: DatasetRefSpec, field: string): Promise<string> => {
    const row = await registered(db, ref, field);
    const recorded = await findDatasetSelection(db, row.contentHash, canonicalJson(toSelection(ref)));
    if (!recorded)
      throw new UserError(
        `${field}: the selection of dataset "${row.name}" was never launched; run: mirage launch <experiment>`,
      );
    return recorded.selectionHash;
  };
  return { trainHash: await hashOf(spec.train, 'train'), valHash: spec.val ? await hashOf(spec.val, 'val') : null };
}

async function registered(db: Db, ref: DatasetRefSpec, field: string): Promise<Dataset> {
  const row = await getDataset(db, ref.name, ref.version);
  if (!row) {
    const which = ref.version ? `${ref.name}@${ref.version}` : ref.name;
    throw new UserError(
      `${field}: dataset "${which}" is not registered. Register it first (experiments/README.md has one command per release): ` +
        `mirage data register ${ref.name} --layout <genimage|forensynths|ufd-diffusion|folder|manifest> --root <path>`,
    );
  }
  return row;
}

async function readManifest(store: ArtifactStore, row: Dataset): Promise<ManifestRecord[]> {
  let bytes: Buffer;
  try {
    bytes = await store.get(row.manifestKey);
  } catch (error) {
    throw new UserError(
      `dataset "${row.name}": cannot read its manifest s3://${row.manifestKey} (${(error as Error).message}); register it again`,
    );
  }
  try {
    return parseManifestLines(bytes.toString('utf8'), `dataset "${row.name}" manifest ${row.manifestKey}`);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

async function publish(
  deps: { db: Db; store: ArtifactStore },
  row: Dataset,
  ref: DatasetRefSpec,
  selected: SelectedRecords,
): Promise<void> {
  const key = selectionKey(selected.sha256);
  if ((await deps.store.stat(key)) === null)
    await deps.store.put(key, selected.bytes, { contentType: 'application/x-ndjson' });
  await recordDatasetSelection(deps.db, {
    selectionHash: selected.sha256,
    contentHash: row.contentHash,
    selection: canonicalJson(toSelection(ref)),
    selectionKey: key,
    nReal: selected.nReal,
    nFake: selected.nFake,
  });
}

function manifestRef(
  row: Dataset,
  ref: DatasetRefSpec,
  selectionHash: string,
  nReal: number,
  nFake: number,
): ManifestRef {
  return {
    dataset: row.name,
    version: row.version,
    content_hash: row.contentHash,
    selection: toSelection(ref),
    key: selectionKey(selectionHash),
    selection_hash: selectionHash,
    root: row.root,
    n_real: nReal,
    n_fake: nFake,
  };
}
