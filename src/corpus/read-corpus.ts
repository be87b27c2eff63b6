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
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { UserError, errorMessage } from '../shared/errors.js';
import { webUrl } from '../shared/web-url.js';
import { ownValue } from '../shared/own-value.js';
import { parseArticleLines, type ArticleMetadata, type ParsedArticle } from './article.js';
import { decodeArticle } from './decode.js';
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

/** Something wrong in a file that was indexed all the same (bad front matter, a malformed URL). */
export interface CorpusWarning {
  file: string;
  message: string;
}

/** A file's size and modification time, and the hash of its content (with its sidecar entry) then. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  contentHash: string;
}

export interface Corpus {
  /** The articles read (all of them, unless `known` was given). */
  articles: CorpusArticle[];
  /** Articles not read because `known` holds their file with the same size and time. */
  unchanged: { id: string; contentHash: string }[];
  /** Every article file (read or not) and the sidecar: what the next run passes as `known`. */
  files: Map<string, FileStamp>;
  skipped: SkippedFile[];
  warnings: CorpusWarning[];
  /** Hash over every article's id and content hash: equal hashes mean an unchanged corpus. */
  hash: string;
}

export type ParsedEntry = ParsedArticle & { format: ArticleFormat };

/** Articles parsed by an earlier run, by content hash: an unchanged file is not parsed again. */
export interface ParseCache {
  get(contentHash: string): ParsedEntry | undefined;
}

type Sidecar = Record<string, Partial<ArticleMetadata>>;

/** The sidecar's usable entries; every problem becomes a warning, never a reason to stop indexing. */
function readSidecar(corpusDir: string, warnings: CorpusWarning[]): Sidecar {
  const path = join(corpusDir, SIDECAR_FILE);
  if (!existsSync(path)) return {};
  const warn = (message: string) => warnings.push({ file: SIDECAR_FILE, message });
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    warn(`not valid JSON (${errorMessage(error)}); its metadata is ignored until it is fixed`);
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    warn('must be an object keyed by article file name, e.g. {"a.txt": {"title": "…"}}; ignored');
    return {};
  }
  // No prototype: a file named "__proto__" or "constructor" in the sidecar is an entry like any other.
  const sidecar: Sidecar = Object.create(null) as Sidecar;
  for (const [file, entry] of Object.entries(parsed)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      warn(`"${file}" must map to an object of ${METADATA_KEYS.join(', ')}; ignored`);
      continue;
    }
    const metadata: Partial<ArticleMetadata> = {};
    for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
      const known = METADATA_KEYS.find((candidate) => candidate === key);
      if (!known) warn(`"${file}".${key} is not a known field (expected ${METADATA_KEYS.join(', ')}); ignored`);
      else if (typeof value !== 'string') warn(`"${file}".${key} must be a string; ignored`);
      else metadata[known] = value;
    }
    sidecar[file] = metadata;
  }
  return sidecar;
}

/**
 * Every file below `dir`, sorted. Hidden files and folders (".git/", ".DS_Store") are not articles and are
 * not walked; a symbolic link to a file counts as that file; links to folders are not followed, so a link
 * loop cannot trap the walk.
 */
export function listFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(path);
      else if (entry.isSymbolicLink()) {
        try {
          if (statSync(path).isFile()) files.push(path);
        } catch {
          // a dangling link: nothing to read
        }
      }
    }
  };
  walk(dir);
  return files.sort();
}

export function parseArticleFile(
  text: string,
  format: ArticleFormat,
  fileName: string,
  sidecarEntry: Partial<ArticleMetadata> = {},
): ParsedArticle & { warnings: string[] } {
  const fallbackTitle = basename(fileName, extname(fileName)).replace(/[-_]+/g, ' ');
  const parsed =
    format === 'txt'
      ? { lines: parseText(text), given: {}, warnings: [] }
      : format === 'md'
        ? parseMarkdown(text)
        : { ...parseHtml(text, webUrl(sidecarEntry.url)), warnings: [] };
  const warnings = [...parsed.warnings];
  const given = { ...parsed.given };
  for (const key of METADATA_KEYS) if (sidecarEntry[key]) given[key] = sidecarEntry[key];
  if (given.url !== undefined) {
    // Discord rejects an embed whose link is not a URL: one bad link would break every answer citing it. A
    // URL is kept as the URL parser writes it ("a b" → "a%20b"): the raw text is refused as an embed link too.
    const url = webUrl(given.url);
    if (url === undefined) {
      warnings.push(`url ${JSON.stringify(given.url)} is not an http(s) URL; the article is cited without a link`);
      delete given.url;
    } else given.url = url;
  }
  const article = parseArticleLines({ ...parsed, given, fallbackTitle });
  return { ...article, warnings };
}

