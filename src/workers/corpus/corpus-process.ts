/**
 * Runs a corpus task (add, remove, poll feeds) in a child process (corpus-child.ts) and returns its report;
 * the bot's answering worker picks up the new index by itself. One task at a time: they all rebuild the
 * same index.
 */
import type { Config } from '../../config/config.js';
import type { Logger } from '../../logging/logger.js';
import { UserError, errorMessage } from '../../shared/errors.js';
import { forkSibling } from '../../shared/fork-module.js';
import type { AddReport } from '../../app/add-articles.js';
import type { PollReport } from '../../app/feeds.js';
import type { RemoveReport } from '../../app/remove-article.js';

export type CorpusTask = { kind: 'add'; urls: string[] } | { kind: 'remove'; articleId: string } | { kind: 'poll' };
type Report<T extends CorpusTask> = Omit<
  T extends { kind: 'add' } ? AddReport : T extends { kind: 'remove' } ? RemoveReport : PollReport,
  'index'
>;

let queue: Promise<unknown> = Promise.resolve();

export function runCorpusTask<T extends CorpusTask>(config: Config, task: T): Promise<Report<T>> {
  const run = () =>
    new Promise<Report<T>>((resolve, reject) => {
      const child = forkSibling(import.meta.url, 'corpus-child', ['ignore', 'ignore', 'inherit', 'ipc']);
      child.send({ config, task });
      child.once('message', (message) => {
        const reply = message as { report?: Report<T>; error?: string };
        if (reply.report) resolve(reply.report);
        else reject(new UserError(reply.error ?? 'the change to the corpus failed'));
      });
      child.once('exit', (code) => reject(new Error(`the corpus task stopped (exit code ${code})`)));
    });
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

/** Polls the feeds every FEEDS_POLL_MINUTES; returns a function that stops polling. */
export function startFeedPolling(config: Config, logger: Logger): () => void {
  let running = false;
  const poll = async () => {
    if (running) return;
    running = true;
    try {
      const report = await runCorpusTask(config, { kind: 'poll' });
      const failed = report.feeds.filter((feed) => feed.status === 'failed').length;
      logger.info({ feeds: report.feeds.length, added: report.added.length, failed, ms: report.ms }, 'feeds polled');
    } catch (error) {
      logger.error({ reason: errorMessage(error) }, 'feed poll failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void poll(), config.feedsPollMinutes * 60_000);
  timer.unref();
  void poll();
  return () => clearInterval(timer);
}
