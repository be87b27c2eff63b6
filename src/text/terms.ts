/**
 * Words → search terms, the same way for passages and questions: lower-cased, accents and apostrophes folded,
 * English stop words removed, irregular forms brought to their base form with WordNet's exception lists
 * ("kept" → "keep", "men" → "man"), then Porter-stemmed (so "resign" matches "resigned"). Used by the BM25
 * index, by the coverage signal that decides abstaining, and by best-sentence marking.
 */
import { eng } from 'stopword';
import { stemmer } from 'stemmer';
import nounExceptions from 'wink-lexicon/src/wn-noun-exceptions.js';
import verbExceptions from 'wink-lexicon/src/wn-verb-exceptions.js';
import { ownValue } from '../shared/own-value.js';

// Question words carry no retrieval content ("why", "how"): every question has one.
const STOP_WORDS = new Set([
  ...eng,
  'does',
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
  // The stop words' inflections ("gets", "comes", "making"): checked before stemming, they would escape the
  // list and count as rare terms ("as hunt gets more stubborn"). The indefinite pronouns after them are missing
  // from the list for the same effect ("something happens as …").
  'gets',
  'comes',
  'coming',
  'makes',
  'making',
  'takes',
  'taking',
  'having',
  'others',
  'something',
  'anything',
  'everything',
  'someone',
  'anyone',
  'everyone',
  'somebody',
  'anybody',
  'though',
  'although',
]);

/**
 * Stop words beyond the common list above: dropped as terms, but still whole words of a name ("Campaign
 * Against Arms Trade" spells CAAT) and too close to content words to claim a typo ("offr" is "offer", not
 * "off").
 */
const LESSER_STOP_WORDS = new Set([
  // What the Snowball English stop list holds and the stopword package's list lacks: "she" and "its" were
  // terms, and weighed against every answer that names the person or company instead.
  ...'myself ours ourselves yours yourself yourselves she hers herself its itself theirs themselves'.split(' '),
  ...'doing ought cannot until against during above below down off again further once few no nor not own so'.split(' '),
  // Words no passage holds in the sense a question asks them: modals, connectives, fillers ("a lot", "a bit").
  ...'will shall whether however unless upon within among via per etc yet ever always already'.split(' '),
  ...'just even every thing things lot bit'.split(' '),
]);
for (const word of LESSER_STOP_WORDS) STOP_WORDS.add(word);

/** A stop word of the lesser kind (LESSER_STOP_WORDS): part of a name, never taken for a typo. */
export function isLesserStopWord(word: string): boolean {
  return LESSER_STOP_WORDS.has(word);
}

// Nor do the words askers use to talk about the article rather than its subject ("according to the author,
// what does it say…", "what happened"): a passage rarely holds them in the sense asked, so they only dilute coverage and pull
// in noise. Compared after stemming, so every inflection goes ("said", "says", "authors", "described").
const FRAMING_TERMS = new Set(
  [
    'according',
    'article',
    'author',
    'writer',
    'write',
    'piece',
    'column',
    'columnist',
    'story',
    'blog',
    'editorial',
    'describe',
    'mention',
    'think',
    'tell',
    'say',
    'happen',
  ].map((word) => stemmer(word)),
);

/**
 * Names how text becomes terms. The index stores each passage's terms, so a change to the stop words, the
 * folding or the stemming bumps it, and `npm run index` builds the terms again (reusing the vectors).
 */
export const TERMS_RECIPE = 'terms/3';

export function words(text: string): string[] {
  const folded = text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    // The possessive goes before the apostrophe is folded: "NHS's" would be "nhss", which no "NHS" matches.
    .replace(/(?<=\p{L})['’‘`ʼ´＇]s(?![\p{L}\p{N}])/gu, '')
    .replace(/['’‘`ʼ´＇]/g, '');
  return folded.match(/[\p{L}\p{N}]+/gu) ?? [];
}

function computeTerm(word: string): string | undefined {
  if (STOP_WORDS.has(word)) return undefined;
  if (/^\d+$/.test(word)) return word;
  const base = ownValue(verbExceptions, word) ?? ownValue(nounExceptions, word) ?? word;
  if (base !== word && STOP_WORDS.has(base)) return undefined;
  const term = stemmer(base);
  return FRAMING_TERMS.has(term) ? undefined : term;
}

/**
 * Words seen before and their terms. A corpus repeats a few tens of thousands of words millions of times, and
 * stemming each occurrence was most of the time it took to load an index (measured at 20,000 passages). Only
 * words that recur are worth keeping; the cache is emptied when it grows past MAX_CACHED_WORDS.
 */
const termCache = new Map<string, string | null>();
const MAX_CACHED_WORDS = 200_000;

/** One word → its term, or undefined for a stop word. */
export function termOf(word: string): string | undefined {
  const cached = termCache.get(word);
  if (cached !== undefined) return cached ?? undefined;
  const term = computeTerm(word);
  if (termCache.size >= MAX_CACHED_WORDS) termCache.clear();
  termCache.set(word, term ?? null);
  return term;
}

export function terms(text: string): string[] {
  return words(text)
    .map(termOf)
    .filter((term): term is string => term !== undefined);
}

/** The terms a text writes in capitals, two to six letters ("TUC", "NHS"): the acronyms a corpus uses. */
export function acronymTermsOf(text: string): string[] {
  const found: string[] = [];
  for (const capitals of text.match(/\b\p{Lu}{2,6}\b/gu) ?? []) {
    const term = termOf(capitals.toLowerCase());
    if (term) found.push(term);
  }
  return found;
}
