/**
 * Question → Answer. Dense retrieval from the HNSW index and BM25 over the same passages, fused with
 * Reciprocal Rank Fusion, optionally re-ranked by a cross-encoder, then the abstain decision, diversity and
 * best-sentence marking. The same Answer object feeds the terminal and Discord.
 */
import type { Config } from '../config/config.js';
import { embeddedText } from '../vector-index/build-index.js';
import { InProcessEmbedder, cosine, type TextEmbedder } from '../embedding/embedder.js';
import { resolveEmbeddingSpec } from '../embedding/model-spec.js';
import { CrossEncoder, type PassageScorer } from '../embedding/reranker.js';
import {
  checkCompatible,
  checkModel,
  currentVersion,
  loadIndex,
  readManifest,
  type IndexedArticle,
  type IndexedPassage,
  type LoadedIndex,
} from '../vector-index/store.js';
import { splitSentences } from '../text/sentences.js';
import { terms } from '../text/terms.js';
import { calibrationFor, type Calibration } from './calibration.js';
import { reciprocalRankFusion } from './fusion.js';
import { LexicalIndex, coverage } from './lexical.js';
import { validateQuestion } from './question.js';
import {
  bestSentence,
  decideAbstention,
  diversify,
  orderCandidates,
  relevanceOf,
  type CandidateSignals,
  type ScoredCandidate,
} from './rank.js';

export interface Citation {
  articleId: string;
  title: string;
  author?: string;
  publication?: string;
  url?: string;
  date?: string;
  paragraphStart: number;
  paragraphEnd: number;
  part?: { index: number; of: number };
}

export interface AnswerPassage {
  id: string;
  /** 1-based position in the full ranked answer (not just this page). */
  rank: number;
  /** Verbatim article text. */
  text: string;
  /** The sentence that best answers the question, with its offsets in `text`. */
  bestSentence: { text: string; start: number; end: number };
  citation: Citation;
  scores: Omit<ScoredCandidate, 'label'>;
}

export interface Answer {
  question: string;
  abstained: boolean;
  /** Why the bot answered or abstained, in words (shown by --explain). */
  reason: string;
  minRelevance: number;
  passages: AnswerPassage[];
  /** Further relevant passages exist after this page. */
  hasMore: boolean;
  /** With `explain`: the best candidates whatever their relevance, to show why the bot decided as it did. */
  considered?: { id: string; title: string; scores: Omit<ScoredCandidate, 'label'> }[];
}

export interface AnswerOptions {
  /** Passages per page (default 3). */
  limit?: number;
  /** Passages to skip (for "More results"). */
  offset?: number;
  /** Include the top candidates and their signals, answered or not. */
  explain?: boolean;
}

/** Candidates taken from each retriever; the cross-encoder sees the best RERANK_CANDIDATES of their fusion. */
const DENSE_CANDIDATES = 40;
const LEXICAL_CANDIDATES = 40;
const RERANK_CANDIDATES = 30;
/** Candidates whose sentences are embedded one by one (one model call for all of them). */
const SENTENCE_CANDIDATES = 20;
/** Relevance is judged among this many top-ranked candidates. */
const JUDGED_CANDIDATES = 10;
export const MAX_RESULTS = 15;

/** The passage behind a "Show source" button: it and its neighbours, with the article's citation. */
export interface PassageSource {
  passages: IndexedPassage[];
  citation: Citation;
}

/**
 * What the Discord bot needs from answering, whether the engine runs in this process or in the answering
 * worker (answering/remote-engine.ts). Newer indexes are picked up before each answer.
 */
export interface AnswerService {
  answer(question: string, options?: AnswerOptions): Promise<Answer>;
  listArticles(): Promise<IndexedArticle[]>;
  source(passageId: string): Promise<PassageSource | undefined>;
  close(): Promise<void>;
}

export interface EngineParts {
  embedder: TextEmbedder;
  reranker?: PassageScorer;
}

function citationOf(passage: IndexedPassage, article: IndexedArticle | undefined): Citation {
  const citation: Citation = {
    articleId: passage.articleId,
    title: article?.title ?? passage.articleId,
    paragraphStart: passage.paragraphStart,
    paragraphEnd: passage.paragraphEnd,
  };
  for (const key of ['author', 'publication', 'url', 'date'] as const) {
    const value = article?.[key];
    if (value) citation[key] = value;
  }
  if (passage.part) citation.part = passage.part;
  return citation;
}

