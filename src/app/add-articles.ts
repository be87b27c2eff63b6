/**
 * URLs → articles in the corpus, then an incremental index update. Each page is fetched under the safety
 * rules of fetch-page.ts, its article found by the same HTML path as corpus files (Readability), and stored
 * as a Markdown file with front matter (title, author, publication, canonical URL, date, when fetched) under
 * CORPUS_DIR/web/<host>/, which a person can read and edit, or delete to remove the article.
 *
 * The same article is never added twice: not under the same canonical URL, and not with the same text (one
 * story reached by two URLs). What was added is kept in DATA_DIR/added-articles.json. Nothing is
 * half-written: a file appears by rename only when complete, and if the index cannot be updated, the files of
 * this run are removed again, leaving the corpus and the live index as they were.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Config } from '../config/config.js';
import { parseArticleLines } from '../corpus/article.js';
import { escapeMarkdownParagraph, parseHtml } from '../corpus/formats.js';
import type { Logger } from '../logging/logger.js';
import { errorMessage } from '../shared/errors.js';
import { writeFileAtomic } from '../shared/files.js';
import { webUrl } from '../shared/web-url.js';
import { readIndexedArticles } from '../index/store.js';
import { FetchError, HTML_TYPES } from '../web/fetch-page.js';
import type { PoliteFetcher } from '../web/polite-fetcher.js';
import { updateIndexOrUndo, type IndexSummary } from './update-index.js';

export interface AddedArticle {
  /** The URL as asked for (a feed item's link, a user's URL). */
  requested: string;
  /** The article's canonical URL. */
  url: string;
  file: string;
  title: string;
  passages: number;
}

export interface SkippedUrl {
  url: string;
  reason: string;
}

export interface AddReport {
  added: AddedArticle[];
  skipped: SkippedUrl[];
  ms: number;
  index: IndexSummary | undefined;
}

interface Registry {
  /** Canonical URL → corpus file (relative to CORPUS_DIR). */
  byUrl: Record<string, string>;
  /** Hash of the article's text → corpus file. */
  byText: Record<string, string>;
}

function registryPath(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'added-articles.json');
}

export function readRegistry(config: Pick<Config, 'dataDir' | 'corpusDir'>): Registry {
  try {
    const registry = JSON.parse(readFileSync(registryPath(config), 'utf8')) as Registry;
    // An article whose file was deleted (removed by hand) may be added again.
    const present = (file: string) => existsSync(join(config.corpusDir, file));
    return {
      byUrl: Object.fromEntries(Object.entries(registry.byUrl ?? {}).filter(([, file]) => present(file))),
      byText: Object.fromEntries(Object.entries(registry.byText ?? {}).filter(([, file]) => present(file))),
    };
  } catch {
    return { byUrl: {}, byText: {} };
  }
}

export function writeRegistry(config: Pick<Config, 'dataDir'>, registry: Registry): void {
  writeFileAtomic(registryPath(config), JSON.stringify(registry, null, 2));
}

const textHash = (paragraphs: string[]) =>
  createHash('sha256').update(paragraphs.join('\n').replace(/\s+/g, ' ').toLowerCase()).digest('hex').slice(0, 32);

function slugOf(title: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'article';
}

/** The article as Markdown: front matter (values JSON-quoted, which YAML reads as they are), then paragraphs. */
export function articleMarkdown(
  metadata: { title: string; author?: string; publication?: string; url: string; date?: string },
  paragraphs: string[],
  fetchedAt: string,
): string {
  const fields = Object.entries({ ...metadata, fetched: fetchedAt })
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  return `---\n${fields.join('\n')}\n---\n\n${paragraphs.map(escapeMarkdownParagraph).join('\n\n')}\n`;
}

const siteOf = (url: string) => new URL(url).hostname.replace(/^www\./, '');
const sameSite = (a: string, b: string) => siteOf(a) === siteOf(b);

export interface AddOptions {
  config: Config;
  logger: Logger;
  fetcher: PoliteFetcher;
  /** Index after adding (default true); the feed poller adds several feeds' items, then indexes once. */
  index?: boolean;
  /** Embedding progress of the index update. */
  onProgress?: (done: number, total: number) => void;
}

