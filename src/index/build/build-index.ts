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
import type { Config } from '../../config/config.js';
import { readCorpus, type Corpus } from '../../corpus/read-corpus.js';
import { InProcessEmbedder } from '../../embedding/embedder.js';
import { modelFingerprint } from '../../embedding/load-model.js';
import { resolveEmbeddingSpec, type EmbeddingSpec } from '../../embedding/model-spec.js';
import type { Logger } from '../../logging/logger.js';
import { UserError, errorMessage } from '../../shared/errors.js';
import type { PassageStore } from '../passage-store.js';
import {
  acquireIndexLock,
  checkCompatible,
  filesIntact,
  IndexLockedError,
  openLiveStore,
  hasStaleVersions,
  removeStaleVersions,
  versionBytes,
} from '../store.js';
import { editInPlace } from './edit-in-place.js';
import { fullBuild } from './full-build.js';
import { parseCacheOf } from './parse-cache.js';
import {
  calibrationStale,
  pipelineOf,
  type IndexSummary,
  type BuildIndexOptions,
  droppedTotal,
  type LiveIndex,
  type BuildWork,
  type BuildResult,
} from './plan.js';

export type { BuildIndexOptions, IndexCalibrator, IndexSummary } from './plan.js';

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

/**
 * The live index, and whether its vectors can be reused with these settings (same model files). Its parse
 * results are reused in any case: they do not depend on the model.
 */
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

/**
 * What an interrupted run left (a half-written version, an unused graph) is cleared even when the corpus
 * is unchanged, but only if the lock is free and the folder writable: a current index is never a reason to
 * fail or to wait.
 */
function clearLeftovers(indexDir: string, liveGraph: string, logger: Logger): void {
  if (!hasStaleVersions(indexDir, liveGraph)) return;
  let release: (() => void) | undefined;
  try {
    release = acquireIndexLock(indexDir);
    removeStaleVersions(indexDir, liveGraph);
  } catch (error) {
    logger.debug(
      { index: indexDir, error: errorMessage(error) },
      'could not clear what an interrupted run left; the next build will',
    );
  } finally {
    release?.();
  }
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
      clearLeftovers(config.indexDir, live.manifest.graph.file, logger);
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
