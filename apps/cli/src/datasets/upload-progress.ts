import type { UploadTally } from './upload-blobs';

/** Where progress goes: a writable stream (stderr), and whether it is a terminal that can redraw one line. */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Progress of a blob upload on `sink`: one redrawn line on a terminal, else a line every `everyMs`; then the totals. */
export function uploadProgress(
  sink: ProgressSink,
  everyMs = 5000,
): { update(tally: UploadTally): void; finish(tally: UploadTally): void } {
  let last = Date.now();
  return {
    update(tally) {
      const now = Date.now();
      if (tally.done < tally.files && now - last < (sink.isTTY ? 200 : everyMs)) return;
      last = now;
      if (sink.isTTY) sink.write(`\r${progressLine(tally)}\u001b[K`);
      else if (tally.done < tally.files) sink.write(`${progressLine(tally)}\n`);
    },
    finish(tally) {
      if (sink.isTTY) sink.write('\r\u001b[K');
      sink.write(`${uploadSummary(tally)}\n`);
    },
  };
}

/** `blobs: 12/20 files, 8 uploaded (1.2 MiB), 4 already in S3 (600.0 KiB)`. */
export function progressLine(tally: UploadTally): string {
  return `blobs: ${tally.done}/${tally.files} files, ${tally.uploaded} uploaded (${humanBytes(tally.bytesUploaded)}), ${tally.present} already in S3 (${humanBytes(tally.bytesPresent)})`;
}

/** The final line, which tests and scripts read: `blobs: 20 files: 20 uploaded (... bytes), 0 already in S3 (0 bytes)`. */
export function uploadSummary(tally: UploadTally): string {
  return `blobs: ${tally.files} files: ${tally.uploaded} uploaded (${tally.bytesUploaded} bytes), ${tally.present} already in S3 (${tally.bytesPresent} bytes)`;
}

function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}
