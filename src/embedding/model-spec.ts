/**
 * How each embedding model wants to be used. Retrieval models differ in pooling and in the text they expect
 * before questions and passages; getting these wrong silently costs a lot of recall, so known models are
 * set up here and settings override the table for others.
 */
import type { Config, Pooling } from '../config/config.js';
import { ownValue } from '../shared/own-value.js';

export interface EmbeddingSpec {
  modelId: string;
  pooling: Pooling;
  /** All known models are trained for cosine similarity on normalised vectors; the index relies on it. */
  normalize: true;
  queryPrefix: string;
  passagePrefix: string;
}

type KnownModel = Omit<EmbeddingSpec, 'modelId' | 'normalize'>;

const BGE_QUERY = 'Represent this sentence for searching relevant passages: ';

export const KNOWN_EMBEDDING_MODELS: Record<string, KnownModel> = {
  'Xenova/bge-small-en-v1.5': { pooling: 'cls', queryPrefix: BGE_QUERY, passagePrefix: '' },
  'Xenova/bge-base-en-v1.5': { pooling: 'cls', queryPrefix: BGE_QUERY, passagePrefix: '' },
  'Xenova/all-MiniLM-L6-v2': { pooling: 'mean', queryPrefix: '', passagePrefix: '' },
  'Xenova/all-MiniLM-L12-v2': { pooling: 'mean', queryPrefix: '', passagePrefix: '' },
  'Xenova/e5-small-v2': { pooling: 'mean', queryPrefix: 'query: ', passagePrefix: 'passage: ' },
  'Xenova/e5-base-v2': { pooling: 'mean', queryPrefix: 'query: ', passagePrefix: 'passage: ' },
  'Xenova/gte-small': { pooling: 'mean', queryPrefix: '', passagePrefix: '' },
  'test-embedder': { pooling: 'mean', queryPrefix: '', passagePrefix: '' },
  'test-embedder-shifted': { pooling: 'mean', queryPrefix: '', passagePrefix: '' },
};

export function resolveEmbeddingSpec(
  config: Pick<Config, 'embeddingModel' | 'embeddingPooling' | 'embeddingQueryPrefix' | 'embeddingPassagePrefix'>,
): EmbeddingSpec {
  const known = ownValue(KNOWN_EMBEDDING_MODELS, config.embeddingModel);
  return {
    modelId: config.embeddingModel,
    pooling: config.embeddingPooling ?? known?.pooling ?? 'mean',
    normalize: true,
    queryPrefix: config.embeddingQueryPrefix ?? known?.queryPrefix ?? '',
    passagePrefix: config.embeddingPassagePrefix ?? known?.passagePrefix ?? '',
  };
}