export class AnswerEngine implements AnswerService {
  private index!: LoadedIndex;
  private lexical!: LexicalIndex;
  private articlesById = new Map<string, IndexedArticle>();
  private readonly calibration: Calibration;

  private constructor(
    private readonly config: Config,
    private readonly parts: EngineParts,
  ) {
    this.calibration = calibrationFor(parts.embedder.spec.modelId, config.minRelevance);
    this.load();
  }

  /** Loads the models (unless given) and the index; throws a UserError when either cannot be had. */
  static async open(config: Config, parts: Partial<EngineParts> = {}): Promise<AnswerEngine> {
    const spec = resolveEmbeddingSpec(config);
    // Check the index first: a missing index is a quicker, clearer message than a model download.
    // The manifest is enough for that; the index itself is loaded once, below.
    const { manifest, path } = readManifest(config.indexDir);
    checkCompatible(manifest, spec, path);
    const embedder = parts.embedder ?? (await InProcessEmbedder.load(spec, config));
    const reranker =
      parts.reranker ?? (config.rerankModel ? await CrossEncoder.load(config.rerankModel, config) : undefined);
    return new AnswerEngine(config, { embedder, ...(reranker ? { reranker } : {}) });
  }

  private load(): void {
    const index = loadIndex(this.config.indexDir, this.parts.embedder.spec, this.config.searchEf);
    checkModel(index.manifest, this.parts.embedder, index.path);
    this.articlesById = new Map(index.articles.map((article) => [article.id, article]));
    this.lexical = new LexicalIndex(
      index.passages.map((passage, label) => ({
        label,
        text: embeddedText(this.articlesById.get(passage.articleId) ?? { title: '' }, passage.text),
      })),
    );
    this.index = index;
  }

  /** Loads a newer index if `npm run index` has written one; true when it did. */
  reloadIfChanged(): boolean {
    if (currentVersion(this.config.indexDir) === this.index.version) return false;
    this.load();
    return true;
  }

  get indexVersion(): string {
    return this.index.version;
  }

  get articles(): IndexedArticle[] {
    return this.index.articles;
  }

  get calibrationInUse(): Calibration {
    return this.calibration;
  }

  passage(id: string): { passage: IndexedPassage; label: number } | undefined {
    const label = this.index.passages.findIndex((passage) => passage.id === id);
    const passage = this.index.passages[label];
    return passage ? { passage, label } : undefined;
  }

  async listArticles(): Promise<IndexedArticle[]> {
    this.reloadIfChanged();
    return this.index.articles;
  }

  async source(passageId: string): Promise<PassageSource | undefined> {
    const found = this.passage(passageId);
    return found ? { passages: this.neighboursOf(found), citation: this.citation(found.passage) } : undefined;
  }

  /** The passages just before and after one, from the same article (for "Show source"). */
  neighbours(id: string, each = 1): IndexedPassage[] {
    const found = this.passage(id);
    return found ? this.neighboursOf(found, each) : [];
  }

  private neighboursOf({ passage, label }: { passage: IndexedPassage; label: number }, each = 1): IndexedPassage[] {
    return this.index.passages
      .slice(Math.max(0, label - each), label + each + 1)
      .filter((candidate) => candidate.articleId === passage.articleId);
  }

  citation(passage: IndexedPassage): Citation {
    return citationOf(passage, this.articlesById.get(passage.articleId));
  }

  private vectorOf(label: number): Float32Array {
    return Float32Array.from(this.index.hnsw.getPoint(label));
  }

