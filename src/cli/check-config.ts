/**
 * `npm run check-config`: validates every setting, prints what will be used (never the token), and checks
 * that the models can be had: a model on disk is loaded (so a wrong kind or format shows now, not at start),
 * one that is not must be downloadable (ALLOW_REMOTE_MODELS=true), or the command fails with what to do.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadConfig } from '../config/config.js';
import { SETTINGS } from '../config/settings.js';
import { InProcessEmbedder } from '../embedding/embedder.js';
import { explainModelLoadFailure, localModelFolder } from '../embedding/load-model.js';
import { resolveEmbeddingSpec } from '../embedding/model-spec.js';
import { CrossEncoder } from '../embedding/reranker.js';
import { installableModel } from '../embedding/install-model.js';
import { parseCommandLine, type Command } from './flags.js';
import { runCli } from './run-cli.js';

const COMMAND: Command<never> = {
  synopsis: 'npm run check-config',
  flags: [],
  about: `Validates every setting, prints what will be used (never the token), and checks that each model can be had:
one on disk is loaded, one that is not must be downloadable from the hub or installable from Maven.`,
};

/** Whether the hub answers for this model within a few seconds. */
async function hubReachable(hubUrl: string, modelId: string): Promise<boolean> {
  try {
    const response = await fetch(`${hubUrl.replace(/\/?$/, '/')}${modelId}/resolve/main/config.json`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(5000),
    });
    return response.status < 500;
  } catch {
    return false;
  }
}

async function mavenAvailable(): Promise<boolean> {
  try {
    await promisify(execFile)('mvn', ['-v'], { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

await runCli(async () => {
  if (!parseCommandLine(COMMAND)) return 0;
  const config = loadConfig();
  const shown = { ...config, discordToken: config.discordToken ? '(set)' : '(not set: command-line mode)' };
  for (const [key, value] of Object.entries(shown)) {
    // Shown by the names people set them with.
    const name = SETTINGS[key as keyof typeof SETTINGS].name;
    process.stdout.write(`${name}: ${Array.isArray(value) ? value.join(', ') : String(value ?? '')}\n`);
  }
  const models = [
    { setting: 'EMBEDDING_MODEL', role: 'embedding', id: config.embeddingModel },
    ...(config.rerankModel ? [{ setting: 'RERANK_MODEL', role: 're-ranking', id: config.rerankModel }] : []),
  ];
  for (const { setting, role, id } of models) {
    const folder = localModelFolder(id, config);
    if (!folder) {
      if (!config.allowRemoteModels) {
        throw explainModelLoadFailure(role, id, config, new Error('not found locally'));
      }
      if (await hubReachable(config.modelHubUrl, id)) {
        process.stdout.write(
          `${setting}: "${id}" is not on disk yet; it will be downloaded from ${config.modelHubUrl} on first use\n`,
        );
      } else if (setting === 'EMBEDDING_MODEL' && installableModel(id) !== undefined && (await mavenAvailable())) {
        process.stdout.write(
          `${setting}: "${id}" is not on disk and ${config.modelHubUrl} cannot be reached; it will be installed from Maven on first use\n`,
        );
      } else {
        throw explainModelLoadFailure(role, id, config, new Error('fetch failed (ECONNREFUSED)'));
      }
      continue;
    }
    if (setting === 'EMBEDDING_MODEL') {
      const embedder = await InProcessEmbedder.load(resolveEmbeddingSpec(config), config);
      process.stdout.write(`${setting}: "${id}" loads from ${folder} (${embedder.dimensions} dimensions)\n`);
    } else {
      await CrossEncoder.load(id, config);
      process.stdout.write(`${setting}: "${id}" loads from ${folder}\n`);
    }
  }
  return 0;
});
