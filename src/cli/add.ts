/**
 * `npm run add -- URL [URL …] [--json]`: fetches each page, stores its article in the corpus as Markdown with
 * front matter, and updates the index; says what was added, what was skipped and why, and how long it took.
 */
import { loadConfig } from '../config/config.js';
import { UserError } from '../shared/errors.js';
import { addArticles } from '../app/add-articles.js';
import { fetcherFor } from '../web/polite-fetcher.js';
import { progressReporter } from './progress.js';
import { parseCommandLine, usageOf, type Command } from './flags.js';
import { commandLogger, runCli } from './run-cli.js';

const COMMAND: Command<'json'> = {
  synopsis: 'npm run add -- URL [URL …]',
  flags: ['json'],
  positionals: true,
  about: `Fetches each page, keeps its article in CORPUS_DIR/web/<host>/ as Markdown with its metadata, and updates the
index. The same article (same canonical URL, or same text) is never added twice.`,
};
const USAGE = usageOf(COMMAND);

await runCli(async () => {
  const commandLine = parseCommandLine(COMMAND);
  if (!commandLine) return 0;
  const { values, positionals } = commandLine;
  if (positionals.length === 0) throw new UserError(`No URL given.\n${USAGE}`, 2);
  const config = loadConfig();
  const logger = commandLogger(config);
  const fetcher = fetcherFor(config);
  // Each page's outcome is logged as it is fetched; the embedding that follows shows its progress.
  const progress = progressReporter(logger, process.stderr.isTTY === true && !values.json);
  const report = await addArticles(positionals, { config, logger, fetcher, onProgress: progress.update }).finally(
    progress.stop,
  );
  if (values.json) {
    const { index: _index, ...rest } = report;
    process.stdout.write(`${JSON.stringify(rest)}\n`);
  } else {
    const lines = [
      ...report.added.map((article) => `added    ${article.title} (${article.passages} passages) → ${article.file}`),
      ...report.skipped.map((skip) => `skipped  ${skip.url}: ${skip.reason}`),
      `${report.added.length} added, ${report.skipped.length} skipped in ${(report.ms / 1000).toFixed(1)} s`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return report.added.length === 0 && report.skipped.length > 0 ? 1 : 0;
});
