/**
 * The pure part of answering: relevance, order, abstaining, diversity and best-sentence choice over candidates
 * whose signals (dense cosine, BM25, term coverage, cross-encoder) the search has already computed.
 *
 * Relevance (0–1) is what both ordering and abstaining read:
 *
 *   relevance = (1 − DENSE_WEIGHT) × lexical match + DENSE_WEIGHT × semantic match
 *   lexical match  = (1 − PASSAGE_SHARE) × best sentence's term coverage + PASSAGE_SHARE × passage's
 *   semantic match = the dense cosine stretched over the range measured on this index (calibration.ts),
 *                    or the cross-encoder's probability when a re-ranker ran
 *
 * Term coverage (query-terms.ts) is the idf-weighted share of the question's terms a text holds; a question
 * is usually answered by one sentence, so the best sentence's coverage counts most. Both weights were chosen
 * by leave-one-out cross-validation over the questions of both dev files (`npm run choose-ranking`), not
 * by fitting either file; README "Evaluation" has the figures.
 */
import { splitSentences, type Sentence } from '../text/sentences.js';
import { terms } from '../text/terms.js';
import { sigmoid, stretch, type Calibration } from './calibration.js';
import { termCoverage, type QueryTerm } from './query-terms.js';

export interface RankingWeights {
  /** Share of relevance that comes from the semantic match (dense cosine or cross-encoder). */
  denseWeight: number;
  /** Share of the lexical match that comes from the whole passage rather than its best sentence. */
  passageShare: number;
}

export const DEFAULT_WEIGHTS: RankingWeights = { denseWeight: 0.1, passageShare: 0.25 };

export interface CandidateSignals {
  label: number;
  /** Cosine between question and passage vectors. */
  dense: number;
  denseRank: number | undefined;
  /** BM25 score and rank, when BM25 found the passage. */
  lexical: number | undefined;
  lexicalRank: number | undefined;
  /** Reciprocal Rank Fusion of the two ranks: which candidates come first when relevance ties. */
  fused: number;
  /** Share of the question's weighted terms the passage holds. */
  coverage: number;
  /** The same for the passage's best sentence, and that sentence's position among the passage's sentences. */
  sentenceCoverage: number;
  sentenceIndex: number;
  /** Cross-encoder logit, when a re-ranker ran on this candidate. */
  rerank: number | undefined;
}

export interface ScoredCandidate extends CandidateSignals {
  relevance: number;
}

export function semanticMatch(signals: Pick<CandidateSignals, 'dense' | 'rerank'>, calibration: Calibration): number {
  return signals.rerank !== undefined
    ? sigmoid(signals.rerank)
    : stretch(signals.dense, calibration.denseFloor, calibration.denseCeiling);
}

export function lexicalMatch(
  signals: Pick<CandidateSignals, 'coverage' | 'sentenceCoverage'>,
  weights: RankingWeights = DEFAULT_WEIGHTS,
): number {
  return (1 - weights.passageShare) * signals.sentenceCoverage + weights.passageShare * signals.coverage;
}

export function relevanceOf(
  signals: CandidateSignals,
  calibration: Calibration,
  weights: RankingWeights = DEFAULT_WEIGHTS,
): number {
  return (
    (1 - weights.denseWeight) * lexicalMatch(signals, weights) +
    weights.denseWeight * semanticMatch(signals, calibration)
  );
}

/**
 * Final order: the cross-encoder's score when one ran (its candidates first); otherwise relevance, with the
 * fused rank breaking ties (two passages holding the same share of the question's terms are told apart by
 * BM25's term frequencies and the dense ranking).
 */
export function orderCandidates<T extends ScoredCandidate>(candidates: T[]): T[] {
  return [...candidates].sort((a, b) => {
    if (a.rerank !== undefined && b.rerank !== undefined) return b.rerank - a.rerank;
    if (a.rerank !== undefined) return -1;
    if (b.rerank !== undefined) return 1;
    return b.relevance - a.relevance || b.fused - a.fused;
  });
}

export interface Abstention {
  abstained: boolean;
  reason: string;
  bestRelevance: number;
}

/**
 * Abstain when the best candidate's relevance is below the threshold, or when a cross-encoder ran and judged
 * none of the candidates more likely relevant than not (its probability, unlike a cosine, has a meaning of its
 * own: it was trained to say "relevant" above 0.5).
 */
export function decideAbstention(candidates: ScoredCandidate[], calibration: Calibration): Abstention {
  const best = Math.max(0, ...candidates.map((candidate) => candidate.relevance));
  const threshold = calibration.minRelevance;
  const where = calibration.nullPercentile ? `; ${calibration.nullPercentile(best)}` : '';
  if (best < threshold) {
    return {
      abstained: true,
      bestRelevance: best,
      reason: `the most relevant passage scores ${best.toFixed(2)}, below the threshold ${threshold.toFixed(2)}${where}`,
    };
  }
  const reranked = candidates.filter((candidate) => candidate.rerank !== undefined);
  if (reranked.length > 0) {
    const bestProbability = Math.max(...reranked.map((candidate) => sigmoid(candidate.rerank as number)));
    if (bestProbability < 0.5) {
      return {
        abstained: true,
        bestRelevance: best,
        reason: `the cross-encoder rates every candidate unlikely to answer (best probability ${bestProbability.toFixed(2)} < 0.50)`,
      };
    }
  }
  return {
    abstained: false,
    bestRelevance: best,
    reason: `best relevance ${best.toFixed(2)} ≥ threshold ${threshold.toFixed(2)}${where}`,
  };
}

