/**
 * A child process for changes to the corpus asked from Discord (and the running bot's feed polls): adding
 * articles, removing one, polling feeds. Each ends with an index update — embedding, long CPU work that must
 * never run on the bot's event loop. The task comes over IPC with the bot's settings; its report goes back.
 */
import type { Config } from '../../config/config.js';
import { createLogger } from '../../logging/logger.js';
import { errorMessage } from '../../shared/errors.js';
import { addArticles } from '../../app/add-articles.js';
import { fetcherFor } from '../../web/polite-fetcher.js';
import { pollFeeds } from '../../app/feeds.js';
import { removeArticle } from '../../app/remove-article.js';
import type { CorpusTask } from './corpus-process.js';

const { config, task } = await new Promise<{ config: Config; task: CorpusTask }>((resolve) =>
  process.once('message', (message) => resolve(message as { config: Config; task: CorpusTask })),
);
const logger = createLogger(config.logLevel, undefined, { secrets: [config.discordToken] });
try {
  const report =
    task.kind === 'add'
      ? await addArticles(task.urls, { config, logger, fetcher: fetcherFor(config) })
      : task.kind === 'remove'
        ? await removeArticle(task.articleId, { config, logger })
        : await pollFeeds({ config, logger, fetcher: fetcherFor(config) });
  const { index: _index, ...summary } = report;
  process.send?.({ report: summary }, () => process.exit(0));
} catch (error) {
  process.send?.({ error: errorMessage(error) }, () => process.exit(1));
}
