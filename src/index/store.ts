/**
 * The index on disk. INDEX_DIR holds one folder per full build and a `CURRENT` file naming the live one:
 *
 *   INDEX_DIR/CURRENT                 "v-<time>-<pid>"  (replaced by rename, which is atomic)
 *   INDEX_DIR/v-…/index.sqlite        the manifest, articles, passages and lexical index (passage-store.ts)
 *   INDEX_DIR/v-…/graph-<time>.hnsw   hnswlib-node index (cosine); label = the passage's label; the manifest
 *                                     names the live graph file
 *
 * A full build writes a new folder completely, then renames a new CURRENT over the old one. An edit changes
 * the live folder in place: it writes a new graph file, then one SQLite transaction changes the passages and
 * the manifest that names the new graph. A crash or Ctrl-C at any moment leaves either the old index or the
 * new one live, never a mix; leftovers are removed by the next build.
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
import type { BoilerplateKind } from '../corpus/boilerplate.js';
import type { EmbeddingSpec } from '../embedding/model-spec.js';
import { UserError, errorMessage } from '../shared/errors.js';
import { PassageStore, type IndexedArticle, type IndexedPassage } from './passage-store.js';
import { tryLock } from '../shared/process-lock.js';

export type { IndexedArticle, IndexedPassage };

/** 3: SQLite passage store with BM25's postings; stable labels; edits in place. */
export const FORMAT_VERSION = 3;
const CURRENT_FILE = 'CURRENT';
export const STORE_FILE = 'index.sqlite';
const LOCK_FILE = '.lock';

export interface HnswParameters {
  space: 'cosine';
  m: number;
  efConstruction: number;
  randomSeed: number;
}

/** Chosen from bench/ measurements: recall@10 ≥ 0.99 at 100k passages with SEARCH_EF=100. */
export const DEFAULT_HNSW: HnswParameters = { space: 'cosine', m: 16, efConstruction: 200, randomSeed: 100 };

/** What the index build measures (answering/calibrate-index.ts) and the manifest stores. */
export interface IndexCalibration {
  denseFloor: number;
  denseCeiling: number;
  /** Best relevance of each null question, ascending. */
  nullRelevances: number[];
  /** The same for the off-topic ones alone. */
  offTopicRelevances?: number[];
  offTopicQuestions: number;
  nearTopicQuestions: number;
  /** Passages added or removed since this was measured (small edits keep the calibration). */
  changedPassages?: number;
}

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
  graph: GraphFile;
}

/** The live HNSW graph file of a version folder. */
export interface GraphFile {
  file: string;
  bytes: number;
  /** SHA-256: a graph damaged in place (same size) is told from an intact one before it is trusted. */
  sha256: string;
  /** Labels handed out so far: the next passage added gets this one (labels are never reused). */
  nextLabel: number;
  /** Points of removed passages still in the graph (marked deleted); a full build drops them. */
  deleted: number;
}

export interface LoadedIndex {
  manifest: Manifest;
  articles: IndexedArticle[];
  passages: PassageStore;
  hnsw: hnswlib.HierarchicalNSW;
  /** The version folder and its graph file; changes when a build or an edit goes live. */
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

export const damaged = (path: string, detail: string) =>
  new UserError(`The index in ${path} is damaged (${detail}). Run \`npm run index\` to rebuild it.`);

/** Another process holds the store locked: not damage, and never a reason to rebuild. */
export class IndexLockedError extends UserError {
  constructor(path: string, detail: string) {
    super(`The index store in ${path} is locked by another process (${detail}); try again when it is done.`);
  }
}

export const isBusy = (error: unknown) => (error as { code?: string }).code === 'SQLITE_BUSY';

/** Opens the live version's store, read-only unless `writable`; the caller closes it. */
export function openLiveStore(
  indexDir: string,
  options: { writable?: boolean } = {},
): { store: PassageStore; manifest: Manifest; version: string; path: string } {
  const version = currentVersion(indexDir);
  if (!version) throw notBuilt(indexDir);
  const path = join(indexDir, version);
  let store: PassageStore | undefined;
  let manifest: Manifest | undefined;
  try {
    store = PassageStore.open(join(path, STORE_FILE), { readonly: options.writable !== true });
    manifest = store.getMeta<Manifest>('manifest');
  } catch (error) {
    store?.close();
    if (isBusy(error)) throw new IndexLockedError(path, errorMessage(error));
    throw damaged(path, `${STORE_FILE}: ${errorMessage(error)}`);
  }
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.formatVersion !== 'number') {
    store.close();
    throw damaged(path, `${STORE_FILE} has no manifest`);
  }
  return { store, manifest, version, path };
}

