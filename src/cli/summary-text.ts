import type { IndexSummary } from '../vector-index/build-index.js';

/** The indexing summary as lines for people. */
export function describeSummary(summary: IndexSummary): string {
  const kb = (summary.bytes / 1024).toFixed(0);
  const state = summary.upToDate ? 'Index is up to date' : 'Index written';
  return (
    `${state}: ${summary.indexDir}\n` +
    `  articles read       ${summary.articles}${summary.skipped.length ? ` (${summary.skipped.length} files skipped)` : ''}\n` +
    `  passages indexed    ${summary.passages}\n` +
    `  boilerplate dropped ${summary.dropped} lines\n` +
    `  embedded / reused   ${summary.embedded} / ${summary.reused}\n` +
    `  time                ${(summary.ms / 1000).toFixed(1)} s\n` +
    `  index size          ${kb} KB\n`
  );
}
