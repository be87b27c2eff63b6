/**
 * Measures, on a freshly built index, what calibration.ts needs: the dense range of this model on this
 * corpus and the null distribution of relevance. Runs the real search on at most 1,400 or so questions, so the
 * threshold reflects exactly what answering will compute. Deterministic: the same index gives the same
 * calibration.
 */
import { cosine, type TextEmbedder } from '../embedding/embedder.js';
import { splitSentences } from '../text/sentences.js';
import { termOf, terms, words } from '../text/terms.js';
import { denseRange, type Calibration, type IndexCalibration, type NullFamily } from './calibration.js';
import { OFF_TOPIC_QUESTIONS } from './null-questions.js';
import { DEFAULT_WEIGHTS, relevanceOf } from './rank.js';
import { PassageSearch, type SearchableIndex } from '../retrieval/search.js';

/** Bump when the calibration or the relevance it measures changes, so `npm run index` re-calibrates. */
export const CALIBRATION_RECIPE = `null-v13/${JSON.stringify(DEFAULT_WEIGHTS)}`;

/**
 * Passages sampled for self-match and null questions. The confident threshold is a 1% tail: from a few hundred
 * questions of each kind it rests on their top three or four values, not on the single highest.
 */
const PASSAGE_SAMPLES = 300;
/** Content words in a near-topic question: about as many as a real question holds. */
const NEAR_TOPIC_WORDS = 5;
/** Of those, how many a mixed question takes from the sentence whose subject it names. */
const MIXED_SUBJECT_WORDS = 2;
/** On-topic questions made from each sampled passage, each with another passage of its article. */
const ON_TOPIC_SIBLINGS = 2;
/** Of those, how many an on-topic question takes from its first sentence (the rest from another passage's). */
const ON_TOPIC_SUBJECT_WORDS = 3;

/** Neighbours looked at for copies and retellings of a sampled passage. */
const RETELLING_NEIGHBOURS = 10;

/**
 * Articles that tell the same thing as a passage: those holding a passage closer to it than a question made
 * of its own sentence is (the index's dense ceiling), among its nearest passages and among `alsoAmong` (a
 * question's candidates: a sentence a hundred articles repeat has copies beyond the nearest few). An archive
 * repeats stories (syndicated copies, retellings); a near-topic question whose own article is left out is
 * still answered by its copies, so they are left out too, or the null distribution would hold answered
 * questions.
 */
function retellingsOf(search: PassageSearch, label: number, ceiling: number, alsoAmong: number[]): Set<string> {
  const vector = search.vectorOf(label);
  const own = search.passages.articleIdOf(label);
  const nearest = search.nearestPassages(vector, RETELLING_NEIGHBOURS);
  const close = [
    ...nearest.filter((neighbour) => neighbour.cosine >= ceiling).map((neighbour) => neighbour.label),
    ...alsoAmong.filter((other) => cosine(vector, search.vectorOf(other)) >= ceiling),
  ];
  const found = new Set<string>();
  for (const other of close) {
    const articleId = search.passages.articleIdOf(other);
    if (articleId !== undefined && articleId !== own) found.add(articleId);
  }
  return found;
}

/** `count` labels spread evenly over `total` passages. */
function spread(total: number, count: number): number[] {
  const taken = Math.min(total, count);
  return Array.from({ length: taken }, (_, i) => Math.floor((i * total) / taken));
}

/**
 * Up to ON_TOPIC_SIBLINGS other passages of the article, spread over it from this one (other parts of the
 * story).
 */
function siblingsOf(article: { label: number; passage: { text: string } }[], label: number): { text: string }[] {
  const position = Math.max(
    0,
    article.findIndex((entry) => entry.label === label),
  );
  const offsets = new Set(
    Array.from({ length: ON_TOPIC_SIBLINGS }, (_, k) =>
      Math.floor(((k + 1) * article.length) / (ON_TOPIC_SIBLINGS + 1)),
    ),
  );
  return [...offsets]
    .filter((offset) => offset % article.length !== 0)
    .flatMap((offset) => article[(position + offset) % article.length]?.passage ?? []);
}

/** A passage's longest sentence: the one most likely to carry a fact. */
function longestSentence(text: string): string {
  return splitSentences(text).reduce(
    (longest, sentence) => (sentence.text.length > longest.length ? sentence.text : longest),
    '',
  );
}

/** A few consecutive content words from the middle of a sentence, asked as a question. */
export function nearTopicQuestion(sentence: string): string | undefined {
  const content = words(sentence).filter((word) => termOf(word) !== undefined);
  if (content.length < 3) return undefined;
  const start = Math.max(0, Math.floor((content.length - NEAR_TOPIC_WORDS) / 2));
  return `${content.slice(start, start + NEAR_TOPIC_WORDS).join(' ')}?`;
}

/**
 * A question about something the corpus names, asking what it does not hold: the first content words of
 * one sentence (usually its subject) with a few from another article's sentence. This is what most questions
 * a news corpus cannot answer look like ("how many caps did <a player the articles name> win?"); near-topic
 * questions alone share none of the corpus's names and score too low. No article is left out: neither
 * answers the combination, so whatever either scores is what a question the corpus cannot answer reaches.
 */
