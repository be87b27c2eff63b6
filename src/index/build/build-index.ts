/**
 * Corpus → index. Incremental: a passage's vector is reused when the previous index holds one for the same
 * embedded text with the same model settings, so an unchanged corpus embeds nothing and an edited article
 * re-embeds only its changed passages. Changing the model (or pooling, prefixes) rebuilds everything.
 *
 * Two ways to write. An edit (articles added, changed or removed while the model and settings stay) changes
 * the live index in place: only those articles' rows, their graph points marked deleted or added, a new graph
 * file and one transaction (store.ts). A full build writes a new version folder: the first build, a model
 * change, or once removed points make up more than COMPACT_SHARE of the graph.
 */
import { createHash } from 'node:crypto';
import type hnswlib from 'hnswlib-node';
import type { Config } from '../../config/config.js';
import type { BoilerplateKind } from '../../corpus/boilerplate.js';
import { DEFAULT_CHUNK_OPTIONS, chunkParagraphs } from '../../corpus/passages.js';
import {
  readCorpus,
  type Corpus,
  type CorpusArticle,
  type ParsedEntry,
  type SkippedFile,
} from '../../corpus/read-corpus.js';
import { parseCacheOf, parsedEntries } from './parse-cache.js';
import type { PassageStore } from '../passage-store.js';
import { VectorCheckpoint } from './vector-checkpoint.js';
import { InProcessEmbedder, type TextEmbedder } from '../../embedding/embedder.js';
import { modelFingerprint } from '../../embedding/load-model.js';
import { resolveEmbeddingSpec, type EmbeddingSpec } from '../../embedding/model-spec.js';
import type { Logger } from '../../logging/logger.js';
import { UserError, errorMessage } from '../../shared/errors.js';
import {
  DEFAULT_HNSW,
  FORMAT_VERSION,
  acquireIndexLock,
  buildHnsw,
  checkCompatible,
  filesIntact,
  IndexLockedError,
  indexWriteError,
  openLiveStore,
  readGraph,
  removeStaleVersions,
  versionBytes,
  writeGraph,
  writeVersion,
  type IndexCalibration,
  type IndexedArticle,
  type IndexedPassage,
  type Manifest,
} from '../store.js';

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
const pipelineOf = (calibrator: IndexCalibrator) =>
  JSON.stringify({ chunk: DEFAULT_CHUNK_OPTIONS, text: EMBEDDED_TEXT_RECIPE, calibration: calibrator.recipe });

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
function droppedByKind(
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

const droppedTotal = (counts: DroppedCounts) => Object.values(counts).reduce((sum, count) => sum + count, 0);

type LiveIndex = { store: PassageStore; manifest: Manifest; path: string };

/**
 * The live index, and whether its vectors can be reused with these settings (same model files). Its parse
 * results are reused in any case: they do not depend on the model.
 */
/**
 * What is wrong with the live store, or undefined; `thorough` reads every page (SQLite's quick_check). A store
 * another process holds locked is not damaged: that stops the run with a message instead of a rebuild.
 */
function storeProblem(live: LiveIndex, thorough: boolean): string | undefined {
  try {
    return live.store.integrityProblem(live.manifest, thorough);
  } catch (error) {
    live.store.close();
    throw new IndexLockedError(live.path, errorMessage(error));
  }
}

function openLive(
  config: Config,
  spec: EmbeddingSpec,
  fingerprint: string | undefined,
  logger: Logger,
): { live: LiveIndex | undefined; reusable: boolean } {
  let live: LiveIndex;
  try {
    live = openLiveStore(config.indexDir);
  } catch (error) {
    if (error instanceof IndexLockedError) throw error;
    if (!(error instanceof UserError && /no index/.test(error.message))) {
      logger.info({ reason: errorMessage(error) }, 'previous index not reusable; embedding every passage');
    }
    return { live: undefined, reusable: false };
  }
  try {
    checkCompatible(live.manifest, spec, live.path);
  } catch (error) {
    logger.info({ reason: errorMessage(error) }, 'previous index not reusable; embedding every passage');
    return { live, reusable: false };
  }
  if (fingerprint !== undefined && live.manifest.model.fingerprint !== fingerprint) {
    logger.info('the model files changed since the last build; embedding every passage');
    return { live, reusable: false };
  }
  // The graph's checksum is checked before its vectors are trusted: a damaged file's vectors are not reused.
  if (!filesIntact(live.manifest, live.path)) {
    logger.warn({ index: live.path }, 'the index files are damaged; rebuilding them');
    return { live, reusable: false };
  }
  // So is the store, by its counts (cheap); its pages are checked before it is called up to date.
  const problem = storeProblem(live, false);
  if (problem !== undefined) {
    logger.warn({ index: live.path, problem }, 'the index store is damaged; rebuilding it');
    live.store.close();
    return { live: undefined, reusable: false };
  }
  return { live, reusable: true };
}

export async function buildIndex({
  config,
  logger,
  calibrator,
  embedder,
  onProgress,
  onCalibrationProgress,
}: BuildIndexOptions): Promise<IndexSummary> {
  const started = performance.now();
  const pipeline = pipelineOf(calibrator);
  const spec = resolveEmbeddingSpec(config);
  let fingerprint = embedder?.fingerprint ?? modelFingerprint(spec.modelId, config);
  const opened = openLive(config, spec, fingerprint, logger);
  // Only a reusable index is edited, or has its vectors reused; any readable one lends its parse results.
  let parsedBy = opened.live;
  let live = opened.reusable ? opened.live : undefined;
  try {
    const corpus = await readCorpus(config.corpusDir, {
      cache: parseCacheOf(parsedBy?.store),
      ...(live ? { known: live.store.files() } : {}),
    });
    for (const skip of corpus.skipped) logger.warn({ file: skip.file }, `skipped: ${skip.reason}`);
    for (const warning of corpus.warnings) logger.warn({ file: warning.file }, warning.message);
    const articleCount = corpus.articles.length + corpus.unchanged.length;
    if (articleCount === 0) {
      throw new UserError(`No articles found in ${config.corpusDir}. Add .txt, .md or .html files and run again.`);
    }
    const summary = (
      fields: Pick<IndexSummary, 'passages' | 'embedded' | 'reused' | 'bytes' | 'upToDate' | 'calibration'> &
        Partial<Pick<IndexSummary, 'resumed' | 'dropped'>>,
    ): IndexSummary => ({
      articles: articleCount,
      dropped: 0,
      ms: Math.round(performance.now() - started),
      skipped: corpus.skipped,
      indexDir: config.indexDir,
      resumed: 0,
      ...fields,
    });
    // Nothing changed: decided from the manifest, the files' sizes and times and the graph's checksum,
    // without loading the index or taking the lock (a build running elsewhere, or a read-only index folder,
    // does not stop a bot that only needs to know its index is current).
    // A page overwritten or a table emptied is a rebuild, never "up to date".
    // A calibration left stale (a run stopped before measuring it again) is no reason to call it up to date.
    const unchanged =
      live &&
      live.manifest.corpusHash === corpus.hash &&
      live.manifest.pipeline === pipeline &&
      !calibrationStale(live.manifest);
    const damagedStore = live && unchanged ? storeProblem(live, true) : undefined;
    if (live && damagedStore !== undefined) {
      logger.warn({ index: live.path, problem: damagedStore }, 'the index store is damaged; rebuilding it');
      live.store.close();
      live = undefined;
      parsedBy = undefined;
    }
    if (live && unchanged) {
      return summary({
        passages: live.manifest.passageCount,
        dropped: droppedTotal(live.manifest.dropped),
        embedded: 0,
        reused: live.manifest.passageCount,
        bytes: versionBytes(live.path),
        upToDate: true,
        calibration: live.manifest.calibration,
      });
    }

    const release = acquireIndexLock(config.indexDir);
    try {
      removeStaleVersions(config.indexDir, live?.manifest.graph.file);
      const model = embedder ?? (await InProcessEmbedder.load(spec, config));
      fingerprint = model.fingerprint;
      const work: BuildWork = { config, logger, model, spec, pipeline, calibrator, onProgress, onCalibrationProgress };
      let result: BuildResult;
      if (live && live.manifest.pipeline === pipeline) {
        // Reopened for writing; the read-only handle is done with.
        live.store.close();
        const writable = openLiveStore(config.indexDir, { writable: true });
        live = { store: writable.store, manifest: writable.manifest, path: writable.path };
        result =
          (await editInPlace(work, live, corpus)) ??
          (await fullBuild(work, await readWhole(config, corpus, live.store), live));
      } else {
        result = await fullBuild(work, await readWhole(config, corpus, parsedBy?.store), live);
      }
      if (!embedder) await model.close();
      return summary({ ...result, upToDate: false });
    } finally {
      release();
    }
  } finally {
    live?.store.close();
    parsedBy?.store.close();
  }
}

/** The corpus with every article read (parsed ones come from the cache), for a full build. */
async function readWhole(config: Config, corpus: Corpus, store: PassageStore | undefined): Promise<Corpus> {
  return corpus.unchanged.length === 0 ? corpus : readCorpus(config.corpusDir, { cache: parseCacheOf(store) });
}

interface BuildWork {
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

type BuildResult = Omit<IndexSummary, 'articles' | 'ms' | 'skipped' | 'indexDir' | 'upToDate'>;

/**
 * Vectors for passages: taken from `reuse` (the previous index's, by embedding key), from the checkpoint of
 * an interrupted run, or embedded now (and checkpointed as they are made).
 */
async function vectorsFor(
  work: BuildWork,
  passages: IndexedPassage[],
  articles: IndexedArticle[],
  reuse: (embeddingKey: string) => Float32Array | undefined,
): Promise<{ vectors: Map<string, Float32Array>; embedded: number; resumed: number; checkpoint: VectorCheckpoint }> {
  const { config, logger, model, spec } = work;
  const vectors = new Map<string, Float32Array>();
  const textsByKey = new Map<string, string>();
  const articleById = new Map(articles.map((article) => [article.id, article]));
  for (const passage of passages) {
    if (vectors.has(passage.embeddingKey) || textsByKey.has(passage.embeddingKey)) continue;
    const reused = reuse(passage.embeddingKey);
    if (reused) {
      vectors.set(passage.embeddingKey, reused);
      continue;
    }
    const article = articleById.get(passage.articleId);
    if (article) textsByKey.set(passage.embeddingKey, embeddedText(article, passage.text));
  }
  // Vectors an interrupted run of this model already computed are taken, not computed again.
  const checkpoint = new VectorCheckpoint(
    config.indexDir,
    JSON.stringify({ fingerprint: model.fingerprint, spec, dimensions: model.dimensions, pipeline: work.pipeline }),
  );
  let resumed = 0;
  if (textsByKey.size > 0) {
    for (const [key, vector] of checkpoint.load()) {
      if (!textsByKey.delete(key)) continue;
      vectors.set(key, vector);
      resumed++;
    }
  }
  if (resumed > 0) logger.info({ resumed }, 'resuming: vectors of an interrupted run reused');
  const keys = [...textsByKey.keys()];
  if (keys.length > 0) {
    logger.info({ passages: keys.length, model: spec.modelId }, 'embedding passages');
    const embedded = await model.embedPassages([...textsByKey.values()], config.embeddingBatchSize, (done, batch) => {
      checkpoint.append(
        batch.indexes.map((index, i) => ({ key: keys[index] as string, vector: batch.vectors[i] as Float32Array })),
      );
      work.onProgress?.(done, keys.length);
    });
    keys.forEach((key, i) => {
      const vector = embedded[i];
      if (vector) vectors.set(key, vector);
    });
  }
  return { vectors, embedded: keys.length, resumed, checkpoint };
}

function vectorOf(vectors: Map<string, Float32Array>, passage: IndexedPassage): Float32Array {
  const vector = vectors.get(passage.embeddingKey);
  if (!vector) throw new Error(`No vector for passage ${passage.id}`);
  return vector;
}

function manifestOf(
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
function carriedCalibration(
  carried: IndexCalibration | undefined,
  changed: number,
  passages: number,
): IndexCalibration | undefined {
  const drift = (carried?.changedPassages ?? 0) + changed;
  return carried && drift <= RECALIBRATE_SHARE * passages ? { ...carried, changedPassages: drift } : undefined;
}

async function measureCalibration(
  work: BuildWork,
  index: { passages: PassageStore; hnsw: hnswlib.HierarchicalNSW },
): Promise<IndexCalibration> {
  work.logger.info('calibrating abstention on the new index');
  return work.calibrator.calibrate(index, work.model, work.onCalibrationProgress);
}

/** Every passage embedded or reused into a new version folder, labels 0…n-1. */
async function fullBuild(work: BuildWork, corpus: Corpus, live: LiveIndex | undefined): Promise<BuildResult> {
  const { config } = work;
  const { articles, passages } = passagesOf(corpus.articles);
  const previous = live && live.manifest.pipeline === work.pipeline ? live : undefined;
  let graph: hnswlib.HierarchicalNSW | undefined;
  const previousLabels = live?.store.labelsByEmbeddingKey() ?? new Map<string, number>();
  const { vectors, embedded, resumed, checkpoint } = await vectorsFor(work, passages, articles, (key) => {
    const label = previousLabels.get(key);
    if (label === undefined || !live) return undefined;
    graph ??= readGraph(live.path, live.manifest);
    return Float32Array.from(graph.getPoint(label));
  });
  const hnsw = buildHnsw(
    passages.map((passage, label) => ({ label, vector: vectorOf(vectors, passage) })),
    work.model.dimensions,
    DEFAULT_HNSW,
  );
  hnsw.setEf(Math.max(config.searchEf, 10));
  const changed = changedSince(previous ? previous.store.passageIds().map((id) => ({ id })) : [], passages);
  const dropped = droppedByKind(corpus.articles);
  let calibration: IndexCalibration | undefined;
  const { bytes } = await writeVersion(config.indexDir, async (store, folder) => {
    const vocabulary = new Map<string, { passages: number; acronym: number }>();
    let label = 0;
    store.transaction(() => {
      for (const article of articles) {
        const own = passages
          .slice(label, label + article.passageCount)
          .map((passage, i) => ({ label: label + i, passage }));
        store.addArticle(article, own, vocabulary);
        label += article.passageCount;
      }
      store.writeVocabulary(vocabulary);
      store.setFiles(corpus.files);
      const entries = parsedEntries(corpus.articles);
      store.setParsed(entries, new Set(entries.keys()));
    });
    calibration =
      carriedCalibration(previous?.manifest.calibration, changed, passages.length) ??
      (await measureCalibration(work, { passages: store, hnsw }));
    const graphFile = writeGraph(folder, hnsw, { nextLabel: passages.length, deleted: 0 });
    store.setMeta(
      'manifest',
      manifestOf(work, {
        articleCount: articles.length,
        passageCount: passages.length,
        corpusHash: corpus.hash,
        dropped,
        calibration,
        graph: graphFile,
      }),
    );
  });
  removeStaleVersions(config.indexDir);
  checkpoint.remove();
  return {
    passages: passages.length,
    dropped: droppedTotal(dropped),
    embedded,
    resumed,
    reused: passages.length - embedded - resumed,
    bytes,
    calibration: calibration as IndexCalibration,
  };
}

/**
 * Applies the corpus's changes to the live index in place: the passages that changed or whose article is gone
 * are marked deleted in the graph and removed from the store, the new ones added under new labels. Undefined
 * (and nothing written) when the graph would hold too many deleted points: then a full build compacts it.
 */
async function editInPlace(work: BuildWork, live: LiveIndex, corpus: Corpus): Promise<BuildResult | undefined> {
  const { config } = work;
  const { store, manifest, path } = live;
  const indexed = store.articleHashes();
  const current = new Set([
    ...corpus.articles.map((article) => article.id),
    ...corpus.unchanged.map((entry) => entry.id),
  ]);
  const changedArticles = corpus.articles.filter((article) => indexed.get(article.id) !== article.contentHash);
  const goneIds = [...indexed.keys()].filter((id) => !current.has(id));
  const { articles, passages: newPassages } = passagesOf(changedArticles);
  // Within an edited article only the passages whose text (or embedded title) changed are replaced: the rest
  // keep their rows, labels and graph points.
  const sameness = (passage: IndexedPassage) => `${passage.id}\0${passage.embeddingKey}`;
  const before = [...goneIds, ...changedArticles.map((article) => article.id)].flatMap((id) => store.ofArticle(id));
  const newKeys = new Set(newPassages.map(sameness));
  const oldKeys = new Set(before.map(({ passage }) => sameness(passage)));
  const oldPassages = before.filter(({ passage }) => !newKeys.has(sameness(passage)));
  const passages = newPassages.filter((passage) => !oldKeys.has(sameness(passage)));
  const graphCount = manifest.graph.nextLabel;
  const deleted = manifest.graph.deleted + oldPassages.length;
  if (deleted > COMPACT_SHARE * (graphCount + passages.length)) return undefined;

  const hnsw = readGraph(path, manifest);
  const oldByKey = new Map(oldPassages.map(({ label, passage }) => [passage.embeddingKey, label]));
  const { vectors, embedded, resumed, checkpoint } = await vectorsFor(work, passages, articles, (key) => {
    const label = oldByKey.get(key);
    return label === undefined ? undefined : Float32Array.from(hnsw.getPoint(label));
  });
  for (const { label } of oldPassages) hnsw.markDelete(label);
  const needed = graphCount + passages.length;
  if (needed > hnsw.getMaxElements()) hnsw.resizeIndex(Math.max(needed, Math.ceil(hnsw.getMaxElements() * 1.1)));
  let nextLabel = graphCount;
  const labelled = passages.map((passage) => ({ label: nextLabel++, passage }));
  for (const { label, passage } of labelled) hnsw.addPoint(Array.from(vectorOf(vectors, passage)), label);
  hnsw.setEf(Math.max(config.searchEf, 10));

  const passageCount = manifest.passageCount - oldPassages.length + passages.length;
  const changed = changedSince(
    oldPassages.map(({ passage }) => passage),
    passages,
  );
  const oldParsed = [...goneIds, ...changedArticles.map((article) => article.id)]
    .filter((id) => indexed.has(id))
    .map((id) => store.parsed<ParsedEntry>(indexed.get(id) ?? ''))
    .filter((entry): entry is ParsedEntry => entry !== undefined);
  const dropped = droppedByKind(changedArticles, droppedByKind(oldParsed, manifest.dropped, -1));
  const carried = carriedCalibration(manifest.calibration, changed, passageCount);
  let graphFile: Manifest['graph'];
  try {
    graphFile = writeGraph(path, hnsw, { nextLabel, deleted });
  } catch (error) {
    throw indexWriteError(error, config.indexDir);
  }
  const writeManifest = (calibration: IndexCalibration) =>
    store.setMeta(
      'manifest',
      manifestOf(work, {
        articleCount: current.size,
        passageCount,
        corpusHash: corpus.hash,
        dropped,
        calibration,
        graph: graphFile,
      }),
    );
  try {
    // The edit goes live with the calibration it had; when the corpus has drifted too far, the calibration
    // is measured on the edited index and written by a second commit (both states are valid indexes).
    store.transaction(() => {
      for (const id of goneIds) store.removeArticle(id);
      store.removePassages(oldPassages);
      store.addPassages(labelled);
      for (const article of articles) store.putArticle(article);
      store.setFiles(corpus.files);
      const keep = new Set([...corpus.files.values()].map((file) => file.contentHash));
      store.setParsed(parsedEntries(changedArticles), keep);
      writeManifest(
        carried ?? { ...manifest.calibration, changedPassages: (manifest.calibration.changedPassages ?? 0) + changed },
      );
    });
  } catch (error) {
    throw indexWriteError(error, config.indexDir);
  }
  removeStaleVersions(config.indexDir, graphFile.file);
  const calibration = carried ?? (await measureCalibration(work, { passages: store, hnsw }));
  if (!carried) store.transaction(() => writeManifest(calibration));
  checkpoint.remove();
  return {
    passages: passageCount,
    dropped: droppedTotal(dropped),
    embedded,
    resumed,
    reused: passageCount - embedded - resumed,
    bytes: versionBytes(path),
    calibration,
  };
}
