/**
 * `npm run eval -- [FILE.jsonl…] [--half dev|test] [--typos N] [--ranking lexical|dense|rrf|hybrid] [--no-threshold] [--json]`:
 * scores the bot on question files (default eval/dev.jsonl). By default it measures every retriever alone,
 * their plain fusion and the bot's hybrid ranking without and with its grades, side by side, then lists each
 * question as the bot answers it. `--ranking` / `--no-threshold` measure one configuration only; `--half`
 * keeps the dev or the test half of the questions (evaluation/evaluate.ts, halfOf); `--typos N` asks each
 * with N of its longer words misspelt (evaluation/typos.ts).
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/config.js';
import { AnswerEngine } from '../answering/engine.js';
import {
  COMPARED_RUNS,
  answerArticlesNotIndexed,
  halfOf,
  indexedArticleIds,
  notIndexedLine,
  parseQuestionFile,
  runQuestions,
  type RankingMode,
  type EvalReport,
  type EvalRun,
} from '../evaluation/evaluate.js';
import { withTypos } from '../evaluation/typos.js';
import { UserError, errorMessage } from '../shared/errors.js';
import { parseCommandLine, usageOf, type Command } from './flags.js';
import { runCli } from './run-cli.js';

const COMMAND: Command<'half' | 'typos' | 'ranking' | 'no-threshold' | 'json'> = {
  synopsis: 'npm run eval -- [FILE.jsonl …]',
  flags: ['half', 'typos', 'ranking', 'no-threshold', 'json'],
  positionals: true,
  about: 'Scores each retriever alone, their fusion and the bot on question files (default: eval/*.jsonl).',
};
const USAGE = usageOf(COMMAND);
const RANKINGS: RankingMode[] = ['lexical', 'dense', 'rrf', 'hybrid'];

function questionTable(report: EvalReport): string[] {
  return report.questions.map((result) => {
    const grade = result.closest ? ' (closest)' : '';
    const outcome = result.answerable
      ? result.abstained
        ? 'FALSE ABSTENTION'
        : result.hitRank
          ? `hit at ${result.hitRank}${grade}`
          : `miss${grade}`
      : result.abstained
        ? 'abstained (correct)'
        : result.closest
          ? 'closest (should abstain)'
          : 'ANSWERED (should abstain)';
    return `${result.id.padEnd(8)} ${outcome.padEnd(26)} ${result.question}`;
  });
}

function comparisonTable(runs: { run: EvalRun; report: EvalReport }[]): string[] {
  const first = runs[0]?.report;
  const header =
    `${'ranking'.padEnd(24)} hit@1  hit@3  MRR@5   answerable: confident / closest / refused` +
    `   unanswerable: confident / closest / refused`;
  const grades = (confident: number, closest: number, refused: number) => `${confident} / ${closest} / ${refused}`;
  return [
    `${first?.answerable ?? 0} answerable questions, ${first?.unanswerable ?? 0} that the corpus does not answer`,
    '',
    header,
    ...runs.map(
      ({ run, report }) =>
        `${run.name.padEnd(24)} ${report.hit1.toFixed(3)}  ${report.hit3.toFixed(3)}  ${report.mrr5.toFixed(3)}  ` +
        `${(run.threshold ? grades(report.answerableConfident, report.answerableClosest, report.falseAbstentions) : '–').padStart(42)}` +
        `${(run.threshold ? grades(report.unanswerableConfident, report.unanswerableClosest, report.correctAbstentions) : '–').padStart(45)}`,
    ),
  ];
}

function summaryLines(report: EvalReport): string[] {
  const share = (count: number, of: number) => `${count} (${of === 0 ? '–' : (count / of).toFixed(3)})`;
  return [
    `answerable questions   ${report.answerable}`,
    `  right passage quoted ${share(report.quotedRight, report.answerable)}`,
    `  confident            ${share(report.answerableConfident, report.answerable)}`,
    `  closest              ${share(report.answerableClosest, report.answerable)}`,
    `  refused              ${share(report.falseAbstentions, report.answerable)}`,
    `  hit@1                ${report.hit1.toFixed(3)}`,
    `  hit@3                ${report.hit3.toFixed(3)}`,
    `  MRR@5                ${report.mrr5.toFixed(3)}`,
    `unanswerable questions ${report.unanswerable}`,
    `  refused              ${share(report.correctAbstentions, report.unanswerable)}`,
    `  closest              ${share(report.unanswerableClosest, report.unanswerable)}`,
    `  confident            ${share(report.unanswerableConfident, report.unanswerable)}`,
  ];
}

await runCli(async () => {
  const commandLine = parseCommandLine(COMMAND);
  if (!commandLine) return 0;
  const { values, positionals } = commandLine;
  const ranking = values.ranking as RankingMode | undefined;
  if (ranking !== undefined && !RANKINGS.includes(ranking)) {
    throw new UserError(`--ranking must be one of ${RANKINGS.join(', ')}.\n${USAGE}`, 2);
  }
  const half = values.half;
  if (half !== undefined && half !== 'dev' && half !== 'test')
    throw new UserError(`--half must be dev or test.\n${USAGE}`, 2);
  if (values.typos !== undefined && !/^[0-5]$/.test(values.typos))
    throw new UserError(`--typos must be a whole number from 0 to 5, not "${values.typos}".\n${USAGE}`, 2);
  const typos = Number(values.typos ?? 0);
  const files = positionals.length > 0 ? positionals : ['eval/dev.jsonl'];
  const file = files.join(', ');
  const questions = files
    .flatMap((name) => {
      let content: string;
      try {
        content = readFileSync(name, 'utf8');
      } catch (error) {
        throw new UserError(`Cannot read the question file ${name}: ${errorMessage(error)}`);
      }
      return parseQuestionFile(content, name);
    })
    .filter((question) => half === undefined || halfOf(question) === half)
    .map((question) =>
      typos > 0 ? { ...question, question: withTypos(question.question, typos, question.id) } : question,
    );
  if (questions.length === 0) throw new UserError(`No questions in the ${half} half of ${file}.`);
  const config = loadConfig();
  const engine = await AnswerEngine.open(config);
  try {
    const single = ranking !== undefined || values['no-threshold'] === true;
    const runs: EvalRun[] = single
      ? [
          {
            name: `${ranking ?? 'hybrid'}${values['no-threshold'] ? ', no threshold' : ''}`,
            ranking: ranking ?? 'hybrid',
            threshold: values['no-threshold'] !== true,
          },
        ]
      : COMPARED_RUNS;
    const measured: { run: EvalRun; report: EvalReport }[] = [];
    for (const run of runs) {
      measured.push({ run, report: await runQuestions(engine, questions, run) });
    }
    const main = measured.at(-1) as { run: EvalRun; report: EvalReport };
    if (values.json) {
      const compared = measured.map(({ run, report }) => {
        const { questions: _questions, ...scores } = report;
        return { ...run, ...scores };
      });
      process.stdout.write(
        `${JSON.stringify({ ...main.report, minRelevance: engine.calibrationInUse.minRelevance, runs: compared })}\n`,
      );
      return 0;
    }
    const calibration = engine.calibrationInUse;
    const notIndexed = notIndexedLine(answerArticlesNotIndexed(questions, await indexedArticleIds(engine)));
    process.stdout.write(
      [
        `Evaluation of ${file}`,
        '',
        ...(notIndexed ? [notIndexed, ''] : []),
        ...(single ? [] : [...comparisonTable(measured), '']),
        `Evaluated: ${half ? `the ${half} half` : 'all questions'}. Thresholds: ${calibration.thresholdSource}.`,
        '',
        `${main.run.name}:`,
        ...questionTable(main.report),
        '',
        ...summaryLines(main.report),
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await engine.close();
  }
});
