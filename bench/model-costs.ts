/**
 * What the bot costs with one embedding model (and re-ranker), measured the same way for every model so the
 * offline test model and the default model (or its timing twin) can be reported side by side:
 *
 * - answering on the seed corpus, one question at a time, without and with the re-ranker;
 * - answering on a synthetic corpus of N passages, one at a time in-process and 20 at once through the
 *   answering worker the bot uses;
 * - indexing throughput: passages embedded per second;
 * - start-up on the N-passage index: index load to first answer (the model's own load reported apart), RSS;
 * - one article edited in the N-passage index: the whole `npm run index` run.
 *
 * For a model other than the test model, the N-passage index gets synthetic, embedding-like vectors (see
 * vectors.ts) instead of embedding N passages (at 80 passages/s, 100,000 take 21 minutes): every question is
 * still embedded by the real model and searched, ranked and calibrated for real, so latency, start-up and
 * edit costs are the real ones; only the answers' quality is meaningless, as it is with a timing twin anyway.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnswerService } from '../src/answering/answer.js';
import { AnswerEngine } from '../src/answering/engine.js';
import { RemoteAnswerEngine } from '../src/workers/answering/remote-engine.js';
import { parseQuestionFile } from '../src/evaluation/evaluate.js';
import { loadConfig, type Config } from '../src/config/config.js';
import { InProcessEmbedder, type TextEmbedder } from '../src/embedding/embedder.js';
import { resolveEmbeddingSpec } from '../src/embedding/model-spec.js';
import { createLogger } from '../src/logging/logger.js';
import { updateIndex } from '../src/app/update-index.js';
import { percentile, writeSyntheticCorpus } from './pipeline.js';
import { EmbeddingLikeGenerator } from './vectors.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SEED = join(ROOT, 'test/fixtures/seed-corpus');
const silent = createLogger('silent');

export interface ModelProfile {
  /** "offline test model", "default model (timing twin)", … */
  name: string;
  /** Settings on top of the environment, as an ENV_FILE and overrides. */
  env: Record<string, string>;
}

export interface Percentiles {
  p50: number;
  p95: number;
  n: number;
}

export interface ModelCosts {
  profile: string;
  embeddingModel: string;
  rerankModel: string | undefined;
  seed: { sequentialMs: Percentiles; rerankedMs: Percentiles | undefined };
  large: {
    passages: number;
    syntheticVectors: boolean;
    sequentialMs: Percentiles;
    burst20WorkerMs: Percentiles;
    startup: { modelLoadMs: number; indexToFirstAnswerMs: number; rssBytes: number };
    editOneArticleSeconds: number;
    editEmbedded: number;
  };
  indexing: {
    passages: number;
    /** While the model embeds: the model's own throughput. */
    passagesPerSecond: number;
    /** The whole build (read, split, embed, terms, graph, calibration): what `npm run index` takes. */
    endToEndPassagesPerSecond?: number;
  };
}

const summarize = (values: number[]): Percentiles => ({
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  n: values.length,
});

function profileConfig(profile: ModelProfile, overrides: Record<string, string> = {}): Config {
  return loadConfig({ env: { ...process.env, ...profile.env, ...overrides }, baseDir: ROOT });
}

function devQuestions(): string[] {
  return parseQuestionFile(readFileSync(join(ROOT, 'eval/dev.jsonl'), 'utf8'), 'dev.jsonl').map((q) => q.question);
}

async function sequential(engine: AnswerService, questions: string[], count: number): Promise<Percentiles> {
  for (const question of questions.slice(0, 3)) await engine.answer(question); // warm-up
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await engine.answer(questions[i % questions.length] ?? '');
    times.push(performance.now() - started);
  }
  return summarize(times);
}

async function burst(engine: AnswerService, questions: string[], rounds: number): Promise<Percentiles> {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const batch = Array.from({ length: 20 }, (_, i) => questions[(round * 20 + i) % questions.length] ?? '');
    times.push(
      ...(await Promise.all(
        batch.map(async (question) => {
          const started = performance.now();
          await engine.answer(question);
          return performance.now() - started;
        }),
      )),
    );
  }
  return summarize(times);
}

/**
 * The real model for questions; for passages, vectors from the embedding-like generator at the model's
 * dimension. Same fingerprint, so the index is the model's as far as answering can tell.
 */
function syntheticPassageEmbedder(model: TextEmbedder): TextEmbedder {
  const generator = new EmbeddingLikeGenerator(7, 500, model.dimensions);
  return {
    spec: model.spec,
    dimensions: model.dimensions,
    fingerprint: model.fingerprint,
    embedQuery: (question) => model.embedQuery(question),
    embedQueries: (questions, batchSize) => model.embedQueries(questions, batchSize),
    embedPassages: async (texts, _batchSize, onBatch) => {
      const vectors = texts.map(() => generator.next());
      onBatch?.(texts.length, { indexes: texts.map((_, i) => i), vectors });
      return vectors;
    },
    close: () => model.close(),
  };
}

/** A fresh process: the model's load, then the index's, to the first answer; and its resident memory. */
async function startup(config: Config, env: Record<string, string>): Promise<ModelCosts['large']['startup']> {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/startup-probe.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...env, INDEX_DIR: config.indexDir, CORPUS_DIR: config.corpusDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`startup probe exited ${code}`))));
  });
  return JSON.parse(output) as ModelCosts['large']['startup'];
}

