/**
 * The pure part of answering: relevance, order, abstaining, diversity and best-sentence choice over candidates
 * whose signals (dense cosine, BM25, term coverage, cross-encoder) the search has already computed.
 *
 * Relevance (0–1) is what both ordering and the answer's grade read:
 *
 *   relevance = DENSE × semantic match + ARTICLE × the article's best semantic match + (rest) × lexical match
 *   semantic match = the dense cosine stretched over the range measured on this index (calibration.ts),
 *                    or the cross-encoder's probability when a re-ranker ran
 *   lexical match  = (1 − PASSAGE_SHARE) × best sentence's term coverage + PASSAGE_SHARE × passage's, where the
 *                    passage counts its article's headline, byline and writer's note as its own (news
 *                    copy names its subject there and says "the company", "he" after)
 *
 * Order adds the Reciprocal Rank Fusion of both retrievers' ranks (FUSION_WEIGHT), which reads BM25's term
 * frequencies and the dense order where coverage ties. The weights were chosen by cross-validation with the
 * real bge-small-en-v1.5 on the dev halves of the question sets (docs/answering.md).
 */
import { splitSentences, type Sentence } from '../text/sentences.js';
import { terms } from '../text/terms.js';
import { sigmoid, stretch, type Calibration } from './calibration.js';
import { RRF_K } from '../retrieval/fusion.js';
import { termCoverage, type QueryTerm } from '../retrieval/query-terms.js';
import { orderedPairs, type CandidateSignals } from '../retrieval/search.js';

export interface RankingWeights {
  /** Share of relevance that comes from the passage's semantic match (dense cosine or cross-encoder). */
  denseWeight: number;
  /** Share that comes from the best semantic match among its article's candidates. */
  articleWeight: number;
  /** Share of the lexical match that comes from the whole passage rather than its best sentence. */
  passageShare: number;
}

export const DEFAULT_WEIGHTS: RankingWeights = { denseWeight: 0.4, articleWeight: 0.2, passageShare: 1 };
/** How much the fused rank adds to relevance in the final order (1 for a passage first in both lists). */
export const FUSION_WEIGHT = 0.1;
/** The highest Reciprocal Rank Fusion score of two lists: first in both. */
const BEST_FUSED = 2 / (RRF_K + 1);

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
  const articleSemantic =
    signals.rerank !== undefined
      ? semanticMatch(signals, calibration)
      : stretch(Math.max(signals.articleDense, signals.dense), calibration.denseFloor, calibration.denseCeiling);
  return (
    (1 - weights.denseWeight - weights.articleWeight) * lexicalMatch(signals, weights) +
    weights.denseWeight * semanticMatch(signals, calibration) +
    weights.articleWeight * articleSemantic
  );
}

/** What orders candidates: relevance, plus the fused rank of both retrievers. */
export function orderScore(candidate: ScoredCandidate, fusionWeight = FUSION_WEIGHT): number {
  return candidate.relevance + (fusionWeight * candidate.fused) / BEST_FUSED;
}

/** Final order: the cross-encoder's score when one ran (its candidates first); otherwise orderScore. */
export function orderCandidates<T extends ScoredCandidate>(candidates: T[]): T[] {
  return [...candidates].sort((a, b) => {
    if (a.rerank !== undefined && b.rerank !== undefined) return b.rerank - a.rerank;
    if (a.rerank !== undefined) return -1;
    if (b.rerank !== undefined) return 1;
    return orderScore(b) - orderScore(a) || b.fused - a.fused;
  });
}

export interface Abstention {
  /** Nothing is near: the bot says the corpus does not answer. */
  abstained: boolean;
  /** Passages are quoted as the closest the corpus comes, marked as possibly not answering. */
  closest: boolean;
  reason: string;
  bestRelevance: number;
}

/**
 * The grade of an answer from its best candidate: confident at or above the confident threshold; "closest"
 * between the two thresholds, or when a cross-encoder ran and judged no candidate more likely relevant than
 * not (its probability, unlike a cosine, has a meaning of its own: it was trained to say "relevant" above
 * 0.5); nothing near (abstain) below the refusal threshold, or when the question names something no article
 * mentions (`unknownNames`).
 */
export function decideAbstention(
  candidates: ScoredCandidate[],
  calibration: Calibration,
  unknownNames: string[] = [],
): Abstention {
  const best = Math.max(0, ...candidates.map((candidate) => candidate.relevance));
  const threshold = calibration.minRelevance;
  const where = calibration.nullPercentile ? `; ${calibration.nullPercentile(best)}` : '';
  if (unknownNames.length > 0) {
    const named = unknownNames.map((name) => `"${name}"`).join(', ');
    return {
      abstained: true,
      closest: false,
      bestRelevance: best,
      reason: `the question asks about ${named}, which no article mentions`,
    };
  }
  if (candidates.length === 0 || best < threshold) {
    return {
      abstained: true,
      closest: false,
      bestRelevance: best,
      reason: `the most relevant passage scores ${best.toFixed(2)}, below the threshold ${threshold.toFixed(2)}${where}`,
    };
  }
  const reranked = candidates.filter((candidate) => candidate.rerank !== undefined);
  if (reranked.length > 0) {
    const bestProbability = Math.max(...reranked.map((candidate) => sigmoid(candidate.rerank as number)));
    if (bestProbability < 0.5) {
      return {
        abstained: false,
        closest: true,
        bestRelevance: best,
        reason: `the cross-encoder rates every candidate unlikely to answer (best probability ${bestProbability.toFixed(2)} < 0.50)`,
      };
    }
  }
  if (best < calibration.confidentRelevance) {
    return {
      abstained: false,
      closest: true,
      bestRelevance: best,
      reason: `best relevance ${best.toFixed(2)} is below the confident threshold ${calibration.confidentRelevance.toFixed(2)}${where}: the closest passages, which may not answer`,
    };
  }
  return {
    abstained: false,
    closest: false,
    bestRelevance: best,
    reason: `best relevance ${best.toFixed(2)} ≥ confident threshold ${calibration.confidentRelevance.toFixed(2)}${where}`,
  };
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

/**
 * No same-article penalty: with the real model, cross-validation on the dev halves found any penalty below 1
 * pushes the answering passage out when the question is about one article (most are).
 */
export const DEFAULT_DIVERSITY: DiversityOptions = { nearDuplicate: 0.8, sameArticlePenalty: 1 };

/**
 * Greedy re-ordering of ranked items: folds near-duplicates (an archive's syndicated copies) into the item
 * already taken, as its `copies`, so the same text is quoted once and cites every copy; and lowers the
 * score of an article each time one of its passages is taken, so that other articles that answer get a place.
 * Scores are positional (1 / (rank + 10)), so the penalty moves an item a few places, not to the end.
 */
export function diversify<T extends DiversityItem>(
  ranked: T[],
  options: DiversityOptions = DEFAULT_DIVERSITY,
): (T & { copies: T[] })[] {
  const remaining = ranked.map((item, rank) => ({ item, base: 1 / (rank + 10), words: wordSet(item.text) }));
  const taken: ((typeof remaining)[number] & { copies: T[] })[] = [];
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
    const original = taken.find((entry) => jaccard(entry.words, next.words) >= options.nearDuplicate);
    if (original) {
      if (next.item.articleId !== original.item.articleId) original.copies.push(next.item);
      continue;
    }
    taken.push({ ...next, copies: [] });
    perArticle.set(next.item.articleId, (perArticle.get(next.item.articleId) ?? 0) + 1);
  }
  return taken.map((entry) => ({ ...entry.item, copies: entry.copies }));
}
