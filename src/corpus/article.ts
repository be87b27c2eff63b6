/**
 * From one article's raw lines to its metadata and its real paragraphs. Pure: the format parsers
 * (corpus/formats) hand it lines, and it applies the boilerplate rules and the metadata rules:
 *
 * - Title: given metadata wins; otherwise the first line that reads like a headline — not boilerplate, not a
 *   photo caption, not a byline, 10–200 characters, not ending in a full stop. Failing that, the file name.
 * - Author: given metadata wins; otherwise a "By …" line, a "…, writes Name." standfirst in the first
 *   paragraphs, or a signature line holding only a name that the next paragraph begins with ("Cameron
 *   Panting" / "Cameron Panting was formerly …").
 * - The title line, byline and signature line are metadata, not paragraphs; boilerplate lines are dropped
 *   and counted by kind.
 */
import { classifyLines, type BoilerplateKind } from './boilerplate.js';

export interface ArticleMetadata {
  title: string;
  author?: string;
  publication?: string;
  url?: string;
  date?: string;
}

export interface DroppedLine {
  kind: BoilerplateKind;
  text: string;
}

export interface ParsedArticle {
  metadata: ArticleMetadata;
  /** Body paragraphs in order, each exactly as in the source (trimmed of surrounding white space). */
  paragraphs: string[];
  dropped: DroppedLine[];
}

const BYLINE = /^by\s+([\p{Lu}][\p{L}'’.-]*(?:\s+[\p{L}'’.-]+){0,4})\s*$/iu;
const WRITES = /,?\s+writes\s+([\p{Lu}][\p{L}'’-]+(?:\s+[\p{Lu}][\p{L}'’-]+){0,3})\.?\s*$/u;
const NAME_ONLY = /^[\p{Lu}][\p{L}'’-]+(?:\s+[\p{Lu}][\p{L}'’-]+){1,3}$/u;

/** What follows the writer's name in a note about them: "Justin Madders is Labour MP for …". */
const AUTHOR_NOTE_VERB = /^(is|was|has|had)\s/;

/**
 * Whether a paragraph is the note about the writer that opinion pieces end with ("Cameron Panting was formerly
 * National Organiser for Counterfire."): it begins with the author's full name and "is", "was", "has" or "had".
 * Members name such a piece by what the note says ("the Labour MP's article", "the Counterfire piece").
 */
export function isAuthorNote(paragraph: string, author: string | undefined): boolean {
  const name = author?.trim();
  if (!name?.includes(' ') || !paragraph.startsWith(`${name} `)) return false;
  return AUTHOR_NOTE_VERB.test(paragraph.slice(name.length + 1));
}

function readsLikeHeadline(line: string): boolean {
  return line.length >= 10 && line.length <= 200 && !/[.:;,]$/.test(line) && !BYLINE.test(line);
}

export interface ArticleLines {
  /** Candidate paragraphs in order; leading white space is kept (it marks reader comments). */
  lines: string[];
  /** Metadata the source states (front matter, HTML meta, sidecar); derived values fill the gaps. */
  given: Partial<ArticleMetadata>;
  /** Used as the title when nothing reads like one. */
  fallbackTitle: string;
  /** Lines the format parser already knows are boilerplate (an HTML <figcaption>, say). */
  dropped?: DroppedLine[];
}

export function parseArticleLines({ lines, given, fallbackTitle, dropped: known = [] }: ArticleLines): ParsedArticle {
  const verdicts = classifyLines(lines);
  const dropped: DroppedLine[] = [...known];
  const body: string[] = [];
  for (const { line, boilerplate } of verdicts) {
    const text = line.trim();
    if (text === '') continue;
    if (boilerplate) dropped.push({ kind: boilerplate, text });
    else body.push(text);
  }

  let title = given.title?.trim();
  if (!title) {
    const index = body.findIndex(readsLikeHeadline);
    // Only look near the top: a headline is never the tenth paragraph.
    if (index >= 0 && index < 3) title = body.splice(index, 1)[0];
  } else if (body[0] === title) {
    body.shift();
  }

  let author = given.author?.trim();
  const bylineIndex = body.slice(0, 3).findIndex((paragraph) => BYLINE.test(paragraph));
  if (bylineIndex >= 0) {
    const [byline] = body.splice(bylineIndex, 1);
    author ??= byline?.match(BYLINE)?.[1];
  }
  if (!author) {
    author = body
      .slice(0, 3)
      .map((paragraph) => paragraph.match(WRITES)?.[1])
      .find(Boolean);
  }
  const signatureIndex = body.findIndex(
    (paragraph, index) => NAME_ONLY.test(paragraph) && (body[index + 1]?.startsWith(`${paragraph} `) ?? false),
  );
  if (signatureIndex >= 0) {
    const [signature] = body.splice(signatureIndex, 1);
    author ??= signature;
  }

  const metadata: ArticleMetadata = { title: title ?? fallbackTitle };
  if (author) metadata.author = author;
  for (const key of ['publication', 'url', 'date'] as const) {
    const value = given[key]?.trim();
    if (value) metadata[key] = value;
  }
  return { metadata, paragraphs: body, dropped };
}
