/**
 * Synthetic vectors shaped like sentence embeddings, and the HNSW-versus-exact measurements on them.
 *
 * Generator: real embeddings of a corpus occupy a low-dimensional part of their space and cluster by topic.
 * So: 32-dimensional latent points, each drawn around one of `clusters` topic centres (Gaussian, spread 0.35
 * around unit-scale centres), mapped into 384 dimensions by a fixed random linear projection, plus a little
 * isotropic noise (0.02 per dimension), then normalised. Queries come from the same distribution and are not
 * in the index. Uniform random vectors would say nothing about real corpora: no approximate index handles
 * them, and no corpus looks like them.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { gaussian, prng } from '../scripts/random.js';

export const DIMENSIONS = 384;
const LATENT = 32;

export class EmbeddingLikeGenerator {
  private readonly random: () => number;
  private readonly projection: Float32Array;
  private readonly centres: Float32Array[];

  constructor(
    seed: number,
    readonly clusters = 500,
    readonly dimensions = DIMENSIONS,
  ) {
    this.random = prng(seed);
    this.projection = Float32Array.from(
      { length: LATENT * dimensions },
      () => gaussian(this.random) / Math.sqrt(LATENT),
    );
    this.centres = Array.from({ length: clusters }, () =>
      Float32Array.from({ length: LATENT }, () => gaussian(this.random)),
    );
  }

  next(): Float32Array {
    const centre = this.centres[Math.floor(this.random() * this.clusters)] as Float32Array;
    const latent = centre.map((value) => value + 0.35 * gaussian(this.random));
    const vector = new Float32Array(this.dimensions);
    for (let d = 0; d < this.dimensions; d++) {
      let sum = 0;
      for (let l = 0; l < LATENT; l++) sum += (latent[l] ?? 0) * (this.projection[l * this.dimensions + d] ?? 0);
      vector[d] = sum + 0.02 * gaussian(this.random);
    }
    let norm = 0;
    for (const value of vector) norm += value * value;
    norm = Math.sqrt(norm);
    for (let d = 0; d < this.dimensions; d++) vector[d] = (vector[d] ?? 0) / norm;
    return vector;
  }
}

/** Exact top-k by inner product (vectors are normalised, so this is cosine): the ground truth. */
export function bruteForce(data: Float32Array, count: number, query: Float32Array, k: number): number[] {
  const bestIds: number[] = [];
  const bestScores: number[] = [];
  for (let i = 0; i < count; i++) {
    let score = 0;
    const offset = i * DIMENSIONS;
    for (let d = 0; d < DIMENSIONS; d++) score += (data[offset + d] ?? 0) * (query[d] ?? 0);
    if (bestIds.length < k || score > (bestScores[bestScores.length - 1] ?? -Infinity)) {
      let at = bestScores.findIndex((s) => score > s);
      if (at < 0) at = bestScores.length;
      bestScores.splice(at, 0, score);
      bestIds.splice(at, 0, i);
      if (bestIds.length > k) {
        bestIds.pop();
        bestScores.pop();
      }
    }
  }
  return bestIds;
}

export interface EfResult {
  ef: number;
  recallAt10: number;
  qps: number;
  msPerQuery: number;
}

export interface VectorResult {
  passages: number;
  m: number;
  efConstruction: number;
  buildSeconds: number;
  indexBytesOnDisk: number;
  indexBytesInMemory: number;
  bruteForceQps: number;
  bruteForceMsPerQuery: number;
  efResults: (EfResult & { speedupOverBruteForce: number })[];
}

export function benchVectors(
  passages: number,
  options: { m: number; efConstruction: number; efs: number[]; queries: number; log: (line: string) => void },
): VectorResult {
  const { m, efConstruction, efs, queries, log } = options;
  const generator = new EmbeddingLikeGenerator(42);
  const data = new Float32Array(passages * DIMENSIONS);
  for (let i = 0; i < passages; i++) data.set(generator.next(), i * DIMENSIONS);
  const queryVectors = Array.from({ length: queries }, () => generator.next());
  log(`  ${passages} vectors generated`);

  global.gc?.();
  const heapBefore = process.memoryUsage().rss;
  const started = performance.now();
  const index = new hnswlib.HierarchicalNSW('cosine', DIMENSIONS);
  index.initIndex(passages, m, efConstruction, 100);
  for (let i = 0; i < passages; i++) index.addPoint(Array.from(data.subarray(i * DIMENSIONS, (i + 1) * DIMENSIONS)), i);
  const buildSeconds = (performance.now() - started) / 1000;
  const indexBytesInMemory = Math.max(0, process.memoryUsage().rss - heapBefore);
  log(`  built in ${buildSeconds.toFixed(1)} s`);
  const folder = mkdtempSync(join(tmpdir(), 'bench-hnsw-'));
  index.writeIndexSync(join(folder, 'index.hnsw'));
  const indexBytesOnDisk = statSync(join(folder, 'index.hnsw')).size;
  rmSync(folder, { recursive: true, force: true });

  const truthStarted = performance.now();
  const truth = queryVectors.map((query) => new Set(bruteForce(data, passages, query, 10)));
  const bruteForceMsPerQuery = (performance.now() - truthStarted) / queries;
  log(`  exact search: ${bruteForceMsPerQuery.toFixed(2)} ms/query`);

  const efResults = efs.map((ef) => {
    index.setEf(ef);
    const queryArrays = queryVectors.map((query) => Array.from(query));
    const searchStarted = performance.now();
    const results = queryArrays.map((query) => index.searchKnn(query, 10).neighbors);
    const msPerQuery = (performance.now() - searchStarted) / queries;
    const hits = results.reduce((sum, neighbors, i) => sum + neighbors.filter((id) => truth[i]?.has(id)).length, 0);
    const recallAt10 = hits / (queries * 10);
    log(`  ef=${ef}: recall@10 ${recallAt10.toFixed(4)}, ${msPerQuery.toFixed(3)} ms/query`);
    return {
      ef,
      recallAt10,
      qps: 1000 / msPerQuery,
      msPerQuery,
      speedupOverBruteForce: bruteForceMsPerQuery / msPerQuery,
    };
  });
  return {
    passages,
    m,
    efConstruction,
    buildSeconds,
    indexBytesOnDisk,
    indexBytesInMemory,
    bruteForceQps: 1000 / bruteForceMsPerQuery,
    bruteForceMsPerQuery,
    efResults,
  };
}