export async function measureModelCosts(
  profile: ModelProfile,
  options: { passages: number; indexingSample: number },
  log: (line: string) => void,
): Promise<ModelCosts> {
  const questions = devQuestions();
  const root = mkdtempSync(join(tmpdir(), 'bench-model-'));
  const base = profileConfig(profile);
  const isTestModel = base.embeddingModel.startsWith('test-');
  log(`${profile.name}: ${base.embeddingModel}${base.rerankModel ? ` + ${base.rerankModel}` : ''}`);

  // Seed corpus: the real pipeline, without and with the re-ranker.
  const seedEnv = { CORPUS_DIR: SEED, DATA_DIR: join(root, 'seed'), INDEX_DIR: join(root, 'seed/index') };
  const seedConfig = profileConfig(profile, { ...seedEnv, RERANK_MODEL: '' });
  await updateIndex({ config: seedConfig, logger: silent });
  const plain = await AnswerEngine.open(seedConfig);
  const seedSequential = await sequential(plain, questions, 60);
  await plain.close();
  let reranked: Percentiles | undefined;
  if (base.rerankModel) {
    const withReranker = await AnswerEngine.open(profileConfig(profile, seedEnv));
    reranked = await sequential(withReranker, questions, 40);
    await withReranker.close();
  }
  log(
    `  seed corpus: p50 / p95 ${seedSequential.p50.toFixed(1)} / ${seedSequential.p95.toFixed(1)} ms` +
      (reranked ? `; re-ranked ${reranked.p50.toFixed(1)} / ${reranked.p95.toFixed(1)} ms` : ''),
  );

  // Indexing throughput: embedding a sample of the synthetic corpus, the way a build does.
  const model = await InProcessEmbedder.load(resolveEmbeddingSpec(base), base);
  const sampleDir = join(root, 'sample');
  writeSyntheticCorpus(sampleDir, Math.ceil(options.indexingSample / 8), 8);
  const sampleConfig = profileConfig(profile, {
    CORPUS_DIR: sampleDir,
    DATA_DIR: join(root, 'sample-data'),
    INDEX_DIR: join(root, 'sample-data/index'),
  });
  let embedStarted = 0;
  let embedMs = 0;
  const sample = await updateIndex({
    config: sampleConfig,
    logger: silent,
    embedder: model,
    onProgress: (done, total) => {
      if (embedStarted === 0) embedStarted = performance.now();
      if (done === total) embedMs = performance.now() - embedStarted;
    },
  });
  const passagesPerSecond = sample.embedded / (embedMs / 1000);
  const endToEndPassagesPerSecond = sample.passages / (sample.ms / 1000);
  log(
    `  indexing: ${sample.embedded} passages embedded at ${passagesPerSecond.toFixed(1)} passages/s; ` +
      `the whole build ${endToEndPassagesPerSecond.toFixed(1)} passages/s`,
  );

  // The large index.
  const largeDir = join(root, 'large');
  writeSyntheticCorpus(largeDir, Math.ceil(options.passages / 8), 8);
  const largeEnv = {
    CORPUS_DIR: largeDir,
    DATA_DIR: join(root, 'large-data'),
    INDEX_DIR: join(root, 'large-data/index'),
  };
  const largeConfig = profileConfig(profile, { ...largeEnv, RERANK_MODEL: '' });
  const builder = isTestModel ? model : syntheticPassageEmbedder(model);
  const built = await updateIndex({ config: largeConfig, logger: silent, embedder: builder });
  log(
    `  ${built.passages} passages indexed${isTestModel ? '' : ' (synthetic passage vectors)'} in ${(built.ms / 1000).toFixed(1)} s`,
  );
  const engine = await AnswerEngine.open(largeConfig, { embedder: model });
  const largeSequential = await sequential(engine, questions, 100);
  await engine.close();
  const worker = await RemoteAnswerEngine.start(largeConfig, { logger: silent });
  await sequential(worker, questions, 3);
  const burst20 = await burst(worker, questions, 5);
  await worker.close();
  log(
    `  ${built.passages} passages: p50 / p95 ${largeSequential.p50.toFixed(1)} / ${largeSequential.p95.toFixed(1)} ms; 20 at once through the worker p95 ${burst20.p95.toFixed(0)} ms`,
  );
  const started = await startup(largeConfig, { ...profile.env, RERANK_MODEL: '' });
  log(
    `  start-up: model ${(started.modelLoadMs / 1000).toFixed(2)} s, then index to first answer ${(started.indexToFirstAnswerMs / 1000).toFixed(2)} s, ${(started.rssBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  const file = join(largeDir, 'synthetic-00042.txt');
  writeFileSync(file, readFileSync(file, 'utf8').replace('Report 42-3', 'Report 42-3 (corrected)'));
  const edited = await updateIndex({ config: largeConfig, logger: silent, embedder: builder });
  log(`  one article edited: ${(edited.ms / 1000).toFixed(1)} s (${edited.embedded} embedded)`);
  await model.close();

  return {
    profile: profile.name,
    embeddingModel: base.embeddingModel,
    rerankModel: base.rerankModel,
    seed: { sequentialMs: seedSequential, rerankedMs: reranked },
    large: {
      passages: built.passages,
      syntheticVectors: !isTestModel,
      sequentialMs: largeSequential,
      burst20WorkerMs: burst20,
      startup: started,
      editOneArticleSeconds: edited.ms / 1000,
      editEmbedded: edited.embedded,
    },
    indexing: { passages: sample.embedded, passagesPerSecond, endToEndPassagesPerSecond },
  };
}
