/**
 * Okapi BM25 over the passages (title + text, as embedded), from MiniSearch with its BM25+ lower bound
 * switched off (d = 0), plus the inverse document frequencies the coverage signal uses.
 */
import MiniSearch from 'minisearch';
import { termOf, terms, words } from '../text/terms.js';

/** A query word is "common" above this share of passages, once it is in more than COMMON_FLOOR of them. */
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

export class LexicalIndex {
  private readonly search: MiniSearch<{ label: number; terms: string[] }>;
  private readonly documentFrequency = new Map<string, number>();
  readonly size: number;

  constructor(documents: LexicalDocument[]) {
    // Each passage is turned into terms once; MiniSearch indexes those terms as they are, and turns only
    // questions into terms at search time.
    this.search = new MiniSearch<{ label: number; terms: string[] }>({
      idField: 'label',
      fields: ['terms'],
      extractField: (document, field) => (field === 'terms' ? document.terms.join(' ') : String(document.label)),
      tokenize: (text) => (text === '' ? [] : text.split(' ')),
      processTerm: (term) => term,
      searchOptions: {
        bm25: { k: 1.2, b: 0.75, d: 0 },
        tokenize: (text) => words(text),
        processTerm: (word) => termOf(word) ?? null,
      },
    });
    for (const document of documents) {
      const documentTerms = terms(document.text);
      this.search.add({ label: document.label, terms: documentTerms });
      for (const term of new Set(documentTerms)) {
        this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
      }
    }
    this.size = documents.length;
  }

  /**
   * The question's words worth searching. In a large corpus a word found in most passages ("doctors" in a
   * corpus about a doctors' strike) adds almost nothing to BM25's order but costs a pass over a huge posting
   * list, so words in more than COMMON_SHARE of the passages (and more than COMMON_FLOOR of them) are left
   * out — unless nothing else is left, when the two rarest are kept.
   */
  searchWords(question: string): string[] {
    const withTerms = words(question)
      .map((word) => ({ word, term: termOf(word) }))
      .filter((entry): entry is { word: string; term: string } => entry.term !== undefined);
    const common = (term: string) => {
      const df = this.documentFrequency.get(term) ?? 0;
      return df > COMMON_FLOOR && df > COMMON_SHARE * this.size;
    };
    const kept = withTerms.filter((entry) => !common(entry.term));
    if (kept.length > 0) return kept.map((entry) => entry.word);
    return withTerms
      .sort((a, b) => (this.documentFrequency.get(a.term) ?? 0) - (this.documentFrequency.get(b.term) ?? 0))
      .slice(0, 2)
      .map((entry) => entry.word);
  }

  query(question: string, limit: number): LexicalHit[] {
    const searchWords = this.searchWords(question);
    if (searchWords.length === 0) return [];
    return this.search
      .search(searchWords.join(' '), { combineWith: 'OR', prefix: false, fuzzy: false })
      .slice(0, limit)
      .map((result) => ({ label: Number(result.id), score: result.score }));
  }

  /** BM25's idf; a term no passage has gets the highest value, so a question about it scores low coverage. */
  idf(term: string): number {
    const df = this.documentFrequency.get(term) ?? 0;
    return Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }
}

/**
 * The share of the question's meaning (its terms, weighted by idf) that a text contains: 1 when every term
 * is there, near 0 when only common ones are. Model-independent, so it anchors the decision to abstain.
 */
export function coverage(questionTerms: string[], text: string, idf: (term: string) => number): number {
  const unique = [...new Set(questionTerms)];
  if (unique.length === 0) return 0;
  const present = new Set(terms(text));
  const total = unique.reduce((sum, term) => sum + idf(term), 0);
  const found = unique.filter((term) => present.has(term)).reduce((sum, term) => sum + idf(term), 0);
  return total > 0 ? found / total : 0;
}
