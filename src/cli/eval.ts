/**
 * `npm run eval -- [FILE.jsonl] [--ranking lexical|dense|rrf|hybrid] [--no-threshold] [--json]`: scores the bot
 * on a question file (default eval/dev.jsonl). By default it measures every retriever alone, their plain
 * fusion and the bot's hybrid ranking with and without the abstention threshold, side by side, then lists
 * each question as the bot answers it. `--ranking` / `--no-threshold` measure one configuration only.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/config.js';
import { AnswerEngine, type RankingMode } from '../answering/engine.js';
import {
  COMPARED_RUNS,
  parseQuestionFile,
  runQuestions,
  type EvalReport,
  type EvalRun,
} from '../answering/evaluate.js';
import { UserError, errorMessage } from '../shared/errors.js';
import { parseCommandLine, runCli } from './run-cli.js';

const USAGE = 'Usage: npm run eval -- [FILE.jsonl] [--ranking lexical|dense|rrf|hybrid] [--no-threshold] [--json]';
const RANKINGS: RankingMode[] = ['lexical', 'dense', 'rrf', 'hybrid'];

function questionTable(report: EvalReport): string[] {
  return report.questions.map((result) => {
    const outcome = result.answerable
      ? result.abstained
        ? 'FALSE ABSTENTION'
        : result.hitRank
          ? `hit at ${result.hitRank}`
          : 'miss'
      : result.abstained
        ? 'abstained (correct)'
        : 'ANSWERED (should abstain)';
    return `${result.id.padEnd(8)} ${outcome.padEnd(26)} ${result.question}`;
  });
}

function comparisonTable(runs: { run: EvalRun; report: EvalReport }[]): string[] {
  const first = runs[0]?.report;
  const header = `${'ranking'.padEnd(24)} hit@1  hit@3  MRR@5  false abst.  correct abst.`;
  return [
    `${first?.answerable ?? 0} answerable questions, ${first?.unanswerable ?? 0} that the corpus does not answer`,
    '',
    header,
    ...runs.map(
      ({ run, report }) =>
        `${run.name.padEnd(24)} ${report.hit1.toFixed(3)}  ${report.hit3.toFixed(3)}  ${report.mrr5.toFixed(3)}  ` +
        `${(run.threshold ? String(report.falseAbstentions) : '–').padStart(11)}  ` +
        `${(run.threshold ? `${report.correctAbstentions} of ${report.unanswerable}` : '–').padStart(13)}`,
    ),
  ];
}

function summaryLines(report: EvalReport): string[] {
  return [
    `answerable questions   ${report.answerable}`,
    `  hit@1                ${report.hit1.toFixed(3)}`,
    `  hit@3                ${report.hit3.toFixed(3)}`,
    `  MRR@5                ${report.mrr5.toFixed(3)}`,
    `  false abstentions    ${report.falseAbstentions}`,
    `unanswerable questions ${report.unanswerable}`,
    `  correct abstentions  ${report.correctAbstentions}`,
  ];
}

await runCli(async () => {
  const commandLine = parseCommandLine(
    { json: { type: 'boolean' }, ranking: { type: 'string' }, 'no-threshold': { type: 'boolean' } },
    USAGE,
    true,
  );
  if (!commandLine) return 0;
  const { values, positionals } = commandLine;
  const ranking = values.ranking as RankingMode | undefined;
  if (ranking !== undefined && !RANKINGS.includes(ranking)) {
    throw new UserError(`--ranking must be one of ${RANKINGS.join(', ')}.\n${USAGE}`, 2);
  }
  const file = positionals[0] ?? 'eval/dev.jsonl';
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read the question file ${file}: ${errorMessage(error)}`);
  }
  const questions = parseQuestionFile(content, file);
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
    process.stdout.write(
      [
        `Evaluation of ${file}`,
        '',
        ...(single ? [] : [...comparisonTable(measured), '']),
        `Threshold ${calibration.minRelevance.toFixed(3)}: ${calibration.thresholdSource}.`,
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
