/**
 * Reads every article in the corpus folder (sub-folders included). Files of other types are skipped with a
 * warning; `sources.json` is the optional metadata sidecar, keyed by file name (path relative to the corpus):
 *
 *   { "article.txt": { "title": "…", "author": "…", "publication": "…", "url": "https://…", "date": "2016-04-27" } }
 *
 * Sidecar values win over what the file states, which wins over what is derived (see corpus/article).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import { UserError, errorMessage } from '../shared/errors.js';
import { parseArticleLines, type ArticleMetadata, type ParsedArticle } from './article.js';
import { formatOf, parseHtml, parseMarkdown, parseText, type ArticleFormat } from './formats.js';

export const SIDECAR_FILE = 'sources.json';
const METADATA_KEYS = ['title', 'author', 'publication', 'url', 'date'] as const;

export interface CorpusArticle extends ParsedArticle {
  /** The file's path relative to the corpus folder, with forward slashes: stable across machines. */
  id: string;
  format: ArticleFormat;
  /** Hash of the file's bytes and its sidecar entry: what changes when the article changes. */
  contentHash: string;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface Corpus {
  articles: CorpusArticle[];
  skipped: SkippedFile[];
  /** Hash over every article's id and content hash: equal hashes mean an unchanged corpus. */
  hash: string;
}

type Sidecar = Record<string, Partial<ArticleMetadata>>;

function readSidecar(corpusDir: string): Sidecar {
  const path = join(corpusDir, SIDECAR_FILE);
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`${path} is not valid JSON (${errorMessage(error)}). Fix it or remove it.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UserError(`${path} must be an object keyed by article file name, e.g. {"a.txt": {"title": "…"}}`);
  }
  const sidecar: Sidecar = {};
  const problems: string[] = [];
  for (const [file, entry] of Object.entries(parsed)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`"${file}" must map to an object of ${METADATA_KEYS.join(', ')}`);
      continue;
    }
    const metadata: Partial<ArticleMetadata> = {};
    for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
      const known = METADATA_KEYS.find((candidate) => candidate === key);
      if (!known) problems.push(`"${file}".${key} is not a known field (expected ${METADATA_KEYS.join(', ')})`);
      else if (typeof value !== 'string') problems.push(`"${file}".${key} must be a string`);
      else metadata[known] = value;
    }
    sidecar[file] = metadata;
  }
  if (problems.length > 0) throw new UserError(`${path}: ${problems.join('; ')}`);
  return sidecar;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

export function parseArticleFile(
  text: string,
  format: ArticleFormat,
  fileName: string,
  sidecarEntry: Partial<ArticleMetadata> = {},
): ParsedArticle {
  const fallbackTitle = basename(fileName, extname(fileName)).replace(/[-_]+/g, ' ');
  const parsed =
    format === 'txt'
      ? { lines: parseText(text), given: {} }
      : format === 'md'
        ? parseMarkdown(text)
        : parseHtml(text, sidecarEntry.url);
  const given = { ...parsed.given };
  for (const key of METADATA_KEYS) if (sidecarEntry[key]) given[key] = sidecarEntry[key];
  return parseArticleLines({ ...parsed, given, fallbackTitle });
}

export function readCorpus(corpusDir: string): Corpus {
  if (!existsSync(corpusDir) || !statSync(corpusDir).isDirectory()) {
    throw new UserError(
      `The corpus folder ${corpusDir} does not exist. Create it and put articles (.txt, .md, .html) in it, ` +
        `or set CORPUS_DIR.`,
    );
  }
  const sidecar = readSidecar(corpusDir);
  const articles: CorpusArticle[] = [];
  const skipped: SkippedFile[] = [];
  for (const path of listFiles(corpusDir)) {
    const id = relative(corpusDir, path).split(sep).join('/');
    if (id === SIDECAR_FILE) continue;
    const format = formatOf(id);
    if (!format) {
      skipped.push({ file: id, reason: 'not an article type (.txt, .md, .html)' });
      continue;
    }
    const bytes = readFileSync(path);
    if (bytes.includes(0)) {
      skipped.push({ file: id, reason: 'binary content (contains NUL bytes)' });
      continue;
    }
    const text = bytes.toString('utf8');
    if ((text.match(/\uFFFD/g)?.length ?? 0) > 10) {
      skipped.push({ file: id, reason: 'not UTF-8 text' });
      continue;
    }
    const entry = sidecar[id];
    const parsed = parseArticleFile(text, format, id, entry);
    if (parsed.paragraphs.length === 0) {
      skipped.push({ file: id, reason: 'no article text found' });
      continue;
    }
    const contentHash = createHash('sha256')
      .update(bytes)
      .update(JSON.stringify(entry ?? {}))
      .digest('hex');
    articles.push({ id, format, contentHash, ...parsed });
  }
  for (const file of Object.keys(sidecar)) {
    if (!articles.some((article) => article.id === file) && !skipped.some((skip) => skip.file === file)) {
      skipped.push({ file: `${SIDECAR_FILE}: ${file}`, reason: 'no such article in the corpus' });
    }
  }
  const hash = createHash('sha256');
  for (const article of articles) hash.update(`${article.id}\0${article.contentHash}\n`);
  return { articles, skipped, hash: hash.digest('hex') };
}
