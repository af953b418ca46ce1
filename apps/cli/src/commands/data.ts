import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { z } from 'zod';
import { DatasetManifest, LAYOUTS as ALL_LAYOUTS } from '@mirage/contracts';
import { parseManifestLines } from '@mirage/datasets';
import { manifestKey } from '@mirage/storage';
import { listDatasets, upsertDataset } from '@mirage/db';
import { REPO_ROOT } from '@mirage/local-stack';
import { connectStack } from '../connections';
import { UserError } from '../errors';
import { columns } from '../service-lines';

const run = promisify(execFile);
// `synthetic` names manifests the synthetic benchmark writes; they are registered through the `manifest` layout.
const LAYOUTS = ALL_LAYOUTS.filter((layout) => layout !== 'synthetic');

interface RegisterFlags {
  layout: string;
  root: string;
  option: string[];
  split?: string;
  seed: string;
  version?: string;
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

/** Scans a dataset with the detector's layouts, stores its manifest in S3 and records it in Postgres. */
export async function registerDataset(name: string, flags: RegisterFlags): Promise<{ manifest: DatasetManifest; summary: ScanSummary }> {
  if (!(LAYOUTS as readonly string[]).includes(flags.layout)) throw new UserError(`--layout ${flags.layout}: expected one of ${LAYOUTS.join(', ')}`);
  const nameCheck = DatasetManifest.shape.name.safeParse(name);
  if (!nameCheck.success) throw new UserError(`dataset name "${name}": ${nameCheck.error.issues[0]?.message}`);
  const work = mkdtempSync(join(tmpdir(), 'mirage-register-'));
  const out = join(work, 'manifest.jsonl');
  const args = ['-m', 'mirage_detector.data.register', '--layout', flags.layout, '--root', resolve(flags.root), '--out', out, '--seed', flags.seed];
  for (const option of flags.option) args.push('--option', option);
  if (flags.split) args.push('--split', flags.split);
  let summary: ScanSummary;
  let bytes: Buffer;
  try {
    const { stdout } = await run(join(REPO_ROOT, '.venv/bin/python'), args, { maxBuffer: 256 * 1024 * 1024 });
    summary = ScanSummary.parse(JSON.parse(stdout));
    bytes = readFileSync(out);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new UserError(`cannot scan ${flags.root} as ${flags.layout}: ${stderr?.replace(/^error: /, '') || (error as Error).message}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  try {
    parseManifestLines(bytes.toString('utf8'), `manifest of ${flags.root}`);
  } catch (error) {
    throw new UserError(`the scan broke the manifest contract: ${(error as Error).message}`);
  }
  const contentHash = createHash('sha256').update(bytes).digest('hex');
  const stack = await connectStack();
  try {
    const key = manifestKey(name, contentHash);
    await stack.store.put(key, bytes, { contentType: 'application/x-ndjson' });
    const manifest: DatasetManifest = {
      name,
      version: flags.version ?? contentHash.slice(0, 12),
      layout: flags.layout as DatasetManifest['layout'],
      root: summary.root,
      key,
      content_hash: contentHash,
      n_images: summary.n_images,
      ...(summary.n_videos === undefined ? {} : { n_videos: summary.n_videos }),
      counts: summary.counts,
    };
    await upsertDataset(stack.db.db, {
      name,
      version: manifest.version,
      layout: manifest.layout,
      root: manifest.root,
      manifestKey: key,
      contentHash,
      nImages: summary.n_images,
      counts: summary.counts,
      skipped: summary.skipped,
    });
    return { manifest, summary };
  } finally {
    await stack.close();
  }
}

/** `mirage data register|list`. */
export function dataCommand(): Command {
  const data = new Command('data').description('register and list datasets (manifests in S3, counts in Postgres)');
  data
    .command('register <name>')
    .description('scan a dataset folder into a content-hashed manifest and record it')
    .requiredOption('--layout <layout>', `one of ${LAYOUTS.join(', ')}`)
    .requiredOption('--root <path>', 'dataset root folder (or manifest file for --layout manifest)')
    .option('--option <key=value>', 'layout option, e.g. generator=sdv14, real_dir=REAL (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--split <fractions>', 're-split by content hash, e.g. train=0.8,val=0.1,test=0.1')
    .option('--seed <n>', 'seed of the content-hash split', '0')
    .option('--version <version>', 'version label (default: first 12 hex of the content hash)')
    .action(async (name: string, flags: RegisterFlags) => {
      const { manifest, summary } = await registerDataset(name, flags);
      const what = summary.n_videos === undefined ? `${summary.n_images} images` : `${summary.n_images} frames of ${summary.n_videos} videos`;
      console.log(`registered ${manifest.name}@${manifest.version}: ${what}, manifest s3 key ${manifest.key}`);
      console.log(`  by label: ${JSON.stringify(summary.counts.by_label)}  by split: ${JSON.stringify(summary.counts.by_split)}`);
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
    .command('list')
    .description('list registered datasets')
    .action(async () => {
      const stack = await connectStack();
      try {
        const rows = await listDatasets(stack.db.db);
        if (rows.length === 0) console.log('no dataset registered yet: mirage data register <name> --layout ... --root ...');
        else console.log(columns([['NAME', 'VERSION', 'LAYOUT', 'IMAGES', 'ROOT'], ...rows.map((r) => [r.name, r.version, r.layout, String(r.nImages), r.root])]));
      } finally {
        await stack.close();
      }
    });
  return data;
}