/** The sentence of a passage whose terms cover most of the question; the first one when none covers any. */
export function bestSentenceByTerms(
  sentenceTerms: Set<string>[],
  queryTerms: QueryTerm[],
): { index: number; coverage: number } {
  let best = { index: 0, coverage: 0 };
  sentenceTerms.forEach((present, index) => {
    const coverage = termCoverage(queryTerms, present);
    if (coverage > best.coverage) best = { index, coverage };
  });
  return best;
}

/** Question terms, in question order, that a sentence holds in the same order within a few words: 2 per pair. */
export function orderedPairs(sentenceTerms: string[], queryTerms: QueryTerm[], window = 3): number {
  let pairs = 0;
  for (let i = 0; i + 1 < queryTerms.length; i++) {
    const first = new Set(queryTerms[i]?.forms);
    const second = new Set(queryTerms[i + 1]?.forms);
    const found = sentenceTerms.some(
      (term, at) => first.has(term) && sentenceTerms.slice(at + 1, at + 1 + window).some((next) => second.has(next)),
    );
    if (found) pairs++;
  }
  return pairs;
}

/**
 * The sentence to mark in a quoted passage: the one covering most of the question's terms; between sentences
 * that cover as much, the one holding them in the question's order ("covered for emergencies" answers "who
 * covered emergencies" better than "emergency cover" does). When no sentence shares a term with the question
 * (a passage found by meaning alone) and the caller has them, the one most similar in meaning
 * (`sentenceCosines`, in sentence order).
 */
export function bestSentence(
  text: string,
  queryTerms: QueryTerm[],
  sentenceCosines?: number[],
): { sentence: Sentence; coverage: number } {
  const sentences = splitSentences(text);
  if (sentences.length === 0) return { sentence: { text, start: 0, end: text.length }, coverage: 0 };
  let index = 0;
  let best = { coverage: 0, pairs: 0 };
  sentences.forEach((sentence, i) => {
    const sentenceTerms = terms(sentence.text);
    const coverage = termCoverage(queryTerms, new Set(sentenceTerms));
    if (coverage < best.coverage - 1e-9 || coverage === 0) return;
    const pairs = orderedPairs(sentenceTerms, queryTerms);
    if (coverage > best.coverage + 1e-9 || pairs > best.pairs) {
      index = i;
      best = { coverage, pairs };
    }
  });
  if (best.coverage === 0 && sentenceCosines && sentenceCosines.length === sentences.length) {
    index = sentenceCosines.reduce((top, value, i) => (value > (sentenceCosines[top] ?? -Infinity) ? i : top), 0);
  }
  return { sentence: sentences[index] as Sentence, coverage: best.coverage };
}

function wordSet(text: string): Set<string> {
  return new Set(terms(text));
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

export interface DiversityItem {
  label: number;
  articleId: string;
  text: string;
}

export interface DiversityOptions {
  /** Passages whose word sets overlap this much (Jaccard) count as the same passage. */
  nearDuplicate: number;
  /** Each passage already taken from an article multiplies that article's next candidates by this. */
  sameArticlePenalty: number;
}

export const DEFAULT_DIVERSITY: DiversityOptions = { nearDuplicate: 0.8, sameArticlePenalty: 0.7 };

/**
 * Greedy re-ordering of ranked items: drops near-duplicates of items already taken, and lowers the score of
 * an article each time one of its passages is taken, so that other articles that answer get a place.
 * Scores are positional (1 / (rank + 10)), so the penalty moves an item a few places, not to the end.
 */
export function diversify<T extends DiversityItem>(ranked: T[], options: DiversityOptions = DEFAULT_DIVERSITY): T[] {
  const remaining = ranked.map((item, rank) => ({ item, base: 1 / (rank + 10), words: wordSet(item.text) }));
  const taken: typeof remaining = [];
  const perArticle = new Map<string, number>();
  while (remaining.length > 0) {
    let bestIndex = 0;
    let bestScore = -Infinity;
    remaining.forEach((entry, index) => {
      const score = entry.base * options.sameArticlePenalty ** (perArticle.get(entry.item.articleId) ?? 0);
      if (score > bestScore) {
        bestScore = score;
        bestIndex = index;
      }
    });
    const [next] = remaining.splice(bestIndex, 1);
    if (!next) break;
    if (taken.some((entry) => jaccard(entry.words, next.words) >= options.nearDuplicate)) continue;
    taken.push(next);
    perArticle.set(next.item.articleId, (perArticle.get(next.item.articleId) ?? 0) + 1);
  }
  return taken.map((entry) => entry.item);
}
