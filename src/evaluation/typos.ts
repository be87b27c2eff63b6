/**
 * Questions as members misspell them: each question with a few one-letter slips in its longer words (a
 * letter dropped, doubled, or swapped with the next one), chosen by a hash of the question's id, so the same
 * question always gets the same typos and a run can be repeated and compared. `npm run eval -- --typos N`
 * measures how much they cost.
 */
import { createHash } from 'node:crypto';

/** Words shorter than this keep their spelling: members mistype long words, and short ones stop being words. */
const MIN_TYPO_WORD = 5;

/** A deterministic stream of numbers in [0, 1) from a text. */
function randomFrom(seedText: string): () => number {
  let counter = 0;
  return () => {
    const digest = createHash('sha256').update(`${seedText}:${counter++}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32;
  };
}

/** `word` with one slip at an inner letter (never the first: members rarely mistype that one). */
export function slip(word: string, random: () => number): string {
  const at = 1 + Math.floor(random() * (word.length - 2));
  const kind = Math.floor(random() * 3);
  const dropped = word.slice(0, at) + word.slice(at + 1);
  if (kind === 0) return dropped;
  if (kind === 1) return word.slice(0, at) + (word[at] ?? '') + word.slice(at);
  const swapped = word.slice(0, at) + (word[at + 1] ?? '') + (word[at] ?? '') + word.slice(at + 2);
  // Two equal letters swapped ("ll") are no slip at all.
  return swapped === word ? dropped : swapped;
}

/** The question with `count` of its words of MIN_TYPO_WORD letters or more misspelt, each by one slip. */
export function withTypos(question: string, count: number, seedText: string): string {
  const random = randomFrom(seedText);
  const words = [...question.matchAll(/\p{L}+/gu)].filter((match) => match[0].length >= MIN_TYPO_WORD);
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, words.length)) chosen.add(Math.floor(random() * words.length));
  let result = '';
  let from = 0;
  words.forEach((match, index) => {
    if (!chosen.has(index)) return;
    result += question.slice(from, match.index) + slip(match[0], random);
    from = match.index + match[0].length;
  });
  return result + question.slice(from);
}
