/**
 * Answer quality on both dev files, with each offline test model, and no MIN_RELEVANCE: the hybrid ranking
 * against each retriever alone, and abstention from the threshold each index calibrates for itself. The second
 * model (test-embedder-shifted) puts every cosine high and close together, as real retrieval models do; a
 * threshold that came from a table of per-model constants would abstain on nothing with it.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { AnswerEngine } from '../src/answering/engine.js';
import { parseQuestionFile, runQuestions, type EvalReport } from '../src/answering/evaluate.js';
import { createLogger } from '../src/logging/logger.js';
import { buildIndex } from '../src/vector-index/build-index.js';
import { testConfig } from './helpers/models.js';
import { PROJECT_ROOT } from './helpers/process.js';

const MODELS = ['test-embedder', 'test-embedder-shifted'];
const FILES = ['eval/dev.jsonl', 'eval/dev-paraphrase.jsonl'];

interface Measured {
  lexical: EvalReport;
  dense: EvalReport;
  hybridNoThreshold: EvalReport;
  hybrid: EvalReport;
}

const results = new Map<string, Measured>();
const measured = (model: string, file: string) => results.get(`${model} ${file}`) as Measured;

describe('answer quality with each test model, no MIN_RELEVANCE', () => {
  before(async () => {
    for (const model of MODELS) {
      const root = mkdtempSync(join(tmpdir(), `quality-${model}-`));
      const corpusDir = join(root, 'corpus');
      cpSync(join(PROJECT_ROOT, 'test/fixtures/seed-corpus'), corpusDir, { recursive: true });
      const config = testConfig({
        EMBEDDING_MODEL: model,
        CORPUS_DIR: corpusDir,
        DATA_DIR: join(root, 'data'),
        INDEX_DIR: join(root, 'data/index'),
      });
      assert.equal(config.minRelevance, undefined);
      await buildIndex({ config, logger: createLogger('silent') });
      const engine = await AnswerEngine.open(config);
      for (const file of FILES) {
        const questions = parseQuestionFile(readFileSync(join(PROJECT_ROOT, file), 'utf8'), file);
        results.set(`${model} ${file}`, {
          lexical: await runQuestions(engine, questions, { ranking: 'lexical', threshold: false }),
          dense: await runQuestions(engine, questions, { ranking: 'dense', threshold: false }),
          hybridNoThreshold: await runQuestions(engine, questions, { threshold: false }),
          hybrid: await runQuestions(engine, questions),
        });
      }
      await engine.close();
    }
  });

  for (const model of MODELS) {
    it(`${model}: dev.jsonl hit@3 ≥ 0.95, both unanswerable questions abstained, no false abstention`, () => {
      const { hybrid } = measured(model, 'eval/dev.jsonl');
      assert.ok(hybrid.hit3 >= 0.95, `hit@3 ${hybrid.hit3}`);
      assert.equal(hybrid.correctAbstentions, 2);
      assert.equal(hybrid.falseAbstentions, 0);
    });

    it(`${model}: the hybrid never ranks below its better half, on either file`, () => {
      for (const file of FILES) {
        const { lexical, dense, hybridNoThreshold } = measured(model, file);
        const better = Math.max(lexical.hit3, dense.hit3);
        assert.ok(hybridNoThreshold.hit3 >= better, `${file}: hybrid ${hybridNoThreshold.hit3} < ${better}`);
        assert.ok(hybridNoThreshold.mrr5 >= Math.max(lexical.mrr5, dense.mrr5) - 0.02, `${file} MRR@5`);
      }
    });

    it(`${model}: dev-paraphrase.jsonl ranks above plain BM25 and abstains on at least 5 of 6 it cannot answer`, () => {
      const { lexical, hybridNoThreshold, hybrid } = measured(model, 'eval/dev-paraphrase.jsonl');
      assert.ok(hybridNoThreshold.hit3 >= 0.77, `hit@3 ${hybridNoThreshold.hit3}`);
      assert.ok(hybridNoThreshold.hit3 > lexical.hit3 - 1e-9, `hybrid ${hybridNoThreshold.hit3}, BM25 ${lexical.hit3}`);
      assert.equal(hybrid.unanswerable, 6);
      assert.ok(hybrid.correctAbstentions >= 5, `correct abstentions ${hybrid.correctAbstentions}`);
    });
  }

  it('abstains about the same with both models: the threshold calibrates itself to each scale', () => {
    for (const file of FILES) {
      const [first, second] = MODELS.map((model) => measured(model, file).hybrid);
      assert.ok(first && second);
      assert.ok(Math.abs(first.correctAbstentions - second.correctAbstentions) <= 1, `${file} correct abstentions`);
      assert.ok(Math.abs(first.falseAbstentions - second.falseAbstentions) <= 1, `${file} false abstentions`);
      assert.ok(Math.abs(first.hit3 - second.hit3) <= 0.1, `${file} hit@3 ${first.hit3} vs ${second.hit3}`);
    }
  });
});
