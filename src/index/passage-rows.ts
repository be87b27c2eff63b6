/** The passage store's tables (SQLite schema) and how their rows map to passages and articles. */
import type { ArticleMetadata } from '../corpus/article.js';
import { acronymTermsOf, terms } from '../text/terms.js';
import type { IndexedArticle, IndexedPassage } from './passage-store.js';

export interface PassageRow {
  label: number;
  id: string;
  article_id: string;
  paragraph_start: number;
  paragraph_end: number;
  part_index: number | null;
  part_of: number | null;
  text: string;
  embedding_key: string;
}

export interface ArticleRow {
  id: string;
  metadata: string;
  paragraph_count: number;
  passage_count: number;
}

export const SCHEMA = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE articles (
    id TEXT PRIMARY KEY, metadata TEXT NOT NULL, paragraph_count INTEGER NOT NULL,
    passage_count INTEGER NOT NULL, content_hash TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE passages (
    label INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, article_id TEXT NOT NULL,
    paragraph_start INTEGER NOT NULL, paragraph_end INTEGER NOT NULL, part_index INTEGER, part_of INTEGER,
    text TEXT NOT NULL, embedding_key TEXT NOT NULL, distinct_terms INTEGER NOT NULL
  );
  CREATE INDEX passages_by_article ON passages (article_id, paragraph_start, part_index);
  CREATE TABLE postings (
    term TEXT NOT NULL, label INTEGER NOT NULL, frequency INTEGER NOT NULL, length INTEGER NOT NULL,
    PRIMARY KEY (term, label)
  ) WITHOUT ROWID;
  CREATE TABLE vocabulary (term TEXT PRIMARY KEY, passages INTEGER NOT NULL, acronym INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE files (id TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ms REAL NOT NULL, content_hash TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE parsed (content_hash TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

export function passageOf(row: PassageRow): IndexedPassage {
  return {
    id: row.id,
    articleId: row.article_id,
    paragraphStart: row.paragraph_start,
    paragraphEnd: row.paragraph_end,
    ...(row.part_index !== null && row.part_of !== null ? { part: { index: row.part_index, of: row.part_of } } : {}),
    text: row.text,
    embeddingKey: row.embedding_key,
  };
}

export function articleOf(row: ArticleRow): IndexedArticle {
  return {
    id: row.id,
    ...(JSON.parse(row.metadata) as ArticleMetadata),
    paragraphCount: row.paragraph_count,
    passageCount: row.passage_count,
  };
}

/** A passage's terms with how often each occurs, and which of them it writes as acronyms. */
export function lexicalEntry(text: string): { frequencies: Map<string, number>; acronyms: Set<string> } {
  const frequencies = new Map<string, number>();
  for (const term of terms(text)) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
  return { frequencies, acronyms: new Set(acronymTermsOf(text)) };
}

/** The smallest string above every string that starts with `prefix` (for a range scan). */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCodePoint((prefix.codePointAt(prefix.length - 1) ?? 0) + 1);
}
