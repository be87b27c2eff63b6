/**
 * What a build works with and decides before writing: the passages and their embedded text, what changed
 * since the last build, when the calibration is measured again, and the manifest it writes.
 */
import type { Config } from '../../config/config.js';
import type { BoilerplateKind } from '../../corpus/boilerplate.js';
import { DEFAULT_CHUNK_OPTIONS, chunkParagraphs } from '../../corpus/passages.js';
import type { CorpusArticle, SkippedFile } from '../../corpus/read-corpus.js';
import type { TextEmbedder } from '../../embedding/embedder.js';
import type { EmbeddingSpec } from '../../embedding/model-spec.js';
import type { Logger } from '../../logging/logger.js';
import { TERMS_RECIPE } from '../../text/terms.js';
import type { PassageStore } from '../passage-store.js';
import {
  DEFAULT_HNSW,
  FORMAT_VERSION,
  type IndexCalibration,
  type IndexedArticle,
  type IndexedPassage,
  type Manifest,
} from '../store.js';
import type hnswlib from 'hnswlib-node';
import { createHash } from 'node:crypto';

/** Share of passages that may change (added or removed) before an edit measures the calibration again. */
export const RECALIBRATE_SHARE = 0.02;

/** Share of the graph's points that may be removed passages (marked deleted) before a full build drops them. */
export const COMPACT_SHARE = 0.25;

/** The calibration was measured before more than RECALIBRATE_SHARE of the passages changed. */
export function calibrationStale(manifest: Pick<Manifest, 'calibration' | 'passageCount'>): boolean {
  return (manifest.calibration.changedPassages ?? 0) > RECALIBRATE_SHARE * manifest.passageCount;
}

/** Passages added or removed between two builds (an edited passage counts once each way). */
export function changedSince(before: Pick<IndexedPassage, 'id'>[], after: Pick<IndexedPassage, 'id'>[]): number {
  const old = new Set(before.map((passage) => passage.id));
  const now = new Set(after.map((passage) => passage.id));
  let changed = 0;
  for (const id of now) if (!old.has(id)) changed++;
  for (const id of old) if (!now.has(id)) changed++;
  return changed;
}

/** Bump when the embedded-text recipe changes, so old vectors are not reused for new text. */
const EMBEDDED_TEXT_RECIPE = 'title-date-passage/1';
export const pipelineOf = (calibrator: IndexCalibrator) =>
  JSON.stringify({
    chunk: DEFAULT_CHUNK_OPTIONS,
    text: EMBEDDED_TEXT_RECIPE,
    terms: TERMS_RECIPE,
    calibration: calibrator.recipe,
  });

/**
 * Measures how the model's scores look on the new index (answering/calibrate-index.ts). Given by the caller
 * (app/update-index.ts), so the index layer does not depend on answering.
 */
export interface IndexCalibrator {
  /** Names the measuring method: an index measured another way is measured again. */
  recipe: string;
  calibrate(
    index: { passages: PassageStore; hnsw: hnswlib.HierarchicalNSW },
    model: TextEmbedder,
    onProgress?: (done: number, total: number) => void,
  ): Promise<IndexCalibration>;
}

export interface IndexSummary {
  articles: number;
  passages: number;
  dropped: number;
  embedded: number;
  reused: number;
  ms: number;
  bytes: number;
  /** Vectors taken from an interrupted earlier run (its checkpoint), not computed again. */
  resumed: number;
  /** True when the corpus and settings were unchanged and nothing was written. */
  upToDate: boolean;
  /** The answering calibration the index holds. */
  calibration: IndexCalibration;
  skipped: SkippedFile[];
  indexDir: string;
}

export interface BuildIndexOptions {
  config: Config;
  logger: Logger;
  calibrator: IndexCalibrator;
  /** An embedder already loaded (the bot's, or a benchmark's); loaded on demand otherwise. */
  embedder?: TextEmbedder;
  onProgress?: (done: number, total: number) => void;
  /** Progress of the calibration that follows embedding (a few hundred searches). */
  onCalibrationProgress?: (done: number, total: number) => void;
}

