/**
 * Run as a fresh process by the benchmarks: loads the model, then the index, answers once, and reports the
 * model's load apart from the rest (the model's own load is the same for every corpus size).
 */
import { AnswerEngine } from '../src/answering/engine.js';
import { loadConfig } from '../src/config/config.js';
import { InProcessEmbedder } from '../src/embedding/embedder.js';
import { resolveEmbeddingSpec } from '../src/embedding/model-spec.js';

const config = loadConfig();
// performance.now() counts from this process's start.
const embedder = await InProcessEmbedder.load(resolveEmbeddingSpec(config), config);
const modelLoaded = performance.now();
const engine = await AnswerEngine.open(config, { embedder });
await engine.answer('How many junior doctors voted in favour of industrial action?');
const passages = engine.articles.reduce((sum, article) => sum + article.passageCount, 0);
process.stdout.write(
  JSON.stringify({
    passages,
    modelLoadMs: modelLoaded,
    indexToFirstAnswerMs: performance.now() - modelLoaded,
    msToReady: performance.now(),
    rssBytes: process.memoryUsage().rss,
  }),
);
await engine.close();