export interface ReadCorpusOptions {
  /** Articles parsed by an earlier run; files whose content hash is in it are not parsed again. */
  cache?: ParseCache;
  /**
   * The files as the index last saw them. A file with the same size and modification time is not read (its
   * article is listed in `unchanged`), unless the sidecar changed since: at 100,000 passages, reading and
   * hashing every file again took longer than the whole edit may.
   */
  known?: ReadonlyMap<string, FileStamp>;
}

const stampOf = (path: string) => {
  const stat = statSync(path);
  return { size: stat.size, mtimeMs: stat.mtimeMs };
};

/**
 * Reads every article. One bad file never stops the rest: it is skipped with the reason, or indexed with a
 * warning. The loop yields to the event loop between files, so a long HTML corpus never starves timers.
 */
export async function readCorpus(corpusDir: string, options: ReadCorpusOptions = {}): Promise<Corpus> {
  if (!existsSync(corpusDir) || !statSync(corpusDir).isDirectory()) {
    throw new UserError(
      `The corpus folder ${corpusDir} does not exist. Create it and put articles (.txt, .md, .html) in it, ` +
        `or set CORPUS_DIR.`,
    );
  }
  const warnings: CorpusWarning[] = [];
  const sidecar = readSidecar(corpusDir, warnings);
  const articles: CorpusArticle[] = [];
  const unchanged: Corpus['unchanged'] = [];
  const files = new Map<string, FileStamp>();
  const skipped: SkippedFile[] = [];
  const sidecarPath = join(corpusDir, SIDECAR_FILE);
  if (existsSync(sidecarPath)) files.set(SIDECAR_FILE, { ...stampOf(sidecarPath), contentHash: '' });
  const sameStamp = (a: Omit<FileStamp, 'contentHash'> | undefined, b: Omit<FileStamp, 'contentHash'> | undefined) =>
    a?.size === b?.size && a?.mtimeMs === b?.mtimeMs;
  const known = sameStamp(files.get(SIDECAR_FILE), options.known?.get(SIDECAR_FILE)) ? options.known : undefined;
  for (const path of listFiles(corpusDir)) {
    const id = relative(corpusDir, path).split(sep).join('/');
    if (id === SIDECAR_FILE) continue;
    const format = formatOf(id);
    if (!format) {
      skipped.push({ file: id, reason: 'not an article type (.txt, .md, .html)' });
      continue;
    }
    try {
      const stamp = stampOf(path);
      const before = known?.get(id);
      if (before && sameStamp(before, stamp)) {
        unchanged.push({ id, contentHash: before.contentHash });
        files.set(id, before);
        continue;
      }
      const bytes = readFileSync(path);
      const entry = ownValue(sidecar, id);
      const contentHash = createHash('sha256')
        .update(bytes)
        .update(JSON.stringify(entry ?? {}))
        .digest('hex');
      const cached = options.cache?.get(contentHash);
      if (cached && cached.format === format) {
        files.set(id, { ...stamp, contentHash });
        articles.push({ id, format, contentHash, metadata: cached.metadata, paragraphs: cached.paragraphs, dropped: cached.dropped });
        continue;
      }
      const decoded = decodeArticle(bytes);
      if ('problem' in decoded) {
        skipped.push({ file: id, reason: decoded.problem });
        continue;
      }
      const { warnings: fileWarnings, ...parsed } = parseArticleFile(decoded.text, format, id, entry);
      for (const message of fileWarnings) warnings.push({ file: id, message });
      if (parsed.paragraphs.length === 0) {
        skipped.push({ file: id, reason: 'no article text found' });
        continue;
      }
      files.set(id, { ...stamp, contentHash });
      articles.push({ id, format, contentHash, ...parsed });
    } catch (error) {
      skipped.push({ file: id, reason: `could not be read: ${errorMessage(error)}` });
    }
    await yieldToEventLoop();
  }
  const skippedFiles = new Set(skipped.map((skip) => skip.file));
  for (const file of Object.keys(sidecar)) {
    if (!files.has(file) && !skippedFiles.has(file)) {
      skipped.push({ file: `${SIDECAR_FILE}: ${file}`, reason: 'no such article in the corpus' });
    }
  }
  const hash = createHash('sha256');
  const all = [...articles, ...unchanged].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const article of all) hash.update(`${article.id}\0${article.contentHash}\n`);
  return { articles, unchanged, files, skipped, warnings, hash: hash.digest('hex') };
}
