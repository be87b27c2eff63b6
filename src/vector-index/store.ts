/**
 * The index on disk. INDEX_DIR holds one folder per build and a `CURRENT` file naming the live one:
 *
 *   INDEX_DIR/CURRENT                 "v-<time>-<pid>"  (replaced by rename, which is atomic)
 *   INDEX_DIR/v-…/manifest.json       model, dimensions, pooling, prefixes, HNSW parameters, counts, corpus hash
 *   INDEX_DIR/v-…/passages.json       articles (metadata) and passages (verbatim text, paragraph numbers)
 *   INDEX_DIR/v-…/vectors.hnsw        hnswlib-node index (cosine), label = position in passages
 *
 * A build writes a new folder completely, then renames a new CURRENT over the old one. A crash or Ctrl-C at
 * any moment leaves either the old index or the new one live, never a mix; leftovers are removed next build.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import type { IndexCalibration } from '../answering/calibration.js';
import type { ArticleMetadata } from '../corpus/article.js';
import type { BoilerplateKind } from '../corpus/boilerplate.js';
import type { EmbeddingSpec } from '../embedding/model-spec.js';
import { UserError, errorMessage } from '../shared/errors.js';

/** 2: the manifest holds the answering calibration measured on the index. */
export const FORMAT_VERSION = 2;
const CURRENT_FILE = 'CURRENT';
const DATA_FILES = ['passages.json', 'vectors.hnsw'];
const LOCK_FILE = '.lock';

export interface HnswParameters {
  space: 'cosine';
  m: number;
  efConstruction: number;
  randomSeed: number;
}

/** Chosen from bench/ measurements: recall@10 ≥ 0.99 at 100k passages with SEARCH_EF=100. */
export const DEFAULT_HNSW: HnswParameters = { space: 'cosine', m: 16, efConstruction: 200, randomSeed: 100 };

export interface Manifest {
  formatVersion: number;
  model: Omit<EmbeddingSpec, 'normalize'> & { dimensions: number; fingerprint: string | undefined };
  hnsw: HnswParameters;
  /** Anything else that changes passages or their vectors (chunking options, the embedded-text recipe). */
  pipeline: string;
  articleCount: number;
  passageCount: number;
  corpusHash: string;
  createdAt: string;
  dropped: Partial<Record<BoilerplateKind, number>>;
  /** What this model's scores look like on this corpus (answering/calibration.ts). */
  calibration: IndexCalibration;
  /** Sizes of the data files, written last, so a quick check can tell a damaged index without loading it. */
  files?: Record<string, number>;
  /** SHA-256 of the data files: a file damaged in place (same size) is told from an intact one. */
  checksums?: Record<string, string>;
}

export interface IndexedArticle extends ArticleMetadata {
  id: string;
  paragraphCount: number;
  passageCount: number;
}

export interface IndexedPassage {
  /** Stable: the same article text gives the same id on every build. */
  id: string;
  articleId: string;
  paragraphStart: number;
  paragraphEnd: number;
  part?: { index: number; of: number };
  /** Verbatim article text; what is quoted. */
  text: string;
  /** Hash of the text that was embedded (title, date and passage): the embedding cache key. */
  embeddingKey: string;
}

export interface IndexContents {
  manifest: Manifest;
  articles: IndexedArticle[];
  passages: IndexedPassage[];
}

export interface LoadedIndex extends IndexContents {
  hnsw: hnswlib.HierarchicalNSW;
  /** The version folder; changes when a new build goes live. */
  version: string;
  path: string;
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeDurable(path: string, data: string): void {
  const fd = openSync(path, 'w');
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function currentVersion(indexDir: string): string | undefined {
  try {
    const version = readFileSync(join(indexDir, CURRENT_FILE), 'utf8').trim();
    return version || undefined;
  } catch {
    return undefined;
  }
}

const notBuilt = (indexDir: string) =>
  new UserError(`There is no index in ${indexDir} yet. Run \`npm run index\` to build it from the corpus.`);

const damaged = (path: string, detail: string) =>
  new UserError(`The index in ${path} is damaged (${detail}). Run \`npm run index\` to rebuild it.`);

export function readManifest(indexDir: string): { manifest: Manifest; version: string; path: string } {
  const version = currentVersion(indexDir);
  if (!version) throw notBuilt(indexDir);
  const path = join(indexDir, version);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(path, 'manifest.json'), 'utf8')) as Manifest;
  } catch (error) {
    throw damaged(path, `manifest.json: ${errorMessage(error)}`);
  }
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.formatVersion !== 'number') {
    throw damaged(path, 'manifest.json has no format version');
  }
  return { manifest, version, path };
}

