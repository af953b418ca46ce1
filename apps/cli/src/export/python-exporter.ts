import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { REPO_ROOT } from '@mirage/local-stack';
import { UserError } from '../errors';
import type { TrackerBundle } from '@mirage/contracts';

const run = promisify(execFile);

/** The trackers `mirage export --to` writes. */
export const TRACKERS = ['tensorboard', 'mlflow', 'wandb'] as const;
/** One of TRACKERS. */
export type Tracker = (typeof TRACKERS)[number];

/** What `python -m mirage_trackers export` prints on its last stdout line (mirage_trackers/result.py). */
export const ExportResult = z.strictObject({
  tracker: z.enum(TRACKERS),
  /** A folder for TensorBoard and W&B, a tracking URI for MLflow. */
  location: z.string().min(1),
  runs: z.number().int().min(0),
  points: z.number().int().min(0),
  open_command: z.string().min(1),
});
/** Where an export went and how to open it. */
export type ExportResult = z.infer<typeof ExportResult>;

/** Where the exporter writes: a folder, and for MLflow optionally a tracking URI, for W&B a project. */
export interface ExporterOptions {
  out: string;
  trackingUri?: string;
  project?: string;
}

// The exporter's user errors are one "error: ..." line on stderr with exit status 2 (mirage_trackers/__main__.py).
const EXPORTER_USER_ERROR = 2;

function failureOf(error: unknown): { code: unknown; stderr: string } {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; stderr?: unknown };
  return { code: fields.code, stderr: typeof fields.stderr === 'string' ? fields.stderr.trim() : '' };
}

/** Parses the exporter's result line through the contract; output that breaks it is shown, not cast. */
export function parseExportResult(stdout: string): ExportResult {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  let value: unknown;
  try {
    value = JSON.parse(last);
  } catch {
    throw new Error(`the tracker exporter printed no JSON result line: ${last.slice(0, 200)}`);
  }
  return ExportResult.parse(value);
}

/** Writes the bundle to a temporary file and runs the venv's `python -m mirage_trackers export` on it. */
export async function runTrackerExporter(
  bundle: TrackerBundle,
  tracker: Tracker,
  options: ExporterOptions,
): Promise<ExportResult> {
  const work = mkdtempSync(join(tmpdir(), 'mirage-export-'));
  try {
    const bundlePath = join(work, 'bundle.json');
    writeFileSync(bundlePath, JSON.stringify(bundle));
    const args = ['-m', 'mirage_trackers', 'export', '--bundle', bundlePath, '--to', tracker, '--out', options.out];
    if (options.trackingUri) args.push('--tracking-uri', options.trackingUri);
    if (options.project) args.push('--project', options.project);
    let stdout: string;
    try {
      ({ stdout } = await run(join(REPO_ROOT, '.venv/bin/python'), args, { maxBuffer: 64 * 1024 * 1024 }));
    } catch (error) {
      const { code, stderr } = failureOf(error);
      const last = stderr.split('\n').at(-1) ?? '';
      if (code === EXPORTER_USER_ERROR) throw new UserError(last.replace(/^error: /, ''));
      if (code === 'ENOENT') throw new UserError(`no Python venv at ${join(REPO_ROOT, '.venv')}: run tools/setup.sh`);
      if (/No module named mirage_trackers/.test(stderr))
        throw new UserError('mirage_trackers is not installed in .venv: run tools/setup.sh');
      throw new Error(`the tracker exporter failed (exit ${String(code)}): ${stderr.slice(-2000)}`);
    }
    return parseExportResult(stdout);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
