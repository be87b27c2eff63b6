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
import { terms } from '../text/terms.js';
import type { PassageStore } from '../vector-index/passage-store.js';
import { reciprocalRankFusion } from './fusion.js';
import { LexicalIndex } from './lexical.js';
import { analyseQuestion, termCoverage, type QueryTerm } from './query-terms.js';
import { bestSentenceByTerms, type CandidateSignals } from './rank.js';

/** Candidates taken from each retriever. */
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
  queryVector: Float32Array;
  /** In fused order (RRF of the ranks), not yet by relevance. */
  candidates: CandidateSignals[];
}

export interface SearchableIndex {
  passages: PassageStore;
  hnsw: hnswlib.HierarchicalNSW;
}

/** Terms of recently seen passages, whole and by sentence: computing them is most of a question's CPU time. */
const SENTENCE_CACHE_SIZE = 20_000;

interface PassageTerms {
  passage: Set<string>;
  sentences: Set<string>[];
}

export class PassageSearch {
  readonly lexical: LexicalIndex;
  private readonly termsCache = new Map<number, PassageTerms>();

  constructor(
    private readonly index: SearchableIndex,
    private readonly embedder: Pick<TextEmbedder, 'embedQuery'>,
  ) {
    this.lexical = new LexicalIndex(index.passages, index.passages.count);
  }

  get passages(): PassageStore {
    return this.index.passages;
  }

  vectorOf(label: number): Float32Array {
    return Float32Array.from(this.index.hnsw.getPoint(label));
  }

  analyse(question: string): QueryTerm[] {
    return analyseQuestion(question, this.lexical);
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

  async search(question: string, options: SearchOptions = {}): Promise<SearchResult> {
    const queryTerms = this.analyse(question);
    const queryVector = await this.embedder.embedQuery(question);
    return { queryTerms, queryVector, candidates: this.candidates(queryTerms, queryVector, options) };
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
    for (const [label, fusedScore] of [...fused.entries()].sort((a, b) => b[1] - a[1])) {
      const denseRank = denseRanks.get(label);
      const lexicalRank = lexicalRanks.get(label);
      const passageTerms = this.passageTerms(label);
      // Removed by an edit that committed after this graph was loaded: the next reload drops it.
      if (!passageTerms) continue;
      const best = bestSentenceByTerms(passageTerms.sentences, queryTerms);
      found.push({
        label,
        dense:
          denseRank !== undefined ? 1 - (dense.distances[denseRank] ?? 1) : cosine(queryVector, this.vectorOf(label)),
        denseRank: denseRank !== undefined ? denseRank + 1 : undefined,
        lexical: lexicalRank !== undefined ? lexical[lexicalRank]?.score : undefined,
        lexicalRank: lexicalRank !== undefined ? lexicalRank + 1 : undefined,
        fused: fusedScore,
        coverage: termCoverage(queryTerms, passageTerms.passage),
        sentenceCoverage: best.coverage,
        sentenceIndex: best.index,
        rerank: undefined,
      });
    }
    return found;
  }
}
