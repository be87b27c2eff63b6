/**
 * Scores the bot on a question file (JSON Lines): each line has `question` and either `contains_any` (a
 * passage answering it contains one of these strings) or `"expect": "none"` (nothing in the corpus does). A
 * question that one corpus cannot answer and a larger one can has both: `"expect": "none"` and `answered_in`,
 * the articles (by file name) that answer it with their strings, which count wherever such an article is indexed.
 * Strings are compared case-insensitively with curly quotes straightened and white space collapsed.
 */
import { createHash } from 'node:crypto';
import { UserError, errorMessage } from '../shared/errors.js';
import type { Answer } from '../answering/answer.js';
import type { AnswerEngine } from '../answering/engine.js';
import { decideAbstention, type ScoredCandidate } from '../answering/rank.js';
import type { RetrieverMode } from '../retrieval/search.js';

export interface EvalQuestion {
  id: string;
  question: string;
  /** Undefined for a question that nothing in the corpus answers. */
  containsAny: string[] | undefined;
  /** "plain" or "casual" (as members type on Discord), when the file says. */
  style?: string;
  /** The id of the question this one asks again in other words (`rewrite_of`): it stays in that one's half. */
  rewriteOf?: string;
  /** For a question marked "none": the articles that answer it after all, where indexed (`answered_in`). */
  answeredIn?: Record<string, string[]>;
}

/**
 * The question as asked of an index holding these articles: answerable, with the strings of every article
 * of `answeredIn` the index holds, when it holds one.
 */
export function onCorpus(question: EvalQuestion, articleIds: ReadonlySet<string>): EvalQuestion {
  if (question.containsAny || !question.answeredIn) return question;
  const needles = Object.entries(question.answeredIn).flatMap(([articleId, strings]) =>
    articleIds.has(articleId) ? strings : [],
  );
  return needles.length > 0 ? { ...question, containsAny: needles } : question;
}

/**
 * Each article an `answered_in` names that the index does not hold, with the ids of the questions naming it:
 * those questions stay unanswerable on this index. Expected on a corpus smaller than the one the file was
 * written for; a misspelt path otherwise, which is why the report lists them.
 */
export function answerArticlesNotIndexed(
  questions: EvalQuestion[],
  articleIds: ReadonlySet<string>,
): Map<string, string[]> {
  const missing = new Map<string, string[]>();
  for (const question of questions) {
    if (question.containsAny) continue;
    for (const articleId of Object.keys(question.answeredIn ?? {})) {
      if (!articleIds.has(articleId)) missing.set(articleId, [...(missing.get(articleId) ?? []), question.id]);
    }
  }
  return missing;
}

/** One line for the report naming the articles of `answerArticlesNotIndexed`, or none when there are none. */
export function notIndexedLine(missing: Map<string, string[]>): string | undefined {
  if (missing.size === 0) return undefined;
  const listed = [...missing].map(([articleId, ids]) => `${articleId} (${ids.join(', ')})`).join('; ');
  const articles = missing.size === 1 ? '1 article' : `${missing.size} articles`;
  return `"answered_in" names ${articles} this index does not hold, so those questions count as unanswerable here: ${listed}`;
}

/** The questions as asked of this engine's index (`onCorpus` with the articles it holds). */
export async function onIndex(
  engine: Pick<AnswerEngine, 'listArticles'>,
  questions: EvalQuestion[],
): Promise<EvalQuestion[]> {
  const indexed = await indexedArticleIds(engine);
  return questions.map((question) => onCorpus(question, indexed));
}

/** The ids of the articles this engine's index holds. */
export async function indexedArticleIds(engine: Pick<AnswerEngine, 'listArticles'>): Promise<Set<string>> {
  return new Set((await engine.listArticles()).map((article) => article.id));
}

/** A non-empty list of strings that are not blank: what `contains_any` and each `answered_in` entry hold. */
function isStringList(value: unknown): value is string[] {
  return (
    Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item.trim() !== '')
  );
}

export type Half = 'dev' | 'test';

/**
 * The half a question belongs to, from its id alone (a rewrite's, from the id of the question it rewrites, so
 * the same question is never tuned on in one half and reported in the other): rules and thresholds are chosen
 * on the dev half and reported on the test half, and a question never moves between them.
 */
