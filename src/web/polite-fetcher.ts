/**
 * Politeness across requests: robots.txt honoured per host (robots-parser; a server error means nothing may
 * be fetched, RFC 9309), one request at a time per host, and a pause between two.
 */
import type { Config } from '../config/config.js';
import { parseWebUrl } from './addresses.js';
import {
  USER_AGENT,
  FetchError,
  type FetchOptions,
  DEFAULT_FETCH,
  type FetchedPage,
  fetchChecked,
} from './fetch-page.js';
import { createRequire } from 'node:module';

interface RobotsRules {
  isDisallowed(url: string, userAgent?: string): boolean | undefined;
}
// robots-parser is CommonJS whose typings do not describe its default export under NodeNext; its API is one
// function, typed here.
const robotsParser = createRequire(import.meta.url)('robots-parser') as (url: string, text: string) => RobotsRules;

/** The fetcher the settings describe. */
export function fetcherFor(
  config: Pick<Config, 'allowLoopbackUrls' | 'fetchDelayMs' | 'fetchTimeoutSeconds'>,
): PoliteFetcher {
  return new PoliteFetcher(
    {
      allowLoopback: config.allowLoopbackUrls,
      totalTimeoutMs: config.fetchTimeoutSeconds * 1000,
      connectTimeoutMs: Math.min(DEFAULT_FETCH.connectTimeoutMs, config.fetchTimeoutSeconds * 1000),
    },
    config.fetchDelayMs,
  );
}

/** What a host's robots.txt says: its rules, or the server error it answered with (RFC 9309 2.3.1.4: then
 * nothing may be fetched). No robots.txt (4xx), or one that is not text: nothing is forbidden. */
interface RobotsAnswer {
  rules?: RobotsRules;
  serverError?: number;
}

function robotsUnavailable(error: unknown): RobotsAnswer {
  const status = error instanceof FetchError ? error.status : undefined;
  return status !== undefined && status >= 500 ? { serverError: status } : {};
}

/** Politeness across requests: robots.txt per host, one request at a time per host, a pause between. */
export class PoliteFetcher {
  private readonly robots = new Map<string, Promise<RobotsAnswer>>();
  private readonly hostQueues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly base: Pick<FetchOptions, 'allowLoopback'> & Partial<FetchOptions>,
    /** Pause between two requests to one host. */
    private readonly delayMs = 1000,
  ) {}

  private options(accept: readonly string[], headers?: Record<string, string>): FetchOptions {
    return { ...DEFAULT_FETCH, ...this.base, accept, ...(headers ? { headers } : {}) };
  }

  /** Runs one request for `host` after the previous one (and a pause). */
  private inTurn<T>(host: string, run: () => Promise<T>): Promise<T> {
    const previous = this.hostQueues.get(host) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        try {
          return await run();
        } finally {
          await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        }
      });
    this.hostQueues.set(host, next);
    return next;
  }

  private robotsFor(url: URL): Promise<RobotsAnswer> {
    let answer = this.robots.get(url.origin);
    if (!answer) {
      const robotsUrl = new URL('/robots.txt', url).href;
      // Served as text/html by many servers: its rules are read all the same (an HTML page holds none).
      answer = this.inTurn(url.host, () => fetchChecked(robotsUrl, this.options(['text/plain', 'text/html'])))
        .then((page): RobotsAnswer => ({ rules: robotsParser(robotsUrl, page.body) }))
        .catch(robotsUnavailable);
      this.robots.set(url.origin, answer);
      // A server error is asked about again on the next request: it is expected to pass.
      void answer.then(({ serverError }) => serverError !== undefined && this.robots.delete(url.origin));
    }
    return answer;
  }

  async fetch(raw: string, accept: readonly string[], headers?: Record<string, string>): Promise<FetchedPage> {
    const url = parseWebUrl(raw);
    const { rules, serverError } = await this.robotsFor(url);
    if (serverError !== undefined) {
      throw new FetchError(
        `${url.host}'s robots.txt answered HTTP ${serverError}: nothing is fetched from it until it answers`,
      );
    }
    if (rules?.isDisallowed(url.href, USER_AGENT)) {
      throw new FetchError(`refused: ${url.host}'s robots.txt does not allow fetching ${url.pathname}`);
    }
    return this.inTurn(url.host, () => fetchChecked(url.href, this.options(accept, headers)));
  }
}
