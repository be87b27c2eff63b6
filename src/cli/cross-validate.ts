/**
 * `npm run cross-validate -- FILE.jsonl [FILE.jsonl…] [--half dev|test]`: how the ranking weights and the
 * grading rates were chosen, reproducibly. Every question of the files is searched once; then each candidate setting is scored
 * on every question, and leave-one-out cross-validation (answering/cross-validation.ts) reports what choosing
 * the best setting achieves on questions it did not see, next to what it claims on the questions it was
 * chosen on. Runs with the current settings' model and index (`npm run index` first).
 */
import { readFileSync } from 'node:fs';
import { confidentThreshold, refusalThreshold } from '../answering/calibration.js';
import { AnswerEngine } from '../answering/engine.js';
import { leaveOneOut, type CrossValidation } from '../evaluation/cross-validation.js';
import {
  answerArticlesNotIndexed,
  halfOf,
  indexedArticleIds,
  normalizeForMatch,
  notIndexedLine,
  onIndex,
  parseQuestionFile,
  type EvalQuestion,
} from '../evaluation/evaluate.js';
import { DEFAULT_WEIGHTS, orderCandidates, relevanceOf, type RankingWeights } from '../answering/rank.js';
import { loadConfig } from '../config/config.js';
import { UserError, errorMessage } from '../shared/errors.js';
import type { CandidateSignals } from '../retrieval/search.js';
import { parseCommandLine, usageOf, type Command } from './flags.js';
import { runCli } from './run-cli.js';

const COMMAND: Command<'half'> = {
  synopsis: 'npm run cross-validate -- FILE.jsonl [FILE.jsonl …]',
  flags: ['half'],
  positionals: true,
  about: `Shows how the ranking weights and the grading rates were chosen: every setting of a small grid on every
question, leave-one-out cross-validation of the weights, and what each refusal rate and FALSE_ANSWER_RATE
does (run npm run index first; choose on --half dev).`,
};
const USAGE = usageOf(COMMAND);

const DENSE_WEIGHTS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
const ARTICLE_WEIGHTS = [0, 0.1, 0.2, 0.3];
const PASSAGE_SHARES = [0, 0.25, 0.5, 1];
const FALSE_ANSWER_RATES = [0.01, 0.02, 0.05, 0.1, 0.2];
const OFF_TOPIC_RATES = [0.05, 0.1, 0.2, 0.3, 0.5];
const MIXED_BELOW_RATES = [0.01, 0.02, 0.05, 0.1];

interface Searched {
  file: string;
  question: EvalQuestion;
  candidates: (CandidateSignals & { answers: boolean })[];
}

const key = (weights: RankingWeights) =>
  `dense ${weights.denseWeight}, article ${weights.articleWeight}, passage ${weights.passageShare}`;

function chosenText<T>(result: CrossValidation<T>, name: (setting: T) => string): string {
  return [...result.chosen]
    .sort((a, b) => b[1] - a[1])
    .map(([setting, count]) => `${name(setting)} ×${count}`)
    .join('; ');
}

