/**
 * Question → Answer. Dense retrieval from the HNSW index and BM25 over the same passages, fused with
 * Reciprocal Rank Fusion, optionally re-ranked by a cross-encoder, then the abstain decision, diversity and
 * best-sentence marking. The same Answer object feeds the terminal and Discord.
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
  type IndexedArticle,
  type IndexedPassage,
  type LoadedIndex,
} from '../index/store.js';
import { errorMessage } from '../shared/errors.js';
import { splitSentences } from '../text/sentences.js';
import { calibrationFrom, type Calibration } from './calibration.js';
import { validateQuestion } from './question.js';
import {
  bestSentence,
  decideAbstention,
  diversify,
  orderCandidates,
  relevanceOf,
  type ScoredCandidate,
} from './rank.js';
import { PassageSearch, type RetrieverMode } from '../retrieval/search.js';

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
  /** The same text in other articles (syndicated copies): quoted once, cited for each. */
  alsoIn?: Citation[];
  scores: Omit<ScoredCandidate, 'label'>;
}

export interface Answer {
  question: string;
  /** Nothing in the corpus is near the question: no passages. */
  abstained: boolean;
  /** The passages are the closest the corpus comes and may not answer (shown marked as uncertain). */
  closest: boolean;
  /** Why the bot answered or abstained, in words (shown by --explain). */
  reason: string;
  minRelevance: number;
  /** Where minRelevance came from: the index's calibration or the MIN_RELEVANCE setting. */
  thresholdSource: string;
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
  /**
   * For measuring (`npm run eval`): one retriever alone, ordered by its own score, or plain Reciprocal Rank
   * Fusion of both ('rrf'); default 'hybrid', the bot's ranking.
   */
  ranking?: RankingMode;
  /** For measuring: false quotes the best passages whatever their relevance, never abstaining. */
  threshold?: boolean;
}

export type RankingMode = RetrieverMode | 'rrf';

/**
 * Candidates the cross-encoder scores (the best by relevance), when RERANK_MODEL is set, and how much of each
 * it reads: the best sentence with the ones around it. A cross-encoder's cost grows with pairs × length²; with
 * the default re-ranker's timing twin, 30 whole passages took 520 / 890 ms (p50 / p95) a question.
 */
const RERANK_CANDIDATES = 12;
const RERANK_WINDOW_CHARS = 600;
export const MAX_RESULTS = 15;

/** The passage behind a "Show source" button: it and its neighbours, with the article's citation. */
export interface PassageSource {
  passages: IndexedPassage[];
  citation: Citation;
}

/**
 * What the Discord bot needs from answering, whether the engine runs in this process or in the answering
 * worker (workers/answering/remote-engine.ts). Newer indexes are picked up before each answer.
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

/**
 * What the cross-encoder reads of a passage: its best sentence, then the sentences around it (after first,
 * then before) while they fit in RERANK_WINDOW_CHARS.
 */