export function mixedQuestion(subjectSentence: string, factSentence: string): string | undefined {
  return subjectWithFact(subjectSentence, factSentence, MIXED_SUBJECT_WORDS);
}

/**
 * The first `subjectWords` content words of one sentence followed by the middle content words of another
 * (NEAR_TOPIC_WORDS in all), asked as a question: what mixed and on-topic null questions are made of.
 */
function subjectWithFact(subjectSentence: string, factSentence: string, subjectWords: number): string | undefined {
  const subject = words(subjectSentence).filter((word) => termOf(word) !== undefined);
  const fact = nearTopicQuestion(factSentence)?.replace(/\?$/, '').split(' ') ?? [];
  if (subject.length < subjectWords || fact.length < 3) return undefined;
  return `${[...subject.slice(0, subjectWords), ...fact.slice(0, NEAR_TOPIC_WORDS - subjectWords)].join(' ')}?`;
}

/**
 * A question about one article's subject that none of its passages answers: the first content words of a
 * sentence with a few from a sentence of another passage of the same article. This is what a member asks
 * about a story the corpus holds when the story does not say ("how many people does <the firm the article
 * names> employ in Ireland?"): most of its words are the article's, so it scores as high as such questions do,
 * far above mixed ones. Made only when no passage of the article holds every one of its terms.
 */
export function onTopicQuestion(subjectSentence: string, siblingSentence: string): string | undefined {
  return subjectWithFact(subjectSentence, siblingSentence, ON_TOPIC_SUBJECT_WORDS);
}

/** A passage sampled for calibration, with the sentence questions are made from. */
export interface CalibrationSample {
  label: number;
  articleId: string;
  sentence: string;
  /** The longest sentences of other passages of the same article (none when it has no other). */
  siblingSentences?: string[];
}

/** What the null questions' makers may ask of the index. */
export interface NullQuestionChecks {
  /** Does the article (headline and passages together) hold all these terms? */
  articleHolds(articleId: string, terms: string[]): boolean;
  /** Does one passage of the article (with the headline) hold all the terms of this question? */
  passageAnswers(articleId: string, question: string): boolean;
}

const NO_CHECKS: NullQuestionChecks = { articleHolds: () => false, passageAnswers: () => false };

export interface NullQuestion {
  question: string;
  family: 'offTopic' | NullFamily;
  /** The sample whose article (and its copies) the search leaves out, if any. */
  excluded: CalibrationSample | undefined;
}

/**
 * The null questions and what each leaves out of the search: off-topic ones nothing; a near-topic one its own
 * passage's article (which answers it word for word); mixed and on-topic ones nothing. A mixed question is
 * made only when the fact's article does not also hold its subject's terms, an on-topic one only when no
 * passage holds all its terms (either might answer it).
 */
export function nullQuestionsOf(samples: CalibrationSample[], checks: NullQuestionChecks = NO_CHECKS): NullQuestion[] {
  const nearTopic = samples.flatMap((sample) => {
    const question = nearTopicQuestion(sample.sentence);
    return question ? [{ question, family: 'nearTopic' as const, excluded: sample }] : [];
  });
  const mixed = samples.flatMap((sample, i) => {
    const other = samples[(i + Math.floor(samples.length / 2)) % samples.length];
    if (!other || other.articleId === sample.articleId) return [];
    const question = mixedQuestion(sample.sentence, other.sentence);
    const subjectTerms = words(sample.sentence)
      .map(termOf)
      .filter((term): term is string => term !== undefined)
      .slice(0, MIXED_SUBJECT_WORDS);
    if (!question || checks.articleHolds(other.articleId, subjectTerms)) return [];
    return [{ question, family: 'mixed' as const, excluded: undefined }];
  });
  const onTopic = samples.flatMap((sample) =>
    (sample.siblingSentences ?? []).flatMap((sibling) => {
      const question = onTopicQuestion(sample.sentence, sibling);
      if (!question || checks.passageAnswers(sample.articleId, question)) return [];
      return [{ question, family: 'onTopic' as const, excluded: undefined }];
    }),
  );
  // An archive repeats sentences (a syndicated paragraph, a stock phrase of every sitting): the same question
  // made twice would count one sample as several in the tail the confident threshold is read from.
  const seen = new Set<string>();
  return [
    ...OFF_TOPIC_QUESTIONS.map((question) => ({ question, family: 'offTopic' as const, excluded: undefined })),
    ...nearTopic,
    ...mixed,
    ...onTopic,
  ].filter(({ question }) => !seen.has(question) && seen.add(question));
}

export interface CalibrationProgress {
  (done: number, total: number): void;
}

/** Questions embedded per model call: they are short, so larger batches than passages'. */
const QUESTION_BATCH = 32;

