/**
 * Updating the index after the corpus changed: the one place that does it, for `npm run index`, the bot's
 * start, adding and removing articles and polling feeds. The answering calibration is measured here, given to
 * the build rather than imported by it; a corpus change whose index update fails is undone, so the corpus and
 * the live index always agree.
 */
import { CALIBRATION_RECIPE, calibrateIndex } from '../answering/calibrate-index.js';
import {
  buildIndex,
  type BuildIndexOptions,
  type IndexCalibrator,
  type IndexSummary,
} from '../index/build/build-index.js';

export type { IndexSummary };

export const ANSWER_CALIBRATOR: IndexCalibrator = { recipe: CALIBRATION_RECIPE, calibrate: calibrateIndex };

export type UpdateIndexOptions = Omit<BuildIndexOptions, 'calibrator'>;

export function updateIndex(options: UpdateIndexOptions): Promise<IndexSummary> {
  return buildIndex({ ...options, calibrator: ANSWER_CALIBRATOR });
}

/** Updates the index after a corpus change; if that fails, `undo` puts the corpus back and the error is thrown. */
export async function updateIndexOrUndo(options: UpdateIndexOptions, undo: () => void): Promise<IndexSummary> {
  try {
    return await updateIndex(options);
  } catch (error) {
    undo();
    throw error;
  }
}
