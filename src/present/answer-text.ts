/** The Answer object as text for a terminal: numbered quotes, the best sentence marked, a citation line. */
import type { Answer, AnswerPassage, Citation } from '../answering/answer.js';
import { DEFAULT_WEIGHTS, lexicalMatch, type RankingWeights, type ScoredCandidate } from '../answering/rank.js';

export interface TextStyle {
  /** Wraps the best sentence: ANSI bold on a terminal, **…** otherwise. */
  emphasis: (text: string) => string;
}

export const PLAIN_STYLE: TextStyle = { emphasis: (text) => `**${text}**` };
export const TERMINAL_STYLE: TextStyle = { emphasis: (text) => `\u001b[1m${text}\u001b[22m` };

export const NO_ANSWER = 'Nothing in the corpus answers this.';

/** 'No article mentions “Middlemarch”.' for a question refused for a name, so the asker can check its spelling. */
export function unknownNamesNote(answer: Pick<Answer, 'unknownNames'>): string | undefined {
  const names = answer.unknownNames ?? [];
  return names.length > 0 ? `No article mentions ${names.map((name) => `“${name}”`).join(', ')}.` : undefined;
}
/** Put above passages that are the closest the corpus comes but may not answer. */
export const CLOSEST_NOTE = 'Not sure: these passages come closest, but may not answer your question.';

export function paragraphLabel(citation: Pick<Citation, 'paragraphStart' | 'paragraphEnd' | 'part'>): string {
  const range =
    citation.paragraphStart === citation.paragraphEnd
      ? `paragraph ${citation.paragraphStart}`
      : `paragraphs ${citation.paragraphStart}–${citation.paragraphEnd}`;
  return citation.part ? `${range} (part ${citation.part.index} of ${citation.part.of})` : range;
}

/** Whatever is known of an article's source, in the order every citation gives it: author, publication, date. */
export function sourceParts(article: { author?: string; publication?: string; date?: string }): string[] {
  return [article.author, article.publication, article.date].filter((part): part is string => !!part);
}

/** "Author, Publication, 2016-04-27". */
export function sourceText(article: { author?: string; publication?: string; date?: string }): string {
  return sourceParts(article).join(', ');
}

/** "Title — Author, Publication, 27 April 2016, paragraph 3": whatever is known, in that order. */
export function citationText(citation: Citation): string {
  const source = sourceText(citation);
  return `${citation.title}${source ? ` — ${source}` : ''}, ${paragraphLabel(citation)}`;
}

export function markBestSentence(
  passage: Pick<AnswerPassage, 'text' | 'bestSentence'>,
  emphasis: (text: string) => string,
): string {
  const { text, bestSentence } = passage;
  return (
    text.slice(0, bestSentence.start) +
    emphasis(text.slice(bestSentence.start, bestSentence.end)) +
    text.slice(bestSentence.end)
  );
}

/** Every signal behind a passage's relevance, as one line for --explain. */
export function explainScores(
  scores: Omit<ScoredCandidate, 'label'>,
  weights: RankingWeights = DEFAULT_WEIGHTS,
): string {
  const num = (value: number | undefined, digits = 2) => (value === undefined ? '–' : value.toFixed(digits));
  const semantic =
    scores.rerank === undefined
      ? `dense cosine ${num(scores.dense, 3)}, rank ${scores.denseRank ?? '–'}`
      : `cross-encoder logit ${num(scores.rerank)}`;
  return (
    `relevance ${num(scores.relevance)} = ${num(1 - weights.denseWeight - weights.articleWeight, 1)} × lexical ` +
    `${num(lexicalMatch(scores, weights))} (best sentence covers ${num(scores.sentenceCoverage)} of the question, ` +
    `passage with headline ${num(scores.coverage)}) + ${weights.denseWeight} × semantic (${semantic}) + ` +
    `${weights.articleWeight} × the article's best (cosine ${num(scores.articleDense, 3)}); ` +
    `BM25 ${num(scores.lexical)} (rank ${scores.lexicalRank ?? '–'}), ` +
    `RRF ${num(scores.fused, 4)}`
  );
}

export function formatAnswerText(answer: Answer, style: TextStyle = PLAIN_STYLE, explain = false): string {
  const lines: string[] = [];
  if (answer.abstained) {
    const note = unknownNamesNote(answer);
    lines.push(
      NO_ANSWER,
      ...(note ? [note] : []),
      'Try other words, or list the articles with `npm run ask -- --sources`.',
    );
  } else if (answer.closest) {
    lines.push(CLOSEST_NOTE, '');
  }
  for (const passage of answer.passages) {
    lines.push(`${passage.rank}. ${citationText(passage.citation)}`);
    for (const line of markBestSentence(passage, style.emphasis).split('\n'))
      lines.push(line ? `   > ${line}` : '   >');
    if (passage.citation.url) lines.push(`   ${passage.citation.url}`);
    for (const copy of passage.alsoIn ?? []) lines.push(`   also in: ${citationText(copy)}`);
    if (explain) lines.push(`   ${explainScores(passage.scores)}`);
    lines.push('');
  }
  if (explain && answer.abstained && answer.considered) {
    lines.push('Closest passages considered:');
    for (const candidate of answer.considered) {
      lines.push(`   ${candidate.title}: ${explainScores(candidate.scores)}`);
    }
  }
  if (explain) {
    lines.push(`Threshold: ${answer.minRelevance.toFixed(2)}, ${answer.thresholdSource}.`);
    const decision = answer.abstained ? 'abstained' : answer.closest ? 'closest passages' : 'answered';
    lines.push(`Decision: ${decision}: ${answer.reason}.`);
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
