/**
 * The running bot's feed polling. A poll embeds new articles and rebuilds the index, which is long CPU work,
 * so it runs in a child process, never on the bot's event loop; the answering worker then picks up the new
 * index on its own (hot reload). One poll at a time: a poll still running when the next is due is not doubled.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { errorMessage } from '../shared/errors.js';
import type { PollReport } from './feeds.js';

type PollSummary = Omit<PollReport, 'index'>;

/** Runs one poll in a child process; resolves with its report. */
export function pollInChildProcess(config: Config): Promise<PollSummary> {
  const typescript = import.meta.url.endsWith('.ts');
  const child = fork(fileURLToPath(new URL(`./feeds-child.${typescript ? 'ts' : 'js'}`, import.meta.url)), [], {
    serialization: 'advanced',
    execArgv: typescript ? ['--import', 'tsx'] : [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  child.send({ config });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => {
      const reply = message as { report?: PollSummary; error?: string };
      if (reply.report) resolve(reply.report);
      else reject(new Error(reply.error ?? 'the feed poll failed'));
    });
    child.once('exit', (code) => reject(new Error(`the feed poll stopped (exit code ${code})`)));
  });
}

/** Polls every `minutes`; returns a function that stops polling. */
export function startFeedPolling(config: Config, logger: Logger): () => void {
  let running = false;
  const poll = async () => {
    if (running) return;
    running = true;
    try {
      const report = await pollInChildProcess(config);
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