await runCli(async () => {
  const commandLine = parseCommandLine(COMMAND);
  if (!commandLine) return 0;
  const { positionals, values } = commandLine;
  const half = values.half;
  if (half !== undefined && half !== 'dev' && half !== 'test')
    throw new UserError(`--half must be dev or test.\n${USAGE}`, 2);
  if (positionals.length === 0) throw new UserError(`No question file given.\n${USAGE}`, 2);
  const config = loadConfig();
  const engine = await AnswerEngine.open(config);
  // Relevance is computed here with each weighting tried; the dense range is the index's.
  const calibration = engine.calibrationInUse;

  const searched: Searched[] = [];
  for (const file of positionals) {
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UserError(`Cannot read the question file ${file}: ${errorMessage(error)}`);
    }
    const asked = parseQuestionFile(content, file).filter((entry) => half === undefined || halfOf(entry) === half);
    for (const question of await onIndex(engine, asked)) {
      const needles = question.containsAny?.map(normalizeForMatch) ?? [];
      // A question the bot refuses to take (not English, say) has no candidates.
      const { scored } = await engine.rank(question.question).catch((error: unknown) => {
        if (error instanceof UserError) return { scored: [] };
        throw error;
      });
      searched.push({
        file,
        question,
        candidates: scored.map((candidate) => ({
          ...candidate,
          answers: needles.some((needle) => normalizeForMatch(engine.passageText(candidate.label)).includes(needle)),
        })),
      });
    }
  }
  const notIndexed = notIndexedLine(
    answerArticlesNotIndexed(
      searched.map((entry) => entry.question),
      await indexedArticleIds(engine),
    ),
  );
  const measured = engine.indexCalibration;
  const { offTopicRelevances = [] } = measured;
  await engine.close();

  const answerable = searched.filter((entry) => entry.question.containsAny !== undefined);
  const lines: string[] = [
    `Cross-validation on ${positionals.join(', ')} with ${config.embeddingModel}`,
    '',
    ...(notIndexed ? [notIndexed, ''] : []),
  ];

  // Ranking: hit@3, ties broken by reciprocal rank.
  const rankOfAnswer = (entry: Searched, weights: RankingWeights) => {
    const ordered = orderCandidates(
      entry.candidates.map((candidate) => ({ ...candidate, relevance: relevanceOf(candidate, calibration, weights) })),
    );
    const index = ordered.findIndex((candidate) => candidate.answers);
    return index < 0 ? Infinity : index + 1;
  };
  const grid: RankingWeights[] = [
    DEFAULT_WEIGHTS,
    ...DENSE_WEIGHTS.flatMap((denseWeight) =>
      ARTICLE_WEIGHTS.flatMap((articleWeight) =>
        PASSAGE_SHARES.map((passageShare) => ({ denseWeight, articleWeight, passageShare })),
      ),
    ).filter((weights) => key(weights) !== key(DEFAULT_WEIGHTS)),
  ];
  const rankScore = (weights: RankingWeights, q: number) => {
    const rank = rankOfAnswer(answerable[q] as Searched, weights);
    return (rank <= 3 ? 1 : 0) + 0.01 / rank;
  };
  lines.push('Ranking weights, hit@3 per file:');
  for (const weights of grid) {
    const perFile = positionals.map((file) => {
      const entries = answerable.filter((entry) => entry.file === file);
      const hits = entries.filter((entry) => rankOfAnswer(entry, weights) <= 3).length;
      return (hits / Math.max(entries.length, 1)).toFixed(3);
    });
    lines.push(`  ${key(weights).padEnd(40)} ${perFile.join('  ')}`);
  }
  const ranking = leaveOneOut(grid, answerable.length, rankScore);
  lines.push(
    `  leave-one-out hit@3 ${ranking.heldOut.toFixed(3)} (best on all questions: ${key(ranking.best)}, ` +
      `${ranking.fitted.toFixed(3)} there, less the tie-break); chosen: ${chosenText(ranking, key)}`,
    '',
  );

  // Grades, with the default weights the index calibrated: what each refusal rate refuses, and what each
  // FALSE_ANSWER_RATE lets be answered confidently, of the answerable and the unanswerable questions.
  const bestRelevance = searched.map((entry) =>
    Math.max(0, ...entry.candidates.map((candidate) => relevanceOf(candidate, calibration))),
  );
  const shareOf = (answerableOnes: boolean, test: (relevance: number) => boolean) => {
    const chosen = searched
      .map((entry, i) => ({ entry, relevance: bestRelevance[i] ?? 0 }))
      .filter(({ entry }) => (entry.question.containsAny !== undefined) === answerableOnes);
    return (chosen.filter(({ relevance }) => test(relevance)).length / Math.max(chosen.length, 1)).toFixed(3);
  };
  lines.push(
    'Refusal threshold: the lower of what OFF_TOPIC_RATE of off-topic questions and all but MIXED_BELOW of the',
    'mixed ones reach, per MIXED_BELOW ("alone": off-topic questions alone): threshold, answerable / unanswerable refused:',
  );
  for (const offTopicRate of OFF_TOPIC_RATES) {
    const cells = [...MIXED_BELOW_RATES, undefined].map((mixedBelow) => {
      const threshold =
        mixedBelow === undefined
          ? refusalThreshold({ offTopicRelevances }, { offTopicRate })
          : refusalThreshold(measured, { offTopicRate, mixedBelow });
      const refused = (relevance: number) => relevance < threshold;
      return `${mixedBelow ?? 'alone'}: ${threshold.toFixed(3)} ${shareOf(true, refused)} / ${shareOf(false, refused)}`;
    });
    lines.push(`  ${String(offTopicRate).padEnd(5)} ${cells.join('   ')}`);
  }
  lines.push('', 'FALSE_ANSWER_RATE: confident threshold, answerable / unanswerable answered confidently:');
  for (const rate of FALSE_ANSWER_RATES) {
    const threshold = confidentThreshold(measured, rate);
    const confident = (relevance: number) => relevance >= threshold;
    lines.push(
      `  ${String(rate).padEnd(5)} ${threshold.toFixed(3)}   ${shareOf(true, confident)} / ${shareOf(false, confident)}`,
    );
  }
  lines.push('');
  process.stdout.write(lines.join('\n'));
  return 0;
});
