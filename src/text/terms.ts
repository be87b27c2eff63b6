/**
 * Words → search terms, the same way for passages and questions: lower-cased, accents and apostrophes folded,
 * English stop words removed, Porter-stemmed (so "resign" matches "resigned"). Used by the BM25 index, by
 * the coverage signal that decides abstaining, and by best-sentence marking.
 */
import { eng } from 'stopword';
import { stemmer } from 'stemmer';

// Question words carry no retrieval content ("why", "how"): every question has one.
const STOP_WORDS = new Set([
  ...eng,
  'said',
  'says',
  'told',
  'would',
  'could',
  'why',
  'how',
  'what',
  'who',
  'whom',
  'whose',
  'when',
  'where',
  'which',
]);

export function words(text: string): string[] {
  const folded = text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .replace(/['’‘`]/g, '');
  return folded.match(/[\p{L}\p{N}]+/gu) ?? [];
}

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/** One word → its term, or undefined for a stop word. */
export function termOf(word: string): string | undefined {
  if (STOP_WORDS.has(word)) return undefined;
  return /^\d+$/.test(word) ? word : stemmer(word);
}

export function terms(text: string): string[] {
  return words(text)
    .map(termOf)
    .filter((term): term is string => term !== undefined);
}