export function rerankWindow(text: string, bestSentence: number, maxChars = RERANK_WINDOW_CHARS): string {
  const sentences = splitSentences(text);
  const best = sentences[bestSentence];
  if (!best || text.length <= maxChars) return text;
  let first = bestSentence;
  let last = bestSentence;
  for (let grew = true; grew;) {
    grew = false;
    for (const next of [last + 1, first - 1]) {
      const sentence = sentences[next];
      if (!sentence) continue;
      const start = Math.min(sentences[first]?.start ?? 0, sentence.start);
      const end = Math.max(sentences[last]?.end ?? 0, sentence.end);
      if (end - start > maxChars) continue;
      if (next > last) last = next;
      else first = next;
      grew = true;
    }
  }
  return text.slice(sentences[first]?.start ?? best.start, sentences[last]?.end ?? best.end).slice(0, maxChars);
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

  /** The passages just before and after one, from the same article (for "Show source"). */
  neighbours(id: string, each = 1): IndexedPassage[] {
    const found = this.passage(id);
    return found ? this.neighboursOf(found, each) : [];
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

  private async answerFromIndex(rawQuestion: string, options: AnswerOptions): Promise<Answer> {
    const question = validateQuestion(rawQuestion);
    const limit = options.limit ?? 3;
    const offset = options.offset ?? 0;
    const mode = options.ranking ?? 'hybrid';
    const { passages } = this.index;
    const text = (label: number) => passages.get(label)?.text ?? '';
    const { queryTerms, queryVector, candidates } = await this.search.search(question, {
      retriever: mode === 'rrf' ? 'hybrid' : mode,
    });
    let scored: ScoredCandidate[] = candidates.map((candidate) => ({
      ...candidate,
      relevance: relevanceOf(candidate, this.calibration),
    }));
    if (mode === 'hybrid') {
      scored = orderCandidates(scored);
      if (this.parts.reranker) {
        const top = scored.slice(0, RERANK_CANDIDATES);
        const logits = await this.parts.reranker.score(
          question,
          top.map((candidate) => rerankWindow(text(candidate.label), candidate.sentenceIndex)),
        );
        top.forEach((candidate, i) => (candidate.rerank = logits[i]));
        scored = orderCandidates(
          scored.map((candidate) => ({ ...candidate, relevance: relevanceOf(candidate, this.calibration) })),
        );
      }
    } else {
      const score = (candidate: ScoredCandidate) =>
        mode === 'dense' ? candidate.dense : mode === 'lexical' ? (candidate.lexical ?? 0) : candidate.fused;
      scored = [...scored].sort((a, b) => score(b) - score(a));
    }

    const thresholded = options.threshold !== false;
    const decision = thresholded
      ? decideAbstention(scored, this.calibration)
      : {
          abstained: false,
          closest: false,
          reason: 'threshold switched off (measuring)',
          bestRelevance: scored[0]?.relevance ?? 0,
        };
    const base: Omit<Answer, 'passages' | 'hasMore'> = {
      question,
      abstained: decision.abstained,
      closest: decision.closest,
      reason: decision.reason,
      minRelevance: this.calibration.minRelevance,
      thresholdSource: this.calibration.thresholdSource,
    };
    if (options.explain) {
      base.considered = scored.slice(0, 3).map(({ label, ...scores }) => {
        const passage = passages.get(label);
        return { id: passage?.id ?? '', title: this.articlesById.get(passage?.articleId ?? '')?.title ?? '', scores };
      });
    }
    if (decision.abstained) return { ...base, passages: [], hasMore: false };

    const relevant = scored
      .filter((candidate) => !thresholded || candidate.relevance >= this.calibration.minRelevance)
      .flatMap((candidate) => {
        const passage = passages.get(candidate.label);
        return passage ? [{ ...candidate, articleId: passage.articleId, text: passage.text, passage }] : [];
      });
    const ranked = diversify(relevant).slice(0, MAX_RESULTS);
    const page = ranked.slice(offset, offset + limit);
    const answerPassages: AnswerPassage[] = [];
    for (const [i, candidate] of page.entries()) {
      const { label: _label, articleId: _articleId, text: _text, passage, copies, ...scores } = candidate;
      let marked = bestSentence(passage.text, queryTerms);
      // A passage found by meaning alone shares no term with the question: only then are its sentences
      // embedded, to mark the one closest in meaning.
      if (marked.coverage === 0) {
        const sentences = splitSentences(passage.text).map((sentence) => sentence.text);
        if (sentences.length > 1) {
          const vectors = await this.parts.embedder.embedPassages(sentences, sentences.length);
          marked = bestSentence(
            passage.text,
            queryTerms,
            vectors.map((vector) => cosine(queryVector, vector)),
          );
        }
      }
      answerPassages.push({
        id: passage.id,
        rank: offset + i + 1,
        text: passage.text,
        bestSentence: marked.sentence,
        citation: this.citation(passage),
        ...(copies.length > 0 ? { alsoIn: copies.map((copy) => this.citation(copy.passage)) } : {}),
        scores,
      });
    }
    return { ...base, passages: answerPassages, hasMore: ranked.length > offset + limit };
  }

  async close(): Promise<void> {
    this.index.passages.close();
    await this.parts.embedder.close();
  }
}
