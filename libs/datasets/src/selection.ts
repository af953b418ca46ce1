import { createHash } from 'node:crypto';
import type { DatasetSelection, ManifestRecord } from '@mirage/contracts';
import { canonicalManifestLine } from './manifest-lines';

/** The records a selection picks and the manifest that stores them, named by its sha256. */
export interface SelectedRecords {
  records: ManifestRecord[];
  /** The selected records as JSON lines, in selection order: what the GPU worker reads. */
  bytes: Buffer;
  /** sha256 of `bytes`: the selection's identity in run ids and eval cell keys. */
  sha256: string;
  nReal: number;
  nFake: number;
}

/**
 * Applies a selection: the records of its split, generators and classes (null = any), ordered by content hash
 * (or, with `sample_seed`, by the hash of seed and content hash: another deterministic sample), ties by uri, then
 * the first `max_images`. Ordering by content makes the pick independent of the manifest's line order and of
 * where the files live, so the same images always give the same subset, order and hash.
 */
export function selectRecords(records: readonly ManifestRecord[], selection: DatasetSelection): SelectedRecords {
  const generators = selection.generators ? new Set(selection.generators) : null;
  const classes = selection.classes ? new Set(selection.classes) : null;
  const picked = records.filter(
    (r) =>
      (selection.split === null || r.split === selection.split) &&
      (generators === null || generators.has(r.generator)) &&
      (classes === null || (r.object_class !== null && classes.has(r.object_class))),
  );
  const seed = selection.sample_seed;
  const keyed = picked.map((record) => ({
    record,
    key: seed === null ? record.sha256 : sha256(`${seed}:${record.sha256}`),
  }));
  // The frames of one video share its sha256 and uri: they stay together, in frame order.
  keyed.sort(
    (a, b) =>
      compare(a.key, b.key) || compare(a.record.uri, b.record.uri) || (a.record.frame ?? 0) - (b.record.frame ?? 0),
  );
  const chosen = keyed.slice(0, selection.max_images ?? keyed.length).map((k) => k.record);
  const bytes = Buffer.from(chosen.map((r) => `${canonicalManifestLine(r)}\n`).join(''), 'utf8');
  const nFake = chosen.filter((r) => r.label === 'fake').length;
  return { records: chosen, bytes, sha256: sha256(bytes), nReal: chosen.length - nFake, nFake };
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
