/**
 * A question → the terms a passage must hold to answer it, each with the forms that count as the same word in
 * this corpus. Askers use their own words: "trade union congress" where the articles write "TUC", "percentage"
 * where they write "percent" (the Porter stemmer keeps those apart). Both are recovered from the corpus's own
 * vocabulary, so nothing here is a hand-made synonym list:
 *
 * - an **acronym** the corpus uses (a word written in capitals in the articles) whose letters are the initials
 *   of consecutive question words counts as each of those words;
 * - a question term **no passage holds** counts as a corpus term that differs from it only by a derivational
 *   ending the stemmer leaves on (percent + age, trial + l, leader + ship), when the shared stem is at least
 *   MIN_VARIANT_PREFIX letters long.
 *
 * Each term is weighted by its inverse document frequency, so the question's specific words dominate. A term no
 * passage holds in any form keeps the highest weight: it is the strongest sign that the corpus does not say
 * what the question asks.
 */
import { clippedWordsOf, CONVERSATION_WORDS } from '../text/chat.js';
import { isEnglishWord } from '../text/english-words.js';
import { isLesserStopWord, termOf, words } from '../text/terms.js';

export interface QueryTerm {
  /** The question's own term (stemmed). */
  term: string;
  /** Terms that count as this one in a passage: the term itself, then corpus variants. */
  forms: string[];
  /** Inverse document frequency of the most common form in the corpus. */
  weight: number;
}

/** What question analysis needs to know about the corpus. */
export interface Vocabulary {
  /** Passages holding the term. */
  documentFrequency(term: string): number;
  /** BM25 idf of a document frequency. */
  idfOf(documentFrequency: number): number;
  /** Terms written in capitals somewhere in the corpus ("tuc", "bma"). */
  isAcronym(term: string): boolean;
  /** Corpus terms that start with `prefix`. */
  termsStartingWith(prefix: string): string[];
}

export const MIN_VARIANT_PREFIX = 5;
/** English derivational endings as they look after Porter stemming; the only differences a variant may have. */
const DERIVATIONAL_ENDINGS = new Set([
  'ag',
  'al',
  'l',
  'ship',
  'er',
  'or',
  'r',
  'e',
  'ion',
  'ment',
  'ness',
  'ist',
  'ism',
  'ic',
  'iti',
  'ive',
  'li',
]);
const MIN_ACRONYM_LETTERS = 3;
const MAX_ACRONYM_WORDS = 5;
/** Small words an acronym skips ("National Union of Teachers" → NUT). */
const ACRONYM_GAPS = new Set(['of', 'and', 'for', 'the', 'on', 'in', '&']);

function variantsOf(term: string, vocabulary: Vocabulary): string[] {
  if (term.length < MIN_VARIANT_PREFIX || vocabulary.documentFrequency(term) > 0 || /^\d+$/.test(term)) return [];
  const longer = vocabulary
    .termsStartingWith(term)
    .filter((candidate) => DERIVATIONAL_ENDINGS.has(candidate.slice(term.length)));
  const shorter: string[] = [];
  for (let length = term.length - 1; length >= MIN_VARIANT_PREFIX; length--) {
    const prefix = term.slice(0, length);
    if (DERIVATIONAL_ENDINGS.has(term.slice(length)) && vocabulary.documentFrequency(prefix) > 0) shorter.push(prefix);
  }
  return [...longer, ...shorter];
}

/**
 * Acronyms of the corpus spelled out by consecutive content words of the question (small joining words
 * skipped): word position → acronym terms.
 */