/** Refuses an index that the current settings cannot search correctly, saying what to run. */
export function checkCompatible(manifest: Manifest, spec: EmbeddingSpec, path: string): void {
  if (manifest.formatVersion !== FORMAT_VERSION) {
    throw new UserError(
      `The index in ${path} has format version ${manifest.formatVersion}; this version of the bot reads ` +
        `format ${FORMAT_VERSION}. Run \`npm run index\` to rebuild it.`,
    );
  }
  const built = manifest.model;
  const differences: string[] = [];
  if (built.modelId !== spec.modelId) differences.push(`model "${built.modelId}" (settings say "${spec.modelId}")`);
  if (built.pooling !== spec.pooling) differences.push(`pooling ${built.pooling} (settings say ${spec.pooling})`);
  if (built.queryPrefix !== spec.queryPrefix || built.passagePrefix !== spec.passagePrefix) {
    differences.push('different query/passage prefixes');
  }
  if (differences.length > 0) {
    throw new UserError(
      `The index in ${path} was built with ${differences.join(', ')}. Run \`npm run index\` to rebuild it ` +
        `with the current settings, or set EMBEDDING_MODEL back to "${built.modelId}".`,
    );
  }
}

/** Checks what only a loaded model can tell: its dimension and whether its files changed since indexing. */
export function checkModel(
  manifest: Manifest,
  model: { dimensions: number; fingerprint: string | undefined },
  path: string,
): void {
  if (manifest.model.dimensions !== model.dimensions) {
    throw new UserError(
      `The index in ${path} holds ${manifest.model.dimensions}-dimensional vectors but the model gives ` +
        `${model.dimensions}. Run \`npm run index\` to rebuild it.`,
    );
  }
  if (manifest.model.fingerprint && model.fingerprint && manifest.model.fingerprint !== model.fingerprint) {
    throw new UserError(
      `The files of model "${manifest.model.modelId}" changed since the index in ${path} was built. ` +
        `Run \`npm run index\` to rebuild it.`,
    );
  }
}

/** Loads the live index after checking it fits the embedding settings; sets the search breadth `ef`. */
export function loadIndex(indexDir: string, spec: EmbeddingSpec, ef: number): LoadedIndex {
  const { manifest, version, path } = readManifest(indexDir);
  checkCompatible(manifest, spec, path);
  let contents: Omit<IndexContents, 'manifest'>;
  try {
    contents = JSON.parse(readFileSync(join(path, 'passages.json'), 'utf8')) as Omit<IndexContents, 'manifest'>;
  } catch (error) {
    throw damaged(path, `passages.json: ${errorMessage(error)}`);
  }
  if (!Array.isArray(contents.passages) || contents.passages.length !== manifest.passageCount) {
    throw damaged(path, `passages.json does not hold the ${manifest.passageCount} passages the manifest lists`);
  }
  const hnsw = new hnswlib.HierarchicalNSW(manifest.hnsw.space, manifest.model.dimensions);
  try {
    hnsw.readIndexSync(join(path, 'vectors.hnsw'));
  } catch (error) {
    throw damaged(path, `vectors.hnsw: ${errorMessage(error)}`);
  }
  if (hnsw.getCurrentCount() !== manifest.passageCount) {
    throw damaged(path, `vectors.hnsw holds ${hnsw.getCurrentCount()} vectors, not ${manifest.passageCount}`);
  }
  // ef is not saved with the index and falls back to 10 on load, which loses recall: set it every time.
  hnsw.setEf(Math.max(ef, 10));
  return { manifest, ...contents, hnsw, version, path };
}

/** The live index's articles (from its passage file), without loading the vectors; empty with no index. */
export function readIndexedArticles(indexDir: string): IndexedArticle[] {
  const version = currentVersion(indexDir);
  if (!version) return [];
  try {
    const contents = JSON.parse(readFileSync(join(indexDir, version, 'passages.json'), 'utf8')) as {
      articles?: IndexedArticle[];
    };
    return contents.articles ?? [];
  } catch {
    return [];
  }
}

