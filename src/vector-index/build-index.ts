/**
 * Corpus → index. Incremental: a passage's vector is reused when the previous index holds one for the same
 * embedded text with the same model settings, so an unchanged corpus embeds nothing and an edited article
 * re-embeds only its changed passages. Changing the model (or pooling, prefixes) rebuilds everything.
 */
import { createHash } from 'node:crypto';
import { CALIBRATION_RECIPE, calibrateIndex } from '../answering/calibrate-index.js';
import type { IndexCalibration } from '../answering/calibration.js';
import type { Config } from '../config/config.js';
import type { BoilerplateKind } from '../corpus/boilerplate.js';
import { DEFAULT_CHUNK_OPTIONS, chunkParagraphs } from '../corpus/passages.js';
import { readCorpus, type CorpusArticle, type SkippedFile } from '../corpus/read-corpus.js';
import { PARSE_CACHE_FILE, parseCacheOf, readParseCache } from './parse-cache.js';
import { VectorCheckpoint } from './vector-checkpoint.js';
import { InProcessEmbedder, type TextEmbedder } from '../embedding/embedder.js';
import { modelFingerprint } from '../embedding/load-model.js';
import { resolveEmbeddingSpec, type EmbeddingSpec } from '../embedding/model-spec.js';
import type { Logger } from '../logging/logger.js';
import { UserError, errorMessage } from '../shared/errors.js';
import {
  DEFAULT_HNSW,
  FORMAT_VERSION,
  acquireIndexLock,
  buildHnsw,
  checkCompatible,
  filesIntact,
  loadIndex,
  readManifest,
  removeStaleVersions,
  versionBytes,
  writeIndex,
  type IndexedArticle,
  type IndexedPassage,
  type LoadedIndex,
  type Manifest,
} from './store.js';

/** Share of passages that may change (added or removed) before an edit measures the calibration again. */
export const RECALIBRATE_SHARE = 0.02;

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
const PIPELINE = JSON.stringify({
  chunk: DEFAULT_CHUNK_OPTIONS,
  text: EMBEDDED_TEXT_RECIPE,
  calibration: CALIBRATION_RECIPE,
});

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

