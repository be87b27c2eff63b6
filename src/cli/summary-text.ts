import type { Calibration, IndexCalibration } from '../answering/calibration.js';
import type { IndexSummary } from '../index/build/build-index.js';

/** What `npm run index` measured for abstaining, and the threshold the current settings make of it. */
export function describeCalibration(measured: IndexCalibration, inUse: Calibration): string {
  return (
    `  dense range         ${measured.denseFloor.toFixed(3)} (off-topic questions’ nearest passage) to ${measured.denseCeiling.toFixed(3)} (a passage's own sentence)\n` +
    `  null questions      ${measured.offTopicQuestions} off-topic, ${measured.nearTopicQuestions} made from the corpus (near-topic, mixed, on-topic)\n` +
    `  answer thresholds   ${inUse.thresholdSource}\n`
  );
}

/** The indexing summary as lines for people. */
export function describeSummary(summary: IndexSummary, inUse: Calibration, repeated = 0): string {
  const kb = (summary.bytes / 1024).toFixed(0);
  const state = summary.upToDate ? 'Index is up to date' : 'Index written';
  return (
    `${state}: ${summary.indexDir}\n` +
    `  articles read       ${summary.articles}${summary.skipped.length ? ` (${summary.skipped.length} files skipped)` : ''}\n` +
    `  passages indexed    ${summary.passages}${repeated > 0 ? ` (${repeated} repeat another article's word for word: quoted once, citing each copy)` : ''}\n` +
    `  boilerplate dropped ${summary.dropped} lines\n` +
    `  embedded / reused   ${summary.embedded} / ${summary.reused}${summary.resumed ? ` (+ ${summary.resumed} from an interrupted run)` : ''}\n` +
    `  time                ${(summary.ms / 1000).toFixed(1)} s\n` +
    `  index size          ${kb} KB\n` +
    describeCalibration(summary.calibration, inUse)
  );
}
