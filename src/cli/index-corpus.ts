/**
 * `npm run index [-- --json]`: builds or updates the index of CORPUS_DIR in INDEX_DIR.
 * A progress bar on a terminal, plain log lines otherwise; `--json` prints only the summary object on stdout.
 */
import { calibrationFrom } from '../answering/calibration.js';
import { loadConfig } from '../config/config.js';
import { type IndexSummary } from '../index/build/build-index.js';
import { updateIndex } from '../app/update-index.js';
import { countRepeatedPassages } from '../index/store.js';
import { describeSummary } from './summary-text.js';
import { progressReporter } from './progress.js';
import { parseCommandLine, type Command } from './flags.js';
import { commandLogger, runCli } from './run-cli.js';

const COMMAND: Command<'json'> = {
  synopsis: 'npm run index',
  flags: ['json'],
  about: `Builds or updates the index of CORPUS_DIR in INDEX_DIR, embedding only what changed, and calibrates
abstention on it.`,
};

await runCli(async () => {
  const commandLine = parseCommandLine(COMMAND);
  if (!commandLine) return 0;
  const { values } = commandLine;
  const config = loadConfig();
  const logger = commandLogger(config);
  const progress = progressReporter(logger, process.stderr.isTTY === true && !values.json);
  let summary: IndexSummary;
  try {
    summary = await updateIndex({ config, logger, onProgress: progress.update });
  } finally {
    progress.stop();
  }
  const inUse = calibrationFrom(summary.calibration, config);
  if (values.json) {
    const { articles, passages, dropped, embedded, reused, resumed, ms, bytes } = summary;
    const repeated = countRepeatedPassages(summary.indexDir);
    const calibration = {
      denseFloor: summary.calibration.denseFloor,
      denseCeiling: summary.calibration.denseCeiling,
      nullQuestions: summary.calibration.nullRelevances.length,
      threshold: inUse.minRelevance,
      thresholdSource: inUse.thresholdSource,
    };
    process.stdout.write(
      `${JSON.stringify({ articles, passages, repeated, dropped, embedded, reused, resumed, ms, bytes, calibration })}\n`,
    );
  } else {
    process.stdout.write(describeSummary(summary, inUse, countRepeatedPassages(summary.indexDir)));
  }
});