export function readManifest(indexDir: string): { manifest: Manifest; version: string; path: string } {
  const { store, ...found } = openLiveStore(indexDir);
  store.close();
  return found;
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

/** What tells one state of the index from another: its folder and its live graph file. */
export function versionOf(folder: string, manifest: Manifest): string {
  return `${folder}/${manifest.graph.file}`;
}

/**
 * Loads the live index after checking it fits the embedding settings; sets the search breadth `ef`. Only the
 * graph is read into memory; passages are read from the store when a question needs them.
 */
export function loadIndex(indexDir: string, spec: EmbeddingSpec, ef: number): LoadedIndex {
  const { store, manifest, version, path } = openLiveStore(indexDir);
  try {
    checkCompatible(manifest, spec, path);
    let problem: string | undefined;
    try {
      problem = store.integrityProblem(manifest);
    } catch (error) {
      throw new IndexLockedError(path, errorMessage(error));
    }
    if (problem !== undefined) throw damaged(path, `${STORE_FILE}: ${problem}`);
    const hnsw = readGraph(path, manifest);
    // A graph file damaged or swapped (another model's, of the same size) is never searched.
    if (!filesIntact(manifest, path)) throw damaged(path, `${manifest.graph.file} is not the graph the manifest names`);
    // ef is not saved with the index and falls back to 10 on load, which loses recall: set it every time.
    hnsw.setEf(Math.max(ef, 10));
    return { manifest, articles: store.articles(), passages: store, hnsw, version: versionOf(version, manifest), path };
  } catch (error) {
    store.close();
    throw error;
  }
}

/** The graph a manifest names, checked against the counts it records. */
export function readGraph(path: string, manifest: Manifest): hnswlib.HierarchicalNSW {
  if (manifest.formatVersion !== FORMAT_VERSION || !manifest.graph) {
    throw damaged(path, 'its manifest names no graph file');
  }
  const hnsw = new hnswlib.HierarchicalNSW(manifest.hnsw.space, manifest.model.dimensions);
  const file = manifest.graph.file;
  try {
    hnsw.readIndexSync(join(path, file), true);
  } catch (error) {
    throw damaged(path, `${file}: ${errorMessage(error)}`);
  }
  const live = hnsw.getCurrentCount() - manifest.graph.deleted;
  if (live !== manifest.passageCount) {
    throw damaged(path, `${file} holds ${live} live vectors, not ${manifest.passageCount}`);
  }
  return hnsw;
}

/** Reads from the live index's store without loading the vectors; `fallback` when there is no index. */
function readLiveStore<T>(indexDir: string, read: (store: PassageStore) => T, fallback: T): T {
  try {
    const { store } = openLiveStore(indexDir);
    try {
      return read(store);
    } finally {
      store.close();
    }
  } catch {
    return fallback;
  }
}

/** Passages of the live index whose text another article holds word for word (syndicated copies). */
export function countRepeatedPassages(indexDir: string): number {
  return readLiveStore(indexDir, (store) => store.repeatedPassages(), 0);
}

/** The live index's articles, without loading the vectors; empty with no index. */
export function readIndexedArticles(indexDir: string): IndexedArticle[] {
  return readLiveStore(indexDir, (store) => store.articles(), []);
}

/** Builds an HNSW graph for vectors and their labels. */
export function buildHnsw(
  entries: { label: number; vector: Float32Array }[],
  dimensions: number,
  parameters: HnswParameters,
): hnswlib.HierarchicalNSW {
  const hnsw = new hnswlib.HierarchicalNSW(parameters.space, dimensions);
  hnsw.initIndex(Math.max(entries.length, 1), parameters.m, parameters.efConstruction, parameters.randomSeed);
  for (const { label, vector } of entries) hnsw.addPoint(Array.from(vector), label);
  return hnsw;
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * A file-system failure while writing the index as one line naming the folder and what to do, for the
 * failures a user can fix (full disk, read-only or foreign folder); anything else is rethrown as it is.
 * SQLite reports the same failures with codes of its own.
 */
export function indexWriteError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const fixes: Record<string, string> = {
    ENOSPC: 'the disk is full; free some space and run `npm run index` again',
    SQLITE_FULL: 'the disk is full; free some space and run `npm run index` again',
    EDQUOT: 'the disk quota is used up; free some space and run `npm run index` again',
    EROFS: 'the file system is read-only; set INDEX_DIR (or DATA_DIR) to a writable folder',
    SQLITE_READONLY: 'the file system is read-only; set INDEX_DIR (or DATA_DIR) to a writable folder',
    EACCES: 'permission denied; run as the folder’s owner, or set INDEX_DIR (or DATA_DIR) to a folder you can write',
    EPERM: 'permission denied; run as the folder’s owner, or set INDEX_DIR (or DATA_DIR) to a folder you can write',
    SQLITE_BUSY: 'another process held the index store locked for over 5 seconds; run `npm run index` again',
  };
  const fix = code ? fixes[code] : undefined;
  return fix ? new UserError(`Cannot write the index in ${path}: ${fix} (${code}).`) : error;
}

/** Writes a graph file durably into `folder` under a new name; returns its record for the manifest. */
export function writeGraph(
  folder: string,
  hnsw: hnswlib.HierarchicalNSW,
  labels: Pick<GraphFile, 'nextLabel' | 'deleted'>,
): GraphFile {
  const file = `graph-${Date.now()}-${process.pid}.hnsw`;
  const staging = join(folder, `${file}.tmp`);
  try {
    hnsw.writeIndexSync(staging);
    fsyncFile(staging);
    renameSync(staging, join(folder, file));
  } catch (error) {
    rmSync(staging, { force: true });
    throw error;
  }
  return { file, bytes: statSync(join(folder, file)).size, sha256: sha256File(join(folder, file)), ...labels };
}

/**
 * Makes a complete new version live: `fill` writes the store (in the staging folder, with the graph written
 * by writeGraph into the same folder), then the folder is renamed into place and CURRENT switched to it.
 * On failure the half-written folder is removed, so retries never pile up partial copies.
 */
export async function writeVersion(
  indexDir: string,
  fill: (store: PassageStore, folder: string) => Promise<void>,
  version = `v-${Date.now()}-${process.pid}`,
): Promise<{ bytes: number; version: string }> {
  const staging = join(indexDir, `${version}.partial`);
  let store: PassageStore | undefined;
  try {
    mkdirSync(staging, { recursive: true });
    store = PassageStore.create(join(staging, STORE_FILE));
    await fill(store, staging);
    store.close();
    fsyncFile(join(staging, STORE_FILE));
    renameSync(staging, join(indexDir, version));
    const pointer = join(indexDir, `${CURRENT_FILE}.${process.pid}.tmp`);
    writeDurable(pointer, `${version}\n`);
    renameSync(pointer, join(indexDir, CURRENT_FILE));
  } catch (error) {
    store?.close();
    rmSync(staging, { recursive: true, force: true });
    throw indexWriteError(error, indexDir);
  }
  return { bytes: versionBytes(join(indexDir, version)), version };
}

/** Size on disk of one index version folder: its store and live graph. */
export function versionBytes(path: string): number {
  return readdirSync(path)
    .filter((file) => file === STORE_FILE || (file.startsWith('graph-') && file.endsWith('.hnsw')))
    .reduce((sum, file) => sum + statSync(join(path, file)).size, 0);
}

/** True when the live graph has the size and checksum the manifest recorded (the store is SQLite's to check). */
export function filesIntact(manifest: Manifest, path: string): boolean {
  if (!manifest.graph) return false;
  try {
    const file = join(path, manifest.graph.file);
    return statSync(file).size === manifest.graph.bytes && sha256File(file) === manifest.graph.sha256;
  } catch {
    return false;
  }
}

/**
 * Removes versions that are not live, leftovers of interrupted builds, and graph files of the live version
 * that its manifest no longer names (an edit that crashed before its commit, or the graph an edit replaced).
 * Call while holding the lock.
 */
export function removeStaleVersions(indexDir: string, liveGraph?: string): void {
  if (!existsSync(indexDir)) return;
  const live = currentVersion(indexDir);
  for (const name of readdirSync(indexDir)) {
    const stale =
      (name.startsWith('v-') && name !== live) || (name.startsWith(`${CURRENT_FILE}.`) && name.endsWith('.tmp'));
    if (stale) rmSync(join(indexDir, name), { recursive: true, force: true });
  }
  if (live && liveGraph) {
    const folder = join(indexDir, live);
    for (const name of readdirSync(folder)) {
      if (name.startsWith('graph-') && name !== liveGraph) rmSync(join(folder, name), { force: true });
    }
  }
}

/** One build at a time per index folder. A lock left by a process that died is taken over. */
export function acquireIndexLock(indexDir: string): () => void {
  const path = join(indexDir, LOCK_FILE);
  let taken: ReturnType<typeof tryLock>;
  try {
    mkdirSync(indexDir, { recursive: true });
    taken = tryLock(path, true);
  } catch (error) {
    throw indexWriteError(error, indexDir);
  }
  if ('heldBy' in taken) {
    throw new UserError(
      `Another indexing run (process ${taken.heldBy}) is writing ${indexDir}. Wait for it to finish.`,
    );
  }
  return taken.release;
}
