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

interface Span {
  start: number;
  end: number;
}

/** Where to cut `text` from `at` so the piece is at most `limit` long: at its last white space, if it has one. */
function wordCut(text: string, at: number, limit: number): number | undefined {
  const space = text.slice(at, at + limit + 1).search(/\s\S*$/);
  return space > 0 ? at + space : undefined;
}

const skipSpace = (text: string, at: number, end: number) => {
  while (at < end && /\s/.test(text[at] ?? '')) at++;
  return at;
};

/**
 * A stretch with no sentence end inside it (a list without full stops, a pasted table, a runaway line) that is
 * longer than `maxChars`, cut at word boundaries into pieces of at most `maxChars`; a "word" longer than that
 * is cut where it must be. Offsets are into the original text.
 */
function wordPieces(text: string, start: number, end: number, maxChars: number): Span[] {
  const pieces: Span[] = [];
  let at = start;
  while (end - at > maxChars) {
    const cut = wordCut(text, at, maxChars) ?? at + maxChars;
    pieces.push({ start: at, end: cut });
    at = skipSpace(text, cut, end);
  }
  if (end > at) pieces.push({ start: at, end });
  return pieces;
}

/**
 * Offsets of the balanced parts of a text longer than `maxChars`, each at most `maxChars`: whole sentences
 * where they fit, and a sentence too long for any part cut at word boundaries. Such a runaway sentence first
 * fills the room left in a part still short of the target, so a heading before it is not left alone.
 */
function partSpans(text: string, maxChars: number): Span[] {
  // Balanced parts: aim for equal lengths rather than filling each part to the maximum.
  const target = text.length / Math.ceil(text.length / maxChars);
  const groups: Span[] = [];
  for (const sentence of splitSentences(text)) {
    const current = groups.at(-1);
    const open = current !== undefined && current.end - current.start < target;
    if (open && sentence.end - current.start <= maxChars) {
      current.end = sentence.end;
      continue;
    }
    let at = sentence.start;
    if (open && sentence.end - sentence.start > maxChars) {
      const cut = wordCut(text, sentence.start, maxChars - (sentence.start - current.start));
      if (cut !== undefined) {
        current.end = cut;
        at = skipSpace(text, cut, sentence.end);
      }
    }
    // A loop, not push(...pieces): a 20 MB line has more pieces than a call may have arguments.
    for (const piece of wordPieces(text, at, sentence.end, maxChars)) groups.push(piece);
  }
  return groups;
}

export function splitLongParagraph(text: string, paragraph: number, maxChars: number): PassageChunk[] {
  if (text.length <= maxChars) return [{ text, paragraphStart: paragraph, paragraphEnd: paragraph }];
  const spans = partSpans(text, maxChars);
  return spans.map((span, index) => ({
    text: text.slice(span.start, span.end),
    paragraphStart: paragraph,
    paragraphEnd: paragraph,
    part: { index: index + 1, of: spans.length },
  }));
}

/**
 * A heading (paragraphs `first` to `paragraph - 1`, `headingLength` characters) joined to paragraph
 * `paragraph`: one passage when it fits, else the joined text split like a long paragraph, so the heading
 * goes with the paragraph's first part (or stands alone, when not even a word of it fits beside it).
 */
function headedParts(
  text: string,
  headingLength: number,
  first: number,
  paragraph: number,
  maxChars: number,
): PassageChunk[] {
  if (text.length <= maxChars) return [{ text, paragraphStart: first, paragraphEnd: paragraph }];
  const spans = partSpans(text, maxChars);
  return spans.map((span, index) => ({
    text: text.slice(span.start, span.end),
    paragraphStart: span.start < headingLength ? first : paragraph,
    paragraphEnd: span.end > headingLength ? paragraph : paragraph - 1,
    part: { index: index + 1, of: spans.length },
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
      for (const chunk of headedParts(text, text.length - raw.length - 2, start, paragraph, options.maxChars)) {
        chunks.push(chunk);
      }
      return;
    }
    for (const chunk of splitLongParagraph(text, paragraph, options.maxChars)) chunks.push(chunk);
  });
  if (pendingHeading) {
    chunks.push({ text: pendingHeading.text, paragraphStart: pendingHeading.paragraph, paragraphEnd: pendingHeading.paragraph });
  }
  return chunks;
}
