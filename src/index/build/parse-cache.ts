/**
 * What each article parsed to, kept in the index's store (table `parsed`) and keyed by the article's content
 * hash, so the next build parses only the files that changed: an HTML page costs Readability and a DOM, tens
 * of milliseconds and megabytes, while reading and hashing its bytes costs almost nothing. A missing or
 * unreadable entry only means the file is parsed again.
 */
import type { CorpusArticle, ParseCache, ParsedEntry } from '../../corpus/read-corpus.js';
import type { PassageStore } from '../passage-store.js';

export function parseCacheOf(store: PassageStore | undefined): ParseCache {
  return {
    get: (contentHash) => {
      try {
        return store?.parsed<ParsedEntry>(contentHash);
      } catch {
        return undefined;
      }
    },
  };
}

/** The parse results of these articles, by content hash, as parseCacheOf reads them back. */
export function parsedEntries(articles: CorpusArticle[]): Map<string, ParsedEntry> {
  return new Map(
    articles.map(({ contentHash, format, metadata, paragraphs, dropped }) => [
      contentHash,
      { format, metadata, paragraphs, dropped },
    ]),
  );
}
