/**
 * Recognises the text around an article that is not the article: newsletter prompts, photo captions and
 * credits, PDF and age banners, comment forms and reader comments, donation appeals, navigation headings.
 * Pure functions over the article's lines, so every rule has a unit test.
 */

export type BoilerplateKind =
  | 'newsletter'
  | 'photo'
  | 'banner'
  | 'comments'
  | 'donation'
  | 'navigation'
  | 'subscription';

/** A bare "Comment(s)" line: the comment section's heading at an article's end, a section label at its top. */
const COMMENT_LABEL = /^comments?\s*:?$/i;

interface Rule {
  kind: BoilerplateKind;
  pattern: RegExp;
}

/** Whole-line rules. Each is anchored or tied to short lines, so a real paragraph that mentions a word survives. */
const LINE_RULES: Rule[] = [
  { kind: 'newsletter', pattern: /^sign[ -]?up\b.{0,80}$/i },
  { kind: 'newsletter', pattern: /^(get|receive|subscribe to)\b.{0,80}\b(e-?mail|newsletter)\.?$/i },
  { kind: 'subscription', pattern: /^(free trial|subscribe( now| today)?|start your (free )?trial)\b.{0,40}$/i },
  { kind: 'photo', pattern: /^(photo|picture|image|credit|pic)s?\s*(credit)?\s*:.{0,150}$/i },
  { kind: 'photo', pattern: /^.{0,250}\((pic|photo|picture|image|credit)s?:[^)]*\)\s*$/i },
  { kind: 'photo', pattern: /^.{0,200}\bPhoto: [A-Z][^.]{0,60}$/ },
  { kind: 'banner', pattern: /^downloading pdf\b/i },
  { kind: 'banner', pattern: /^this article is (over|more than) \d+ (years?|months?|days?)\b.{0,40}$/i },
  { kind: 'banner', pattern: /^issue \d+$/i },
  { kind: 'comments', pattern: /^please enter your (comment|name|e-?mail)\b.{0,20}$/i },
  { kind: 'comments', pattern: /^(leave a (reply|comment)|post a comment|\d+ comments?)\s*:?$/i },
  { kind: 'comments', pattern: COMMENT_LABEL },
  { kind: 'donation', pattern: /^(please )?(make a donation|donate( now| today)?)\b.{0,60}$/i },
  { kind: 'donation', pattern: /^help (fund|support|keep)\b.{0,50}$/i },
  { kind: 'navigation', pattern: /^(latest|related|most read|more|top|trending) (news|stories|articles|posts)$/i },
  { kind: 'navigation', pattern: /^(share|share this|tweet|print)( article)?$/i },
];

export function classifyLine(line: string): BoilerplateKind | undefined {
  const text = line.trim();
  if (text === '') return undefined;
  return LINE_RULES.find((rule) => rule.pattern.test(text))?.kind;
}

/** A reader comment as comment plugins print them: an indented, numbered entry ("  1. I support …"). */
function looksLikeReaderComment(line: string): boolean {
  return /^\s+\d+\.\s+\S/.test(line);
}

export interface LineVerdict {
  line: string;
  boilerplate: BoilerplateKind | undefined;
}

/**
 * Classifies every line. Besides the line rules: a caption line repeated with a credit on the next line is a
 * caption too, and once a comment form or reader comment starts, the rest of the article is the comment
 * section (a comment's text can be anything, so it cannot be recognised line by line). A bare "Comment" line
 * in the first half of an article is a section label (UK papers head opinion pieces so), not comments.
 */
export function classifyLines(lines: string[]): LineVerdict[] {
  const verdicts: LineVerdict[] = lines.map((line) => ({ line, boilerplate: classifyLine(line) }));
  verdicts.forEach((verdict, index) => {
    if (verdict.boilerplate === 'comments' && COMMENT_LABEL.test(verdict.line.trim()) && index < lines.length / 2) {
      verdict.boilerplate = 'navigation';
    }
  });
  verdicts.forEach((verdict, index) => {
    if (verdict.boilerplate || verdict.line.trim() === '') return;
    // "Caption\nCaption (Pic: Credit)": the uncredited copy is the same caption.
    const next = verdicts.slice(index + 1).find((candidate) => candidate.line.trim() !== '');
    if (next?.boilerplate === 'photo' && next.line.trim().startsWith(verdict.line.trim())) {
      verdict.boilerplate = 'photo';
    }
  });
  const commentStart = findCommentSectionStart(verdicts);
  if (commentStart !== undefined) {
    for (const verdict of verdicts.slice(commentStart)) {
      if (verdict.line.trim() !== '') verdict.boilerplate = 'comments';
    }
  }
  return verdicts;
}

function findCommentSectionStart(verdicts: LineVerdict[]): number | undefined {
  const formIndex = verdicts.findIndex((verdict) => verdict.boilerplate === 'comments');
  const commentIndex = verdicts.findIndex((verdict) => looksLikeReaderComment(verdict.line));
  // A numbered indented line counts only when nothing but comments and forms follows it, and a comment form
  // does: a numbered list that merely ends an article is the article's.
  const rest = commentIndex >= 0 ? verdicts.slice(commentIndex) : [];
  const commentsToEnd =
    rest.some((verdict) => verdict.boilerplate === 'comments') &&
    rest.every(
      (verdict) =>
        verdict.line.trim() === '' || verdict.boilerplate === 'comments' || looksLikeReaderComment(verdict.line),
    );
  const candidates = [formIndex, commentsToEnd ? commentIndex : -1].filter((index) => index >= 0);
  return candidates.length > 0 ? Math.min(...candidates) : undefined;
}
