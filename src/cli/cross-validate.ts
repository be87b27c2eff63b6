/**
 * `npm run cross-validate -- FILE.jsonl [FILE.jsonl…]`: how the ranking weights and FALSE_ANSWER_RATE were
 * chosen, reproducibly. Every question of the files is searched once; then each candidate setting is scored
 * on every question, and leave-one-out cross-validation (answering/cross-validation.ts) reports what choosing
 * the best setting achieves on questions it did not see, next to what it claims on the questions it was
 * chosen on. Runs with the current settings' model and index (`npm run index` first).
 */
import { readFileSync } from 'node:fs';
import { calibrationFrom, thresholdFromNull } from '../answering/calibration.js';
import { leaveOneOut, type CrossValidation } from '../answering/cross-validation.js';
import { normalizeForMatch, parseQuestionFile, type EvalQuestion } from '../answering/evaluate.js';
import { DEFAULT_WEIGHTS, orderCandidates, relevanceOf, type RankingWeights } from '../answering/rank.js';
import { PassageSearch } from '../answering/search.js';
import { loadConfig } from '../config/config.js';
import { InProcessEmbedder } from '../embedding/embedder.js';
import { resolveEmbeddingSpec } from '../embedding/model-spec.js';
import { UserError, errorMessage } from '../shared/errors.js';
import { checkModel, loadIndex } from '../vector-index/store.js';
import type { CandidateSignals } from '../answering/rank.js';
import { parseCommandLine, runCli } from './run-cli.js';

const USAGE = `Usage: npm run cross-validate -- FILE.jsonl [FILE.jsonl …]
Shows how the ranking weights and FALSE_ANSWER_RATE were chosen: every setting of a small grid on every
question, and leave-one-out cross-validation over the questions (run npm run index first).`;

const DENSE_WEIGHTS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
const ARTICLE_WEIGHTS = [0, 0.1, 0.2, 0.3];
const PASSAGE_SHARES = [0, 0.25, 0.5, 1];
const FALSE_ANSWER_RATES = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4];

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
  const commandLine = parseCommandLine({}, USAGE, true);
  if (!commandLine) return 0;
  const { positionals } = commandLine;
  if (positionals.length === 0) throw new UserError(`No question file given.\n${USAGE}`, 2);
  const config = loadConfig();
  const spec = resolveEmbeddingSpec(config);
  const index = loadIndex(config.indexDir, spec, config.searchEf);
  const embedder = await InProcessEmbedder.load(spec, config);
  checkModel(index.manifest, embedder, index.path);
  const search = new PassageSearch(index, embedder);
  const calibration = calibrationFrom(index.manifest.calibration, { minRelevance: undefined, falseAnswerRate: 0.1 });

  const searched: Searched[] = [];
  for (const file of positionals) {
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UserError(`Cannot read the question file ${file}: ${errorMessage(error)}`);
    }
    for (const question of parseQuestionFile(content, file)) {
      const { candidates } = await search.search(question.question);
      const needles = question.containsAny?.map(normalizeForMatch) ?? [];
      searched.push({
        file,
        question,
        candidates: candidates.map((candidate) => ({
          ...candidate,
          answers: needles.some((needle) =>
            normalizeForMatch(index.passages.get(candidate.label)?.text ?? '').includes(needle),
          ),
        })),
      });
    }
  }
  await embedder.close();

  const answerable = searched.filter((entry) => entry.question.containsAny !== undefined);
  const unanswerable = searched.filter((entry) => entry.question.containsAny === undefined);
  const lines: string[] = [`Cross-validation on ${positionals.join(', ')} with ${spec.modelId}`, ''];

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

  // Abstention: balanced accuracy (each class counts half), with the default weights the index calibrated.
  const nullRelevances = index.manifest.calibration.nullRelevances;
  const bestRelevance = searched.map((entry) =>
    Math.max(0, ...entry.candidates.map((candidate) => relevanceOf(candidate, calibration))),
  );
  const decisions = (rate: number) => {
    const threshold = thresholdFromNull(nullRelevances, rate);
    return searched.map((entry, i) => ({ entry, abstained: (bestRelevance[i] ?? 0) < threshold }));
  };
  const balanced = (rate: number, q: number) => {
    const { entry, abstained } = decisions(rate)[q] as { entry: Searched; abstained: boolean };
    const isAnswerable = entry.question.containsAny !== undefined;
    if (isAnswerable) return abstained ? 0 : searched.length / (2 * answerable.length);
    return abstained ? searched.length / (2 * Math.max(unanswerable.length, 1)) : 0;
  };
  lines.push('FALSE_ANSWER_RATE: threshold, then false abstentions / correct abstentions per file:');
  for (const rate of FALSE_ANSWER_RATES) {
    const made = decisions(rate);
    const perFile = positionals.map((file) => {
      const inFile = made.filter(({ entry }) => entry.file === file);
      const falseAbstentions = inFile.filter(({ entry, abstained }) => entry.question.containsAny && abstained);
      const unanswerableInFile = inFile.filter(({ entry }) => !entry.question.containsAny);
      const correct = unanswerableInFile.filter(({ abstained }) => abstained);
      return `${falseAbstentions.length} / ${correct.length} of ${unanswerableInFile.length}`;
    });
    lines.push(
      `  ${String(rate).padEnd(5)} ${thresholdFromNull(nullRelevances, rate).toFixed(3)}   ${perFile.join('   ')}`,
    );
  }
  const rates = [0.1, ...FALSE_ANSWER_RATES.filter((rate) => rate !== 0.1)];
  const abstention = leaveOneOut(rates, searched.length, balanced);
  lines.push(
    `  leave-one-out balanced accuracy ${abstention.heldOut.toFixed(3)} (best on all questions: ` +
      `${abstention.best}, ${abstention.fitted.toFixed(3)} there); chosen: ${chosenText(abstention, String)}`,
    '',
  );
  process.stdout.write(lines.join('\n'));
  return 0;
});