export function halfOf(question: Pick<EvalQuestion, 'id' | 'rewriteOf'>): Half {
  const key = question.rewriteOf ?? question.id;
  return (createHash('sha256').update(key).digest()[0] ?? 0) % 2 === 0 ? 'dev' : 'test';
}

export interface QuestionResult {
  id: string;
  question: string;
  answerable: boolean;
  /** 1-based rank of the first passage that answers, among the first five; null when none does. */
  hitRank: number | null;
  abstained: boolean;
  /** Quoted as the closest passages, marked as possibly not answering. */
  closest: boolean;
}

export interface EvalReport {
  hit1: number;
  hit3: number;
  mrr5: number;
  answerable: number;
  unanswerable: number;
  correctAbstentions: number;
  falseAbstentions: number;
  /** Answerable questions: the right passage among the three quoted, confidently or as closest. */
  quotedRight: number;
  answerableConfident: number;
  answerableClosest: number;
  /** Unanswerable questions answered confidently, or with closest passages. */
  unanswerableConfident: number;
  unanswerableClosest: number;
  questions: QuestionResult[];
}

export function normalizeForMatch(text: string): string {
  return text
    .replace(/[‘’‚‛′]/g, "'")
    .replace(/[“”„‟″]/g, '"')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

export function parseQuestionFile(content: string, fileName: string): EvalQuestion[] {
  const questions: EvalQuestion[] = [];
  const problems: string[] = [];
  content.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${fileName}:${index + 1}`;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch (error) {
      problems.push(`${where}: not valid JSON (${errorMessage(error)})`);
      return;
    }
    if (typeof entry.question !== 'string' || entry.question.trim() === '') {
      problems.push(`${where}: needs a non-empty "question" string`);
      return;
    }
    const containsAny = entry.contains_any;
    const validList = isStringList(containsAny);
    if (!validList && entry.expect !== 'none') {
      problems.push(`${where}: needs "contains_any" (a non-empty list of strings) or "expect": "none"`);
      return;
    }
    const answeredIn = entry.answered_in;
    if (answeredIn !== undefined && validList) {
      problems.push(`${where}: "answered_in" belongs to an "expect": "none" question, not one with "contains_any"`);
      return;
    }
    const validAnsweredIn =
      typeof answeredIn === 'object' &&
      answeredIn !== null &&
      !Array.isArray(answeredIn) &&
      Object.keys(answeredIn).length > 0 &&
      Object.values(answeredIn).every(isStringList);
    if (answeredIn !== undefined && !validAnsweredIn) {
      problems.push(
        `${where}: "answered_in" maps article paths (relative to CORPUS_DIR) to non-empty lists of strings`,
      );
      return;
    }
    questions.push({
      id: typeof entry.id === 'string' ? entry.id : `line${index + 1}`,
      question: entry.question,
      containsAny: validList ? containsAny : undefined,
      ...(typeof entry.style === 'string' ? { style: entry.style } : {}),
      ...(typeof entry.rewrite_of === 'string' ? { rewriteOf: entry.rewrite_of } : {}),
      ...(validAnsweredIn ? { answeredIn: answeredIn as Record<string, string[]> } : {}),
    });
  });
  if (problems.length > 0) throw new UserError(problems.join('\n'));
  if (questions.length === 0) throw new UserError(`${fileName} holds no questions.`);
  return questions;
}

/**
 * A way of ranking to measure: one retriever alone, ordered by its own score, plain Reciprocal Rank Fusion of
 * both ('rrf'), or the bot's 'hybrid'.
 */
export type RankingMode = RetrieverMode | 'rrf';

/** What a question gets quoted: the passages' text, or a refusal. */
type Quoted = Pick<Answer, 'abstained' | 'closest'> & { passages: { text: string }[] };

export function hitRank(question: EvalQuestion, answer: Quoted): number | null {
  if (!question.containsAny || answer.abstained) return null;
  const needles = question.containsAny.map(normalizeForMatch);
  const index = answer.passages
    .slice(0, 5)
    .findIndex((passage) => needles.some((needle) => normalizeForMatch(passage.text).includes(needle)));
  return index >= 0 ? index + 1 : null;
}

export function scoreResults(results: QuestionResult[]): EvalReport {
  const answerable = results.filter((result) => result.answerable);
  const unanswerable = results.filter((result) => !result.answerable);
  const share = (count: number) => (answerable.length === 0 ? 0 : count / answerable.length);
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    hit1: round(share(answerable.filter((result) => result.hitRank === 1).length)),
    hit3: round(share(answerable.filter((result) => result.hitRank !== null && result.hitRank <= 3).length)),
    mrr5: round(share(answerable.reduce((sum, result) => sum + (result.hitRank ? 1 / result.hitRank : 0), 0))),
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    correctAbstentions: unanswerable.filter((result) => result.abstained).length,
    falseAbstentions: answerable.filter((result) => result.abstained).length,
    quotedRight: answerable.filter((result) => result.hitRank !== null && result.hitRank <= 3).length,
    answerableConfident: answerable.filter((result) => !result.abstained && !result.closest).length,
    answerableClosest: answerable.filter((result) => result.closest).length,
    unanswerableConfident: unanswerable.filter((result) => !result.abstained && !result.closest).length,
    unanswerableClosest: unanswerable.filter((result) => result.closest).length,
    questions: results,
  };
}

/** One way of ranking, measured on its own (as BEIR and Anserini report each retriever and their fusion). */
export interface EvalRun {
  name: string;
  ranking: RankingMode;
  threshold: boolean;
}

export const COMPARED_RUNS: EvalRun[] = [
  { name: 'lexical (BM25) alone', ranking: 'lexical', threshold: false },
  { name: 'dense alone', ranking: 'dense', threshold: false },
  { name: 'RRF of both', ranking: 'rrf', threshold: false },
  { name: 'hybrid, no threshold', ranking: 'hybrid', threshold: false },
  { name: 'hybrid (the bot)', ranking: 'hybrid', threshold: true },
];

/** The engine's parts a measurement uses. */
export type MeasuredEngine = Pick<AnswerEngine, 'answer' | 'rank' | 'quotable' | 'calibrationInUse' | 'listArticles'>;

function ordered(ranking: RankingMode, scored: ScoredCandidate[]): ScoredCandidate[] {
  if (ranking === 'hybrid') return scored;
  const score = (candidate: ScoredCandidate) =>
    ranking === 'dense' ? candidate.dense : ranking === 'lexical' ? (candidate.lexical ?? 0) : candidate.fused;
  return [...scored].sort((a, b) => score(b) - score(a));
}

/**
 * What one run quotes: the bot's answer for the bot's run; otherwise the candidates in the run's order,
 * whatever their relevance (no threshold), or graded as the bot grades them.
 */
async function quotedBy(engine: MeasuredEngine, question: string, run: Omit<EvalRun, 'name'>): Promise<Quoted> {
  if (run.ranking === 'hybrid' && run.threshold) return engine.answer(question, { limit: 5 });
  const { scored, unknownNames } = await engine.rank(question, run.ranking === 'rrf' ? 'hybrid' : run.ranking);
  const candidates = ordered(run.ranking, scored);
  if (!run.threshold) return { abstained: false, closest: false, passages: engine.quotable(candidates) };
  const calibration = engine.calibrationInUse;
  const decision = decideAbstention(candidates, calibration, unknownNames);
  if (decision.abstained) return { abstained: true, closest: false, passages: [] };
  const relevant = candidates.filter((candidate) => candidate.relevance >= calibration.minRelevance);
  return { abstained: false, closest: decision.closest, passages: engine.quotable(relevant) };
}

/** Asks every question in one run; a question the bot refuses (too long, not English) counts as abstained. */
export async function runQuestions(
  engine: MeasuredEngine,
  questions: EvalQuestion[],
  run: Omit<EvalRun, 'name'> = { ranking: 'hybrid', threshold: true },
): Promise<EvalReport> {
  const results: QuestionResult[] = [];
  for (const question of await onIndex(engine, questions)) {
    const answerable = question.containsAny !== undefined;
    try {
      const answer = await quotedBy(engine, question.question, run);
      results.push({
        id: question.id,
        question: question.question,
        answerable,
        hitRank: hitRank(question, answer),
        abstained: answer.abstained,
        closest: answer.closest,
      });
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      results.push({
        id: question.id,
        question: question.question,
        answerable,
        hitRank: null,
        abstained: true,
        closest: false,
      });
    }
  }
  return scoreResults(results);
}
