/**
 * One parser per article format, each turning a file's text into candidate paragraphs plus the metadata the
 * file states. What counts as boilerplate and what the title is gets decided in one place (corpus/article).
 */
import { Readability } from '@mozilla/readability';
import matter from 'gray-matter';
import { JSDOM, VirtualConsole } from 'jsdom';
import { errorMessage } from '../shared/errors.js';
import type { ArticleLines, ArticleMetadata, DroppedLine } from './article.js';
import { tooDeep } from './html-depth.js';

export const ARTICLE_EXTENSIONS = ['.txt', '.md', '.markdown', '.html', '.htm'] as const;
export type ArticleFormat = 'txt' | 'md' | 'html';

export function formatOf(fileName: string): ArticleFormat | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.txt')) return 'txt';
  if (lower.endsWith('.md') || lower.endsWith('.markdown')) return 'md';
  if (lower.endsWith('.html') || lower.endsWith('.htm')) return 'html';
  return undefined;
}

const normalizeNewlines = (text: string) => text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');

/**
 * Plain text: a line is a paragraph (news text files put one paragraph per line). A file hard-wrapped at a
 * fixed width — most lines of its multi-line blocks 40–100 characters long — has its blocks joined instead.
 */
export function parseText(text: string): string[] {
  const blocks = normalizeNewlines(text).split(/\n[ \t]*\n/);
  const multiLine = blocks.map((block) => block.split('\n')).filter((lines) => lines.length > 1);
  const wrappedLines = multiLine.flatMap((lines) => lines.slice(0, -1));
  const hardWrapped =
    wrappedLines.length >= 4 &&
    wrappedLines.filter((line) => line.trim().length >= 40 && line.length <= 100).length / wrappedLines.length > 0.8;
  if (hardWrapped) {
    return blocks.map((block) =>
      block
        .split('\n')
        .map((line, index) => (index === 0 ? line.trimEnd() : line.trim()))
        .join(' '),
    );
  }
  return blocks.flatMap((block) => block.split('\n'));
}

function stringField(data: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = data[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
    if (Array.isArray(value) && value.every((item) => typeof item === 'string') && value.length > 0) {
      return value.join(', ');
    }
  }
  return undefined;
}

