/**
 * Question → candidate passages with every signal ranking needs. Two retrievers find candidates: the HNSW
 * index (the question's vector) and BM25 over the passages' text (the question's analysed terms, with the
 * corpus's acronyms and word variants); each candidate then gets its dense cosine, BM25 score, the Reciprocal
 * Rank Fusion of both ranks and its term coverage, whole and for its best sentence. No model runs here except
 * for the question's one vector: everything else is arithmetic on what the index holds.
 *
 * Used by the answer engine and, at index time, by calibration (which leaves one article out at a time).
 */
import type hnswlib from 'hnswlib-node';
import type { TextEmbedder } from '../embedding/embedder.js';
import { cosine } from '../embedding/embedder.js';
import { splitSentences } from '../text/sentences.js';
import { plainQuestion } from '../text/chat.js';
import { terms } from '../text/terms.js';
import { isAuthorNote } from '../corpus/article.js';
import type { IndexedArticle, PassageStore } from '../index/passage-store.js';
import { reciprocalRankFusion } from './fusion.js';
import { LexicalIndex } from './lexical.js';
import {
  analyseQuestion,
  respelled,
  termCoverage,
  unknownNames,
  type Corrections,
  type QueryTerm,
} from './query-terms.js';

/** Candidates taken from each retriever. */
export interface CandidateSignals {
  label: number;
  /** Cosine between question and passage vectors. */
  dense: number;
  /** The highest cosine among the candidates from the same article. */
  articleDense: number;
  denseRank: number | undefined;
  /** BM25 score and rank, when BM25 found the passage. */
  lexical: number | undefined;
  lexicalRank: number | undefined;
  /** Reciprocal Rank Fusion of the two ranks: which candidates come first when relevance ties. */
  fused: number;
  /** Share of the question's weighted terms the passage (with its article's headline, byline and note about the writer) holds. */
  coverage: number;
  /** The same for the passage's best sentence, and that sentence's position among the passage's sentences. */
  sentenceCoverage: number;
  sentenceIndex: number;
  /** Cross-encoder logit, when a re-ranker ran on this candidate. */
  rerank: number | undefined;
}

/** The sentence of a passage whose terms cover most of the question; the first one when none covers any. */
export function bestSentenceByTerms(
  sentenceTerms: Set<string>[],
  queryTerms: QueryTerm[],
): { index: number; coverage: number } {
  let best = { index: 0, coverage: 0 };
  sentenceTerms.forEach((present, index) => {
    const coverage = termCoverage(queryTerms, present);
    if (coverage > best.coverage) best = { index, coverage };
  });
  return best;
}

/** Question terms, in question order, that a sentence holds in the same order within a few words: 2 per pair. */
export function orderedPairs(sentenceTerms: string[], queryTerms: QueryTerm[], window = 3): number {
  let pairs = 0;
  for (let i = 0; i + 1 < queryTerms.length; i++) {
    const first = new Set(queryTerms[i]?.forms);
    const second = new Set(queryTerms[i + 1]?.forms);
    const found = sentenceTerms.some(
      (term, at) => first.has(term) && sentenceTerms.slice(at + 1, at + 1 + window).some((next) => second.has(next)),
    );
    if (found) pairs++;
  }
  return pairs;
}

export const DENSE_CANDIDATES = 40;
export const LEXICAL_CANDIDATES = 40;

/** Which retrievers supply candidates: both (the bot), or one alone (to measure it, as `eval` does). */
export type RetrieverMode = 'hybrid' | 'dense' | 'lexical';

export interface SearchOptions {
  retriever?: RetrieverMode;
  /** Leave this article's passages out (calibration's near-topic questions). */
  excludeArticle?: string;
}

export interface SearchResult {
  queryTerms: QueryTerm[];
  /** Names in the question that no article mentions (query-terms.ts, unknownNames). */
  unknownNames: string[];
  queryVector: Float32Array;
  /** In fused order (RRF of the ranks), not yet by relevance. */
  candidates: CandidateSignals[];
}

export interface SearchableIndex {
  passages: PassageStore;
  hnsw: hnswlib.HierarchicalNSW;
}