export function passagesOf(articles: CorpusArticle[]): { articles: IndexedArticle[]; passages: IndexedPassage[] } {
  const indexedArticles: IndexedArticle[] = [];
  const passages: IndexedPassage[] = [];
  for (const article of articles) {
    const chunks = chunkParagraphs(article.paragraphs);
    indexedArticles.push({
      id: article.id,
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

function droppedByKind(articles: CorpusArticle[]): Partial<Record<BoilerplateKind, number>> {
  const counts: Partial<Record<BoilerplateKind, number>> = {};
  for (const line of articles.flatMap((article) => article.dropped)) counts[line.kind] = (counts[line.kind] ?? 0) + 1;
  return counts;
}

/** The previous build's manifest when its vectors can be reused with these settings; undefined otherwise. */
function previousManifest(
  config: Config,
  spec: EmbeddingSpec,
  logger: Logger,
): { manifest: Manifest; path: string } | undefined {
  try {
    const found = readManifest(config.indexDir);
    checkCompatible(found.manifest, spec, found.path);
    return found;
  } catch (error) {
    if (!(error instanceof UserError && /no index/.test(error.message))) {
      logger.info({ reason: errorMessage(error) }, 'previous index not reusable; embedding every passage');
    }
    return undefined;
  }
}

/** The previous index, loaded for its vectors; undefined (and every passage embedded) when it is damaged. */
function loadPrevious(config: Config, spec: EmbeddingSpec, logger: Logger): LoadedIndex | undefined {
  try {
    return loadIndex(config.indexDir, spec, 10);
  } catch (error) {
    logger.info({ reason: errorMessage(error) }, 'previous index not reusable; embedding every passage');
    return undefined;
  }
}

export async function buildIndex({
  config,
  logger,
  embedder,
  onProgress,
  onCalibrationProgress,
}: BuildIndexOptions): Promise<IndexSummary> {
  const started = performance.now();
  const corpus = await readCorpus(config.corpusDir, { cache: readParseCache(config.indexDir) });
  for (const skip of corpus.skipped) logger.warn({ file: skip.file }, `skipped: ${skip.reason}`);
  for (const warning of corpus.warnings) logger.warn({ file: warning.file }, warning.message);
  if (corpus.articles.length === 0) {
    throw new UserError(`No articles found in ${config.corpusDir}. Add .txt, .md or .html files and run again.`);
  }
  const spec = resolveEmbeddingSpec(config);
  const { articles, passages } = passagesOf(corpus.articles);
  const dropped = droppedByKind(corpus.articles);
  const droppedTotal = Object.values(dropped).reduce((sum, count) => sum + count, 0);
  const summary = (
    fields: Pick<IndexSummary, 'embedded' | 'reused' | 'bytes' | 'upToDate' | 'calibration'> &
      Partial<Pick<IndexSummary, 'resumed'>>,
  ): IndexSummary => ({
    articles: articles.length,
    passages: passages.length,
    dropped: droppedTotal,
    ms: Math.round(performance.now() - started),
    skipped: corpus.skipped,
    indexDir: config.indexDir,
    resumed: 0,
    ...fields,
  });

  let fingerprint = embedder?.fingerprint ?? modelFingerprint(spec.modelId, config);
  let reusable = previousManifest(config, spec, logger);
  const sameModelFiles = (manifest: Manifest) =>
    fingerprint !== undefined && manifest.model.fingerprint === fingerprint;
  if (reusable && fingerprint !== undefined && !sameModelFiles(reusable.manifest)) {
    logger.info('the model files changed since the last build; embedding every passage');
    reusable = undefined;
  }
  // Nothing changed: decided from the manifest and the data files' checksums, without loading the index or
  // taking the lock (a build running elsewhere, or a read-only index folder, does not stop a bot that only
  // needs to know its index is current).
  const intact = reusable !== undefined && filesIntact(reusable.manifest, reusable.path);
  if (!intact && reusable?.manifest.checksums) {
    logger.warn({ index: reusable.path }, 'the index files are damaged; rebuilding them');
  }
  if (
    reusable &&
    intact &&
    sameModelFiles(reusable.manifest) &&
    reusable.manifest.corpusHash === corpus.hash &&
    reusable.manifest.pipeline === PIPELINE
  ) {
    return summary({
      embedded: 0,
      reused: passages.length,
      bytes: versionBytes(reusable.path),
      upToDate: true,
      calibration: reusable.manifest.calibration,
    });
  }

  const release = acquireIndexLock(config.indexDir);
  try {
    removeStaleVersions(config.indexDir);
    // Vectors are reused only from files whose checksums hold: a damaged file's vectors are not trusted.
    const previous = reusable && intact ? loadPrevious(config, spec, logger) : undefined;

    const cached = new Map<string, Float32Array>();
    previous?.passages.forEach((passage, label) => {
      cached.set(passage.embeddingKey, Float32Array.from(previous.hnsw.getPoint(label)));
    });
    const textsByKey = new Map<string, string>();
    const articleById = new Map(articles.map((article) => [article.id, article]));
    for (const passage of passages) {
      if (cached.has(passage.embeddingKey) || textsByKey.has(passage.embeddingKey)) continue;
      const article = articleById.get(passage.articleId);
      if (article) textsByKey.set(passage.embeddingKey, embeddedText(article, passage.text));
    }

    // Calibration asks questions, so the model is needed even when every passage vector is reused.
    const model = embedder ?? (await InProcessEmbedder.load(spec, config));
    const dimensions = model.dimensions;
    fingerprint = model.fingerprint;
    // Vectors an interrupted run of this model already computed are taken, not computed again.
    const checkpoint = new VectorCheckpoint(
      config.indexDir,
      JSON.stringify({ fingerprint, spec, dimensions, pipeline: PIPELINE }),
    );
    let resumed = 0;
    for (const [key, vector] of checkpoint.load()) {
      if (!textsByKey.delete(key)) continue;
      cached.set(key, vector);
      resumed++;
    }
    if (resumed > 0) logger.info({ resumed }, 'resuming: vectors of an interrupted run reused');
    if (textsByKey.size > 0) {
      const keys = [...textsByKey.keys()];
      logger.info({ passages: keys.length, model: spec.modelId }, 'embedding passages');
      const vectors = await model.embedPassages([...textsByKey.values()], config.embeddingBatchSize, (done, batch) => {
        checkpoint.append(
          batch.indexes.map((index, i) => ({ key: keys[index] as string, vector: batch.vectors[i] as Float32Array })),
        );
        onProgress?.(done, keys.length);
      });
      keys.forEach((key, i) => {
        const vector = vectors[i];
        if (vector) cached.set(key, vector);
      });
    }

    const vectors = passages.map((passage) => {
      const vector = cached.get(passage.embeddingKey);
      if (!vector) throw new Error(`No vector for passage ${passage.id}`);
      return vector;
    });
    const hnsw = buildHnsw(vectors, dimensions, DEFAULT_HNSW);
    hnsw.setEf(Math.max(config.searchEf, 10));
    // A small edit barely moves the null distribution: keep the calibration of the index it edits, and
    // measure again once the corpus has changed by more than RECALIBRATE_SHARE since it was measured.
    const changed = changedSince(previous?.passages ?? [], passages);
    const carried = previous?.manifest.calibration;
    const drift = (carried?.changedPassages ?? 0) + changed;
    const calibration: IndexCalibration =
      carried && drift <= RECALIBRATE_SHARE * passages.length
        ? { ...carried, changedPassages: drift }
        : await (async () => {
            logger.info('calibrating abstention on the new index');
            return calibrateIndex({ passages, hnsw }, model, onCalibrationProgress);
          })();
    if (!embedder) await model.close();
    const manifest: Manifest = {
      formatVersion: FORMAT_VERSION,
      model: {
        modelId: spec.modelId,
        pooling: spec.pooling,
        queryPrefix: spec.queryPrefix,
        passagePrefix: spec.passagePrefix,
        dimensions,
        fingerprint,
      },
      hnsw: DEFAULT_HNSW,
      pipeline: PIPELINE,
      articleCount: articles.length,
      passageCount: passages.length,
      corpusHash: corpus.hash,
      createdAt: new Date().toISOString(),
      dropped,
      calibration,
    };
    const { bytes } = writeIndex(config.indexDir, { manifest, articles, passages }, hnsw, {
      [PARSE_CACHE_FILE]: parseCacheOf(corpus.articles),
    });
    removeStaleVersions(config.indexDir);
    checkpoint.remove();
    return summary({
      embedded: textsByKey.size,
      resumed,
      reused: passages.length - textsByKey.size - resumed,
      bytes,
      upToDate: false,
      calibration,
    });
  } finally {
    release();
  }
}
