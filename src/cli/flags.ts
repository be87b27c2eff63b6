/**
 * Every command-line flag, declared once with its help text; a command names the flags it takes, and its
 * usage (`--help`) and its parsing both come from here.
 */
import { parseArgs } from 'node:util';
import { UserError, errorMessage } from '../shared/errors.js';

interface Flag {
  type: 'string' | 'boolean';
  /** What the value looks like, for a string flag. */
  value?: string;
  help: string;
}

export const FLAGS = {
  json: { type: 'boolean', help: 'print the result as one JSON object (run npm with -s to keep its banner off)' },
  explain: { type: 'boolean', help: 'show every signal behind the ranking, the thresholds and the decision' },
  top: { type: 'string', value: 'N', help: 'how many passages to quote, 1 to 10 (default 3)' },
  sources: { type: 'boolean', help: 'list the indexed articles instead of answering' },
  half: { type: 'string', value: 'dev|test', help: 'only this half of the questions (fixed by a hash of each id)' },
  ranking: {
    type: 'string',
    value: 'lexical|dense|rrf|hybrid',
    help: 'measure this ranking alone instead of comparing them all',
  },
  typos: {
    type: 'string',
    value: 'N',
    help: 'misspell N (0-5) words of 5 letters or more in each question, one slip each, the same on every run',
  },
  'no-threshold': { type: 'boolean', help: 'measure without the grades: the best passages, whatever their relevance' },
  from: {
    type: 'string',
    value: 'hub|maven',
    help: 'where to install from (default: the hub when allowed, else Maven)',
  },
  check: { type: 'boolean', help: 'write nothing; exit 1 when a file does not agree' },
  quick: { type: 'boolean', help: 'a short run, written to bench/results-quick/' },
  full: { type: 'boolean', help: 'add the run at 1,000,000 vectors' },
  'report-only': { type: 'boolean', help: 'redraw the report and chart from results.json' },
  out: { type: 'string', value: 'FOLDER', help: 'write the results to this folder' },
} as const satisfies Record<string, Flag>;

export type FlagName = keyof typeof FLAGS;

export interface Command<N extends FlagName> {
  /** How the command is run, without its flags: `npm run add -- URL [URL …]`. */
  synopsis: string;
  flags: readonly N[];
  /** What it does, in a few lines. */
  about: string;
  /** Whether it takes arguments other than flags. */
  positionals?: boolean;
}

export interface CommandLine<N extends FlagName> {
  values: { [K in N]?: (typeof FLAGS)[K]['type'] extends 'boolean' ? boolean : string };
  positionals: string[];
}

const flagText = (name: FlagName) => {
  const flag: Flag = FLAGS[name];
  return flag.value ? `--${name} ${flag.value}` : `--${name}`;
};

/** The usage `--help` prints: the synopsis with the flags, what the command does, and each flag's help. */
export function usageOf<N extends FlagName>(command: Command<N>): string {
  const flags = command.flags.map((name) => `[${flagText(name)}]`).join(' ');
  const synopsis = !flags
    ? command.synopsis
    : command.synopsis.includes(' -- ')
      ? `${command.synopsis} ${flags}`
      : `${command.synopsis} -- ${flags}`;
  const width = Math.max(0, ...command.flags.map((name) => flagText(name).length));
  const options = command.flags.map((name) => `  ${flagText(name).padEnd(width)}  ${FLAGS[name].help}`);
  return [`Usage: ${synopsis}`, command.about, ...(options.length > 0 ? ['Options:', ...options] : [])].join('\n');
}

/**
 * The command line, parsed strictly: a wrong option is a UserError (exit 2) that shows the usage; `--help`
 * prints the usage on standard output and the result is undefined (the command then exits 0).
 */
export function parseCommandLine<N extends FlagName>(command: Command<N>): CommandLine<N> | undefined {
  const options = Object.fromEntries(command.flags.map((name) => [name, { type: FLAGS[name].type }]));
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      options: { ...options, help: { type: 'boolean' } },
      allowPositionals: command.positionals === true,
      strict: true,
    }) as typeof parsed;
  } catch (error) {
    throw new UserError(`${errorMessage(error)}\n${usageOf(command)}`, 2);
  }
  if (parsed.values.help) {
    process.stdout.write(`${usageOf(command)}\n`);
    return undefined;
  }
  return parsed as CommandLine<N>;
}
