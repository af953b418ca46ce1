import type { DatasetSelection, ManifestRecord } from '@mirage/contracts';
import type { SelectedRecords } from './selection';

/** One resolved selection of a plan: the training set, the validation set or an evaluation column. */
export interface PlannedSelection {
  role: 'train' | 'val' | 'eval';
  /** Column id for eval, "train" / "val" otherwise. */
  id: string;
  dataset: string;
  selection: DatasetSelection;
  selected: SelectedRecords;
  /** The crop the images of this selection go through, and what happens to smaller images. */
  crop: { policy: string; size: number; smallImages: string };
}

/** A problem found in a plan, named by a stable code and the selection it concerns. */
export interface PlanIssue {
  code: string;
  column: string;
  message: string;
}

/** Errors stop a launch; warnings are printed with the plan. */
export interface PlanFindings {
  errors: PlanIssue[];
  warnings: PlanIssue[];
}

// Thresholds of the warnings. A format or quality difference this large lets a detector separate the classes by
// how the files were saved instead of by what generated them (the GenImage JPEG-reals-vs-PNG-fakes bias).
const FORMAT_DISTANCE = 0.5;
const JPEG_QUALITY_GAP = 10;
const SIZE_RATIO = 1.5;

/** Checks a plan's selections: single-class sets and train/test overlap are errors; biases and small images warnings. */
export function checkPlan(selections: readonly PlannedSelection[]): PlanFindings {
  const findings: PlanFindings = { errors: [], warnings: [] };
  for (const s of selections) {
    checkClasses(s, findings);
    checkBiases(s, findings);
    checkSmallImages(s, findings);
    checkDuplicates(s, findings);
  }
  checkOverlap(selections, findings);
  checkDuplicateColumns(selections, findings);
  return findings;
}

function describe(s: PlannedSelection): string {
  return s.role === 'eval' ? `column ${s.id} (dataset ${s.dataset})` : `${s.role} (dataset ${s.dataset})`;
}

function checkClasses(s: PlannedSelection, f: PlanFindings): void {
  const { nReal, nFake } = s.selected;
  if (nReal > 0 && nFake > 0) return;
  const missing =
    nReal === 0 && nFake === 0
      ? 'no image at all'
      : nReal === 0
        ? `${nFake} fakes and no real image`
        : `${nReal} reals and no fake image`;
  const generators = [...new Set(s.selected.records.map((r) => r.generator))].sort();
  const hint = generators.length
    ? ` (generators selected: ${generators.join(', ')}; a column needs the generator that holds its reals too)`
    : '';
  f.errors.push({
    code: nReal + nFake === 0 ? 'empty' : 'single_class',
    column: s.id,
    message: `${describe(s)} has ${missing}: acc, AP and AUC need both classes${hint}`,
  });
}

function byLabel(records: readonly ManifestRecord[]): { real: ManifestRecord[]; fake: ManifestRecord[] } {
  return { real: records.filter((r) => r.label === 'real'), fake: records.filter((r) => r.label === 'fake') };
}

function checkBiases(s: PlannedSelection, f: PlanFindings): void {
  const { real, fake } = byLabel(s.selected.records);
  if (real.length === 0 || fake.length === 0) return;
  const realFormats = shares(real.map((r) => r.format ?? 'unknown'));
  const fakeFormats = shares(fake.map((r) => r.format ?? 'unknown'));
  if (distance(realFormats, fakeFormats) >= FORMAT_DISTANCE) {
    f.warnings.push({
      code: 'format_imbalance',
      column: s.id,
      message: `${describe(s)}: reals are ${formatShares(realFormats)}, fakes ${formatShares(fakeFormats)}; a detector can separate the classes by file format (the GenImage JPEG-reals-vs-PNG-fakes bias)`,
    });
  }
  const realQuality = median(real.flatMap((r) => (r.jpeg_quality === null ? [] : [r.jpeg_quality])));
  const fakeQuality = median(fake.flatMap((r) => (r.jpeg_quality === null ? [] : [r.jpeg_quality])));
  if (realQuality !== null && fakeQuality !== null && Math.abs(realQuality - fakeQuality) >= JPEG_QUALITY_GAP) {
    f.warnings.push({
      code: 'jpeg_quality_imbalance',
      column: s.id,
      message: `${describe(s)}: median JPEG quality ${realQuality} for reals, ${fakeQuality} for fakes`,
    });
  }
  const realSide = median(real.flatMap(shortSide));
  const fakeSide = median(fake.flatMap(shortSide));
  if (
    realSide !== null &&
    fakeSide !== null &&
    Math.max(realSide, fakeSide) / Math.min(realSide, fakeSide) >= SIZE_RATIO
  ) {
    f.warnings.push({
      code: 'size_imbalance',
      column: s.id,
      message: `${describe(s)}: median short side ${realSide} px for reals, ${fakeSide} px for fakes`,
    });
  }
}

