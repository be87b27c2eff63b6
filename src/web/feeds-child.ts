/** The child process of feeds-process.ts: one poll with the bot's settings, its report sent back. */
import type { Config } from '../config/config.js';
import { createLogger } from '../logging/logger.js';
import { errorMessage } from '../shared/errors.js';
import { fetcherFor } from './fetch-page.js';
import { pollFeeds } from './feeds.js';

const { config } = await new Promise<{ config: Config }>((resolve) =>
  process.once('message', (message) => resolve(message as { config: Config })),
);
try {
  const logger = createLogger(config.logLevel, undefined, { secrets: [config.discordToken] });
  const { index: _index, ...report } = await pollFeeds({ config, logger, fetcher: fetcherFor(config) });
  process.send?.({ report }, () => process.exit(0));
} catch (error) {
  process.send?.({ error: errorMessage(error) }, () => process.exit(1));
}
