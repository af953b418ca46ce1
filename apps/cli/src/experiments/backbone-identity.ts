import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { BACKBONE_FILE_SUFFIXES, canonicalJson, type BackboneConfig, type ExperimentSpec } from '@mirage/contracts';
import { REPO_ROOT } from '@mirage/local-stack';
import { cliEnv } from '../env';
import { UserError } from '../errors';

/** A file of a backbone folder with what its cached hash depends on. */
interface FileStamp {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/**
 * The content identity of a local backbone folder: sha256 of the canonical JSON of {relative path: sha256} over its
 * weight, config and tokenizer files. File hashes are cached in `cacheFile` by (path, size, mtime), so a 1.7 GB
 * ViT-L/14 folder is read once; touching a file without changing it costs one re-read and keeps the identity.
 */
export async function backboneFolderSha256(folder: string, cacheFile: string): Promise<string> {
  const root = resolve(folder);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new UserError(`backbone.name_or_path: folder ${folder} does not exist`);
  const cache = readCache(cacheFile);
  const files = listFiles(root).filter((f) => BACKBONE_FILE_SUFFIXES.some((suffix) => f.endsWith(suffix)));
  if (files.length === 0)
    throw new UserError(
      `backbone.name_or_path: folder ${folder} holds no weight, config or tokenizer file (${BACKBONE_FILE_SUFFIXES.join(' ')})`,
    );
  const digests: Record<string, string> = {};
  for (const file of files) {
    const path = join(root, file);
    const { size, mtimeMs } = statSync(path);
    const cached = cache[path];
    digests[file] =
      cached && cached.size === size && cached.mtimeMs === mtimeMs ? cached.sha256 : await sha256File(path);
    cache[path] = { size, mtimeMs, sha256: digests[file] as string };
  }
  writeCache(cacheFile, cache);
  return createHash('sha256').update(canonicalJson(digests)).digest('hex');
}

/**
 * The backbone with its weights identified: a local folder gets `weights_sha256` (a value written in the experiment
 * file must match it); hub ids and config-built models are left as they are.
 */
export async function identifyBackbone(backbone: BackboneConfig, cacheFile: string): Promise<BackboneConfig> {
  if (backbone.source !== 'local' || !backbone.name_or_path) return backbone;
  const sha256 = await backboneFolderSha256(backbone.name_or_path, cacheFile);
  if (backbone.weights_sha256 && backbone.weights_sha256 !== sha256) {
    throw new UserError(
      `backbone.weights_sha256: the file pins ${backbone.weights_sha256}, but the files in ${backbone.name_or_path} hash to ${sha256}`,
    );
  }
  return { ...backbone, weights_sha256: sha256 };
}

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(relative(root, path).split('\\').join('/'));
    }
  };
  walk(root);
  return out.sort();
}

function sha256File(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', fail)
      .on('end', () => done(hash.digest('hex')));
  });
}

function readCache(file: string): Record<string, FileStamp> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, FileStamp>;
  } catch {
    return {};
  }
}

function writeCache(file: string, cache: Record<string, FileStamp>): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(cache));
}

/** Where the CLI caches file hashes of backbone folders: the state dir of `mirage up`. */
export function backboneHashCache(): string {
  return join(cliEnv().MIRAGE_HOME ?? join(REPO_ROOT, '.mirage'), 'backbone-hashes.json');
}

/** The spec with its backbone identified by content: what plan, launch and table compute run ids from. */
export async function withIdentifiedBackbone(spec: ExperimentSpec): Promise<ExperimentSpec> {
  return { ...spec, backbone: await identifyBackbone(spec.backbone, backboneHashCache()) };
}
