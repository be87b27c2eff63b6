/**
 * BM25 over the passages' own text, and what the rest of answering needs to know about the corpus's words:
 * document frequencies, idf, the acronyms the articles use and the vocabulary by prefix (for query-terms.ts).
 * The postings and counts live in the index's SQLite file (index/passage-store.ts), so nothing
 * is built at start and an edit updates them in place; this class decides which terms are worth searching.
 *
 * Titles are not indexed here: every passage of an article shares its title, so title words lift all of
 * them alike and push a passage that answers below its neighbours (on both dev files, BM25 without titles
 * ranks as well or better; see docs/evaluation.md). The dense vectors still embed the title.
 */
import type { LexicalHit, PassageStore } from '../index/passage-store.js';
import type { QueryTerm, Vocabulary } from './query-terms.js';

export type { LexicalHit };

/** A query term is "common" above this share of passages, once it is in more than COMMON_FLOOR of them. */
export const COMMON_SHARE = 0.1;
export const COMMON_FLOOR = 1000;
/** BM25's usual parameters (Robertson and Zaragoza; Lucene's and Anserini's defaults). */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

export class LexicalIndex implements Vocabulary {
  constructor(
    private readonly store: PassageStore,
    /** Live passages: the N of idf. */
    readonly size: number,
  ) {}

  documentFrequency(term: string): number {
    return this.store.documentFrequency(term);
  }

  /** BM25's idf; a term no passage has gets the highest value, so a question about it scores low coverage. */
  idfOf(documentFrequency: number): number {
    return Math.log(1 + (this.size - documentFrequency + 0.5) / (documentFrequency + 0.5));
  }

  idf(term: string): number {
    return this.idfOf(this.documentFrequency(term));
  }

  isAcronym(term: string): boolean {
    return this.store.isAcronym(term);
  }

  termsStartingWith(prefix: string): string[] {
    return this.store.termsStartingWith(prefix);
  }

  /**
   * The terms worth searching (every form of every question term). In a large corpus a term found in most
   * passages ("doctor" in a corpus about a doctors' strike) adds almost nothing to BM25's order but costs a
   * pass over a huge posting list, so terms in more than COMMON_SHARE of the passages (and more than
   * COMMON_FLOOR of them) are left out — unless nothing else is left, when the two rarest are kept.
   */
  searchTerms(queryTerms: QueryTerm[]): string[] {
    const all = [...new Set(queryTerms.flatMap((term) => term.forms))];
    const common = (term: string) => {
      const df = this.documentFrequency(term);
      return df > COMMON_FLOOR && df > COMMON_SHARE * this.size;
    };
    const kept = all.filter((term) => !common(term));
    if (kept.length > 0) return kept;
    return all.sort((a, b) => this.documentFrequency(a) - this.documentFrequency(b)).slice(0, 2);
  }

  /** The best `limit` passages by BM25, leaving out one article's when `excludeArticle` is given. */
  query(queryTerms: QueryTerm[], limit: number, excludeArticle?: string): LexicalHit[] {
    const weighting = { idf: (term: string) => this.idf(term), k1: BM25_K1, b: BM25_B };
    return this.store.bm25(this.searchTerms(queryTerms), limit, weighting, excludeArticle);
  }
}
