/**
 * `npm run feeds [-- --json]`: polls every feed of FEEDS_FILE once (cron-friendly), adds new items' articles
 * and updates the index. A feed with nothing new costs one conditional request.
 */
import { loadConfig } from '../config/config.js';
import { fetcherFor } from '../web/polite-fetcher.js';
import { pollFeeds } from '../app/feeds.js';
import { parseCommandLine, type Command } from './flags.js';
import { commandLogger, runCli } from './run-cli.js';

const COMMAND: Command<'json'> = {
  synopsis: 'npm run feeds',
  flags: ['json'],
  about: `Polls each feed listed in FEEDS_FILE (default DATA_DIR/feeds.txt, one RSS or Atom URL a line) once, adds the
articles of new items to the corpus and updates the index.`,
};

await runCli(async () => {
  const commandLine = parseCommandLine(COMMAND);
  if (!commandLine) return 0;
  const config = loadConfig();
  const logger = commandLogger(config);
  const report = await pollFeeds({ config, logger, fetcher: fetcherFor(config) });
  if (commandLine.values.json) {
    const { index: _index, ...rest } = report;
    process.stdout.write(`${JSON.stringify(rest)}\n`);
    return 0;
  }
  const lines = [
    ...report.feeds.map((feed) =>
      feed.status === 'unchanged'
        ? `unchanged ${feed.url}`
        : feed.status === 'read'
          ? `read      ${feed.url}: ${feed.items} items, ${feed.newItems} new`
          : `failed    ${feed.url}: ${feed.reason}`,
    ),
    ...report.added.map((article) => `added     ${article.title} (${article.passages} passages) → ${article.file}`),
    ...report.skipped.map((skip) => `skipped   ${skip.url}: ${skip.reason}`),
    `${report.feeds.length} feeds, ${report.added.length} articles added in ${(report.ms / 1000).toFixed(1)} s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
});
