/** The HNSW graph file of an index (hnswlib-node, cosine): built, written, read, and checked by its SHA-256. */
import { errorMessage } from '../shared/errors.js';
import { FORMAT_VERSION, type HnswParameters, type Manifest, type GraphFile } from './manifest.js';
import { fsyncFile, damaged } from './versions.js';
import hnswlib from 'hnswlib-node';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

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

/** Read in chunks: the graph is checked at every load, and at 100,000 passages it is about 160 MB. */
const HASH_CHUNK = 4 * 2 ** 20;

function sha256File(path: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(HASH_CHUNK);
  const fd = openSync(path, 'r');
  try {
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) hash.update(chunk.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
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