/** Builds the HNSW graph for vectors in passage order (label = position). */
export function buildHnsw(
  vectors: Float32Array[],
  dimensions: number,
  parameters: HnswParameters,
): hnswlib.HierarchicalNSW {
  const hnsw = new hnswlib.HierarchicalNSW(parameters.space, dimensions);
  hnsw.initIndex(Math.max(vectors.length, 1), parameters.m, parameters.efConstruction, parameters.randomSeed);
  vectors.forEach((vector, label) => hnsw.addPoint(Array.from(vector), label));
  return hnsw;
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * A file-system failure while writing the index as one line naming the folder and what to do, for the
 * failures a user can fix (full disk, read-only or foreign folder); anything else is rethrown as it is.
 */
export function indexWriteError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const fixes: Record<string, string> = {
    ENOSPC: 'the disk is full; free some space and run `npm run index` again',
    EDQUOT: 'the disk quota is used up; free some space and run `npm run index` again',
    EROFS: 'the file system is read-only; set INDEX_DIR (or DATA_DIR) to a writable folder',
    EACCES: 'permission denied; run as the folder’s owner, or set INDEX_DIR (or DATA_DIR) to a folder you can write',
    EPERM: 'permission denied; run as the folder’s owner, or set INDEX_DIR (or DATA_DIR) to a folder you can write',
  };
  const fix = code ? fixes[code] : undefined;
  return fix ? new UserError(`Cannot write the index in ${path}: ${fix} (${code}).`) : error;
}

/**
 * Writes a complete new version and makes it live; returns its size in bytes. `extra` files (the parse cache)
 * go into the version folder too but are not part of its integrity. On failure the half-written folder is
 * removed, so retries never pile up partial copies.
 */
export function writeIndex(
  indexDir: string,
  contents: IndexContents,
  hnsw: hnswlib.HierarchicalNSW,
  extra: Record<string, string> = {},
  version = `v-${Date.now()}-${process.pid}`,
): { bytes: number; version: string } {
  const staging = join(indexDir, `${version}.partial`);
  try {
    mkdirSync(staging, { recursive: true });
    const { manifest, ...rest } = contents;
    writeDurable(join(staging, 'passages.json'), JSON.stringify(rest));
    hnsw.writeIndexSync(join(staging, 'vectors.hnsw'));
    fsyncFile(join(staging, 'vectors.hnsw'));
    for (const [name, data] of Object.entries(extra)) writeDurable(join(staging, name), data);
    const files = Object.fromEntries(DATA_FILES.map((file) => [file, statSync(join(staging, file)).size]));
    const checksums = Object.fromEntries(DATA_FILES.map((file) => [file, sha256File(join(staging, file))]));
    writeDurable(join(staging, 'manifest.json'), `${JSON.stringify({ ...manifest, files, checksums }, null, 2)}\n`);
    renameSync(staging, join(indexDir, version));
    const pointer = join(indexDir, `${CURRENT_FILE}.${process.pid}.tmp`);
    writeDurable(pointer, `${version}\n`);
    renameSync(pointer, join(indexDir, CURRENT_FILE));
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw indexWriteError(error, indexDir);
  }
  return { bytes: versionBytes(join(indexDir, version)), version };
}

/** Size on disk of one index version folder. */
export function versionBytes(path: string): number {
  return [...DATA_FILES, 'manifest.json'].reduce((sum, file) => sum + statSync(join(path, file)).size, 0);
}

/**
 * True when the data files have the sizes and checksums the manifest recorded: cheaper than a full load
 * (hashing reads the files once), and it tells a file damaged in place from an intact one.
 */
export function filesIntact(manifest: Manifest, path: string): boolean {
  if (!manifest.files || !manifest.checksums) return false;
  try {
    return DATA_FILES.every(
      (file) =>
        statSync(join(path, file)).size === manifest.files?.[file] &&
        sha256File(join(path, file)) === manifest.checksums?.[file],
    );
  } catch {
    return false;
  }
}

/** Removes versions that are not live and leftovers of interrupted builds. Call while holding the lock. */
export function removeStaleVersions(indexDir: string): void {
  if (!existsSync(indexDir)) return;
  const live = currentVersion(indexDir);
  for (const name of readdirSync(indexDir)) {
    const stale =
      (name.startsWith('v-') && name !== live) || (name.startsWith(`${CURRENT_FILE}.`) && name.endsWith('.tmp'));
    if (stale) rmSync(join(indexDir, name), { recursive: true, force: true });
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One build at a time per index folder. A lock left by a process that died is taken over. */
export function acquireIndexLock(indexDir: string): () => void {
  const path = join(indexDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(indexDir, { recursive: true });
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw indexWriteError(error, indexDir);
      const holder = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && processIsAlive(holder) && holder !== process.pid) {
        throw new UserError(`Another indexing run (process ${holder}) is writing ${indexDir}. Wait for it to finish.`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new UserError(`Cannot take the lock ${path}; remove it if no indexing run is active.`);
}
