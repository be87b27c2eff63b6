/**
 * The optional cross-encoder pass (RERANK_MODEL): it scores the best candidates by relevance, reading each
 * one's best sentence with the sentences around it.
 */
import type { PassageScorer } from '../embedding/reranker.js';
import { splitSentences } from '../text/sentences.js';
import type { Calibration } from './calibration.js';
import { orderCandidates, relevanceOf, type ScoredCandidate } from './rank.js';

/**
 * Candidates the cross-encoder scores (the best by relevance), when RERANK_MODEL is set, and how much of each
 * it reads: the best sentence with the ones around it. A cross-encoder's cost grows with pairs × length²; with
 * the default re-ranker's timing twin, 30 whole passages took 520 / 890 ms (p50 / p95) a question.
 */
export const RERANK_CANDIDATES = 12;
const RERANK_WINDOW_CHARS = 600;

/**
 * What the cross-encoder reads of a passage: its best sentence, then the sentences around it (after first,
 * then before) while they fit in RERANK_WINDOW_CHARS.
 */
export function rerankWindow(text: string, bestSentence: number, maxChars = RERANK_WINDOW_CHARS): string {
  const sentences = splitSentences(text);
  const best = sentences[bestSentence];
  if (!best || text.length <= maxChars) return text;
  let first = bestSentence;
  let last = bestSentence;
  for (let grew = true; grew;) {
    grew = false;
    for (const next of [last + 1, first - 1]) {
      const sentence = sentences[next];
      if (!sentence) continue;
      const start = Math.min(sentences[first]?.start ?? 0, sentence.start);
      const end = Math.max(sentences[last]?.end ?? 0, sentence.end);
      if (end - start > maxChars) continue;
      if (next > last) last = next;
      else first = next;
      grew = true;
    }
  }
  return text.slice(sentences[first]?.start ?? best.start, sentences[last]?.end ?? best.end).slice(0, maxChars);
}

/** Candidates in order again after the cross-encoder scored the first RERANK_CANDIDATES of them. */
export async function rerankCandidates(
  question: string,
  ordered: ScoredCandidate[],
  reranker: PassageScorer,
  text: (label: number) => string,
  calibration: Calibration,
): Promise<ScoredCandidate[]> {
  const top = ordered.slice(0, RERANK_CANDIDATES).map((candidate) => ({ ...candidate }));
  const logits = await reranker.score(
    question,
    top.map((candidate) => rerankWindow(text(candidate.label), candidate.sentenceIndex)),
  );
  top.forEach((candidate, i) => (candidate.rerank = logits[i]));
  return orderCandidates(
    [...top, ...ordered.slice(RERANK_CANDIDATES)].map((candidate) => ({
      ...candidate,
      relevance: relevanceOf(candidate, calibration),
    })),
  );
}
