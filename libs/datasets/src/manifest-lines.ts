import { ManifestRecord } from '@mirage/contracts';

/** A manifest line that breaks the contract; names the line and the field. */
export class ManifestLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestLineError';
  }
}

/**
 * Parses a JSON-lines manifest (blank lines ignored). Every line is checked against the ManifestRecord contract,
 * so a manifest edited by hand or written by an older version fails here, naming `where`, the line and the field,
 * instead of in a GPU worker hours later.
 */
export function parseManifestLines(text: string, where: string): ManifestRecord[] {
  const records: ManifestRecord[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new ManifestLineError(`${where} line ${i + 1}: invalid JSON (${(error as Error).message})`);
    }
    const parsed = ManifestRecord.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ManifestLineError(`${where} line ${i + 1}: ${issue?.path.join('.') || '(record)'}: ${issue?.message}`);
    }
    records.push(parsed.data);
  }
  return records;
}

const FRAME_FIELDS = new Set(['video_id', 'frame', 'timestamp']);

/**
 * One manifest line as the detector writes it: keys sorted, no spaces, so equal records give equal bytes. The frame
 * fields appear only on video frames, as the detector writes them, so image selections hash as before videos existed.
 */
export function canonicalManifestLine(record: ManifestRecord): string {
  const isFrame = record.video_id !== null && record.video_id !== undefined;
  const entries = Object.entries(record).filter(([key]) => isFrame || !FRAME_FIELDS.has(key));
  const sorted = Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify(sorted);
}
