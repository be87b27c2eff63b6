/**
 * Following RSS 2.0 and Atom feeds: the feeds file (FEEDS_FILE, one URL a line, `#` for comments) lists them;
 * a poll fetches each with the ETag and Last-Modified of the last answer, so a feed with nothing new costs
 * one conditional request and embeds nothing; new items' articles are added (add-articles.ts), a batch at a
 * time and at most FEEDS_ITEMS_PER_POLL a poll, and the index is updated once for all of them. What was seen is kept in DATA_DIR/feeds-state.json. Feeds are parsed by
 * rss-parser, a maintained parser, not by hand.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Parser from 'rss-parser';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { errorMessage } from '../shared/errors.js';
import { writeFileAtomic } from '../shared/files.js';
import { webUrl } from '../shared/web-url.js';
import {
  addArticles,
  readRegistry,
  removeAdded,
  withPassageCounts,
  type AddedArticle,
  type SkippedUrl,
} from './add-articles.js';
import { updateIndexOrUndo, type IndexSummary } from './update-index.js';
import { FEED_TYPES, FetchError } from '../web/fetch-page.js';
import type { PoliteFetcher } from '../web/polite-fetcher.js';

interface FeedState {
  etag?: string;
  lastModified?: string;
  /** Ids (guid, id or link) of items done with (added, or skipped for good), newest last. */
  seen: string[];
  /** Items found but not added yet (over one poll's cap, or their page failed): tried again on later polls. */
  pending?: PendingItem[];
}

interface PendingItem {
  id: string;
  link: string;
  /** Polls on which fetching the item's page failed. */
  failures: number;
}

const SEEN_LIMIT = 2000;
/** Items added between two saves of the feed state: an interrupted poll loses at most this much work. */
export const ITEMS_PER_BATCH = 20;
/** Polls an item's page may fail on before it is given up (a page gone for good, say). */
export const ITEM_ATTEMPTS = 3;

export type FeedOutcome =
  | { url: string; status: 'unchanged' }
  | { url: string; status: 'read'; items: number; newItems: number }
  | { url: string; status: 'failed'; reason: string };

export interface PollReport {
  feeds: FeedOutcome[];
  added: AddedArticle[];
  skipped: SkippedUrl[];
  /** Items waiting for the next poll (over FEEDS_ITEMS_PER_POLL, or to be tried again). */
  waiting: number;
  index: IndexSummary | undefined;
  ms: number;
}

/** The feeds file's URLs; a line that is not an http(s) URL is reported, not used. */
export function readFeedList(path: string): { urls: string[]; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    // No feeds file yet: no feeds. Any other failure (a folder, no permission) is said.
    const code = (error as NodeJS.ErrnoException).code;
    return {
      urls: [],
      problems: code === 'ENOENT' ? [] : [`${path}: the feeds file cannot be read (${code ?? errorMessage(error)})`],
    };
  }
  const urls: string[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, index) => {
    const entry = line.replace(/#.*$/, '').trim();
    if (!entry) return;
    const url = webUrl(entry);
    if (url && !urls.includes(url)) urls.push(url);
    else if (!url) problems.push(`${path}:${index + 1}: "${entry}" is not an http(s) URL`);
  });
  return { urls, problems };
}

export function writeFeedList(path: string, urls: string[]): void {
  writeFileAtomic(path, `# Feeds the bot follows (RSS or Atom), one URL a line.\n${urls.join('\n')}\n`);
}

const statePath = (config: Pick<Config, 'dataDir'>) => join(config.dataDir, 'feeds-state.json');

function readState(config: Pick<Config, 'dataDir'>): Record<string, FeedState> {
  try {
    const state = JSON.parse(readFileSync(statePath(config), 'utf8')) as unknown;
    if (typeof state !== 'object' || state === null || Array.isArray(state)) return {};
    return Object.fromEntries(
      Object.entries(state as Record<string, Partial<FeedState>>)
        .filter(([, feed]) => typeof feed === 'object' && feed !== null)
        .map(([url, feed]) => [
          url,
          {
            ...(typeof feed.etag === 'string' ? { etag: feed.etag } : {}),
            ...(typeof feed.lastModified === 'string' ? { lastModified: feed.lastModified } : {}),
            seen: Array.isArray(feed.seen) ? feed.seen.filter((id) => typeof id === 'string') : [],
            pending: Array.isArray(feed.pending)
              ? feed.pending.filter((item) => typeof item?.id === 'string' && typeof item.link === 'string')
              : [],
          },
        ]),
    );
  } catch {
    return {};
  }
}

const writeState = (config: Pick<Config, 'dataDir'>, state: Record<string, FeedState>) =>
  writeFileAtomic(statePath(config), JSON.stringify(state, null, 2));

/** Skips that will not change on a later poll: the item is done with. */
const settled = (reason: string) =>
  /^refused:|already in the corpus|same text|no article text|not an http|nest \d+ deep/.test(reason);

export interface PollOptions {
  config: Config;
  logger: Logger;
  fetcher: PoliteFetcher;
}

