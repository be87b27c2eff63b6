/**
 * Question → Answer, on the live index: retrieval (dense and BM25, retrieval/search.ts), relevance and order
 * (rank.ts), the optional cross-encoder (rerank.ts), the abstain decision, diversity and best-sentence
 * marking. The engine owns the index's lifecycle too: a newer index on disk is loaded before an answer.
 */
import type { Config } from '../config/config.js';
import { InProcessEmbedder, cosine, type TextEmbedder } from '../embedding/embedder.js';
import { resolveEmbeddingSpec } from '../embedding/model-spec.js';
import { CrossEncoder, type PassageScorer } from '../embedding/reranker.js';
import {
  checkCompatible,
  checkModel,
  currentVersion,
  damaged,
  loadIndex,
  readManifest,
  versionOf,
  type Manifest,
  type IndexCalibration,
  type IndexedArticle,
  type IndexedPassage,
  type LoadedIndex,
} from '../index/store.js';
import { errorMessage } from '../shared/errors.js';
import { splitSentences } from '../text/sentences.js';
import { calibrationFrom, type Calibration } from './calibration.js';
import { validateQuestion } from './question.js';
import {
  MAX_RESULTS,
  citationOf,
  type Answer,
  type AnswerOptions,
  type AnswerPassage,
  type AnswerService,
  type Citation,
  type PassageSource,
} from './answer.js';
import {
  bestSentence,
  decideAbstention,
  diversify,
  orderCandidates,
  relevanceOf,
  type ScoredCandidate,
} from './rank.js';
import { rerankCandidates } from './rerank.js';
import type { QueryTerm } from '../retrieval/query-terms.js';
import { PassageSearch, type RetrieverMode } from '../retrieval/search.js';

/** A question's candidates, scored; see AnswerEngine.rank. */
export interface Ranking {
  question: string;
  queryTerms: QueryTerm[];
  /** Names in the question that no article mentions: the corpus cannot answer it. */
  unknownNames: string[];
  queryVector: Float32Array;
  scored: ScoredCandidate[];
}

/** A candidate with its passage, and the copies of it in other articles that diversify folded into it. */
type WithPassage = ScoredCandidate & { articleId: string; text: string; passage: IndexedPassage };
export type QuotableCandidate = WithPassage & { copies: WithPassage[] };

export interface EngineParts {
  embedder: TextEmbedder;
  reranker?: PassageScorer;
}

export class AnswerEngine implements AnswerService {
  private index!: LoadedIndex;
  private search!: PassageSearch;
  private articlesById = new Map<string, IndexedArticle>();
  private calibration!: Calibration;

  private constructor(
    private readonly config: Config,
    private readonly parts: EngineParts,
  ) {
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
    try {
      checkModel(index.manifest, this.parts.embedder, index.path);
    } catch (error) {
      index.passages.close();
      throw error;
    }
    const previous = this.index as LoadedIndex | undefined;
    this.articlesById = new Map(index.articles.map((article) => [article.id, article]));
    this.search = new PassageSearch(index, this.parts.embedder);
    this.calibration = calibrationFrom(index.manifest.calibration, this.config);
    this.index = index;
    previous?.passages.close();
  }

  /**
   * The version live on disk: a new folder (a full build) or, in the same folder, a new graph file (an edit
   * committed in place, read from the store this engine holds open).
   */
  private liveVersion(): string | undefined {
    const folder = currentVersion(this.config.indexDir);
    if (folder === undefined || !this.index.version.startsWith(`${folder}/`)) return folder;
    const manifest = this.index.passages.getMeta<Manifest>('manifest');
    return manifest ? versionOf(folder, manifest) : folder;
  }

