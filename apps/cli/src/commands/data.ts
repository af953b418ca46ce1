import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { DatasetManifest, LAYOUTS as ALL_LAYOUTS, type ManifestRecord } from '@mirage/contracts';
import { parseManifestLines } from '@mirage/datasets';
import { manifestKey, type ArtifactStore } from '@mirage/storage';
import { getDataset, listDatasets, upsertDataset, type Dataset } from '@mirage/db';
import { REPO_ROOT } from '@mirage/local-stack';
import { connectStack, type StackClients } from '../connections';
import { DEFAULT_UPLOAD_CONCURRENCY, parseConcurrency, uploadDatasetFiles } from '../datasets/upload-dataset';
import type { UploadTally } from '../datasets/upload-blobs';
import type { ProgressSink } from '../datasets/upload-progress';
import { UserError } from '../errors';
import { columns } from '../service-lines';

// `synthetic` names manifests the synthetic benchmark writes; they are registered through the `manifest` layout.
const LAYOUTS = ALL_LAYOUTS.filter((layout) => layout !== 'synthetic');

interface RegisterFlags {
  layout: string;
  root: string;
  option: string[];
  split?: string;
  seed: string;
  version?: string;
  /** Copy every image into S3 (content-addressed) and register the manifest of s3:// uris instead. */
  upload?: boolean;
  concurrency?: string;
}

interface PushFlags {
  /** The registered version to upload (default: the latest). */
  from?: string;
  /** Label of the uploaded version (default: first 12 hex of its content hash). */
  version?: string;
  /** Where the dataset's files are on this machine, if not under the root it was registered from. */
  root?: string;
  concurrency?: string;
}

/** What the detector's register command prints on stdout. */
const ScanSummary = z.strictObject({
  /** The absolute folder the manifest's uris are relative to (a manifest file's folder for `--layout manifest`). */
  root: z.string().min(1),
  n_images: z.number().int().min(0),
  /** Distinct videos, for a video layout (n_images then counts their sampled frames). */
  n_videos: z.number().int().min(0).optional(),
  counts: DatasetManifest.shape.counts,
  skipped: z.array(z.strictObject({ uri: z.string(), reason: z.string() })),
  duplicates_dropped: z.number().int().min(0),
  /** Files left out without a listing, by why (hidden and OS files: a Mac copy has one `._` file per image). */
  ignored: z.record(z.string(), z.number().int().min(0)),
});
type ScanSummary = z.infer<typeof ScanSummary>;

/** A scanned dataset: the detector's summary, its manifest bytes and their records. */
interface ScannedDataset {
  summary: ScanSummary;
  bytes: Buffer;
  records: ManifestRecord[];
}

/** Scans a dataset with the detector's layouts, stores its manifest in S3 and records it in Postgres. */
export async function registerDataset(
  name: string,
  flags: RegisterFlags,
): Promise<{ manifest: DatasetManifest; summary: ScanSummary; upload: UploadTally | null }> {
  if (!(LAYOUTS as readonly string[]).includes(flags.layout))
    throw new UserError(`--layout ${flags.layout}: expected one of ${LAYOUTS.join(', ')}`);
  checkName(name);
  const concurrency = parseConcurrency(flags.concurrency);
  const { summary, bytes, records } = await scanDataset(flags);
  const stack = await connectStack();
  try {
    const uploaded = flags.upload
      ? await uploadDatasetFiles(stack.store, records, summary.root, { label: name, concurrency, sink: process.stderr })
      : null;
    const manifest = await recordManifest(stack, {
      name,
      version: flags.version,
      layout: flags.layout as DatasetManifest['layout'],
      root: uploaded?.root ?? summary.root,
      bytes: uploaded?.bytes ?? bytes,
      nImages: summary.n_images,
      nVideos: summary.n_videos,
      counts: summary.counts,
      skipped: summary.skipped,
    });
    return { manifest, summary, upload: uploaded?.tally ?? null };
  } finally {
    await stack.close();
  }
}

/**
 * Uploads the files of a registered dataset version to S3 and registers the manifest of s3:// uris as a new version
 * of the same name (the latest, so experiments naming the dataset without a version use it from now on).
 */
export async function pushDataset(
  name: string,
  flags: PushFlags,
): Promise<{ from: Dataset; manifest: DatasetManifest; upload: UploadTally }> {
  checkName(name);
  const concurrency = parseConcurrency(flags.concurrency);
  const stack = await connectStack();
  try {
    const from = await getDataset(stack.db.db, name, flags.from);
    if (!from)
      throw new UserError(
        `dataset "${flags.from ? `${name}@${flags.from}` : name}" is not registered; see mirage data list`,
      );
    const records = await readRegisteredManifest(stack.store, from);
    const root = flags.root ? resolve(flags.root) : from.root;
    const uploaded = await uploadDatasetFiles(stack.store, records, root, {
      label: `${name}@${from.version}`,
      concurrency,
      sink: process.stderr,
    });
    const videos = new Set(
      records.flatMap((r) => (r.video_id === null || r.video_id === undefined ? [] : [r.video_id])),
    );
    const manifest = await recordManifest(stack, {
      name,
      version: flags.version,
      layout: from.layout as DatasetManifest['layout'],
      root: uploaded.root,
      bytes: uploaded.bytes,
      nImages: from.nImages,
      nVideos: videos.size > 0 ? videos.size : undefined,
      counts: from.counts,
      skipped: from.skipped,
    });
    return { from, manifest, upload: uploaded.tally };
  } finally {
    await stack.close();
  }
}

