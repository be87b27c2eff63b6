/**
 * Vectors for a build's passages: reused from the previous index by embedding key, resumed from the
 * checkpoint of an interrupted run, or embedded now and checkpointed as they are made.
 */
import type { IndexedArticle, IndexedPassage } from '../store.js';
import { embeddedText, type BuildWork } from './plan.js';
import { VectorCheckpoint } from './vector-checkpoint.js';

/**
 * Vectors for passages: taken from `reuse` (the previous index's, by embedding key), from the checkpoint of
 * an interrupted run, or embedded now (and checkpointed as they are made).
 */
export async function vectorsFor(
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

export function vectorOf(vectors: Map<string, Float32Array>, passage: IndexedPassage): Float32Array {
  const vector = vectors.get(passage.embeddingKey);
  if (!vector) throw new Error(`No vector for passage ${passage.id}`);
  return vector;
}
