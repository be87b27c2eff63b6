/**
 * Okapi BM25 over the passages' own text, from MiniSearch with its BM25+ lower bound switched off (d = 0),
 * plus what the rest of answering needs to know about the corpus's words: document frequencies, idf, the
 * acronyms the articles use and the sorted vocabulary (for query-terms.ts).
 *
 * Titles are not indexed here: every passage of an article shares its title, so title words lift all of
 * them alike and push a passage that answers below its neighbours (on both dev files, BM25 without titles
 * ranks as well or better; see README "Evaluation"). The dense vectors still embed the title.
 */
import MiniSearch from 'minisearch';
import { termOf, terms } from '../text/terms.js';
import type { QueryTerm, Vocabulary } from './query-terms.js';

/** A query term is "common" above this share of passages, once it is in more than COMMON_FLOOR of them. */
export const COMMON_SHARE = 0.1;
export const COMMON_FLOOR = 1000;

export interface LexicalDocument {
  /** Position in the index's passage list. */
  label: number;
  text: string;
}

export interface LexicalHit {
  label: number;
  score: number;
}

export class LexicalIndex implements Vocabulary {
  private readonly search: MiniSearch<{ label: number; terms: string[] }>;
  private readonly frequency = new Map<string, number>();
  private readonly acronyms = new Set<string>();
  private sortedTerms: string[] | undefined;
  readonly size: number;

  constructor(documents: LexicalDocument[]) {
    // Each passage is turned into terms once; MiniSearch indexes those terms as they are, and questions are
    // turned into terms by query-terms.ts before they reach it.
    this.search = new MiniSearch<{ label: number; terms: string[] }>({
      idField: 'label',
      fields: ['terms'],
      extractField: (document, field) => (field === 'terms' ? document.terms.join(' ') : String(document.label)),
      tokenize: (text) => (text === '' ? [] : text.split(' ')),
      processTerm: (term) => term,
      searchOptions: { bm25: { k: 1.2, b: 0.75, d: 0 } },
    });
    for (const document of documents) {
      const documentTerms = terms(document.text);
      this.search.add({ label: document.label, terms: documentTerms });
      for (const term of new Set(documentTerms)) this.frequency.set(term, (this.frequency.get(term) ?? 0) + 1);
      for (const capitals of document.text.match(/\b\p{Lu}{2,6}\b/gu) ?? []) {
        const term = termOf(capitals.toLowerCase());
        if (term) this.acronyms.add(term);
      }
    }
    this.size = documents.length;
  }

  documentFrequency(term: string): number {
    return this.frequency.get(term) ?? 0;
  }

  /** BM25's idf; a term no passage has gets the highest value, so a question about it scores low coverage. */
  idfOf(documentFrequency: number): number {
    return Math.log(1 + (this.size - documentFrequency + 0.5) / (documentFrequency + 0.5));
  }

  idf(term: string): number {
    return this.idfOf(this.documentFrequency(term));
  }

  isAcronym(term: string): boolean {
    return this.acronyms.has(term);
  }

  termsStartingWith(prefix: string): string[] {
    this.sortedTerms ??= [...this.frequency.keys()].sort();
    const sorted = this.sortedTerms;
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((sorted[middle] ?? '') < prefix) low = middle + 1;
      else high = middle;
    }
    const found: string[] = [];
    for (let i = low; i < sorted.length && sorted[i]?.startsWith(prefix); i++) found.push(sorted[i] as string);
    return found.filter((term) => term !== prefix);
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

  /** The best `limit` passages by BM25, among those `keep` accepts (all by default). */
  query(queryTerms: QueryTerm[], limit: number, keep?: (label: number) => boolean): LexicalHit[] {
    const searchTerms = this.searchTerms(queryTerms);
    if (searchTerms.length === 0) return [];
    return this.search
      .search(searchTerms.join(' '), {
        combineWith: 'OR',
        prefix: false,
        fuzzy: false,
        tokenize: (text) => text.split(' '),
        processTerm: (term) => term,
        ...(keep ? { filter: (result) => keep(Number(result.id)) } : {}),
      })
      .slice(0, limit)
      .map((result) => ({ label: Number(result.id), score: result.score }));
  }
}
