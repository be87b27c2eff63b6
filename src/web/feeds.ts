/**
 * Following RSS 2.0 and Atom feeds: the feeds file (FEEDS_FILE, one URL a line, `#` for comments) lists them;
 * a poll fetches each with the ETag and Last-Modified of the last answer, so a feed with nothing new costs
 * one conditional request and embeds nothing; new items' articles are added (add-articles.ts) and the index
 * is updated once for all of them. What was seen is kept in DATA_DIR/feeds-state.json. Feeds are parsed by
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
import { buildIndex, type IndexSummary } from '../vector-index/build-index.js';
import { addArticles, withPassageCounts, type AddedArticle, type SkippedUrl } from './add-articles.js';
import { FEED_TYPES, FetchError, type PoliteFetcher } from './fetch-page.js';

interface FeedState {
  etag?: string;
  lastModified?: string;
  /** Ids (guid, id or link) of items already handled, newest last. */
  seen: string[];
}

const SEEN_LIMIT = 2000;

export type FeedOutcome =
  | { url: string; status: 'unchanged' }
  | { url: string; status: 'read'; items: number; newItems: number }
  | { url: string; status: 'failed'; reason: string };

export interface PollReport {
  feeds: FeedOutcome[];
  added: AddedArticle[];
  skipped: SkippedUrl[];
  index: IndexSummary | undefined;
  ms: number;
}

/** The feeds file's URLs; a line that is not an http(s) URL is reported, not used. */
export function readFeedList(path: string): { urls: string[]; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { urls: [], problems: [] };
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
    return JSON.parse(readFileSync(statePath(config), 'utf8')) as Record<string, FeedState>;
  } catch {
    return {};
  }
}

/** Skips that will not change on a later poll: the item is done with (a page nested too deep, too). */
const settled = (reason: string) =>
  /already in the corpus|same text|no article text|robots\.txt|not an http|nest \d+ deep/.test(reason);

export interface PollOptions {
  config: Config;
  logger: Logger;
  fetcher: PoliteFetcher;
}

export async function pollFeeds({ config, logger, fetcher }: PollOptions): Promise<PollReport> {
  const started = performance.now();
  const { urls, problems } = readFeedList(config.feedsFile);
  for (const problem of problems) logger.warn(problem);
  const state = readState(config);
  const parser = new Parser();
  const feeds: FeedOutcome[] = [];
  const pending: { feed: string; id: string; link: string }[] = [];

  for (const url of urls) {
    const previous = state[url] ?? { seen: [] };
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
      const seen = new Set(previous.seen);
      const items = (feed.items ?? [])
        .map((item) => ({ id: item.guid ?? (item as { id?: string }).id ?? item.link ?? '', link: webUrl(item.link) }))
        .filter((item): item is { id: string; link: string } => item.id !== '' && item.link !== undefined);
      const fresh = items.filter((item) => !seen.has(item.id));
      for (const item of fresh) pending.push({ feed: url, id: item.id, link: item.link });
      state[url] = {
        ...(page.headers.etag ? { etag: page.headers.etag } : {}),
        ...(page.headers['last-modified'] ? { lastModified: page.headers['last-modified'] } : {}),
        seen: previous.seen,
      };
      feeds.push({ url, status: 'read', items: items.length, newItems: fresh.length });
    } catch (error) {
      const reason = error instanceof FetchError ? error.message : errorMessage(error);
      logger.warn({ feed: url, reason }, 'feed not read');
      feeds.push({ url, status: 'failed', reason });
    }
  }

  const report = await addArticles(
    pending.map((item) => item.link),
    { config, logger, fetcher, index: false },
  );
  const done = new Set([
    ...report.added.map((article) => article.requested),
    ...report.skipped.filter((skip) => settled(skip.reason)).map((skip) => skip.url),
  ]);
  for (const item of pending) {
    const feedState = state[item.feed];
    if (feedState && done.has(item.link)) feedState.seen = [...feedState.seen, item.id].slice(-SEEN_LIMIT);
  }
  // A feed whose items could not all be fetched is asked again in full next time.
  for (const item of pending) {
    const feedState = state[item.feed];
    if (feedState && !feedState.seen.includes(item.id)) {
      delete feedState.etag;
      delete feedState.lastModified;
    }
  }
  const index = report.added.length > 0 ? await buildIndex({ config, logger }) : undefined;
  writeFileAtomic(statePath(config), JSON.stringify(state, null, 2));
  return {
    feeds,
    added: withPassageCounts(config, report.added),
    skipped: report.skipped,
    index,
    ms: Math.round(performance.now() - started),
  };
}
