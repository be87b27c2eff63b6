/**
 * `npm run index [-- --json]`: builds or updates the index of CORPUS_DIR in INDEX_DIR.
 * A progress bar on a terminal, plain log lines otherwise; `--json` prints only the summary object on stdout.
 */
import cliProgress from 'cli-progress';
import { calibrationFrom } from '../answering/calibration.js';
import { loadConfig } from '../config/config.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { type IndexSummary } from '../index/build/build-index.js';
import { updateIndex } from '../app/update-index.js';
import { countRepeatedPassages } from '../index/store.js';
import { describeSummary } from './summary-text.js';
import { parseCommandLine, runCli } from './run-cli.js';

/** Passages per second and the time left, from the count done since `started` (ms). */
export function embeddingRate(
  done: number,
  total: number,
  elapsedMs: number,
): { perSecond: number; secondsLeft: number } {
  const perSecond = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  return { perSecond, secondsLeft: perSecond > 0 ? (total - done) / perSecond : Infinity };
}

function progressReporter(
  logger: Logger,
  interactive: boolean,
): { update: (done: number, total: number) => void; stop: () => void } {
  let started: number | undefined;
  if (interactive) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'embedding [{bar}] {value}/{total} passages, {rate} passages/s, {eta_formatted} left',
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    return {
      update: (done, total) => {
        if (started === undefined) {
          started = performance.now();
          bar.start(total, 0, { rate: '–' });
        }
        const { perSecond } = embeddingRate(done, total, performance.now() - started);
        bar.update(done, { rate: perSecond.toFixed(1) });
      },
      stop: () => started !== undefined && bar.stop(),
    };
  }
  let lastTenth = -1;
  return {
    update: (done, total) => {
      started ??= performance.now();
      const tenth = Math.floor((done / total) * 10);
      if (tenth !== lastTenth) {
        const { perSecond, secondsLeft } = embeddingRate(done, total, performance.now() - started);
        logger.info(
          {
            done,
            total,
            perSecond: Math.round(perSecond * 10) / 10,
            ...(Number.isFinite(secondsLeft) ? { secondsLeft: Math.round(secondsLeft) } : {}),
          },
          'embedding progress',
        );
      }
      lastTenth = tenth;
    },
    stop: () => undefined,
  };
}

const USAGE = `Usage: npm run index [-- --json]
Builds or updates the index of CORPUS_DIR in INDEX_DIR, embedding only what changed, and calibrates
abstention on it. --json prints the summary as one JSON object (use npm run -s to keep npm's banner off).`;

await runCli(async () => {
  const commandLine = parseCommandLine({ json: { type: 'boolean' } }, USAGE);
  if (!commandLine) return 0;
  const { values } = commandLine;
  const config = loadConfig();
  const logger = createLogger(config.logLevel, undefined, { secrets: [config.discordToken] });
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
