/**
 * Fetching a URL a user gave the bot, safely. The bot runs next to other services, so a URL must never be a
 * way into them:
 *
 * - only http and https;
 * - the address a host name resolves to is checked — not the name — and the connection goes to exactly that
 *   address (no second lookup a DNS rebinding could answer differently); loopback, private, link-local,
 *   unique-local, carrier-grade NAT, multicast and reserved ranges are refused (ipaddr.js classifies them);
 *   ALLOW_LOOPBACK_URLS lets loopback through, and nothing else (the tests serve pages from 127.0.0.1);
 * - redirects are followed by hand, at most MAX_REDIRECTS, each new address checked again;
 * - a connect timeout, a total timeout, a size limit on the body, and only the content types asked for;
 * - politeness: a User-Agent that names the bot, robots.txt honoured (robots-parser), and one request at a
 *   time per host with a short pause between them.
 * - the body decoded in the charset the answer declares (Content-Type, <meta>, XML declaration), else as
 *   an article file is (corpus/decode.ts): a Windows-1252 page is never stored with U+FFFD.
 *
 * Every refusal is a FetchError with a one-line reason a user can read.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { createRequire } from 'node:module';
import ipaddr from 'ipaddr.js';
import type { Config } from '../config/config.js';
import { decodeWebPage } from '../corpus/decode.js';

interface RobotsRules {
  isDisallowed(url: string, userAgent?: string): boolean | undefined;
}
// robots-parser is CommonJS whose typings do not describe its default export under NodeNext; its API is one
// function, typed here.
const robotsParser = createRequire(import.meta.url)('robots-parser') as (url: string, text: string) => RobotsRules;

export const USER_AGENT = 'corpus-quote-bot/0.1 (a Discord bot quoting news articles; see its README)';
export const MAX_REDIRECTS = 5;

export class FetchError extends Error {
  constructor(
    message: string,
    /** HTTP status, when the server answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

export interface FetchOptions {
  /** Content types accepted (the part before ";"), e.g. text/html. */
  accept: readonly string[];
  /** Loopback (127.0.0.0/8, ::1) may be fetched: for tests; every other internal range stays refused. */
  allowLoopback: boolean;
  maxBytes: number;
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  /** Extra request headers (If-None-Match, If-Modified-Since for feeds). */
  headers?: Record<string, string>;
}

export const HTML_TYPES = ['text/html', 'application/xhtml+xml'] as const;
export const FEED_TYPES = [
  'application/rss+xml',
  'application/atom+xml',
  'application/xml',
  'text/xml',
  'application/rdf+xml',
] as const;

export const DEFAULT_FETCH: Omit<FetchOptions, 'accept' | 'allowLoopback'> = {
  maxBytes: 5 * 1024 * 1024,
  connectTimeoutMs: 5_000,
  totalTimeoutMs: 20_000,
};

export interface FetchedPage {
  /** The URL after redirects. */
  url: string;
  status: number;
  contentType: string;
  body: string;
  headers: Record<string, string | undefined>;
}

/** Why an address may not be fetched, or undefined when it may. */
export function forbiddenAddress(address: string, allowLoopback = false): string | undefined {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  return range === 'unicast' || (allowLoopback && range === 'loopback')
    ? undefined
    : `${address} is a ${range} address`;
}

/** A DNS lookup that refuses internal addresses: the connection uses the address checked here. */
function checkedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const list = addresses as LookupAddress[];
      const usable = list.filter((entry) => forbiddenAddress(entry.address, allowLoopback) === undefined);
      const chosen = usable[0];
      if (!chosen) {
        const reason = list[0] ? forbiddenAddress(list[0].address, allowLoopback) : 'no address';
        callback(new FetchError(`refused: ${hostname} resolves to an internal address (${reason})`), '', 0);
        return;
      }
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, [chosen]);
      } else {
        callback(null, chosen.address, chosen.family);
      }
    });
  };
}

function parseWebUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchError(`"${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError(`refused: only http and https URLs can be fetched, not ${url.protocol.replace(':', '')}`);
  }
  return url;
}

/** An answer before its body is decoded: only a page that is kept (a 200) is. */
type RawPage = Omit<FetchedPage, 'body'> & { bytes: Buffer };

/** The body as text, in the charset the page declares (header, <meta> or XML declaration). */
function decodedBody(bytes: Buffer, page: Omit<FetchedPage, 'body'>): string {
  const decoded = decodeWebPage(bytes, page.headers['content-type'] ?? '');
  if ('text' in decoded) return decoded.text;
  throw new FetchError(`refused: ${page.url} could not be read as text (${decoded.problem.split(';')[0]})`);
}

/** One request, no redirect following. */
function requestOnce(url: URL, options: FetchOptions, signal: AbortSignal): Promise<RawPage> {
  return new Promise((resolve, reject) => {
    // An IP literal gets no DNS lookup: check it here.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(literal)) {
      const reason = forbiddenAddress(literal, options.allowLoopback);
      if (reason) {
        reject(new FetchError(`refused: ${reason}`));
        return;
      }
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      url,
      {
        method: 'GET',
        headers: {
          'user-agent': USER_AGENT,
          accept: [...options.accept, '*/*;q=0.1'].join(', '),
          ...options.headers,
        },
        lookup: checkedLookup(options.allowLoopback),
        signal,
      },
      (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        const headers = Object.fromEntries(
          Object.entries(response.headers).map(([key, value]) => [
            key,
            Array.isArray(value) ? value.join(', ') : value,
          ]),
        );
        const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
        const declared = Number(headers['content-length'] ?? NaN);
        if (Number.isFinite(declared) && declared > options.maxBytes) {
          response.destroy();
          reject(new FetchError(`refused: the page is ${declared} bytes, more than the ${options.maxBytes} allowed`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            response.destroy();
            reject(new FetchError(`refused: the page is more than the ${options.maxBytes} bytes allowed`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({ url: url.href, status, contentType, bytes: Buffer.concat(chunks), headers }),
        );
        response.on('error', reject);
      },
    );
    const connectTimer = setTimeout(
      () => request.destroy(new FetchError(`no connection to ${url.host} within ${options.connectTimeoutMs / 1000} s`)),
      options.connectTimeoutMs,
    );
    request.on('socket', (socket) => {
      if (!socket.connecting) clearTimeout(connectTimer);
      socket.once('connect', () => clearTimeout(connectTimer));
      socket.once('secureConnect', () => clearTimeout(connectTimer));
    });
    request.on('close', () => clearTimeout(connectTimer));
    request.on('error', (error) => reject(error));
    request.end();
  });
}

function describeNetworkError(error: unknown, url: URL, options: FetchOptions): FetchError {
  if (error instanceof FetchError) return error;
  const { name, code, message } = error as { name?: string; code?: string; message?: string };
  if (name === 'AbortError' || name === 'TimeoutError') {
    return new FetchError(`no complete answer from ${url.host} within ${options.totalTimeoutMs / 1000} s`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new FetchError(`no such host: ${url.hostname}`);
  if (code === 'ECONNREFUSED') return new FetchError(`${url.host} refused the connection`);
  if (code === 'ECONNRESET') return new FetchError(`${url.host} closed the connection`);
  return new FetchError(`could not fetch ${url.href}: ${message ?? String(error)}`);
}

/**
 * GETs a URL under the rules above, following redirects. A 304 (for a conditional request) is returned as
 * is; any other status but 200 is a FetchError, as is a content type not in `accept`.
 */
export async function fetchChecked(raw: string, options: FetchOptions): Promise<FetchedPage> {
  let url = parseWebUrl(raw);
  const signal = AbortSignal.timeout(options.totalTimeoutMs);
  const visited = new Set<string>();
  for (let hop = 0; ; hop++) {
    let page: RawPage;
    try {
      page = await requestOnce(url, options, signal);
    } catch (error) {
      throw describeNetworkError(error, url, options);
    }
    if ([301, 302, 303, 307, 308].includes(page.status)) {
      const location = page.headers.location;
      if (!location) throw new FetchError(`${url.host} answered ${page.status} without a Location`, page.status);
      if (hop >= MAX_REDIRECTS) throw new FetchError(`refused: more than ${MAX_REDIRECTS} redirects`, page.status);
      const next = parseWebUrl(new URL(location, url).href);
      if (visited.has(next.href)) throw new FetchError(`refused: a redirect loop at ${next.href}`, page.status);
      visited.add(url.href);
      url = next;
      continue;
    }
    const { bytes, ...answer } = page;
    if (page.status === 304) return { ...answer, body: '' };
    if (page.status !== 200) {
      throw new FetchError(`${url.host} answered HTTP ${page.status} for ${url.pathname}`, page.status);
    }
    if (!options.accept.includes(page.contentType)) {
      throw new FetchError(
        `refused: ${url.href} is ${page.contentType || 'of no stated type'}, not ${options.accept.join(' or ')}`,
      );
    }
    return { ...answer, body: decodedBody(bytes, answer) };
  }
}

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
