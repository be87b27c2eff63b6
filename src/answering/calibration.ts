/**
 * How this model's scores on this corpus map to "relevant", measured when the index is built (see
 * answering/calibrate-index.ts) instead of looked up in a table, so any embedding model works the same way:
 *
 * - **Dense range.** Cosines live on different scales per model (BGE's unrelated pairs score about 0.5,
 *   MiniLM's about 0.1). The floor is the median cosine an off-topic question reaches with its nearest passage
 *   (no better than a question on another subject does: no evidence); the ceiling is the median cosine between
 *   a passage and one of its own sentences asked as a question (a question the passage answers word for
 *   word). Both are question-to-passage cosines, as answering compares: passage pairs are no floor, since on a
 *   corpus of one subject any two passages are as close as a question and its answer. The cosine is
 *   stretched over [floor, ceiling] to 0–1.
 * - **Null distribution.** The best relevance reached by questions the corpus does not answer: a built-in set
 *   of off-topic questions, and near-topic ones made from the corpus itself — a few words of a passage's
 *   sentence, searched with that passage's whole article (and its copies) left out, which is what a question
 *   on the corpus's topic looks like when nothing answers it; mixed ones, a subject one article names with
 *   a fact from another; and on-topic ones, an article's subject with words from another of its passages that
 *   no passage holds together (calibrate-index.ts, nullQuestionsOf).
 * - **Two thresholds, three grades.** An answer is *confident* above the relevance that only FALSE_ANSWER_RATE
 *   of each kind of null question made from the corpus reach. Below that, the best passages are quoted as the
 *   *closest* the corpus comes, marked as such, unless nothing is near: the question scores below what
 *   all but OFF_TOPIC_RATE of the off-topic questions reach, or below nearly every mixed question (a subject
 *   the corpus names with a fact from another of its articles: all but MIXED_BELOW of them reach higher).
 *   The off-topic bound serves a corpus of one subject, where every off-topic question is far; the mixed one
 *   a varied archive, where off-topic questions find nearer passages the bigger it grows while a question
 *   the corpus answers scores the same. Then the bot says the corpus does not answer.
 *   MIN_RELEVANCE, when set, overrides the refusal threshold.
 */
import { DEFAULT_FALSE_ANSWER_RATE } from '../config/config.js';
import type { IndexCalibration, NullFamily } from '../index/store.js';

export { DEFAULT_FALSE_ANSWER_RATE, type IndexCalibration, type NullFamily };

/** What answering uses. */
export interface Calibration {
  /** Cosine at or below which a passage counts as semantically unrelated to the question (0). */
  denseFloor: number;
  /** Cosine at or above which it counts as a clear match (1). */
  denseCeiling: number;
  /** Relevance (0–1) the best passage must reach, or the bot says the corpus does not answer. */
  minRelevance: number;
  /** Relevance at or above which the answer is confident; between the two, "closest" passages are quoted. */
  confidentRelevance: number;
  /** Where minRelevance came from, in words (for --explain and the index summary). */
  thresholdSource: string;
  /** "above 93% of null questions": where a relevance falls against the null distribution. */
  nullPercentile?: (relevance: number) => string;
}

/** Share of off-topic questions allowed past the refusal threshold (as "closest" passages). */
export const OFF_TOPIC_RATE = 0.1;
/** Share of the mixed null questions (calibrate-index.ts) the refusal threshold may lie above. */
export const MIXED_BELOW = 0.02;

/**
 * The relevance below which nothing is near (see the head of this file), from what the index measured; the
 * rates are the bot's unless cross-validation tries others.
 */
export function refusalThreshold(
  measured: Pick<IndexCalibration, 'offTopicRelevances' | 'nullFamilies'>,
  { offTopicRate = OFF_TOPIC_RATE, mixedBelow = MIXED_BELOW } = {},
): number {
  const offTopic = thresholdFromNull(measured.offTopicRelevances ?? [], offTopicRate);
  const mixed = measured.nullFamilies?.mixed ?? [];
  return mixed.length > 0 ? Math.min(offTopic, quantile(mixed, mixedBelow)) : offTopic;
}
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
  offTopicCosines: number[],
  selfMatchCosines: number[],
): Pick<IndexCalibration, 'denseFloor' | 'denseCeiling'> {
  const floor = median(offTopicCosines);
  const ceiling = median(selfMatchCosines);
  if (floor === undefined || ceiling === undefined) return UNMEASURED_RANGE;
  return { denseFloor: floor, denseCeiling: Math.max(ceiling, floor + MIN_RANGE) };
}

/** The relevance that a share `falseAnswerRate` of null questions reach or pass. */
export function thresholdFromNull(nullRelevances: number[], falseAnswerRate: number): number {
  return quantile(nullRelevances, 1 - falseAnswerRate);
}

/**
 * The confident threshold: the relevance that only `falseAnswerRate` of each kind of null question made from
 * the corpus reach, whichever kind reaches highest, so the rate holds whatever mix of them members ask.
 * Off-topic questions never come near it. An index calibrated before the kinds were kept apart: all of them.
 */
export function confidentThreshold(
  measured: Pick<IndexCalibration, 'nullRelevances' | 'nullFamilies'>,
  falseAnswerRate: number,
): number {
  const families = Object.values(measured.nullFamilies ?? {}).filter((values) => values.length > 0);
  if (families.length === 0) return thresholdFromNull(measured.nullRelevances, falseAnswerRate);
  return Math.max(...families.map((values) => thresholdFromNull(values, falseAnswerRate)));
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
  if (nullRelevances.length === 0) {
    // Only an index with nothing to measure gets here; without a null distribution, answer anything that
    // shares a term with the question rather than refuse everything.
    const minRelevance = settings.minRelevance ?? 0.01;
    return {
      ...base,
      minRelevance,
      confidentRelevance: minRelevance,
      thresholdSource: settings.minRelevance !== undefined ? 'MIN_RELEVANCE setting' : 'no calibration in the index',
    };
  }
  const offTopic = measured?.offTopicRelevances ?? [];
  const confidentRelevance = confidentThreshold(
    { nullRelevances, nullFamilies: measured?.nullFamilies },
    settings.falseAnswerRate,
  );
  if (settings.minRelevance !== undefined) {
    return {
      ...base,
      minRelevance: settings.minRelevance,
      confidentRelevance: Math.max(confidentRelevance, settings.minRelevance),
      thresholdSource: 'MIN_RELEVANCE setting',
    };
  }
  const refuseBelow = offTopic.length > 0 && measured ? refusalThreshold(measured) : confidentRelevance;
  const percent = Math.round(100 * settings.falseAnswerRate * 10) / 10;
  return {
    ...base,
    minRelevance: Math.min(refuseBelow, confidentRelevance),
    confidentRelevance,
    thresholdSource:
      `confident above ${confidentRelevance.toFixed(2)}, reached by at most ${percent}% of each kind of question made ` +
      `from the corpus that it does not answer (FALSE_ANSWER_RATE=${settings.falseAnswerRate}); nothing near below ` +
      `${Math.min(refuseBelow, confidentRelevance).toFixed(2)}, the lower of what ${100 * OFF_TOPIC_RATE}% of ` +
      `${offTopic.length} off-topic questions and ${100 - 100 * MIXED_BELOW}% of the mixed ones reach`,
  };
}

export function stretch(value: number, floor: number, ceiling: number): number {
  return Math.min(1, Math.max(0, (value - floor) / (ceiling - floor)));
}

export const sigmoid = (logit: number) => 1 / (1 + Math.exp(-logit));