function checkSmallImages(s: PlannedSelection, f: PlanFindings): void {
  if (s.crop.policy === 'clip_resize') return;
  const small = s.selected.records.filter((r) => shortSide(r).some((side) => side < s.crop.size));
  if (small.length === 0) return;
  const what =
    s.crop.smallImages === 'pad'
      ? 'zero-padded to the crop (preprocess.small_images: pad)'
      : 'resized up to the crop (preprocess.small_images: resize_up)';
  f.warnings.push({
    code: 'smaller_than_crop',
    column: s.id,
    message: `${describe(s)}: ${small.length} of ${s.selected.records.length} images are smaller than the ${s.crop.size} px ${s.crop.policy}; they are ${what}`,
  });
}

function checkDuplicates(s: PlannedSelection, f: PlanFindings): void {
  const seen = new Set<string>();
  let repeated = 0;
  for (const r of s.selected.records) {
    // The frames of one video share its sha256: a frame repeats only as the same frame of the same bytes.
    const key = r.frame === null ? r.sha256 : `${r.sha256}#${r.frame}`;
    if (seen.has(key)) repeated++;
    seen.add(key);
  }
  if (repeated > 0)
    f.warnings.push({
      code: 'duplicates',
      column: s.id,
      message: `${describe(s)}: ${repeated} images are byte-identical copies of others in it`,
    });
}

function checkOverlap(selections: readonly PlannedSelection[], f: PlanFindings): void {
  const training = selections.filter((s) => s.role !== 'eval');
  const trainHashes = new Map<string, string>();
  for (const s of training) for (const r of s.selected.records) trainHashes.set(r.sha256, `${s.role}:${r.uri}`);
  const train = training.find((s) => s.role === 'train');
  const val = training.find((s) => s.role === 'val');
  if (train && val) overlapError(val, new Set(train.selected.records.map((r) => r.sha256)), 'train', f);
  for (const s of selections.filter((c) => c.role === 'eval'))
    overlapError(s, new Set(trainHashes.keys()), 'train/val', f);
}

function overlapError(s: PlannedSelection, against: Set<string>, name: string, f: PlanFindings): void {
  const shared = s.selected.records.filter((r) => against.has(r.sha256));
  if (shared.length === 0) return;
  f.errors.push({
    code: 'train_test_overlap',
    column: s.id,
    message: `${describe(s)} shares ${shared.length} images (by sha256) with the ${name} selection, e.g. ${shared[0]?.uri}; evaluate on images the detector never saw`,
  });
}

function checkDuplicateColumns(selections: readonly PlannedSelection[], f: PlanFindings): void {
  const byHash = new Map<string, string>();
  for (const s of selections.filter((c) => c.role === 'eval')) {
    const first = byHash.get(s.selected.sha256);
    if (first !== undefined)
      f.warnings.push({
        code: 'duplicate_columns',
        column: s.id,
        message: `columns ${first} and ${s.id} select exactly the same images`,
      });
    else byHash.set(s.selected.sha256, s.id);
  }
}

function shortSide(r: ManifestRecord): number[] {
  return r.width !== null && r.height !== null ? [Math.min(r.width, r.height)] : [];
}

function shares(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return new Map([...counts].map(([k, n]) => [k, n / values.length]));
}

// Total variation distance between two distributions over formats: 0 identical, 1 disjoint.
function distance(a: Map<string, number>, b: Map<string, number>): number {
  const keys = new Set([...a.keys(), ...b.keys()]);
  let sum = 0;
  for (const k of keys) sum += Math.abs((a.get(k) ?? 0) - (b.get(k) ?? 0));
  return sum / 2;
}

function formatShares(s: Map<string, number>): string {
  return [...s]
    .sort(([x, p], [y, q]) => q - p || (x < y ? -1 : 1))
    .map(([format, p]) => `${Math.round(p * 100)}% ${format}`)
    .join(', ');
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