  async answer(rawQuestion: string, options: AnswerOptions = {}): Promise<Answer> {
    const question = validateQuestion(rawQuestion);
    const limit = options.limit ?? 3;
    const offset = options.offset ?? 0;
    const { passages, hnsw } = this.index;
    const questionTerms = terms(question);
    const queryVector = await this.parts.embedder.embedQuery(question);

    const denseK = Math.min(passages.length, DENSE_CANDIDATES);
    const dense = denseK > 0 ? hnsw.searchKnn(Array.from(queryVector), denseK) : { neighbors: [], distances: [] };
    const lexical = this.lexical.query(question, LEXICAL_CANDIDATES);
    const fused = reciprocalRankFusion([dense.neighbors, lexical.map((hit) => hit.label)]);

    const idf = (term: string) => this.lexical.idf(term);
    const signals: CandidateSignals[] = [...fused.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([label, fusedScore]) => {
        const denseRank = dense.neighbors.indexOf(label);
        const lexicalRank = lexical.findIndex((hit) => hit.label === label);
        const passage = passages[label];
        const article = passage ? this.articlesById.get(passage.articleId) : undefined;
        return {
          label,
          dense: denseRank >= 0 ? 1 - (dense.distances[denseRank] ?? 1) : cosine(queryVector, this.vectorOf(label)),
          denseRank: denseRank >= 0 ? denseRank + 1 : undefined,
          lexical: lexicalRank >= 0 ? lexical[lexicalRank]?.score : undefined,
          lexicalRank: lexicalRank >= 0 ? lexicalRank + 1 : undefined,
          fused: fusedScore,
          coverage: coverage(questionTerms, embeddedText(article ?? { title: '' }, passage?.text ?? ''), idf),
          sentence: undefined,
          rerank: undefined,
        };
      });

    const sentenceCosines = await this.sentenceCosines(
      signals.slice(0, SENTENCE_CANDIDATES).map((candidate) => candidate.label),
      queryVector,
    );
    for (const candidate of signals) {
      const cosines = sentenceCosines.get(candidate.label);
      if (cosines && cosines.length > 0) candidate.sentence = Math.max(...cosines);
    }

    if (this.parts.reranker) {
      const top = signals.slice(0, RERANK_CANDIDATES);
      const logits = await this.parts.reranker.score(
        question,
        top.map((candidate) => passages[candidate.label]?.text ?? ''),
      );
      top.forEach((candidate, i) => (candidate.rerank = logits[i]));
    }

    const scored = orderCandidates(
      signals.map((candidate) => ({ ...candidate, relevance: relevanceOf(candidate, this.calibration) })),
    );
    const decision = decideAbstention(scored.slice(0, JUDGED_CANDIDATES), this.calibration);
    const base: Omit<Answer, 'passages' | 'hasMore'> = {
      question,
      abstained: decision.abstained,
      reason: decision.reason,
      minRelevance: this.calibration.minRelevance,
    };
    if (options.explain) {
      base.considered = scored.slice(0, 3).map(({ label, ...scores }) => {
        const passage = passages[label];
        return { id: passage?.id ?? '', title: this.articlesById.get(passage?.articleId ?? '')?.title ?? '', scores };
      });
    }
    if (decision.abstained) return { ...base, passages: [], hasMore: false };

    const relevant = scored
      .filter((candidate) => candidate.relevance >= this.calibration.minRelevance)
      .map((candidate) => ({
        ...candidate,
        articleId: passages[candidate.label]?.articleId ?? '',
        text: passages[candidate.label]?.text ?? '',
      }));
    const ranked = diversify(relevant).slice(0, MAX_RESULTS);
    const page = ranked.slice(offset, offset + limit);
    const answerPassages = await Promise.all(
      page.map(async (candidate, i) => {
        const passage = passages[candidate.label] as IndexedPassage;
        const { label: _label, articleId: _articleId, text: _text, ...scores } = candidate;
        return {
          id: passage.id,
          rank: offset + i + 1,
          text: passage.text,
          bestSentence: bestSentence(
            passage.text,
            questionTerms,
            idf,
            sentenceCosines.get(candidate.label) ??
              (await this.sentenceCosines([candidate.label], queryVector)).get(candidate.label),
          ),
          citation: this.citation(passage),
          scores,
        };
      }),
    );
    return { ...base, passages: answerPassages, hasMore: ranked.length > offset + limit };
  }

  /** Cosine of the question with each sentence of each passage, embedded in one batch. */
  private async sentenceCosines(labels: number[], queryVector: Float32Array): Promise<Map<number, number[]>> {
    const sentenceLists = labels.map((label) =>
      splitSentences(this.index.passages[label]?.text ?? '').map((s) => s.text),
    );
    const vectors = await this.parts.embedder.embedPassages(sentenceLists.flat(), 32);
    const result = new Map<number, number[]>();
    let at = 0;
    labels.forEach((label, i) => {
      const count = sentenceLists[i]?.length ?? 0;
      result.set(
        label,
        vectors.slice(at, at + count).map((vector) => cosine(queryVector, vector)),
      );
      at += count;
    });
    return result;
  }

  async close(): Promise<void> {
    await this.parts.embedder.close();
  }
}
