/**
 * Paragraphs → passages that can be quoted on their own. News copy is full of one-line paragraphs (a quote's
 * second half, a one-sentence aside, a crosshead); alone they answer nothing and match poorly, so a short
 * paragraph joins the passage before it, or — when it reads like a heading (no closing punctuation) — the one
 * after it. A paragraph too long to read in one go is split at sentence boundaries into balanced parts.
 * Passage text is always the source text verbatim: whole paragraphs joined by a blank line, or an exact slice.
 */
import { splitSentences } from '../text/sentences.js';

export interface PassageChunk {
  text: string;
  /** 1-based numbers of the article's body paragraphs this passage covers. */
  paragraphStart: number;
  paragraphEnd: number;
  /** For a part of a split paragraph: which part (1-based) of how many. */
  part?: { index: number; of: number };
}

export interface ChunkOptions {
  /** Paragraphs shorter than this join a neighbour. */
  minChars: number;
  /** Paragraphs longer than this are split; joining never grows a passage past it. */
  maxChars: number;
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { minChars: 100, maxChars: 1200 };

const endsLikeSentence = (text: string) => /[.!?…"'”’)\]]$/.test(text.trim());

/**
 * A stretch with no sentence end inside it (a list without full stops, a pasted table, a runaway line) that is
 * longer than `maxChars`, cut at word boundaries into pieces of at most `maxChars`; a "word" longer than that
 * is cut where it must be. Offsets are into the original text.
 */
function wordPieces(text: string, start: number, end: number, maxChars: number): { start: number; end: number }[] {
  const pieces: { start: number; end: number }[] = [];
  let at = start;
  while (end - at > maxChars) {
    const window = text.slice(at, at + maxChars + 1);
    const space = window.search(/\s\S*$/);
    const cut = space > 0 ? at + space : at + maxChars;
    pieces.push({ start: at, end: cut });
    at = cut;
    while (at < end && /\s/.test(text[at] ?? '')) at++;
  }
  if (end > at) pieces.push({ start: at, end });
  return pieces;
}

export function splitLongParagraph(text: string, paragraph: number, maxChars: number): PassageChunk[] {
  if (text.length <= maxChars) return [{ text, paragraphStart: paragraph, paragraphEnd: paragraph }];
  // Sentences, with any sentence too long to quote cut at word boundaries: no passage exceeds maxChars.
  const sentences = splitSentences(text).flatMap((sentence) =>
    sentence.end - sentence.start > maxChars ? wordPieces(text, sentence.start, sentence.end, maxChars) : [sentence],
  );
  // Balanced parts: aim for equal lengths rather than filling each part to the maximum.
  const target = text.length / Math.ceil(text.length / maxChars);
  const groups: { start: number; end: number }[] = [];
  for (const sentence of sentences) {
    const current = groups.at(-1);
    if (current && sentence.end - current.start <= maxChars && current.end - current.start < target) {
      current.end = sentence.end;
    } else {
      groups.push({ start: sentence.start, end: sentence.end });
    }
  }
  return groups.map((group, index) => ({
    text: text.slice(group.start, group.end),
    paragraphStart: paragraph,
    paragraphEnd: paragraph,
    part: { index: index + 1, of: groups.length },
  }));
}

export function chunkParagraphs(paragraphs: string[], options: ChunkOptions = DEFAULT_CHUNK_OPTIONS): PassageChunk[] {
  const chunks: PassageChunk[] = [];
  let pendingHeading: { text: string; paragraph: number } | undefined;
  const joinable = (chunk: PassageChunk | undefined, extra: string): chunk is PassageChunk =>
    chunk !== undefined && chunk.part === undefined && chunk.text.length + extra.length + 2 <= options.maxChars;

  paragraphs.forEach((raw, index) => {
    const paragraph = index + 1;
    let text = raw;
    let start = paragraph;
    if (pendingHeading) {
      text = `${pendingHeading.text}\n\n${text}`;
      start = pendingHeading.paragraph;
      pendingHeading = undefined;
    }
    if (text.length < options.minChars) {
      const isLast = index === paragraphs.length - 1;
      if (!endsLikeSentence(text) && !isLast) {
        pendingHeading = { text, paragraph: start };
        return;
      }
      const previous = chunks.at(-1);
      if (joinable(previous, text)) {
        previous.text = `${previous.text}\n\n${text}`;
        previous.paragraphEnd = paragraph;
        return;
      }
    }
    if (start !== paragraph) {
      // A heading joined to its paragraph: keep them together, even if long (splitting would orphan it).
      chunks.push({ text, paragraphStart: start, paragraphEnd: paragraph });
      return;
    }
    chunks.push(...splitLongParagraph(text, paragraph, options.maxChars));
  });
  if (pendingHeading) {
    chunks.push({ text: pendingHeading.text, paragraphStart: pendingHeading.paragraph, paragraphEnd: pendingHeading.paragraph });
  }
  return chunks;
}
