/**
 * How this model's scores on this corpus map to "relevant", measured when the index is built (see
 * vector-index/calibrate-index.ts) instead of looked up in a table, so any embedding model works the same way:
 *
 * - **Dense range.** Cosines live on different scales per model (BGE's unrelated pairs score about 0.5,
 *   MiniLM's about 0.1). The floor is the median cosine of passage pairs from different articles (unrelated,
 *   as far as the index can tell); the ceiling is the median cosine between a passage and one of its own
 *   sentences asked as a question (a question the passage answers word for word). The cosine is stretched
 *   over [floor, ceiling] to 0–1.
 * - **Null distribution.** The best relevance reached by questions the corpus does not answer: a built-in set
 *   of off-topic questions, and near-topic ones made from the corpus itself — a few words of a passage's
 *   sentence, searched with that passage's whole article left out, which is what a question on the corpus's
 *   topic looks like when nothing answers it.
 * - **Threshold.** The relevance that only FALSE_ANSWER_RATE of the null questions reach. MIN_RELEVANCE,
 *   when set, overrides it.
 */

/** What the index build measures and the manifest stores. */
export interface IndexCalibration {
  denseFloor: number;
  denseCeiling: number;
  /** Best relevance of each null question, ascending. */
  nullRelevances: number[];
  offTopicQuestions: number;
  nearTopicQuestions: number;
  /** Passages added or removed since this was measured (small edits keep the calibration). */
  changedPassages?: number;
}

/** What answering uses. */
export interface Calibration {
  /** Cosine at or below which a passage counts as semantically unrelated (0). */
  denseFloor: number;
  /** Cosine at or above which it counts as a clear match (1). */
  denseCeiling: number;
  /** Relevance (0–1) the best passage must reach, or the bot says the corpus does not answer. */
  minRelevance: number;
  /** Where minRelevance came from, in words (for --explain and the index summary). */
  thresholdSource: string;
  /** "above 93% of null questions": where a relevance falls against the null distribution. */
  nullPercentile?: (relevance: number) => string;
}

export const DEFAULT_FALSE_ANSWER_RATE = 0.1;
/** The dense range when an index has too few passages to measure one (fewer than two articles, say). */
const UNMEASURED_RANGE = { denseFloor: 0, denseCeiling: 1 };
/** A ceiling closer to the floor than this would stretch noise into signal. */
const MIN_RANGE = 0.05;

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** The q-quantile (0–1) of ascending values, interpolated linearly. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const position = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const below = Math.floor(position);
  const low = sorted[below] ?? 0;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] ?? low;
  return low + (high - low) * (position - below);
}

export function denseRange(
  unrelatedCosines: number[],
  selfMatchCosines: number[],
): Pick<IndexCalibration, 'denseFloor' | 'denseCeiling'> {
  const floor = median(unrelatedCosines);
  const ceiling = median(selfMatchCosines);
  if (floor === undefined || ceiling === undefined) return UNMEASURED_RANGE;
  return { denseFloor: floor, denseCeiling: Math.max(ceiling, floor + MIN_RANGE) };
}

/** The relevance that a share `falseAnswerRate` of null questions reach or pass. */
export function thresholdFromNull(nullRelevances: number[], falseAnswerRate: number): number {
  return quantile(nullRelevances, 1 - falseAnswerRate);
}

/** Share of null questions whose best relevance is below `relevance`. */
export function nullShareBelow(nullRelevances: number[], relevance: number): number {
  if (nullRelevances.length === 0) return 0;
  return nullRelevances.filter((value) => value < relevance).length / nullRelevances.length;
}

export function calibrationFrom(
  measured: IndexCalibration | undefined,
  settings: { minRelevance: number | undefined; falseAnswerRate: number },
): Calibration {
  const range = measured ?? UNMEASURED_RANGE;
  const nullRelevances = measured?.nullRelevances ?? [];
  const nullPercentile =
    nullRelevances.length > 0
      ? (relevance: number) =>
          `above ${Math.round(100 * nullShareBelow(nullRelevances, relevance))}% of ${nullRelevances.length} questions the corpus does not answer`
      : undefined;
  const base = {
    denseFloor: range.denseFloor,
    denseCeiling: range.denseCeiling,
    ...(nullPercentile ? { nullPercentile } : {}),
  };
  if (settings.minRelevance !== undefined) {
    return { ...base, minRelevance: settings.minRelevance, thresholdSource: 'MIN_RELEVANCE setting' };
  }
  if (nullRelevances.length === 0) {
    // Only an index with nothing to measure gets here; without a null distribution, answer anything that
    // shares a term with the question rather than refuse everything.
    return { ...base, minRelevance: 0.01, thresholdSource: 'no calibration in the index' };
  }
  const percent = Math.round(100 * settings.falseAnswerRate * 10) / 10;
  return {
    ...base,
    minRelevance: thresholdFromNull(nullRelevances, settings.falseAnswerRate),
    thresholdSource: `reached by ${percent}% of ${nullRelevances.length} questions the corpus does not answer (FALSE_ANSWER_RATE=${settings.falseAnswerRate})`,
  };
}

export function stretch(value: number, floor: number, ceiling: number): number {
  return Math.min(1, Math.max(0, (value - floor) / (ceiling - floor)));
}

export const sigmoid = (logit: number) => 1 / (1 + Math.exp(-logit));
