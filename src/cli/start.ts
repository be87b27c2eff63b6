/**
 * `npm start`: brings the index up to date with the corpus (embedding only what changed), then runs the
 * Discord bot when DISCORD_TOKEN is set, or a question prompt on the command line when it is not.
 */
import { loadConfig } from '../config/config.js';
import { AnswerEngine } from '../answering/engine.js';
import { createLogger } from '../logging/logger.js';
import { buildIndex } from '../vector-index/build-index.js';
import { calibrationFrom } from '../answering/calibration.js';
import { describeSummary } from './summary-text.js';
import { runPrompt } from './prompt.js';
import { runCli } from './run-cli.js';

await runCli(async () => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const summary = await buildIndex({ config, logger });
  if (!summary.upToDate) process.stderr.write(describeSummary(summary, calibrationFrom(summary.calibration, config)));
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
