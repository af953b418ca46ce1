import type { ManifestRecord } from '@mirage/contracts';
import { describe, expect, it } from 'vitest';
import { parseManifestLines, selectRecords } from '../src/index';

const sha = (n: number) => n.toString(16).padStart(64, '0');
const record = (n: number, over: Partial<ManifestRecord> = {}): ManifestRecord => ({
  uri: `img/${n}.png`,
  label: n % 2 ? 'fake' : 'real',
  generator: 'progan',
  object_class: n % 3 ? 'car' : 'cat',
  split: 'train',
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

describe('selectRecords', () => {
  const records = Array.from({ length: 12 }, (_, i) =>
    record(i, { split: i < 8 ? 'train' : 'val', generator: i % 4 === 0 ? 'stylegan' : 'progan' }),
  );

  it('filters by split, generators and classes, and counts the classes', () => {
    const picked = selectRecords(records, { ...all, split: 'train', generators: ['progan'], classes: ['car'] });
    expect(picked.records.map((r) => r.uri)).toEqual(['img/1.png', 'img/2.png', 'img/5.png', 'img/7.png']);
    expect([picked.nReal, picked.nFake]).toEqual([1, 3]);
  });

  it('is independent of the manifest line order and of the selection name; hash changes with the picked records', () => {
    const a = selectRecords(records, { ...all, max_images: 5 });
    const b = selectRecords([...records].reverse(), { ...all, max_images: 5 });
    expect(b.sha256).toBe(a.sha256);
    expect(b.bytes.equals(a.bytes)).toBe(true);
    expect(a.records.map((r) => r.sha256)).toEqual([0, 1, 2, 3, 4].map(sha));
    expect(selectRecords(records, { ...all, max_images: 6 }).sha256).not.toBe(a.sha256);
  });

  it('a sample seed draws another deterministic subset', () => {
    const seeded = selectRecords(records, { ...all, max_images: 5, sample_seed: 7 });
    expect(selectRecords(records, { ...all, max_images: 5, sample_seed: 7 }).sha256).toBe(seeded.sha256);
    expect(seeded.sha256).not.toBe(selectRecords(records, { ...all, max_images: 5 }).sha256);
  });

  it('records without a class never match a class filter', () => {
    const unclassed = [record(1, { object_class: null })];
    expect(selectRecords(unclassed, { ...all, classes: ['car'] }).records).toEqual([]);
  });

  it('writes canonical lines the manifest parser reads back', () => {
    const picked = selectRecords(records, { ...all, split: 'val' });
    expect(parseManifestLines(picked.bytes.toString('utf8'), 'x')).toEqual(picked.records);
  });
});

describe('parseManifestLines', () => {
  it('names the line and the field that break the contract', () => {
    const good = JSON.stringify(record(1));
    expect(() =>
      parseManifestLines(`${good}\n${JSON.stringify({ ...record(2), label: 'maybe' })}\n`, 'm.jsonl'),
    ).toThrow(/m.jsonl line 2: label/);
    expect(() => parseManifestLines('{"uri": ', 'm.jsonl')).toThrow(/m.jsonl line 1: invalid JSON/);
  });

  it('reads manifests written before object_class existed', () => {
    const { object_class: _c, ...old } = record(3);
    expect(parseManifestLines(JSON.stringify(old), 'old')[0]?.object_class).toBeNull();
  });

  it('writes the frame fields only for video frames, so image selections hash as they did before videos', () => {
    const image = record(3);
    const { video_id: _v, frame: _f, timestamp: _t, ...before } = image;
    expect(selectRecords([image], all).bytes.toString()).toBe(
      `${JSON.stringify(Object.fromEntries(Object.entries(before).sort()))}\n`,
    );
    const frames = [2, 0, 1].map((frame) =>
      record(5, { uri: 'clip.mp4', video_id: 'clip', frame, timestamp: frame / 2 }),
    );
    const picked = selectRecords(frames, all);
    expect(picked.records.map((r) => r.frame)).toEqual([0, 1, 2]);
    expect(picked.bytes.toString().split('\n')[0]).toMatch(
      /"frame":0,"generator".*"timestamp":0,"uri":"clip.mp4","video_id":"clip"/,
    );
  });
});
