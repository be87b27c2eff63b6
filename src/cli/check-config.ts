/**
 * `npm run check-config`: validates every setting, prints what will be used (never the token), and checks
 * that the models can be had: a model on disk is loaded (so a wrong kind or format shows now, not at start),
 * one that is not must be downloadable (ALLOW_REMOTE_MODELS=true), or the command fails with what to do.
 */
import { loadConfig } from '../config/config.js';
import { InProcessEmbedder } from '../embedding/embedder.js';
import { explainModelLoadFailure, localModelFolder } from '../embedding/load-model.js';
import { resolveEmbeddingSpec } from '../embedding/model-spec.js';
import { CrossEncoder } from '../embedding/reranker.js';
import { runCli } from './run-cli.js';

await runCli(async () => {
  const config = loadConfig();
  const shown = { ...config, discordToken: config.discordToken ? '(set)' : '(not set: command-line mode)' };
  for (const [key, value] of Object.entries(shown)) {
    process.stdout.write(`${key}: ${Array.isArray(value) ? value.join(', ') : String(value ?? '')}\n`);
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
      process.stdout.write(
        `${setting}: "${id}" is not on disk yet; it will be downloaded from ${config.modelHubUrl} on first use\n`,
      );
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
