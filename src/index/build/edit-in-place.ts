/**
 * An edit in place: only the changed articles' rows and graph points change, in the live folder, committed by
 * one transaction (store.ts); undefined when the graph would hold too many removed points (then a full build).
 */
import type { Corpus, ParsedEntry } from '../../corpus/read-corpus.js';
import {
  indexWriteError,
  readGraph,
  removeStaleVersions,
  versionBytes,
  writeGraph,
  type IndexCalibration,
  type IndexedPassage,
  type Manifest,
} from '../store.js';
import { vectorsFor, vectorOf } from './embed.js';
import { parsedEntries } from './parse-cache.js';
import {
  COMPACT_SHARE,
  changedSince,
  passagesOf,
  droppedByKind,
  droppedTotal,
  type LiveIndex,
  type BuildWork,
  type BuildResult,
  manifestOf,
  carriedCalibration,
  measureCalibration,
} from './plan.js';

/**
 * Applies the corpus's changes to the live index in place: the passages that changed or whose article is gone
 * are marked deleted in the graph and removed from the store, the new ones added under new labels. Undefined
 * (and nothing written) when the graph would hold too many deleted points: then a full build compacts it.
 */
export async function editInPlace(work: BuildWork, live: LiveIndex, corpus: Corpus): Promise<BuildResult | undefined> {
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
