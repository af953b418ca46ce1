import type { ManifestRecord } from '@mirage/contracts';
import { describe, expect, it } from 'vitest';
import { checkPlan, selectRecords, type PlannedSelection } from '../src/index';

const sha = (n: number) => n.toString(16).padStart(64, '0');
const record = (n: number, over: Partial<ManifestRecord> = {}): ManifestRecord => ({
  uri: `img/${n}`,
  label: 'real',
  generator: 'g',
  object_class: null,
  split: 'test',
  width: 256,
  height: 256,
  format: 'PNG',
  jpeg_quality: null,
  sha256: sha(n),
  video_id: null,
  frame: null,
  timestamp: null,
  ...over,
});
const all = { split: null, generators: null, classes: null, max_images: null, sample_seed: null };
const crop = { policy: 'center_crop', size: 224, smallImages: 'pad' };
const planned = (role: PlannedSelection['role'], id: string, records: ManifestRecord[]): PlannedSelection => ({
  role,
  id,
  dataset: 'd',
  selection: all,
  selected: selectRecords(records, all),
  crop,
});
const balanced = (from: number) => [record(from), record(from + 1, { label: 'fake' })];

describe('checkPlan', () => {
  it('passes a clean plan', () => {
    expect(checkPlan([planned('train', 'train', balanced(0)), planned('eval', 'A', balanced(10))])).toEqual({
      errors: [],
      warnings: [],
    });
  });

  it('a column with one class or none is an error naming the column', () => {
    const { errors } = checkPlan([
      planned('train', 'train', balanced(0)),
      planned('eval', 'Guided', [record(10, { label: 'fake', generator: 'guided' })]),
      planned('eval', 'None', []),
    ]);
    expect(errors.map((e) => [e.code, e.column])).toEqual([
      ['single_class', 'Guided'],
      ['empty', 'None'],
    ]);
    expect(errors[0]?.message).toMatch(/column Guided .* 1 fakes and no real image.*generators selected: guided/);
  });

  it('an image shared between train/val and an eval column is an error', () => {
    const { errors } = checkPlan([
      planned('train', 'train', balanced(0)),
      planned('val', 'val', balanced(4)),
      planned('eval', 'A', [...balanced(10), record(5, { label: 'fake' })]),
    ]);
    expect(errors.map((e) => [e.code, e.column])).toEqual([['train_test_overlap', 'A']]);
    expect(errors[0]?.message).toMatch(/shares 1 images .* img\/5/);
  });

  it('warns about JPEG reals vs PNG fakes, size and quality gaps, small images and duplicate columns', () => {
    const reals = [0, 1, 2].map((n) => record(n, { format: 'JPEG', jpeg_quality: 96, width: 180, height: 500 }));
    const fakes = [3, 4, 5].map((n) => record(n, { label: 'fake', format: 'PNG', width: 512, height: 512 }));
    const column = [...reals, ...fakes];
    const { errors, warnings } = checkPlan([
      planned('train', 'train', balanced(20)),
      planned('eval', 'SD1.4', column),
      planned('eval', 'copy', column),
    ]);
    expect(errors).toEqual([]);
    const codes = warnings.filter((w) => w.column === 'SD1.4').map((w) => w.code);
    expect(codes).toEqual(['format_imbalance', 'size_imbalance', 'smaller_than_crop']);
    expect(warnings.find((w) => w.code === 'format_imbalance')?.message).toMatch(
      /reals are 100% JPEG, fakes 100% PNG.*GenImage/,
    );
    expect(warnings.find((w) => w.code === 'smaller_than_crop')?.message).toMatch(
      /3 of 6 images are smaller than the 224 px center_crop; they are zero-padded/,
    );
    expect(warnings.find((w) => w.code === 'duplicate_columns')?.message).toBe(
      'columns SD1.4 and copy select exactly the same images',
    );
  });

  it('no small-image warning under clip_resize, which always resizes', () => {
    const small = [record(0, { width: 32, height: 32 }), record(1, { label: 'fake', width: 32, height: 32 })];
    const s = { ...planned('eval', 'A', small), crop: { ...crop, policy: 'clip_resize' } };
    expect(checkPlan([planned('train', 'train', balanced(10)), s]).warnings).toEqual([]);
  });

  it('counts a repeated frame of a video as a duplicate, not the frames of one video', () => {
    const frames = [0, 1, 2].map((frame) =>
      record(40, { uri: 'clip.mp4', video_id: 'clip', frame, timestamp: frame, width: 640, height: 360 }),
    );
    const fakes = [0, 1].map((frame) =>
      record(41, {
        label: 'fake',
        uri: 'sora.mp4',
        video_id: 'sora',
        frame,
        timestamp: frame,
        width: 640,
        height: 360,
      }),
    );
    const column = (records: ManifestRecord[]) =>
      checkPlan([planned('train', 'train', balanced(0)), planned('eval', 'Sora', records)]).warnings.filter(
        (w) => w.code === 'duplicates',
      );
    expect(column([...frames, ...fakes])).toEqual([]);
    expect(column([...frames, frames[0] as ManifestRecord, ...fakes])[0]?.message).toMatch(
      /1 images are byte-identical copies/,
    );
  });
});
