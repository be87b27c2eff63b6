/**
 * Reciprocal Rank Fusion (Cormack et al., 2009): each list contributes 1 / (k + rank). It needs no score
 * calibration between dense and lexical retrieval, which have incomparable scales.
 */
export const RRF_K = 60;

export function reciprocalRankFusion(rankings: number[][], k = RRF_K): Map<number, number> {
  const fused = new Map<number, number>();
  for (const ranking of rankings) {
    ranking.forEach((label, index) => fused.set(label, (fused.get(label) ?? 0) + 1 / (k + index + 1)));
  }
  return fused;
}
