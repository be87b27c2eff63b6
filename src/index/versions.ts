/**
 * Version folders and the CURRENT file: which index is live, opening its store, writing a new version whole,
 * removing leftovers. A full build writes a new folder, then renames a new CURRENT over the old one.
 */
import { UserError, errorMessage } from '../shared/errors.js';
import type { Manifest } from './manifest.js';
import { PassageStore } from './passage-store.js';
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

const CURRENT_FILE = 'CURRENT';
export const STORE_FILE = 'index.sqlite';
export function fsyncFile(path: string): void {
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

/** What removeStaleVersions would remove: versions not live, swap files, graphs the manifest does not name. */
function staleEntries(indexDir: string, liveGraph?: string): string[] {
  if (!existsSync(indexDir)) return [];
  const live = currentVersion(indexDir);
  const stale = readdirSync(indexDir)
    .filter(
      (name) =>
        (name.startsWith('v-') && name !== live) || (name.startsWith(`${CURRENT_FILE}.`) && name.endsWith('.tmp')),
    )
    .map((name) => join(indexDir, name));
  if (live && liveGraph && existsSync(join(indexDir, live))) {
    for (const name of readdirSync(join(indexDir, live))) {
      if (name.startsWith('graph-') && name !== liveGraph) stale.push(join(indexDir, live, name));
    }
  }
  return stale;
}

/** True when an interrupted run left something for removeStaleVersions to clear. */
export function hasStaleVersions(indexDir: string, liveGraph?: string): boolean {
  return staleEntries(indexDir, liveGraph).length > 0;
}

/**
 * Removes versions that are not live, leftovers of interrupted builds, and graph files of the live version
 * that its manifest no longer names (an edit that crashed before its commit, or the graph an edit replaced).
 * Call while holding the lock.
 */
export function removeStaleVersions(indexDir: string, liveGraph?: string): void {
  for (const path of staleEntries(indexDir, liveGraph)) rmSync(path, { recursive: true, force: true });
}
