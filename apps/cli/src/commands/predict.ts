import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { REPO_ROOT } from '@mirage/local-stack';
import { ArtifactNotFoundError } from '@mirage/storage';
import { connectStack } from '../connections';
import { UserError } from '../errors';
import { columns } from '../service-lines';

const run = promisify(execFile);

/** One image's score, as `python -m mirage_detector predict --json` prints it (one object per line). */
export const Prediction = z.strictObject({
  path: z.string().min(1),
  /** null when the image could not be read (then `error` says why and the verdict is "error"). */
  p_fake: z.number().min(0).max(1).nullable(),
  verdict: z.enum(['real', 'fake', 'error']),
  error: z.string().nullable(),
});
/** One scored image. */
export type Prediction = z.infer<typeof Prediction>;

/** Where a checkpoint is: a local file, or an object of the stack's S3. */
export type CheckpointLocation = { kind: 'file'; path: string } | { kind: 's3'; bucket: string; key: string };

interface PredictFlags {
  json?: boolean;
  threshold?: string;
  backbonePath?: string;
  device?: string;
}

/** Reads `s3://<bucket>/<key>` as an S3 object and anything else as a local path. */
export function checkpointLocation(text: string): CheckpointLocation {
  if (!text.startsWith('s3://')) return { kind: 'file', path: text };
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(text);
  if (!match?.[1] || !match[2]) throw new UserError(`checkpoint ${text}: expected s3://<bucket>/<key>`);
  return { kind: 's3', bucket: match[1], key: match[2] };
}

/** Parses the detector's JSON lines through the Prediction contract; a line that breaks it is named. */
export function parsePredictions(stdout: string): Prediction[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new UserError(`the detector's predict output is not JSON at line ${i + 1}: ${line.slice(0, 200)}`);
      }
      const parsed = Prediction.safeParse(value);
      if (!parsed.success)
        throw new UserError(
          `the detector's predict output broke its contract at line ${i + 1}: ${parsed.error.message}`,
        );
      return parsed.data;
    });
}

/** A `--threshold` value: a probability in [0, 1]. */
export function parseThreshold(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1)
    throw new UserError(`--threshold ${text}: expected a number in [0, 1]`);
  return value;
}

/** Verdicts at `threshold` instead of the checkpoint's: fake iff p_fake > threshold, the detector's own rule. */
export function withThreshold(predictions: readonly Prediction[], threshold: number): Prediction[] {
  return predictions.map((p) => (p.p_fake === null ? p : { ...p, verdict: p.p_fake > threshold ? 'fake' : 'real' }));
}

/** The human-readable table: path, p_fake (4 decimals, "-" when unread) and verdict (with the reason of an error). */
export function predictionTable(predictions: readonly Prediction[]): string {
  return columns([
    ['path', 'p_fake', 'verdict'],
    ...predictions.map((p) => [
      p.path,
      p.p_fake === null ? '-' : p.p_fake.toFixed(4),
      p.error === null ? p.verdict : `${p.verdict} (${p.error})`,
    ]),
  ]);
}

function stderrOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'stderr' in error && typeof error.stderr === 'string'
    ? error.stderr.trim()
    : '';
}

/** Runs the detector's predict command on a local checkpoint file and returns its parsed predictions. */
export async function scoreImages(
  checkpointPath: string,
  paths: string[],
  options: { backbonePath?: string; device?: string } = {},
): Promise<Prediction[]> {
  const args = ['-m', 'mirage_detector', 'predict', '--checkpoint', checkpointPath, '--json'];
  if (options.backbonePath) args.push('--backbone-path', options.backbonePath);
  if (options.device) args.push('--device', options.device);
  // `--` so that a path starting with a dash is not read as an option.
  args.push('--', ...paths);
  let stdout: string;
  try {
    ({ stdout } = await run(join(REPO_ROOT, '.venv/bin/python'), args, { maxBuffer: 256 * 1024 * 1024 }));
  } catch (error) {
    const stderr = stderrOf(error);
    const last = stderr.split('\n').at(-1) ?? '';
    throw new UserError(
      `cannot score images with ${checkpointPath}: ${last.replace(/^error: /, '') || (error instanceof Error ? error.message : String(error))}`,
    );
  }
  return parsePredictions(stdout);
}

/** Runs `use` with a local file of the checkpoint: the file itself, or a verified download removed afterwards. */
async function withLocalCheckpoint<T>(location: CheckpointLocation, use: (path: string) => Promise<T>): Promise<T> {
  if (location.kind === 'file') {
    if (!existsSync(location.path)) throw new UserError(`checkpoint ${location.path}: no such file`);
    return use(location.path);
  }
  const work = mkdtempSync(join(tmpdir(), 'mirage-predict-'));
  try {
    const path = join(work, basename(location.key));
    const stack = await connectStack();
    try {
      if (location.bucket !== stack.store.bucket) {
        throw new UserError(
          `checkpoint s3://${location.bucket}/${location.key}: the stack's artifacts are in bucket "${stack.store.bucket}"`,
        );
      }
      await stack.store.getToFile(location.key, path);
    } catch (error) {
      if (error instanceof ArtifactNotFoundError)
        throw new UserError(`checkpoint s3://${location.bucket}/${location.key}: no such object`);
      throw error;
    } finally {
      await stack.close();
    }
    return await use(path);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `mirage predict <checkpoint> <paths...> [--json] [--threshold T]`. */
export function predictCommand(): Command {
  return new Command('predict')
    .description('score image files or folders with a trained checkpoint: p_fake and a real/fake verdict per image')
    .argument('<checkpoint>', 'checkpoint .safetensors file, or s3://<bucket>/<key> of one in the stack')
    .argument('<paths...>', 'image files or folders (searched recursively)')
    .option('--json', 'print one JSON object per image (path, p_fake, verdict, error)')
    .option(
      '--threshold <t>',
      "call an image fake when p_fake > t (default: the checkpoint's calibrated threshold, else 0.5)",
    )
    .option('--backbone-path <dir>', 'folder of the CLIP weights the checkpoint was trained on')
    .addOption(
      new Option('--device <device>', "where to run (default: the checkpoint's)").choices(['auto', 'cpu', 'cuda']),
    )
    .action(async (checkpoint: string, paths: string[], flags: PredictFlags) => {
      const threshold = flags.threshold === undefined ? null : parseThreshold(flags.threshold);
      const location = checkpointLocation(checkpoint);
      // Checked here too so that a typo fails at once, not after the detector's seconds of imports.
      const missing = paths.find((path) => !existsSync(path));
      if (missing !== undefined) throw new UserError(`${missing}: no such file or folder`);
      const scored = await withLocalCheckpoint(location, (path) =>
        scoreImages(path, paths, {
          ...(flags.backbonePath ? { backbonePath: flags.backbonePath } : {}),
          ...(flags.device ? { device: flags.device } : {}),
        }),
      );
      const predictions = threshold === null ? scored : withThreshold(scored, threshold);
      if (flags.json) for (const p of predictions) console.log(JSON.stringify(p));
      else console.log(predictionTable(predictions));
    });
}
