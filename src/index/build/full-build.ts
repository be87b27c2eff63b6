/** A full build: every passage embedded or reused into a new version folder, made live by one rename. */
import type { Corpus } from '../../corpus/read-corpus.js';
import {
  DEFAULT_HNSW,
  buildHnsw,
  readGraph,
  removeStaleVersions,
  writeGraph,
  writeVersion,
  type IndexCalibration,
} from '../store.js';
import { vectorsFor, vectorOf } from './embed.js';
import { parsedEntries } from './parse-cache.js';
import {
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
import type hnswlib from 'hnswlib-node';

/** Every passage embedded or reused into a new version folder, labels 0…n-1. */
export async function fullBuild(work: BuildWork, corpus: Corpus, live: LiveIndex | undefined): Promise<BuildResult> {
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
