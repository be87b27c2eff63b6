/**
 * `npm run eval -- [FILE.jsonl] [--json]`: scores the bot on a question file (default eval/dev.jsonl):
 * hit@1, hit@3, MRR@5 on answerable questions, correct and false abstentions, and a per-question table.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.js';
import { AnswerEngine } from '../answering/engine.js';
import {
  hitRank,
  parseQuestionFile,
  scoreResults,
  type EvalReport,
  type QuestionResult,
} from '../answering/evaluate.js';
import { UserError, errorMessage } from '../shared/errors.js';
import { runCli } from './run-cli.js';

function formatReport(report: EvalReport, file: string): string {
  const rows = report.questions.map((result) => {
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
  return [
    `Evaluation of ${file}`,
    '',
    ...rows,
    '',
    `answerable questions   ${report.answerable}`,
    `  hit@1                ${report.hit1.toFixed(3)}`,
    `  hit@3                ${report.hit3.toFixed(3)}`,
    `  MRR@5                ${report.mrr5.toFixed(3)}`,
    `  false abstentions    ${report.falseAbstentions}`,
    `unanswerable questions ${report.unanswerable}`,
    `  correct abstentions  ${report.correctAbstentions}`,
    '',
  ].join('\n');
}

await runCli(async () => {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { json: { type: 'boolean' } } });
  } catch (error) {
    throw new UserError(`${(error as Error).message}\nUsage: npm run eval -- [FILE.jsonl] [--json]`, 2);
  }
  const file = parsed.positionals[0] ?? 'eval/dev.jsonl';
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read the question file ${file}: ${errorMessage(error)}`);
  }
  const questions = parseQuestionFile(content, file);
  const engine = await AnswerEngine.open(loadConfig());
  const results: QuestionResult[] = [];
  try {
    for (const question of questions) {
      const answerable = question.containsAny !== undefined;
      try {
        const answer = await engine.answer(question.question, { limit: 5 });
        results.push({
          id: question.id,
          question: question.question,
          answerable,
          hitRank: hitRank(question, answer),
          abstained: answer.abstained,
        });
      } catch (error) {
        // A question the bot refuses (too long, not English) counts as abstained.
        if (!(error instanceof UserError)) throw error;
        results.push({ id: question.id, question: question.question, answerable, hitRank: null, abstained: true });
      }
    }
  } finally {
    await engine.close();
  }
  const report = scoreResults(results);
  process.stdout.write(parsed.values.json ? `${JSON.stringify(report)}\n` : formatReport(report, file));
});