/** The title (and date) go into what is embedded and searched, not into what is quoted. */
export function embeddedText(article: Pick<CorpusArticle['metadata'], 'title' | 'date'>, passageText: string): string {
  return `${article.title}${article.date ? ` (${article.date})` : ''}\n\n${passageText}`;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export type ArticleToIndex = IndexedArticle & { contentHash: string };

export function passagesOf(articles: CorpusArticle[]): { articles: ArticleToIndex[]; passages: IndexedPassage[] } {
  const indexedArticles: ArticleToIndex[] = [];
  const passages: IndexedPassage[] = [];
  for (const article of articles) {
    const chunks = chunkParagraphs(article.paragraphs);
    indexedArticles.push({
      id: article.id,
      contentHash: article.contentHash,
      ...article.metadata,
      paragraphCount: article.paragraphs.length,
      passageCount: chunks.length,
    });
    for (const chunk of chunks) {
      const location = `${chunk.paragraphStart}-${chunk.paragraphEnd}${chunk.part ? `.${chunk.part.index}` : ''}`;
      passages.push({
        id: sha256(`${article.id}\0${location}\0${chunk.text}`).slice(0, 16),
        articleId: article.id,
        paragraphStart: chunk.paragraphStart,
        paragraphEnd: chunk.paragraphEnd,
        ...(chunk.part ? { part: chunk.part } : {}),
        text: chunk.text,
        embeddingKey: sha256(embeddedText(article.metadata, chunk.text)),
      });
    }
  }
  return { articles: indexedArticles, passages };
}

type DroppedCounts = Partial<Record<BoilerplateKind, number>>;

/** Boilerplate lines dropped, by kind; `sign` -1 takes articles' counts away (an edit's removed articles). */
export function droppedByKind(
  articles: Pick<CorpusArticle, 'dropped'>[],
  start: DroppedCounts = {},
  sign: 1 | -1 = 1,
): DroppedCounts {
  const counts: DroppedCounts = { ...start };
  for (const line of articles.flatMap((article) => article.dropped)) {
    counts[line.kind] = Math.max(0, (counts[line.kind] ?? 0) + sign);
  }
  return counts;
}

export const droppedTotal = (counts: DroppedCounts) => Object.values(counts).reduce((sum, count) => sum + count, 0);

export type LiveIndex = { store: PassageStore; manifest: Manifest; path: string };

export interface BuildWork {
  config: Config;
  logger: Logger;
  model: TextEmbedder;
  spec: EmbeddingSpec;
  /** What the manifest records of chunking, embedded text and calibration, to tell when to redo them. */
  pipeline: string;
  calibrator: IndexCalibrator;
  onProgress: BuildIndexOptions['onProgress'];
  onCalibrationProgress: BuildIndexOptions['onCalibrationProgress'];
}

export type BuildResult = Omit<IndexSummary, 'articles' | 'ms' | 'skipped' | 'indexDir' | 'upToDate'>;

export function manifestOf(
  work: BuildWork,
  fields: Pick<Manifest, 'articleCount' | 'passageCount' | 'corpusHash' | 'dropped' | 'calibration' | 'graph'>,
): Manifest {
  const { spec, model } = work;
  return {
    formatVersion: FORMAT_VERSION,
    model: {
      modelId: spec.modelId,
      pooling: spec.pooling,
      queryPrefix: spec.queryPrefix,
      passagePrefix: spec.passagePrefix,
      dimensions: model.dimensions,
      fingerprint: model.fingerprint,
    },
    hnsw: DEFAULT_HNSW,
    pipeline: work.pipeline,
    createdAt: new Date().toISOString(),
    ...fields,
  };
}

/** A small edit keeps the calibration it edits; once RECALIBRATE_SHARE has changed since, it is measured again. */
export function carriedCalibration(
  carried: IndexCalibration | undefined,
  changed: number,
  passages: number,
): IndexCalibration | undefined {
  const drift = (carried?.changedPassages ?? 0) + changed;
  return carried && drift <= RECALIBRATE_SHARE * passages ? { ...carried, changedPassages: drift } : undefined;
}

export async function measureCalibration(
  work: BuildWork,
  index: { passages: PassageStore; hnsw: hnswlib.HierarchicalNSW },
): Promise<IndexCalibration> {
  work.logger.info('calibrating abstention on the new index');
  return work.calibrator.calibrate(index, work.model, work.onCalibrationProgress);
}