/** Fetches, extracts and stores one URL; returns the file written (relative to the corpus) or why not. */
async function addOne(
  raw: string,
  registry: Registry,
  { config, fetcher }: AddOptions,
): Promise<{ file: string; title: string; url: string } | SkippedUrl> {
  const given = webUrl(raw);
  if (!given) return { url: raw, reason: 'not an http(s) URL' };
  if (registry.byUrl[given]) return { url: raw, reason: `already in the corpus as ${registry.byUrl[given]}` };
  let page;
  try {
    page = await fetcher.fetch(given, HTML_TYPES);
  } catch (error) {
    return { url: raw, reason: error instanceof FetchError ? error.message : errorMessage(error) };
  }
  const html = parseHtml(page.body, page.url);
  const host = new URL(page.url).hostname;
  const article = parseArticleLines({ ...html, fallbackTitle: `${host}${new URL(page.url).pathname}` });
  if (article.paragraphs.length === 0) return { url: raw, reason: 'no article text found on the page' };
  // A canonical link is believed only on the page's own site: another address (a private one, another
  // article's) must not become this article's citation or registry entry.
  const claimed = webUrl(article.metadata.url);
  const canonical = claimed !== undefined && sameSite(claimed, page.url) ? claimed : page.url;
  for (const url of [canonical, page.url]) {
    if (registry.byUrl[url]) return { url: raw, reason: `already in the corpus as ${registry.byUrl[url]}` };
  }
  const hash = textHash(article.paragraphs);
  if (registry.byText[hash])
    return { url: raw, reason: `the same text is already in the corpus as ${registry.byText[hash]}` };

  const folder = join(config.corpusDir, 'web', host.replace(/[^a-z0-9.-]/gi, '_'));
  const path = join(folder, `${slugOf(article.metadata.title)}-${hash.slice(0, 8)}.md`);
  const file = relative(config.corpusDir, path).split(sep).join('/');
  writeFileAtomic(
    path,
    articleMarkdown({ ...article.metadata, url: canonical }, article.paragraphs, new Date().toISOString()),
  );
  registry.byUrl[canonical] = file;
  registry.byUrl[page.url] = file;
  registry.byUrl[given] = file;
  registry.byText[hash] = file;
  return { file, title: article.metadata.title, url: canonical };
}

/** One page's failure, whatever it is (a page that defeats the parser, say), is that page's skip alone. */
async function addOneOrSkip(raw: string, registry: Registry, options: AddOptions): ReturnType<typeof addOne> {
  try {
    return await addOne(raw, registry, options);
  } catch (error) {
    return { url: raw, reason: `could not read the page: ${errorMessage(error).split('\n')[0]}` };
  }
}

/** Takes this run's articles out of the corpus again and restores the registry as it was before it. */
export function removeAdded(
  config: Pick<Config, 'corpusDir' | 'dataDir'>,
  added: { file: string }[],
  before: Registry,
): void {
  for (const { file } of added) rmSync(join(config.corpusDir, file), { force: true });
  writeRegistry(config, before);
}

export async function addArticles(urls: string[], options: AddOptions): Promise<AddReport> {
  const started = performance.now();
  const { config, logger } = options;
  const registry = readRegistry(config);
  const before = structuredClone(registry);
  const added: { file: string; title: string; url: string; requested: string }[] = [];
  const skipped: SkippedUrl[] = [];
  for (const url of urls) {
    const result = await addOneOrSkip(url, registry, options);
    if ('reason' in result) {
      skipped.push(result);
      logger.info({ url: result.url, reason: result.reason }, 'not added');
    } else {
      added.push({ ...result, requested: url });
      logger.info({ url: result.url, file: result.file }, 'article added');
    }
  }
  let index: IndexSummary | undefined;
  if (added.length > 0 && options.index !== false) {
    // If the update fails, the corpus is left as it was: the live index does not have these articles either.
    index = await updateIndexOrUndo(
      { config, logger, ...(options.onProgress ? { onProgress: options.onProgress } : {}) },
      () => removeAdded(config, added, before),
    );
  }
  writeRegistry(config, registry);
  return {
    added: withPassageCounts(config, added),
    skipped,
    ms: Math.round(performance.now() - started),
    index,
  };
}

/** The articles with the number of passages the live index holds for each. */
export function withPassageCounts(
  config: Pick<Config, 'indexDir'>,
  articles: Omit<AddedArticle, 'passages'>[],
): AddedArticle[] {
  const indexed = articles.length > 0 ? readIndexedArticles(config.indexDir) : [];
  return articles.map((article) => ({
    ...article,
    passages: indexed.find((entry) => entry.id === article.file)?.passageCount ?? 0,
  }));
}
