/**
 * The command-line stand-in for Discord: reads questions line by line and prints answers the same way
 * `npm run ask` does. Works interactively and with piped input (answers each line, exits at end of input).
 */
import { createInterface } from 'node:readline/promises';
import type { AnswerEngine } from '../answering/engine.js';
import { PLAIN_STYLE, TERMINAL_STYLE, formatAnswerText } from '../present/answer-text.js';
import { UserError } from '../shared/errors.js';
import { formatSources } from './sources-text.js';

const HELP = 'Type a question and press Enter. "sources" lists the articles, "exit" (or Ctrl-D) quits.';

export async function runPrompt(
  engine: AnswerEngine,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream & { isTTY?: boolean },
): Promise<void> {
  const interactive = output.isTTY === true;
  const style = interactive ? TERMINAL_STYLE : PLAIN_STYLE;
  const lines = createInterface({ input, output, terminal: interactive });
  output.write(`Ask about the ${engine.articles.length} articles in the corpus. ${HELP}\n`);
  if (interactive) lines.setPrompt('question> ');
  if (interactive) lines.prompt();
  for await (const line of lines) {
    const text = line.trim();
    if (/^(exit|quit)$/i.test(text)) break;
    if (/^(help|\?)$/i.test(text)) output.write(`${HELP}\n`);
    else if (/^sources$/i.test(text)) output.write(formatSources(engine.articles));
    else if (text !== '') {
      try {
        if (engine.reloadIfChanged()) output.write('(The index changed on disk and was reloaded.)\n');
        output.write(formatAnswerText(await engine.answer(text), style));
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        output.write(`${error.message}\n`);
      }
    }
    output.write('\n');
    if (interactive) lines.prompt();
  }
  lines.close();
}
