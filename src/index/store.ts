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
import type { EmbeddingSpec } from '../embedding/model-spec.js';
import { errorMessage } from '../shared/errors.js';
import { readGraph, filesIntact } from './graph.js';
import { type Manifest, checkCompatible, versionOf } from './manifest.js';
import { PassageStore, type IndexedArticle, type IndexedPassage } from './passage-store.js';
import { STORE_FILE, damaged, IndexLockedError, openLiveStore } from './versions.js';
import hnswlib from 'hnswlib-node';

// The index on disk, as the rest of the program sees it.
export * from './graph.js';
export * from './lock.js';
export * from './manifest.js';
export * from './versions.js';

export type { IndexedArticle, IndexedPassage };

export interface LoadedIndex {
  manifest: Manifest;
  articles: IndexedArticle[];
  passages: PassageStore;
  hnsw: hnswlib.HierarchicalNSW;
  /** The version folder and its graph file; changes when a build or an edit goes live. */
  version: string;
  path: string;
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