/** Reads each feed (a conditional request) and queues its new items in the feed's state. */
async function readFeeds(
  urls: string[],
  state: Record<string, FeedState>,
  { logger, fetcher }: Pick<PollOptions, 'logger' | 'fetcher'>,
): Promise<FeedOutcome[]> {
  const parser = new Parser();
  const feeds: FeedOutcome[] = [];
  for (const url of urls) {
    const previous = state[url] ?? { seen: [] };
    state[url] = previous;
    try {
      const headers: Record<string, string> = {};
      if (previous.etag) headers['if-none-match'] = previous.etag;
      if (previous.lastModified) headers['if-modified-since'] = previous.lastModified;
      const page = await fetcher.fetch(url, FEED_TYPES, headers);
      if (page.status === 304) {
        feeds.push({ url, status: 'unchanged' });
        continue;
      }
      let feed;
      try {
        feed = await parser.parseString(page.body);
      } catch (error) {
        throw new FetchError(`not a readable RSS or Atom feed (${errorMessage(error).split('\n')[0]})`);
      }
      const known = new Set([...previous.seen, ...(previous.pending ?? []).map((item) => item.id)]);
      const items = (feed.items ?? [])
        .map((item) => ({ id: item.guid ?? (item as { id?: string }).id ?? item.link ?? '', link: webUrl(item.link) }))
        .filter((item): item is { id: string; link: string } => item.id !== '' && item.link !== undefined);
      const fresh = items.filter((item) => !known.has(item.id));
      previous.pending = [...(previous.pending ?? []), ...fresh.map((item) => ({ ...item, failures: 0 }))];
      if (page.headers.etag) previous.etag = page.headers.etag;
      else delete previous.etag;
      if (page.headers['last-modified']) previous.lastModified = page.headers['last-modified'];
      else delete previous.lastModified;
      feeds.push({ url, status: 'read', items: items.length, newItems: fresh.length });
    } catch (error) {
      const reason = error instanceof FetchError ? error.message : errorMessage(error);
      logger.warn({ feed: url, reason }, 'feed not read');
      feeds.push({ url, status: 'failed', reason });
    }
  }
  return feeds;
}

/**
 * A poll: every feed read, then up to FEEDS_ITEMS_PER_POLL queued items added, ITEMS_PER_BATCH at a time with the
 * state saved after each batch, then one index update. If that update fails, this poll's articles leave the
 * corpus again and the feed state is as it was before the poll, so the next poll tries them again.
 */
export async function pollFeeds({ config, logger, fetcher }: PollOptions): Promise<PollReport> {
  const started = performance.now();
  const { urls, problems } = readFeedList(config.feedsFile);
  for (const problem of problems) logger.warn(problem);
  const state = readState(config);
  const stateBefore = structuredClone(state);
  const registryBefore = readRegistry(config);
  const feeds = await readFeeds(urls, state, { logger, fetcher });

  const queue = urls.flatMap((url) => (state[url]?.pending ?? []).map((item) => ({ feed: url, item })));
  // At most FEEDS_FEEDS_ITEMS_PER_POLL, so the first poll of a long feed ends; the rest wait for the next poll.
  const work = queue.slice(0, config.feedsItemsPerPoll);
  const added: Omit<AddedArticle, 'passages'>[] = [];
  const skipped: SkippedUrl[] = [];
  for (let at = 0; at < work.length; at += ITEMS_PER_BATCH) {
    const batch = work.slice(at, at + ITEMS_PER_BATCH);
    const report = await addArticles(
      batch.map(({ item }) => item.link),
      { config, logger, fetcher, index: false },
    );
    added.push(...report.added);
    skipped.push(...report.skipped);
    const addedLinks = new Set(report.added.map((article) => article.requested));
    const failed = new Map(report.skipped.map((skip) => [skip.url, skip.reason]));
    for (const { feed, item } of batch) {
      const feedState = state[feed];
      if (!feedState) continue;
      const reason = failed.get(item.link);
      const done = addedLinks.has(item.link) || (reason !== undefined && settled(reason));
      item.failures += done ? 0 : 1;
      if (!done && item.failures >= ITEM_ATTEMPTS) {
        logger.warn({ feed, url: item.link, reason }, `feed item given up after ${ITEM_ATTEMPTS} failed polls`);
      }
      if (done || item.failures >= ITEM_ATTEMPTS) {
        feedState.pending = (feedState.pending ?? []).filter((entry) => entry !== item);
        feedState.seen = [...feedState.seen, item.id].slice(-SEEN_LIMIT);
      }
    }
    writeState(config, state);
  }
  writeState(config, state);

  const index =
    added.length > 0
      ? await updateIndexOrUndo({ config, logger }, () => {
          removeAdded(config, added, registryBefore);
          writeState(config, stateBefore);
        })
      : undefined;
  const waiting = urls.reduce((sum, url) => sum + (state[url]?.pending?.length ?? 0), 0);
  if (waiting > 0) logger.info({ waiting }, 'feed items left for the next poll');
  return {
    feeds,
    added: withPassageCounts(config, added),
    skipped,
    waiting,
    index,
    ms: Math.round(performance.now() - started),
  };
}