function acronymsOf(questionWords: string[], vocabulary: Vocabulary): Map<number, string[]> {
  const found = new Map<number, string[]>();
  // A lesser stop word is a word of a name ("Campaign Against Arms Trade"), not a break in it.
  const content = (word: string) => (termOf(word) !== undefined || isLesserStopWord(word)) && !/^\d/.test(word);
  for (let start = 0; start < questionWords.length; start++) {
    if (!content(questionWords[start] ?? '')) continue;
    let initials = '';
    const positions: number[] = [];
    for (let end = start; end < questionWords.length && positions.length < MAX_ACRONYM_WORDS; end++) {
      const word = questionWords[end] ?? '';
      if (ACRONYM_GAPS.has(word)) continue;
      if (!content(word)) break;
      initials += word[0] ?? '';
      positions.push(end);
      if (initials.length >= MIN_ACRONYM_LETTERS && vocabulary.isAcronym(initials)) {
        for (const position of positions) found.set(position, [...(found.get(position) ?? []), initials]);
      }
    }
  }
  return found;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
/** Words shorter than this are too short to tell a typo from another word. */
const MIN_TYPO_LENGTH = 4;

/** Every string one edit (deletion, transposition, substitution, insertion) away from a word. */
export function oneEditAway(word: string): string[] {
  const edits = new Set<string>();
  for (let i = 0; i <= word.length; i++) {
    const [head, tail] = [word.slice(0, i), word.slice(i)];
    if (tail) edits.add(head + tail.slice(1));
    if (tail.length > 1) edits.add(head + (tail[1] ?? '') + (tail[0] ?? '') + tail.slice(2));
    for (const letter of LETTERS) {
      if (tail) edits.add(head + letter + tail.slice(1));
      edits.add(head + letter + tail);
    }
  }
  edits.delete(word);
  return [...edits];
}

/**
 * The word a misspelt question word stands for, and its corpus term: a word that is not English and that no
 * passage holds, one edit away from a word whose term the corpus has (the most frequent such term; between
 * equally frequent ones, an English word).
 */
export function typoCorrection(word: string, vocabulary: Vocabulary): Correction | undefined {
  if (word.length < MIN_TYPO_LENGTH || /\d/.test(word) || isEnglishWord(word)) return undefined;
  let best: { word: string; term: string; frequency: number; english: boolean } | undefined;
  for (const candidate of oneEditAway(word)) {
    const term = termOf(candidate);
    if (term === undefined) continue;
    const frequency = vocabulary.documentFrequency(term);
    if (frequency === 0 || (best && frequency < best.frequency)) continue;
    // Between equally frequent candidates (several spellings stem to one term: "governent", "government"),
    // the English word is the one meant.
    const english = isEnglishWord(candidate);
    if (!best || frequency > best.frequency || (english && !best.english))
      best = { word: candidate, term, frequency, english };
  }
  return best && { word: best.word, term: best.term };
}

/** A misspelt word's correction, and its corpus term (undefined for a word that carries no content). */
export interface Correction {
  word: string;
  term: string | undefined;
}

/**
 * The word that carries no content (a stop, framing or conversation word: "there", "about", "thanks") that a
 * word is a misspelling of: one that is not English and that no passage holds, one edit away from it. Such a
 * typo ("thhere", "abot", "thnaks") would otherwise count as a term no passage holds, at the highest weight,
 * against every answer. It is taken before a corpus word one edit away: askers misspell the words they type
 * most, and those are these.
 */
export function functionWordTypo(word: string, vocabulary: Vocabulary): string | undefined {
  if (word.length < MIN_TYPO_LENGTH || /\d/.test(word) || isEnglishWord(word)) return undefined;
  const term = termOf(word);
  if (term === undefined || vocabulary.documentFrequency(term) > 0) return undefined;
  return oneEditAway(word).find(
    (candidate) =>
      isEnglishWord(candidate) &&
      !isLesserStopWord(candidate) &&
      (termOf(candidate) === undefined || CONVERSATION_WORDS.has(candidate)),
  );
}

/**
 * Corrections already looked up for one question: each costs a few hundred vocabulary lookups, and
 * analyseQuestion and correctSpelling ask for the same words.
 */
export type Corrections = Map<string, Correction | undefined>;

/**
 * The words a clipped word ("docs", "sec") may stand for (CLIPPED_WORDS) that the corpus holds, the most
 * frequent first: "docs" is "doctors" in a corpus on a strike, "documents" in one on software, either in one
 * that has both.
 */
export function clippingExpansions(word: string, vocabulary: Vocabulary): { word: string; term: string }[] {
  return clippedWordsOf(word)
    .flatMap((candidate) => {
      const term = termOf(candidate);
      const frequency = term === undefined ? 0 : vocabulary.documentFrequency(term);
      return term !== undefined && frequency > 0 ? [{ word: candidate, term, frequency }] : [];
    })
    .sort((a, b) => b.frequency - a.frequency)
    .map(({ word, term }) => ({ word, term }));
}

function correctionOf(word: string, vocabulary: Vocabulary, corrections: Corrections): Correction | undefined {
  if (!corrections.has(word)) corrections.set(word, typoCorrection(word, vocabulary));
  return corrections.get(word);
}

/** True when no passage holds the word's term in any form: then it may be a typo. */
function unknownToCorpus(term: string, forms: Iterable<string>, vocabulary: Vocabulary): boolean {
  return [term, ...forms].every((form) => vocabulary.documentFrequency(form) === 0);
}

/** `word` in the case pattern of `model`: "Goverment" → "Government", "GOVERMENT" → "GOVERNMENT". */
function inCaseOf(model: string, word: string): string {
  if (model.length > 1 && model === model.toUpperCase()) return word.toUpperCase();
  if (/^\p{Lu}/u.test(model)) return word.charAt(0).toUpperCase() + word.slice(1);
  return word;
}

/** A word of a question as written, apostrophes included: what respelled and unknownNames read. */
const QUESTION_TOKEN = /[\p{L}\p{M}\p{N}'’‘`]+/gu;

/**
 * The question with the words analyseQuestion corrected (in `corrections`) spelt right, for the embedding
 * model: a typo splits a word into word pieces that mean nothing to it. A misspelt name ("juustin", "Lodon")
 * becomes the corpus's spelling too, as the search already reads it. Words with apostrophes, digits or
 * accents are left as written, like everything else.
 */
export function respelled(question: string, corrections: Corrections): string {
  let position = 0;
  return question.replace(QUESTION_TOKEN, (token) => {
    const name = position++ > 0 && /^[A-Z]/.test(token);
    if (!/^[A-Za-z]+$/.test(token)) return token;
    const corrected = corrections.get(token.toLowerCase());
    // A name stays a name: it is misspelt as another name, not as a stop word.
    if (!corrected || (name && corrected.term === undefined)) return token;
    return inCaseOf(token, corrected.word);
  });
}

/**
 * Names the question asks about that no article mentions: words written as a name (a capital, then small
 * letters; not the question's first word) that are not English words and that no passage, headline or byline
 * holds in any form, the typo correction included. "Who wrote Middlemarch?" cannot be answered by a corpus
 * that never names Middlemarch, however well "wrote" matches. Words written in capitals (acronyms, "QF") and
 * lower-case words (members' chat) are left alone: too many of those are abbreviations the corpus writes out.
 */
export function unknownNames(
  question: string,
  queryTerms: QueryTerm[],
  vocabulary: Vocabulary,
  /** Terms the corpus holds outside its passages' text (headlines, bylines). */
  alsoKnown: ReadonlySet<string> = new Set(),
): string[] {
  const byTerm = new Map(queryTerms.map((queryTerm) => [queryTerm.term, queryTerm]));
  const found: string[] = [];
  let position = 0;
  for (const token of question.match(QUESTION_TOKEN) ?? []) {
    const word = token.replace(/['’‘`]s?$/u, '');
    // Folded as analyseQuestion folds (words): "Zoë" is the term of "zoe".
    const folded = words(word)[0] ?? '';
    if (position++ === 0 || !/^\p{Lu}[\p{Ll}\p{M}]+$/u.test(word) || isEnglishWord(folded)) continue;
    const queryTerm = byTerm.get(termOf(folded) ?? '');
    const known = (form: string) => vocabulary.documentFrequency(form) > 0 || alsoKnown.has(form);
    if (queryTerm && !queryTerm.forms.some(known)) found.push(word);
  }
  return found;
}

/** The words a question writes as names: capitalised, after its first word (folded as `words` folds them). */
function writtenAsNames(question: string): Set<string> {
  const names = new Set<string>();
  let position = 0;
  for (const token of question.match(QUESTION_TOKEN) ?? []) {
    if (position++ > 0 && /^\p{Lu}/u.test(token)) for (const word of words(token)) names.add(word);
  }
  return names;
}

/** The question with its misspelt words spelt right (respelled), deciding the typos as analyseQuestion does. */
export function correctSpelling(question: string, vocabulary: Vocabulary): string {
  const corrections: Corrections = new Map();
  analyseQuestion(question, vocabulary, corrections);
  return respelled(question, corrections);
}

export function analyseQuestion(
  question: string,
  vocabulary: Vocabulary,
  corrections: Corrections = new Map(),
): QueryTerm[] {
  const questionWords = words(question).filter((word) => !CONVERSATION_WORDS.has(word));
  const names = writtenAsNames(question);
  const acronyms = acronymsOf(questionWords, vocabulary);
  const byTerm = new Map<string, Set<string>>();
  questionWords.forEach((word, position) => {
    const term = termOf(word);
    if (term === undefined) return;
    const forms = byTerm.get(term) ?? new Set([term]);
    for (const acronym of acronyms.get(position) ?? []) forms.add(acronym);
    for (const variant of variantsOf(term, vocabulary)) forms.add(variant);
    // A clipped word counts as the words it may stand for even where the corpus holds the clipped form too
    // ("sec" for an "SEC" it names once, when the question means the secretary). Where the corpus lacks the
    // clipped form and holds one expansion, the embedding model reads that word (respelled).
    const expansions = clippingExpansions(word, vocabulary);
    for (const expansion of expansions) forms.add(expansion.term);
    const [onlyExpansion, ...others] = expansions;
    if (onlyExpansion && others.length === 0 && vocabulary.documentFrequency(term) === 0) {
      corrections.set(word, onlyExpansion);
    } else if (unknownToCorpus(term, forms, vocabulary)) {
      // A name ("Theo", "Anya") is never a misspelt "the" or "any". Otherwise the stop word comes before a
      // corpus word one edit away (dev half, two slips a question: 128 of 154 right that way, 125 the other).
      const functionWord = names.has(word) ? undefined : functionWordTypo(word, vocabulary);
      if (functionWord !== undefined) {
        corrections.set(word, { word: functionWord, term: undefined });
        return;
      }
      const corrected = correctionOf(word, vocabulary, corrections);
      if (corrected?.term !== undefined) forms.add(corrected.term);
    }
    byTerm.set(term, forms);
  });
  return [...byTerm].map(([term, forms]) => {
    const frequency = Math.max(...[...forms].map((form) => vocabulary.documentFrequency(form)));
    return { term, forms: [...forms], weight: vocabulary.idfOf(frequency) };
  });
}

/**
 * The share of the question's weighted terms that a set of passage terms holds (in any of their forms): 1 when
 * every term is there, near 0 when only common ones are.
 */
export function termCoverage(queryTerms: QueryTerm[], present: Set<string>): number {
  let total = 0;
  let found = 0;
  for (const { forms, weight } of queryTerms) {
    total += weight;
    if (forms.some((form) => present.has(form))) found += weight;
  }
  return total > 0 ? found / total : 0;
}
