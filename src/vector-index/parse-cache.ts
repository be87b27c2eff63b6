/**
 * What each article parsed to, kept beside the index (`parsed.json` in its version folder) and keyed by the
 * article's content hash, so the next build parses only the files that changed: an HTML page costs
 * Readability and a DOM, tens of milliseconds and megabytes, while reading and hashing its bytes costs almost
 * nothing. A missing or unreadable cache only means every file is parsed again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusArticle, ParseCache } from '../corpus/read-corpus.js';
import { currentVersion } from './store.js';

export const PARSE_CACHE_FILE = 'parsed.json';

type Entry = Pick<CorpusArticle, 'format' | 'metadata' | 'paragraphs' | 'dropped'>;

export function readParseCache(indexDir: string): ParseCache {
  const version = currentVersion(indexDir);
  if (!version) return new Map();
  try {
    const entries = JSON.parse(readFileSync(join(indexDir, version, PARSE_CACHE_FILE), 'utf8')) as Record<
      string,
      Entry
    >;
    return new Map(Object.entries(entries));
  } catch {
    return new Map();
  }
}

export function parseCacheOf(articles: CorpusArticle[]): string {
  const entries: Record<string, Entry> = {};
  for (const { contentHash, format, metadata, paragraphs, dropped } of articles) {
    entries[contentHash] = { format, metadata, paragraphs, dropped };
  }
  return JSON.stringify(entries);
}
