/**
 * Embedding progress for the commands that index (`npm run index`, `npm start`, `npm run add`, feeds): a
 * progress bar on a terminal, a log line every tenth elsewhere.
 */
import cliProgress from 'cli-progress';
import type { Logger } from '../logging/logger.js';

/** Passages per second and the time left, from the count done since `started` (ms). */
export function embeddingRate(
  done: number,
  total: number,
  elapsedMs: number,
): { perSecond: number; secondsLeft: number } {
  const perSecond = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  return { perSecond, secondsLeft: perSecond > 0 ? (total - done) / perSecond : Infinity };
}

export function progressReporter(
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
