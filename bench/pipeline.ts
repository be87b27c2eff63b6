/**
 * Measurements of the real pipeline with the offline test model: answering latency (in-process and through
 * the answering worker the bot uses) and the event loop's longest block while answering; and the synthetic
 * corpus every size-dependent benchmark uses (model-costs.ts measures each model on it).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnswerEngine } from '../src/answering/engine.js';
import { parseQuestionFile } from '../src/evaluation/evaluate.js';
import { loadConfig, type Config } from '../src/config/config.js';
import { RemoteAnswerEngine } from '../src/workers/answering/remote-engine.js';
import type { AnswerService } from '../src/answering/answer.js';
import { createLogger } from '../src/logging/logger.js';
import { updateIndex } from '../src/app/update-index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SEED = join(ROOT, 'test/fixtures/seed-corpus');
const silent = createLogger('silent');

export function benchConfig(overrides: Record<string, string>): Config {
  return loadConfig({ env: { ENV_FILE: '.env.test', ...overrides }, baseDir: ROOT });
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const summarize = (values: number[]) => ({
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  p99: percentile(values, 99),
  n: values.length,
});

export interface LatencyResult {
  passages: number;
  sequentialMs: ReturnType<typeof summarize>;
  concurrent20Ms: ReturnType<typeof summarize>;
  eventLoopMaxBlockMsInProcess: number;
  eventLoopMaxBlockMsWorker: number;
  concurrent20MsWorker: ReturnType<typeof summarize>;
}

async function timed(engine: AnswerService, question: string): Promise<number> {
  const started = performance.now();
  await engine.answer(question);
  return performance.now() - started;
}

/**
 * Longest time the event loop could not run a timer: a 5 ms interval records how late each tick is.
 * (What matters for the bot: gateway heartbeats and other users' interactions wait this long at worst.)
 */
function lagMonitor(): () => number {
  let worst = 0;
  let expected = performance.now() + 5;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - expected);
    expected = now + 5;
  }, 5);
  return () => {
    clearInterval(timer);
    // A block that lasts until now never let the timer fire: count it too.
    return Math.max(worst, performance.now() - expected);
  };
}

async function concurrentRounds(
  engine: AnswerService,
  questions: string[],
  rounds: number,
): Promise<{ latencies: number[]; maxBlockMs: number }> {
  const stop = lagMonitor();
  const latencies: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const batch = Array.from({ length: 20 }, (_, i) => questions[(round * 20 + i) % questions.length] ?? '');
    latencies.push(...(await Promise.all(batch.map((question) => timed(engine, question)))));
  }
  return { latencies, maxBlockMs: stop() };
}

export async function benchLatency(
  indexEnv: Record<string, string>,
  log: (line: string) => void,
): Promise<LatencyResult> {
  const config = benchConfig(indexEnv);
  const questions = parseQuestionFile(readFileSync(join(ROOT, 'eval/dev.jsonl'), 'utf8'), 'dev.jsonl').map(
    (q) => q.question,
  );
  const engine = await AnswerEngine.open(config);
  for (const question of questions.slice(0, 5)) await engine.answer(question); // warm-up
  const sequential: number[] = [];
  for (let i = 0; i < 200; i++) sequential.push(await timed(engine, questions[i % questions.length] ?? ''));
  const inProcess = await concurrentRounds(engine, questions, 10);
  const passages = engine.articles.reduce((sum, article) => sum + article.passageCount, 0);
  await engine.close();
  log(
    `  in-process: p50 ${percentile(sequential, 50).toFixed(1)} ms, 20 at once p95 ${percentile(inProcess.latencies, 95).toFixed(1)} ms, longest event-loop block ${inProcess.maxBlockMs.toFixed(1)} ms`,
  );

  const viaWorker = await RemoteAnswerEngine.start(config, { logger: createLogger('warn') });
  for (const question of questions.slice(0, 5)) await viaWorker.answer(question);
  const worker = await concurrentRounds(viaWorker, questions, 10);
  await viaWorker.close();
  log(
    `  through the worker: 20 at once p95 ${percentile(worker.latencies, 95).toFixed(1)} ms, longest event-loop block ${worker.maxBlockMs.toFixed(1)} ms`,
  );
  return {
    passages,
    sequentialMs: summarize(sequential),
    concurrent20Ms: summarize(inProcess.latencies),
    eventLoopMaxBlockMsInProcess: inProcess.maxBlockMs,
    eventLoopMaxBlockMsWorker: worker.maxBlockMs,
    concurrent20MsWorker: summarize(worker.latencies),
  };
}

/** Synthetic articles: seed paragraphs recombined, each with words of its own so no two passages repeat. */
export function writeSyntheticCorpus(folder: string, articles: number, paragraphsPerArticle: number): void {
  const paragraphs = readdirSync(SEED).flatMap((file) =>
    readFileSync(join(SEED, file), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 120 && !/Please|Sign up|Photo|credit/.test(line)),
  );
  mkdirSync(folder, { recursive: true });
  for (let a = 0; a < articles; a++) {
    const body = Array.from({ length: paragraphsPerArticle }, (_, p) => {
      const paragraph = paragraphs[(a * 7 + p * 13) % paragraphs.length] ?? '';
      return `${paragraph} Report ${a}-${p} was filed from ward ${(a * 31 + p) % 97} of hospital ${a % 211}.`;
    });
    writeFileSync(
      join(folder, `synthetic-${String(a).padStart(5, '0')}.txt`),
      `Synthetic article number ${a} on the dispute\n\n${body.join('\n\n')}\n`,
    );
  }
}

export function copySeedIndexEnv(): Record<string, string> {
  const root = mkdtempSync(join(tmpdir(), 'bench-seed-'));
  cpSync(SEED, join(root, 'corpus'), { recursive: true });
  return { CORPUS_DIR: join(root, 'corpus'), DATA_DIR: join(root, 'data'), INDEX_DIR: join(root, 'data/index') };
}

export async function buildSeedIndex(env: Record<string, string>): Promise<void> {
  await updateIndex({ config: benchConfig(env), logger: silent });
}