function checkName(name: string): void {
  const nameCheck = DatasetManifest.shape.name.safeParse(name);
  if (!nameCheck.success) throw new UserError(`dataset name "${name}": ${nameCheck.error.issues[0]?.message}`);
}

/** Runs the detector's register command on the folder and checks what it wrote against the manifest contract. */
async function scanDataset(flags: RegisterFlags): Promise<ScannedDataset> {
  const work = mkdtempSync(join(tmpdir(), 'mirage-register-'));
  const out = join(work, 'manifest.jsonl');
  const args = [
    '-m',
    'mirage_detector.data.register',
    '--layout',
    flags.layout,
    '--root',
    resolve(flags.root),
    '--out',
    out,
    '--seed',
    flags.seed,
  ];
  for (const option of flags.option) args.push('--option', option);
  if (flags.split) args.push('--split', flags.split);
  // The child's stderr is a pipe: ask for lines (every 0.1 s when ours is a terminal, which redraws them).
  args.push('--progress', 'lines', ...(process.stderr.isTTY ? ['--progress-every', '0.1'] : []));
  let summary: ScanSummary;
  let bytes: Buffer;
  try {
    const stdout = await runRegisterCommand(join(REPO_ROOT, '.venv/bin/python'), args, process.stderr);
    summary = ScanSummary.parse(JSON.parse(stdout));
    bytes = readFileSync(out);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new UserError(
      `cannot scan ${flags.root} as ${flags.layout}: ${stderr?.replace(/^error: /, '') || (error as Error).message}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  try {
    return { summary, bytes, records: parseManifestLines(bytes.toString('utf8'), `manifest of ${flags.root}`) };
  } catch (error) {
    throw new UserError(`the scan broke the manifest contract: ${(error as Error).message}`);
  }
}

/** A progress line of the register command: `scanned N/M files (R files/s, ETA mm:ss)`. */
const SCAN_PROGRESS_LINE = /^scanned \d+\/\d+ files \(/;

/**
 * Runs the detector's register command; its progress lines go to `sink` as they come (redrawn in place on a terminal).
 * Resolves with its stdout; when it fails, rejects with an error whose `stderr` is the rest of its stderr (the
 * `error:` line), without the progress lines.
 */
export function runRegisterCommand(python: string, args: string[], sink: ProgressSink): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let kept = '';
    let partial = '';
    let drawn = false;
    const stderrLine = (line: string): void => {
      if (!SCAN_PROGRESS_LINE.test(line)) kept += `${line}\n`;
      else if (sink.isTTY) {
        sink.write(`\r${line}\u001b[K`);
        drawn = true;
      } else sink.write(`${line}\n`);
    };
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) stderrLine(line);
    });
    child.on('error', fail);
    child.on('close', (code, signal) => {
      if (partial) stderrLine(partial);
      if (drawn) sink.write('\r\u001b[K');
      if (code === 0) done(Buffer.concat(stdout).toString('utf8'));
      else
        fail(
          Object.assign(new Error(`${python} ${args.join(' ')} exited with ${signal ?? `status ${code}`}`), {
            stderr: kept,
          }),
        );
    });
  });
}

async function readRegisteredManifest(store: ArtifactStore, row: Dataset): Promise<ManifestRecord[]> {
  let bytes: Buffer;
  try {
    bytes = await store.get(row.manifestKey);
  } catch (error) {
    throw new UserError(
      `dataset "${row.name}@${row.version}": cannot read its manifest s3://${store.bucket}/${row.manifestKey} (${(error as Error).message})`,
    );
  }
  try {
    return parseManifestLines(
      bytes.toString('utf8'),
      `dataset "${row.name}@${row.version}" manifest ${row.manifestKey}`,
    );
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

/** A manifest to register: its bytes, and the descriptive fields Postgres keeps beside them. */
interface ManifestToRecord {
  name: string;
  version: string | undefined;
  layout: DatasetManifest['layout'];
  root: string;
  bytes: Buffer;
  nImages: number;
  nVideos: number | undefined;
  counts: DatasetManifest['counts'];
  skipped: { uri: string; reason: string }[];
}

/** Stores the manifest under its content hash and records the version in Postgres (the same bytes again change nothing). */
async function recordManifest(stack: StackClients, input: ManifestToRecord): Promise<DatasetManifest> {
  const contentHash = createHash('sha256').update(input.bytes).digest('hex');
  const key = manifestKey(input.name, contentHash);
  if ((await stack.store.stat(key))?.sha256 !== contentHash)
    await stack.store.put(key, input.bytes, { contentType: 'application/x-ndjson' });
  const manifest: DatasetManifest = {
    name: input.name,
    version: input.version ?? contentHash.slice(0, 12),
    layout: input.layout,
    root: input.root,
    key,
    content_hash: contentHash,
    n_images: input.nImages,
    ...(input.nVideos === undefined ? {} : { n_videos: input.nVideos }),
    counts: input.counts,
  };
  await upsertDataset(stack.db.db, {
    name: input.name,
    version: manifest.version,
    layout: manifest.layout,
    root: manifest.root,
    manifestKey: key,
    contentHash,
    nImages: input.nImages,
    counts: input.counts,
    skipped: input.skipped,
  });
  return manifest;
}

/** `mirage data register|list`. */
export function dataCommand(): Command {
  const data = new Command('data').description(
    'register, push and list datasets (manifests and uploaded files in S3, counts in Postgres)',
  );
  data
    .command('register <name>')
    .description('scan a dataset folder into a content-hashed manifest and record it')
    .requiredOption('--layout <layout>', `one of ${LAYOUTS.join(', ')}`)
    .requiredOption('--root <path>', 'dataset root folder (or manifest file for --layout manifest)')
    .option(
      '--option <key=value>',
      'layout option, e.g. generator=sdv14, real_dir=REAL (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--split <fractions>', 're-split by content hash, e.g. train=0.8,val=0.1,test=0.1')
    .option('--seed <n>', 'seed of the content-hash split', '0')
    .option('--version <version>', 'version label (default: first 12 hex of the content hash)')
    .option(
      '--upload',
      'copy every file into S3 (blobs/sha256/<2 hex>/<sha256>, each once) and register s3:// uris, so workers need no mount',
    )
    .option('--concurrency <n>', `uploads at once with --upload (default ${DEFAULT_UPLOAD_CONCURRENCY})`)
    .action(async (name: string, flags: RegisterFlags) => {
      const { manifest, summary, upload } = await registerDataset(name, flags);
      const what =
        summary.n_videos === undefined
          ? `${summary.n_images} images`
          : `${summary.n_images} frames of ${summary.n_videos} videos`;
      console.log(`registered ${manifest.name}@${manifest.version}: ${what}, manifest s3 key ${manifest.key}`);
      if (upload)
        console.log(
          `  files in ${manifest.root}/ (${upload.uploaded} uploaded, ${upload.present} already there): workers need no mount`,
        );
      console.log(
        `  by label: ${JSON.stringify(summary.counts.by_label)}  by split: ${JSON.stringify(summary.counts.by_split)}`,
      );
      console.log(`  by generator: ${JSON.stringify(summary.counts.by_generator)}`);
      if (summary.counts.by_class) console.log(`  by class: ${JSON.stringify(summary.counts.by_class)}`);
      for (const [why, n] of Object.entries(summary.ignored)) console.log(`  ${n} files ignored (${why})`);
      if (summary.duplicates_dropped) console.log(`  ${summary.duplicates_dropped} byte-identical duplicates dropped`);
      if (summary.skipped.length) {
        console.log(`  ${summary.skipped.length} files skipped:`);
        for (const s of summary.skipped.slice(0, 20)) console.log(`    ${s.uri}: ${s.reason}`);
      }
    });
  data
    .command('push <name>')
    .description("copy a registered dataset's files into S3 and register the manifest of s3:// uris as a new version")
    .option('--from <version>', 'the registered version to push (default: the latest)')
    .option('--version <version>', 'label of the uploaded version (default: first 12 hex of its content hash)')
    .option('--root <path>', "where the dataset's files are on this machine (default: the root it was registered from)")
    .option('--concurrency <n>', `uploads at once (default ${DEFAULT_UPLOAD_CONCURRENCY})`)
    .action(async (name: string, flags: PushFlags) => {
      const { from, manifest, upload } = await pushDataset(name, flags);
      console.log(
        `pushed ${from.name}@${from.version} as ${manifest.name}@${manifest.version}: ${manifest.n_images} records, manifest s3 key ${manifest.key}`,
      );
      console.log(
        `  files in ${manifest.root}/ (${upload.uploaded} uploaded, ${upload.present} already there): workers need no mount`,
      );
    });
  data
    .command('list')
    .description('list registered datasets')
    .action(async () => {
      const stack = await connectStack();
      try {
        const rows = await listDatasets(stack.db.db);
        if (rows.length === 0)
          console.log('no dataset registered yet: mirage data register <name> --layout ... --root ...');
        else
          console.log(
            columns([
              ['NAME', 'VERSION', 'LAYOUT', 'IMAGES', 'ROOT'],
              ...rows.map((r) => [r.name, r.version, r.layout, String(r.nImages), r.root]),
            ]),
          );
      } finally {
        await stack.close();
      }
    });
  return data;
}