/** Strips the inline Markdown that is markup rather than words: links keep their text, images go. */
function markdownInline(text: string): string {
  return (
    text
      .replace(/(?<!\\)!\[[^\]]*\]\([^)]*\)/g, '')
      .replace(/(?<!\\)\[([^\]]+)\]\([^)]*\)/g, '$1')
      .replace(/(?<!\\)<[^>]+>/g, '')
      // Backslash escapes, as Markdown defines them: "\#" is a "#" that starts no heading.
      .replace(/\\([!-/:-@[-`{-~])/g, '$1')
      .trim()
  );
}

/** Markdown special characters that would change what a paragraph is, escaped so it reads back verbatim. */
export function escapeMarkdownParagraph(text: string): string {
  return text
    .replace(/\\(?=[!-/:-@[-`{-~])/g, '\\\\')
    .replace(/[<[]/g, (character) => `\\${character}`)
    .replace(/^(\s*)(\d+)([.)])/, (_, space: string, digits: string, mark: string) => `${space}${digits}\\${mark}`)
    .replace(/^(\s*)([#>*+\-`~_])/, (_, space: string, marker: string) => `${space}\\${marker}`);
}

/** Front matter that YAML cannot read (`title: Strike: day two`) is skipped with a warning naming its line. */
function frontMatter(text: string): { data: Record<string, unknown>; content: string; warnings: string[] } {
  try {
    const { data, content } = matter(text);
    return { data: data as Record<string, unknown>, content, warnings: [] };
  } catch (error) {
    const fence = text.match(/^---[ \t]*\n[\s\S]*?\n---[ \t]*(?:\n|$)/);
    const mark = (error as { mark?: { line?: number } }).mark;
    // gray-matter hands js-yaml the text after the opening "---", newline included: its line N is the file's N + 1.
    const line = mark?.line !== undefined ? `line ${mark.line + 1}: ` : '';
    const reason = ((error as { reason?: string }).reason ?? errorMessage(error)).split('\n')[0];
    return {
      data: {},
      content: fence ? text.slice(fence[0].length) : text,
      warnings: [
        `front matter ${line}${reason}; it is ignored (quote values that contain a colon: title: "Strike: day two")`,
      ],
    };
  }
}

const sameTitle = (a: string, b: string) =>
  a.replace(/\s+/g, ' ').trim().toLowerCase() === b.replace(/\s+/g, ' ').trim().toLowerCase();

/** Markdown with optional YAML front matter (title, author, publication/source/site, url/link, date). */
export function parseMarkdown(text: string): Omit<ArticleLines, 'fallbackTitle'> & { warnings: string[] } {
  const { data: fields, content, warnings } = frontMatter(normalizeNewlines(text));
  const given: Partial<ArticleMetadata> = {
    title: stringField(fields, 'title', 'headline'),
    author: stringField(fields, 'author', 'authors', 'byline'),
    publication: stringField(fields, 'publication', 'source', 'site', 'publisher'),
    url: stringField(fields, 'url', 'link', 'canonical'),
    date: stringField(fields, 'date', 'published', 'published_at'),
  };
  const lines: string[] = [];
  let inFence = false;
  for (const raw of content.split(/\n[ \t]*\n/)) {
    // A block's own blank edges (the blank line after front matter) must not hide a heading: "\n# Title".
    const block = raw.replace(/^(?:[ \t]*\n)+/, '').replace(/(?:\n[ \t]*)+$/, '');
    if (block.trim() === '') continue;
    const blockLines = block.split('\n');
    if (blockLines.some((line) => /^\s*(```|~~~)/.test(line))) {
      // Toggle once per fence marker; code is not article text.
      inFence = blockLines.filter((line) => /^\s*(```|~~~)/.test(line)).length % 2 === 1 ? !inFence : inFence;
      continue;
    }
    if (inFence) continue;
    const heading = block.match(/^\s*#{1,6}\s+(.*)$/);
    if (heading && blockLines.length === 1) {
      const headingText = markdownInline(heading[1] ?? '');
      const isTitle = /^\s*#\s/.test(block) && (!given.title || (lines.length === 0 && sameTitle(given.title, headingText)));
      // The top heading restating the front matter's title is that title, not paragraph 1.
      if (isTitle) given.title ??= headingText;
      else lines.push(headingText);
      continue;
    }
    if (/^\s*([-*+]|\d+[.)])\s+/.test(blockLines[0] ?? '')) {
      // A list: each item is a paragraph.
      const items = block.split(/\n(?=\s*(?:[-*+]|\d+[.)])\s+)/);
      lines.push(...items.map((item) => markdownInline(item.replace(/^\s*([-*+]|\d+[.)])\s+/, '').replace(/\s*\n\s*/g, ' '))));
      continue;
    }
    const joined = blockLines.map((line) => line.replace(/^\s*>\s?/, '').trim()).join(' ');
    if (/^(-{3,}|\*{3,}|_{3,})$/.test(joined)) continue;
    lines.push(markdownInline(joined));
  }
  return { lines, given, warnings };
}

function metaContent(document: Document, ...selectors: string[]): string | undefined {
  for (const selector of selectors) {
    const element = document.querySelector(selector);
    const value = element?.getAttribute('content') ?? element?.getAttribute('href');
    if (value?.trim()) return value.trim();
  }
  return undefined;
}

const BLOCK_SELECTOR = 'p, li, blockquote, h1, h2, h3, h4, h5, h6, pre, figcaption';

/**
 * HTML: Mozilla Readability (the library behind Firefox Reader View) finds the article's main text, which
 * drops navigation, sidebars and most chrome; its paragraphs and headings become the candidate paragraphs.
 * A page nested deeper than MAX_NESTING_DEPTH throws, with a one-line reason.
 */
export function parseHtml(html: string, url?: string): Omit<ArticleLines, 'fallbackTitle'> {
  // Checked before jsdom: parsing a deeply nested page costs minutes, or the stack (html-depth.ts).
  const refusal = tooDeep(html);
  if (refusal) throw new Error(refusal);
  // Scripts never run and stylesheets are never fetched: jsdom's defaults, with its CSS warnings silenced.
  const dom = new JSDOM(html, { url: url ?? 'https://localhost/', virtualConsole: new VirtualConsole() });
  try {
    return readHtmlDocument(dom.window.document);
  } finally {
    // A window that is not closed keeps its whole document (megabytes per page) alive.
    dom.window.close();
  }
}

function readHtmlDocument(document: Document): Omit<ArticleLines, 'fallbackTitle'> {
  const given: Partial<ArticleMetadata> = {
    url: metaContent(document, 'link[rel="canonical"]', 'meta[property="og:url"]'),
    publication: metaContent(document, 'meta[property="og:site_name"]', 'meta[name="application-name"]'),
    date: metaContent(document, 'meta[property="article:published_time"]', 'meta[name="date"]', 'meta[itemprop="datePublished"]'),
    author: metaContent(document, 'meta[name="author"]', 'meta[property="article:author"]'),
    title: metaContent(document, 'meta[property="og:title"]'),
  };
  const article = new Readability(document.cloneNode(true) as Document).parse();
  given.title ??= article?.title?.trim() || document.title.trim() || undefined;
  given.author ??= article?.byline?.replace(/^by\s+/i, '').trim() || undefined;
  given.publication ??= article?.siteName?.trim() || undefined;
  given.date ??= article?.publishedTime?.trim() || undefined;

  const articleDom = new JSDOM(article?.content ?? document.body.innerHTML);
  const lines: string[] = [];
  const dropped: DroppedLine[] = [];
  try {
    for (const element of articleDom.window.document.body.querySelectorAll(BLOCK_SELECTOR)) {
      // Only the innermost blocks, so a <blockquote><p>…</p></blockquote> is one paragraph, not two.
      if (element.querySelector(BLOCK_SELECTOR)) continue;
      const text = (element.textContent ?? '').replace(/\s+/g, ' ').trim();
      if (!text) continue;
      if (element.tagName === 'FIGCAPTION') dropped.push({ kind: 'photo', text });
      else lines.push(text);
    }
  } finally {
    articleDom.window.close();
  }
  return { lines, given, dropped };
}
