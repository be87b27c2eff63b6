/**
 * Sentence boundaries from the ICU segmenter built into Node (Intl.Segmenter), which handles quotes, ellipses
 * and decimal points better than a regular expression, with no dependency. Used to split long paragraphs
 * and to find the sentence that best answers a question.
 */
export interface Sentence {
  text: string;
  /** Offsets into the original string; `text` is `original.slice(start, end)` without trailing white space. */
  start: number;
  end: number;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

export function splitSentences(text: string): Sentence[] {
  const sentences: Sentence[] = [];
  for (const { segment, index } of segmenter.segment(text)) {
    const trimmed = segment.trimEnd();
    const leading = trimmed.length - trimmed.trimStart().length;
    if (trimmed.trim() === '') continue;
    sentences.push({ text: trimmed.trimStart(), start: index + leading, end: index + trimmed.length });
  }
  return sentences;
}