export async function calibrateIndex(
  index: SearchableIndex,
  embedder: Pick<TextEmbedder, 'embedQuery' | 'embedQueries'>,
  onProgress?: CalibrationProgress,
): Promise<IndexCalibration> {
  const search = new PassageSearch(index, embedder);
  const { passages } = index;
  // Labels have gaps after edits (a removed passage's label is not reused): sample positions in this list.
  const labels = passages.labels();
  const total = labels.length;
  const labelAt = (position: number) => labels[position] ?? 0;

  const samples = spread(total, PASSAGE_SAMPLES)
    .map(labelAt)
    .map((label) => {
      const articleId = passages.articleIdOf(label) ?? '';
      const sample: CalibrationSample = {
        label,
        articleId,
        sentence: longestSentence(passages.get(label)?.text ?? ''),
      };
      const siblings = siblingsOf(passages.ofArticle(articleId), label);
      if (siblings.length > 0) sample.siblingSentences = siblings.map((sibling) => longestSentence(sibling.text));
      return sample;
    })
    .filter((sample) => sample.sentence !== '');
  const articleTerms = new Map<string, Set<string>>();
  const termsOfArticle = (articleId: string) => {
    let found = articleTerms.get(articleId);
    if (!found) {
      found = new Set(search.headlineTerms(articleId));
      for (const { label } of passages.ofArticle(articleId)) {
        for (const term of search.passageTerms(label)?.passage ?? []) found.add(term);
      }
      articleTerms.set(articleId, found);
    }
    return found;
  };
  const nullQuestions = nullQuestionsOf(samples, {
    articleHolds: (articleId, subject) => subject.every((term) => termsOfArticle(articleId).has(term)),
    passageAnswers: (articleId, question) => {
      const asked = terms(question);
      const headline = search.headlineTerms(articleId);
      return passages.ofArticle(articleId).some(({ label }) => {
        const held = search.passageTerms(label)?.passage;
        return asked.every((term) => headline.has(term) || held?.has(term) === true);
      });
    },
  });
  // Prepared as answering prepares a member's question, so the null distribution is what answering computes.
  const prepared = nullQuestions.map(({ question }) => search.prepare(question));
  const steps = samples.length + nullQuestions.length;
  onProgress?.(0, steps);

  // Every question this needs, embedded in a few length-sorted batches rather than one model call each.
  const sentenceVectors = await embedder.embedQueries(
    samples.map((sample) => search.prepare(sample.sentence).embedded),
    QUESTION_BATCH,
  );
  const selfMatch = samples.map((sample, i) =>
    cosine(sentenceVectors[i] as Float32Array, search.vectorOf(sample.label)),
  );
  onProgress?.(samples.length, steps);
  const round = (value: number) => Math.round(value * 10000) / 10000;
  const questionVectors = await embedder.embedQueries(
    prepared.map((entry) => entry.embedded),
    QUESTION_BATCH,
  );
  // The cosine an off-topic question's nearest passage reaches: what a match means nothing above. Measured
  // question to passage, as answering compares; passage pairs of a one-subject corpus sit far higher.
  const unrelated = questionVectors
    .slice(0, OFF_TOPIC_QUESTIONS.length)
    .map((vector) => search.nearestPassages(vector, 1)[0]?.cosine)
    .filter((value): value is number => value !== undefined);
  const measured = denseRange(unrelated, selfMatch);
  // Rounded as stored, so the null distribution is measured with exactly the range answering will use.
  const range = { denseFloor: round(measured.denseFloor), denseCeiling: round(measured.denseCeiling) };
  const calibration: Calibration = { ...range, minRelevance: 0, confidentRelevance: 0, thresholdSource: 'calibrating' };

  const nullRelevances = nullQuestions.map(({ excluded }, i) => {
    const found = search.candidates(
      prepared[i]?.queryTerms ?? [],
      questionVectors[i] as Float32Array,
      excluded === undefined ? {} : { excludeArticle: excluded.articleId },
    );
    const retold = excluded
      ? retellingsOf(
          search,
          excluded.label,
          range.denseCeiling,
          found.map((candidate) => candidate.label),
        )
      : new Set<string>();
    const candidates = found.filter((candidate) => !retold.has(passages.articleIdOf(candidate.label) ?? ''));
    return Math.max(0, ...candidates.map((candidate) => relevanceOf(candidate, calibration, DEFAULT_WEIGHTS)));
  });
  onProgress?.(steps, steps);
  const ascending = (values: number[]) => values.map(round).sort((a, b) => a - b);

  const ofFamily = (family: NullQuestion['family']) =>
    ascending(nullRelevances.filter((_, i) => nullQuestions[i]?.family === family));
  return {
    ...range,
    nullRelevances: ascending(nullRelevances),
    offTopicRelevances: ofFamily('offTopic'),
    nullFamilies: { nearTopic: ofFamily('nearTopic'), mixed: ofFamily('mixed'), onTopic: ofFamily('onTopic') },
    offTopicQuestions: OFF_TOPIC_QUESTIONS.length,
    nearTopicQuestions: nullQuestions.length - OFF_TOPIC_QUESTIONS.length,
  };
}