/** How far from an article's end a note about its writer is looked for, in passages. */
const AUTHOR_NOTE_SPAN = 3;

/** Terms of recently seen passages, whole and by sentence: computing them is most of a question's CPU time. */
const SENTENCE_CACHE_SIZE = 20_000;

interface PassageTerms {
  passage: Set<string>;
  sentences: Set<string>[];
}

export class PassageSearch {
  readonly lexical: LexicalIndex;
  private readonly termsCache = new Map<number, PassageTerms>();
  private readonly headlines = new Map<string, Set<string>>();
  private allHeadlineTerms: Set<string> | undefined;

  constructor(
    private readonly index: SearchableIndex,
    private readonly embedder: Pick<TextEmbedder, 'embedQuery'>,
  ) {
    this.lexical = new LexicalIndex(index.passages, index.passages.count);
  }

  get passages(): PassageStore {
    return this.index.passages;
  }

  /** The passages nearest a vector in the graph, with their cosines. */
  nearestPassages(vector: Float32Array, count: number): { label: number; cosine: number }[] {
    const k = Math.min(count, this.lexical.size);
    if (k === 0) return [];
    const { neighbors, distances } = this.index.hnsw.searchKnn(Array.from(vector), k);
    return neighbors.map((label, i) => ({ label, cosine: 1 - (distances[i] ?? 1) }));
  }

  vectorOf(label: number): Float32Array {
    return Float32Array.from(this.index.hnsw.getPoint(label));
  }

  /**
   * Labels are never reused (an edited passage gets a new one), so a cached entry stays right across edits;
   * undefined when the passage was removed since the graph was loaded.
   */
  passageTerms(label: number): PassageTerms | undefined {
    let cached = this.termsCache.get(label);
    if (!cached) {
      const passage = this.index.passages.get(label);
      if (!passage) return undefined;
      const sentences = splitSentences(passage.text).map((sentence) => new Set(terms(sentence.text)));
      cached = { sentences, passage: new Set(sentences.flatMap((sentence) => [...sentence])) };
      if (this.termsCache.size >= SENTENCE_CACHE_SIZE) {
        const oldest = this.termsCache.keys().next().value;
        if (oldest !== undefined) this.termsCache.delete(oldest);
      }
      this.termsCache.set(label, cached);
    }
    return cached;
  }

  /**
   * What is searched for a question as the member wrote it: `asked`, the plain question (mentions, greetings
   * and chat abbreviations dealt with), its terms for BM25, and `embedded`, the plain question with the typos
   * those terms corrected spelt right, which the dense model embeds. Calibration prepares its questions the
   * same way.
   */
  prepare(question: string): { asked: string; queryTerms: QueryTerm[]; embedded: string } {
    const asked = plainQuestion(question);
    const corrections: Corrections = new Map();
    const queryTerms = analyseQuestion(asked, this.lexical, corrections);
    return { asked, queryTerms, embedded: respelled(asked, corrections) };
  }

  /** `question` as the member wrote it. */
  async search(question: string, options: SearchOptions = {}): Promise<SearchResult> {
    const { asked, queryTerms, embedded } = this.prepare(question);
    const queryVector = await this.embedder.embedQuery(embedded);
    return {
      queryTerms,
      unknownNames: unknownNames(asked, queryTerms, this.lexical, this.headlineVocabulary()),
      queryVector,
      candidates: this.candidates(queryTerms, queryVector, options),
    };
  }