  /** Loads a newer index if `npm run index` has written one; true when it did. */
  reloadIfChanged(): boolean {
    if (this.liveVersion() === this.index.version) return false;
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

  /** What the index build measured (the null distributions the thresholds come from). */
  get indexCalibration(): IndexCalibration {
    return this.index.manifest.calibration;
  }

  /** The verbatim text of the passage with this label ('' when there is none). */
  passageText(label: number): string {
    return this.index.passages.get(label)?.text ?? '';
  }

  passage(id: string): { passage: IndexedPassage; label: number } | undefined {
    return this.index.passages.byId(id);
  }

  async listArticles(): Promise<IndexedArticle[]> {
    this.reloadIfChanged();
    return this.index.articles;
  }

  async source(passageId: string): Promise<PassageSource | undefined> {
    const found = this.passage(passageId);
    return found ? { passages: this.neighboursOf(found), citation: this.citation(found.passage) } : undefined;
  }

  private neighboursOf({ passage, label }: { passage: IndexedPassage; label: number }, each = 1): IndexedPassage[] {
    const article = this.index.passages.ofArticle(passage.articleId);
    const position = article.findIndex((entry) => entry.label === label);
    return article.slice(Math.max(0, position - each), position + each + 1).map((entry) => entry.passage);
  }

  citation(passage: IndexedPassage): Citation {
    return citationOf(passage, this.articlesById.get(passage.articleId));
  }

  async answer(rawQuestion: string, options: AnswerOptions = {}): Promise<Answer> {
    try {
      return await this.answerFromIndex(rawQuestion, options);
    } catch (error) {
      // A page of the store damaged after it was loaded: say so, and what to run, not SQLite's words.
      if ((error as { code?: string }).code === 'SQLITE_CORRUPT') {
        throw damaged(this.index.path, `index.sqlite: ${errorMessage(error)}`);
      }
      throw error;
    }
  }

  /**
   * The question's candidates with their relevance: found by `retriever` (the bot: 'hybrid', both), in the
   * bot's order (and re-ranked) for 'hybrid', as found otherwise. Evaluation orders them its own ways.
   */
  async rank(rawQuestion: string, retriever: RetrieverMode = 'hybrid'): Promise<Ranking> {
    const question = validateQuestion(rawQuestion);
    const { queryTerms, unknownNames, queryVector, candidates } = await this.search.search(question, { retriever });
    const scored = candidates.map((candidate) => ({
      ...candidate,
      relevance: relevanceOf(candidate, this.calibration),
    }));
    if (retriever !== 'hybrid') return { question, queryTerms, unknownNames, queryVector, scored };
    const ordered = orderCandidates(scored);
    const text = (label: number) => this.index.passages.get(label)?.text ?? '';
    return {
      question,
      queryTerms,
      unknownNames,
      queryVector,
      scored: this.parts.reranker
        ? await rerankCandidates(question, ordered, this.parts.reranker, text, this.calibration)
        : ordered,
    };
  }

  /** Candidates with their passages, copies folded together (diversify), at most MAX_RESULTS. */
  quotable(ordered: ScoredCandidate[]): QuotableCandidate[] {
    const { passages } = this.index;
    const withText = ordered.flatMap((candidate) => {
      const passage = passages.get(candidate.label);
      return passage ? [{ ...candidate, articleId: passage.articleId, text: passage.text, passage }] : [];
    });
    return diversify(withText).slice(0, MAX_RESULTS);
  }

  private async answerFromIndex(rawQuestion: string, options: AnswerOptions): Promise<Answer> {
    const limit = options.limit ?? 3;
    const offset = options.offset ?? 0;
    const { question, queryTerms, unknownNames, queryVector, scored } = await this.rank(rawQuestion);
    const decision = decideAbstention(scored, this.calibration, unknownNames);
    const base: Omit<Answer, 'passages' | 'hasMore'> = {
      question,
      abstained: decision.abstained,
      closest: decision.closest,
      reason: decision.reason,
      ...(unknownNames.length > 0 ? { unknownNames } : {}),
      minRelevance: this.calibration.minRelevance,
      thresholdSource: this.calibration.thresholdSource,
    };
    if (options.explain) {
      base.considered = scored.slice(0, 3).map(({ label, ...scores }) => {
        const passage = this.index.passages.get(label);
        return { id: passage?.id ?? '', title: this.articlesById.get(passage?.articleId ?? '')?.title ?? '', scores };
      });
    }
    if (decision.abstained) return { ...base, passages: [], hasMore: false };

    const ranked = this.quotable(scored.filter((candidate) => candidate.relevance >= this.calibration.minRelevance));
    const page = ranked.slice(offset, offset + limit);
    const answerPassages: AnswerPassage[] = [];
    for (const [i, candidate] of page.entries()) {
      const { label: _label, articleId: _articleId, text: _text, passage, copies, ...scores } = candidate;
      answerPassages.push({
        id: passage.id,
        rank: offset + i + 1,
        text: passage.text,
        bestSentence: await this.markedSentence(passage.text, queryTerms, queryVector),
        citation: this.citation(passage),
        ...(copies.length > 0 ? { alsoIn: copies.map((copy) => this.citation(copy.passage)) } : {}),
        scores,
      });
    }
    return { ...base, passages: answerPassages, hasMore: ranked.length > offset + limit };
  }

  /**
   * The sentence to mark. A passage found by meaning alone shares no term with the question: only then are
   * its sentences embedded, to mark the one closest in meaning.
   */
  private async markedSentence(
    text: string,
    queryTerms: QueryTerm[],
    queryVector: Float32Array,
  ): Promise<AnswerPassage['bestSentence']> {
    const marked = bestSentence(text, queryTerms);
    if (marked.coverage > 0) return marked.sentence;
    const sentences = splitSentences(text).map((sentence) => sentence.text);
    if (sentences.length <= 1) return marked.sentence;
    const vectors = await this.parts.embedder.embedPassages(sentences, sentences.length);
    return bestSentence(
      text,
      queryTerms,
      vectors.map((vector) => cosine(queryVector, vector)),
    ).sentence;
  }

  async close(): Promise<void> {
    this.index.passages.close();
    await this.parts.embedder.close();
  }
}
