/**
 * Measures, on a freshly built index, what calibration.ts needs: the dense range of this model on this
 * corpus and the null distribution of relevance. Runs the real search on a few hundred questions, so the
 * threshold reflects exactly what answering will compute. Deterministic: the same index gives the same
 * calibration.
 */
import { cosine, type TextEmbedder } from '../embedding/embedder.js';
import { splitSentences } from '../text/sentences.js';
import { termOf, words } from '../text/terms.js';
import { denseRange, type Calibration, type IndexCalibration } from './calibration.js';
import { OFF_TOPIC_QUESTIONS } from './null-questions.js';
import { DEFAULT_WEIGHTS, relevanceOf } from './rank.js';
import { PassageSearch, type SearchableIndex } from './search.js';

/** Bump when the calibration or the relevance it measures changes, so `npm run index` re-calibrates. */
export const CALIBRATION_RECIPE = `null-v1/${JSON.stringify(DEFAULT_WEIGHTS)}`;

/** Passage pairs for the unrelated-cosine floor, and passages sampled for self-match and near-topic questions. */
const UNRELATED_PAIRS = 300;
const PASSAGE_SAMPLES = 100;
/** Content words in a near-topic question: about as many as a real question holds. */
const NEAR_TOPIC_WORDS = 5;

/** `count` labels spread evenly over `total` passages. */
function spread(total: number, count: number): number[] {
  const taken = Math.min(total, count);
  return Array.from({ length: taken }, (_, i) => Math.floor((i * total) / taken));
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

export interface CalibrationProgress {
  (done: number, total: number): void;
}

export async function calibrateIndex(
  index: SearchableIndex,
  embedder: Pick<TextEmbedder, 'embedQuery'>,
  onProgress?: CalibrationProgress,
): Promise<IndexCalibration> {
  const search = new PassageSearch(index, embedder);
  const { passages } = index;
  const total = passages.length;

  const unrelated: number[] = [];
  for (let k = 0; k < UNRELATED_PAIRS && total > 1; k++) {
    const i = (k * 7919) % total;
    const j = (i + 1 + ((k * 104729) % (total - 1))) % total;
    if (passages[i]?.articleId === passages[j]?.articleId) continue;
    unrelated.push(cosine(search.vectorOf(i), search.vectorOf(j)));
  }

  const samples = spread(total, PASSAGE_SAMPLES).map((label) => ({
    label,
    articleId: passages[label]?.articleId ?? '',
    sentence: longestSentence(passages[label]?.text ?? ''),
  }));
  const nearTopic = samples
    .map((sample) => ({ ...sample, question: nearTopicQuestion(sample.sentence) }))
    .filter((sample): sample is typeof sample & { question: string } => sample.question !== undefined);
  const steps = samples.length + OFF_TOPIC_QUESTIONS.length + nearTopic.length;
  let done = 0;
  const step = () => onProgress?.(++done, steps);

  const selfMatch: number[] = [];
  for (const sample of samples) {
    if (sample.sentence)
      selfMatch.push(cosine(await embedder.embedQuery(sample.sentence), search.vectorOf(sample.label)));
    step();
  }
  const round = (value: number) => Math.round(value * 10000) / 10000;
  const measured = denseRange(unrelated, selfMatch);
  // Rounded as stored, so the null distribution is measured with exactly the range answering will use.
  const range = { denseFloor: round(measured.denseFloor), denseCeiling: round(measured.denseCeiling) };
  const calibration: Calibration = { ...range, minRelevance: 0, thresholdSource: 'calibrating' };

  const bestRelevance = async (question: string, excludeArticle?: string) => {
    const { candidates } = await search.search(question, excludeArticle === undefined ? {} : { excludeArticle });
    step();
    return Math.max(0, ...candidates.map((candidate) => relevanceOf(candidate, calibration, DEFAULT_WEIGHTS)));
  };
  const nullRelevances: number[] = [];
  for (const question of OFF_TOPIC_QUESTIONS) nullRelevances.push(await bestRelevance(question));
  for (const sample of nearTopic) nullRelevances.push(await bestRelevance(sample.question, sample.articleId));

  return {
    ...range,
    nullRelevances: nullRelevances.map(round).sort((a, b) => a - b),
    offTopicQuestions: OFF_TOPIC_QUESTIONS.length,
    nearTopicQuestions: nearTopic.length,
  };
}
