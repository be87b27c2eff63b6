/**
 * How a model's scores map to "relevant". Cosine similarities live on different scales per model (BGE's
 * unrelated pairs still score about 0.5; MiniLM's score near 0.1), so each known model has the range that is
 * stretched to 0–1, and the relevance below which the bot abstains. MIN_RELEVANCE overrides the threshold.
 */
export interface Calibration {
  /** Cosine at or below which a passage counts as semantically unrelated (0). */
  denseFloor: number;
  /** Cosine at or above which it counts as a clear match (1). */
  denseCeiling: number;
  /** Relevance (0–1) the best passage must reach, or the bot says the corpus does not answer. */
  minRelevance: number;
}

const GENERIC: Calibration = { denseFloor: 0.2, denseCeiling: 0.8, minRelevance: 0.4 };

export const CALIBRATIONS: Record<string, Calibration> = {
  // Literature values for these models' similarity ranges; not measured on this machine (no model hub here).
  'Xenova/bge-small-en-v1.5': { denseFloor: 0.5, denseCeiling: 0.85, minRelevance: 0.4 },
  'Xenova/bge-base-en-v1.5': { denseFloor: 0.5, denseCeiling: 0.85, minRelevance: 0.4 },
  'Xenova/all-MiniLM-L6-v2': { denseFloor: 0.1, denseCeiling: 0.65, minRelevance: 0.4 },
  'Xenova/all-MiniLM-L12-v2': { denseFloor: 0.1, denseCeiling: 0.65, minRelevance: 0.4 },
  'Xenova/e5-small-v2': { denseFloor: 0.7, denseCeiling: 0.9, minRelevance: 0.4 },
  'Xenova/e5-base-v2': { denseFloor: 0.7, denseCeiling: 0.9, minRelevance: 0.4 },
  'Xenova/gte-small': { denseFloor: 0.7, denseCeiling: 0.9, minRelevance: 0.4 },
  // Measured on eval/dev.jsonl: unanswerable questions' best passage scores 0.26-0.29, answerable ones' 0.45 and
  // up; the threshold is the midpoint.
  'test-embedder': { denseFloor: 0.0, denseCeiling: 0.6, minRelevance: 0.37 },
};

export function calibrationFor(modelId: string, minRelevance: number | undefined): Calibration {
  const base = CALIBRATIONS[modelId] ?? GENERIC;
  return minRelevance === undefined ? base : { ...base, minRelevance };
}

export function stretch(value: number, floor: number, ceiling: number): number {
  return Math.min(1, Math.max(0, (value - floor) / (ceiling - floor)));
}

export const sigmoid = (logit: number) => 1 / (1 + Math.exp(-logit));