  /** The candidates for an analysed, embedded question. */
  candidates(queryTerms: QueryTerm[], queryVector: Float32Array, options: SearchOptions = {}): CandidateSignals[] {
    const { passages, hnsw } = this.index;
    const mode = options.retriever ?? 'hybrid';
    const excluded = options.excludeArticle;
    const keep = excluded === undefined ? undefined : (label: number) => passages.articleIdOf(label) !== excluded;
    // Removed passages stay in the graph, marked deleted, until a full rebuild: count only the live ones.
    const liveCount = this.lexical.size;
    const keptCount = excluded === undefined ? liveCount : liveCount - passages.ofArticle(excluded).length;

    const denseK = mode === 'lexical' ? 0 : Math.min(keptCount, DENSE_CANDIDATES);
    const dense = denseK > 0 ? hnsw.searchKnn(Array.from(queryVector), denseK, keep) : { neighbors: [], distances: [] };
    const lexical = mode === 'dense' ? [] : this.lexical.query(queryTerms, LEXICAL_CANDIDATES, excluded);
    const fused = reciprocalRankFusion([dense.neighbors, lexical.map((hit) => hit.label)]);
    const denseRanks = new Map(dense.neighbors.map((label, rank) => [label, rank]));
    const lexicalRanks = new Map(lexical.map((hit, rank) => [hit.label, rank]));

    const found: CandidateSignals[] = [];
    const articleOf = new Map<number, string>();
    for (const [label, fusedScore] of [...fused.entries()].sort((a, b) => b[1] - a[1])) {
      const denseRank = denseRanks.get(label);
      const lexicalRank = lexicalRanks.get(label);
      const passageTerms = this.passageTerms(label);
      // Removed by an edit that committed after this graph was loaded: the next reload drops it.
      if (!passageTerms) continue;
      const best = bestSentenceByTerms(passageTerms.sentences, queryTerms);
      const articleId = passages.articleIdOf(label) ?? '';
      articleOf.set(label, articleId);
      const headline = this.headlineTerms(articleId);
      found.push({
        label,
        dense:
          denseRank !== undefined ? 1 - (dense.distances[denseRank] ?? 1) : cosine(queryVector, this.vectorOf(label)),
        articleDense: 0,
        denseRank: denseRank !== undefined ? denseRank + 1 : undefined,
        lexical: lexicalRank !== undefined ? lexical[lexicalRank]?.score : undefined,
        lexicalRank: lexicalRank !== undefined ? lexicalRank + 1 : undefined,
        fused: fusedScore,
        coverage: termCoverage(
          queryTerms,
          headline.size > 0 ? union(passageTerms.passage, headline) : passageTerms.passage,
        ),
        sentenceCoverage: best.coverage,
        sentenceIndex: best.index,
        rerank: undefined,
      });
    }
    const articleBest = new Map<string, number>();
    for (const candidate of found) {
      const articleId = articleOf.get(candidate.label) ?? '';
      articleBest.set(articleId, Math.max(articleBest.get(articleId) ?? -1, candidate.dense));
    }
    for (const candidate of found)
      candidate.articleDense = articleBest.get(articleOf.get(candidate.label) ?? '') ?? candidate.dense;
    return found;
  }

  /** The terms of every article's headline and byline, which BM25 does not index: they are words the corpus holds. */
  private headlineVocabulary(): Set<string> {
    if (!this.allHeadlineTerms) {
      this.allHeadlineTerms = new Set();
      for (const article of this.index.passages.articles())
        for (const term of terms(headlineText(article))) this.allHeadlineTerms.add(term);
    }
    return this.allHeadlineTerms;
  }

  /**
   * The terms of an article's headline, byline and closing note about its writer, which every one of its
   * passages counts as its own.
   */
  headlineTerms(articleId: string): Set<string> {
    let cached = this.headlines.get(articleId);
    if (!cached) {
      const article = this.index.passages.article(articleId);
      cached = new Set(article ? terms(headlineText(article)) : []);
      if (article?.author) {
        // ofArticle lists the passages in the article's order.
        const closing = this.index.passages.ofArticle(articleId).slice(-AUTHOR_NOTE_SPAN);
        for (const { passage } of closing)
          for (const paragraph of passage.text.split(/\n+/))
            if (isAuthorNote(paragraph, article.author)) for (const term of terms(paragraph)) cached.add(term);
      }
      this.headlines.set(articleId, cached);
    }
    return cached;
  }
}

function headlineText(article: Pick<IndexedArticle, 'title' | 'author' | 'publication'>): string {
  return [article.title, article.author, article.publication].filter(Boolean).join('\n');
}

function union(a: Set<string>, b: Set<string>): Set<string> {
  const all = new Set(a);
  for (const item of b) all.add(item);
  return all;
}
