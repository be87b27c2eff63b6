/**
 * The manifest of an index: which model and settings made it, its counts, its calibration and the graph file
 * it names; and the checks that an index fits the model asked for.
 */
import type { BoilerplateKind } from '../corpus/boilerplate.js';
import type { EmbeddingSpec } from '../embedding/model-spec.js';
import { UserError } from '../shared/errors.js';

/** 3: SQLite passage store with BM25's postings; stable labels; edits in place. */
export const FORMAT_VERSION = 3;
export interface HnswParameters {
  space: 'cosine';
  m: number;
  efConstruction: number;
  randomSeed: number;
}

/** Chosen from bench/ measurements: recall@10 ≥ 0.99 at 100k passages with SEARCH_EF=100. */
export const DEFAULT_HNSW: HnswParameters = { space: 'cosine', m: 16, efConstruction: 200, randomSeed: 100 };

/** The kinds of null question made from the corpus itself. */
export type NullFamily = 'nearTopic' | 'mixed' | 'onTopic';

/** What the index build measures (answering/calibrate-index.ts) and the manifest stores. */
export interface IndexCalibration {
  denseFloor: number;
  denseCeiling: number;
  /** Best relevance of each null question, ascending. */
  nullRelevances: number[];
  /** The same for the off-topic ones alone. */
  offTopicRelevances?: number[];
  /** The same for each kind of null question made from the corpus (answering/calibrate-index.ts). */
  nullFamilies?: Record<NullFamily, number[]>;
  offTopicQuestions: number;
  /** Null questions made from the corpus, of every kind (NullFamily), not only the near-topic ones. */
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
