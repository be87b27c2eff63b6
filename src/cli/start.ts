/**
 * `npm start`: brings the index up to date with the corpus (embedding only what changed), then runs the
 * Discord bot when DISCORD_TOKEN is set, or a question prompt on the command line when it is not.
 */
import { loadConfig } from '../config/config.js';
import { AnswerEngine } from '../answering/engine.js';
import { createLogger } from '../logging/logger.js';
import { errorMessage } from '../shared/errors.js';
import { updateIndex } from '../app/update-index.js';
import { readManifest, type Manifest } from '../index/store.js';
import { calibrationFrom } from '../answering/calibration.js';
import { describeSummary } from './summary-text.js';
import { runPrompt } from './prompt.js';
import { progressReporter } from './progress.js';
import { parseCommandLine, type Command } from './flags.js';
import { runCli } from './run-cli.js';

function liveIndex(indexDir: string): Manifest | undefined {
  try {
    return readManifest(indexDir).manifest;
  } catch {
    return undefined;
  }
}

const COMMAND: Command<never> = {
  synopsis: 'npm start',
  flags: [],
  about: `Brings the index of CORPUS_DIR up to date, then runs the Discord bot (DISCORD_TOKEN set) or, without a token,
answers questions typed at a prompt. Settings come from .env (see .env.example).`,
};

await runCli(async () => {
  if (!parseCommandLine(COMMAND)) return 0;
  const config = loadConfig();
  const logger = createLogger(config.logLevel, undefined, { secrets: [config.discordToken], format: config.logFormat });
  const progress = progressReporter(logger, process.stderr.isTTY === true);
  try {
    const summary = await updateIndex({ config, logger, onProgress: progress.update }).finally(progress.stop);
    if (!summary.upToDate) process.stderr.write(describeSummary(summary, calibrationFrom(summary.calibration, config)));
  } catch (error) {
    // A bot with a good index keeps answering from it when the index cannot be brought up to date (another
    // build running, a read-only or full disk, a corpus problem): better stale than silent.
    const live = liveIndex(config.indexDir);
    if (!live) throw error;
    logger.warn(
      { reason: errorMessage(error), built: live.createdAt },
      'could not update the index; answering from the last good one',
    );
  }
  if (config.discordToken) {
    const { runBot } = await import('../discord/run-bot.js');
    return runBot(config, logger);
  }
  logger.info('DISCORD_TOKEN is not set: answering on the command line');
  const engine = await AnswerEngine.open(config);
  try {
    await runPrompt(engine, process.stdin, process.stdout);
  } finally {
    await engine.close();
  }
});
