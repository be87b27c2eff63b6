/**
 * Fetching a URL a user gave the bot, safely. The bot runs next to other services, so a URL must never be a
 * way into them:
 *
 * - only http and https, and only addresses addresses.ts allows, checked again at every redirect;
 * - redirects are followed by hand, at most MAX_REDIRECTS;
 * - a connect timeout, a total timeout, a size limit on the body, and only the content types asked for;
 * - a User-Agent that names the bot (politeness across requests is polite-fetcher.ts's);
 * - the body decoded in the charset the answer declares (Content-Type, <meta>, XML declaration), else as
 *   an article file is (corpus/decode.ts): a Windows-1252 page is never stored with U+FFFD.
 *
 * Every refusal is a FetchError with a one-line reason a user can read.
 */
import { decodeWebPage } from '../corpus/decode.js';
import { forbiddenAddress, checkedLookup, parseWebUrl } from './addresses.js';
import ipaddr from 'ipaddr.js';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { FetchError } from './fetch-error.js';

export { FetchError };

export const USER_AGENT = 'corpus-quote-bot/0.1 (a Discord bot quoting news articles; see its README)';
export const MAX_REDIRECTS = 5;

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
