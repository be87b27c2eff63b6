/**
 * A cross-encoder (question and passage read together) that re-scores the best candidates. Slower than
 * vector search, so it only sees the top few dozen; much better at telling a real answer from a passage
 * that merely shares words. Loaded through the same model lookup as the embedding model.
 */
import { AutoModelForSequenceClassification, AutoTokenizer } from '@xenova/transformers';
import { checkModelKind, configureTransformers, explainModelLoadFailure, type ModelLocations } from './load-model.js';

/** Question and passage together must fit the model's input; questions are capped so passages keep room. */
const MAX_QUESTION_TOKENS = 64;

interface Tokenizer {
  (texts: string[], options: { text_pair: string[]; padding: boolean; truncation: boolean }): Record<string, unknown>;
  encode(text: string, textPair?: string | null, options?: { add_special_tokens?: boolean }): number[];
  model_max_length: number;
}
type Classifier = (inputs: Record<string, unknown>) => Promise<{ logits: { data: Float32Array; dims: number[] } }>;

export interface PassageScorer {
  /** One logit per passage: higher means more likely to answer the question. */
  score(question: string, passages: string[]): Promise<number[]>;
}

export class CrossEncoder implements PassageScorer {
  private constructor(
    readonly modelId: string,
    private readonly tokenizer: Tokenizer,
    private readonly model: Classifier,
  ) {}

  static async load(modelId: string, locations: ModelLocations): Promise<CrossEncoder> {
    checkModelKind('RERANK_MODEL', modelId, locations);
    configureTransformers(locations, modelId);
    try {
      // transformers.js 2.x types these loosely (JSDoc); the shapes used are declared above.
      const tokenizer = (await AutoTokenizer.from_pretrained(modelId)) as unknown as Tokenizer;
      const model = (await AutoModelForSequenceClassification.from_pretrained(modelId, {
        quantized: true,
      })) as unknown as Classifier;
      return new CrossEncoder(modelId, tokenizer, model);
    } catch (error) {
      checkModelKind('RERANK_MODEL', modelId, locations);
      throw explainModelLoadFailure('re-ranking', modelId, locations, error);
    }
  }

  tokenCount(text: string): number {
    return this.tokenizer.encode(text, null, { add_special_tokens: false }).length;
  }

  /** Shortens text word by word until it has at most `budget` tokens. */
  private fit(text: string, budget: number): string {
    let fitted = text;
    for (let attempt = 0; attempt < 8; attempt++) {
      const count = this.tokenCount(fitted);
      if (count <= budget) return fitted;
      const words = fitted.split(/\s+/);
      fitted = words.slice(0, Math.max(1, Math.floor((words.length * budget) / count) - 1)).join(' ');
    }
    return fitted;
  }

  /** The pair as the model will see it: [CLS] question [SEP] passage [SEP] within model_max_length. */
  fitPair(question: string, passage: string): [string, string] {
    const maxTokens = Math.min(this.tokenizer.model_max_length || 512, 512);
    const fittedQuestion = this.fit(question, MAX_QUESTION_TOKENS);
    return [fittedQuestion, this.fit(passage, maxTokens - 3 - this.tokenCount(fittedQuestion))];
  }

  async score(question: string, passages: string[]): Promise<number[]> {
    if (passages.length === 0) return [];
    const pairs = passages.map((passage) => this.fitPair(question, passage));
    const inputs = this.tokenizer(
      pairs.map(([q]) => q),
      { text_pair: pairs.map(([, p]) => p), padding: true, truncation: true },
    );
    const { logits } = await this.model(inputs);
    const perRow = logits.dims[1] ?? 1;
    // Single-logit models score relevance directly; two-label ones use the "relevant" (last) logit.
    return passages.map((_, row) => logits.data[row * perRow + perRow - 1] ?? 0);
  }
}
