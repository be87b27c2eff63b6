/**
 * `npm run settings-docs`: writes `.env.example` and the settings tables of README.md and docs/settings.md
 * from the one declaration of the settings (src/config/settings.ts). `--check` only says whether they agree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../shared/errors.js';
import { envExample, settingsTable } from '../config/settings.js';
import { parseCommandLine, type Command } from './flags.js';
import { runCli } from './run-cli.js';

const COMMAND: Command<'check'> = {
  synopsis: 'npm run settings-docs',
  flags: ['check'],
  about: 'Writes .env.example and the settings tables in README.md and docs/settings.md from src/config/settings.ts.',
};

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Each generated file, as it is and as the declaration makes it. */
export function settingsFiles(root = ROOT): { path: string; now: string; wanted: string }[] {
  const between = (path: string, which: 'all' | 'common') => {
    const now = readFileSync(path, 'utf8');
    const start = '<!-- settings table: written by npm run settings-docs -->\n\n';
    const end = '\n\n<!-- end of settings table -->';
    const from = now.indexOf(start);
    const to = now.indexOf(end, from);
    if (from < 0 || to < 0) throw new UserError(`${path} has no settings-table markers`);
    return { path, now, wanted: now.slice(0, from + start.length) + settingsTable(which) + now.slice(to) };
  };
  const example = `${root}.env.example`;
  return [
    { path: example, now: readFileSync(example, 'utf8'), wanted: envExample() },
    between(`${root}README.md`, 'common'),
    between(`${root}docs/settings.md`, 'all'),
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runCli(async () => {
    const commandLine = parseCommandLine(COMMAND);
    if (!commandLine) return 0;
    const stale = settingsFiles().filter((file) => file.now !== file.wanted);
    if (commandLine.values.check) {
      for (const file of stale) process.stderr.write(`${file.path} does not agree with src/config/settings.ts\n`);
      return stale.length > 0 ? 1 : 0;
    }
    for (const file of stale) writeFileSync(file.path, file.wanted);
    process.stdout.write(`${stale.length} file(s) written\n`);
    return 0;
  });
}
