/**
 * `npm run ask -- "question" [--top K] [--json] [--explain]` answers one question from the index;
 * `npm run ask -- --sources` lists the indexed articles.
 */
import { loadConfig } from '../config/config.js';
import { AnswerEngine } from '../answering/engine.js';
import { PLAIN_STYLE, TERMINAL_STYLE, formatAnswerText } from '../present/answer-text.js';
import { UserError } from '../shared/errors.js';
import { formatSources } from './sources-text.js';
import { parseCommandLine, usageOf, type Command } from './flags.js';
import { runCli } from './run-cli.js';

const COMMAND: Command<'top' | 'json' | 'explain' | 'sources'> = {
  synopsis: 'npm run ask -- "your question"',
  flags: ['top', 'json', 'explain', 'sources'],
  positionals: true,
  about: 'Answers one question from the index: the passages that answer it, verbatim, with citations.',
};
const USAGE = usageOf(COMMAND);

await runCli(async () => {
  const commandLine = parseCommandLine(COMMAND);
  if (!commandLine) return 0;
  const { values, positionals } = commandLine;
  const top = values.top === undefined ? 3 : Number(values.top);
  if (!Number.isInteger(top) || top < 1 || top > 10)
    throw new UserError(`--top must be a whole number from 1 to 10.\n${USAGE}`, 2);
  if (!values.sources && positionals.length === 0) throw new UserError(`No question given.\n${USAGE}`, 2);

  const config = loadConfig();
  const engine = await AnswerEngine.open(config);
  try {
    if (values.sources) {
      process.stdout.write(values.json ? `${JSON.stringify(engine.articles)}\n` : formatSources(engine.articles));
      return 0;
    }
    const answer = await engine.answer(positionals.join(' '), { limit: top, explain: values.explain === true });
    if (values.json) process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    else
      process.stdout.write(
        formatAnswerText(answer, process.stdout.isTTY ? TERMINAL_STYLE : PLAIN_STYLE, values.explain),
      );
    return 0;
  } finally {
    await engine.close();
  }
});
