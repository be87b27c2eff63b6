import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Config } from '../src/config/config.js';
import { AnswerEngine } from '../src/answering/engine.js';
import { CrossEncoder } from '../src/embedding/reranker.js';
import { createLogger } from '../src/logging/logger.js';
import { UserError } from '../src/shared/errors.js';
import { updateIndex } from '../src/app/update-index.js';
import { testConfig } from './helpers/models.js';
import { PROJECT_ROOT, runNode, spawnProject } from './helpers/process.js';
import { withTypos } from '../src/evaluation/typos.js';
import { parseQuestionFile, runQuestions } from '../src/evaluation/evaluate.js';

const SEED = join(PROJECT_ROOT, 'test/fixtures/seed-corpus');
const logger = createLogger('silent');

interface Workspace {
  config: Config;
  env: Record<string, string>;
  corpusDir: string;
}

async function indexedWorkspace(extraFiles: Record<string, string> = {}): Promise<Workspace> {
  const root = mkdtempSync(join(tmpdir(), 'answer-test-'));
  const corpusDir = join(root, 'corpus');
  cpSync(SEED, corpusDir, { recursive: true });
  for (const [name, content] of Object.entries(extraFiles)) writeFileSync(join(corpusDir, name), content);
  const env = { CORPUS_DIR: corpusDir, DATA_DIR: join(root, 'data'), INDEX_DIR: join(root, 'data/index') };
  const config = testConfig(env);
  await updateIndex({ config, logger });
  return { config, env, corpusDir };
}

const SIDECAR = JSON.stringify({
  '004_beb232aafa18ba84.txt': {
    publication: 'Socialist Worker',
    url: 'https://example.org/junior-doctors',
    date: '2016-04-27',
  },
});

describe('AnswerEngine on the seed corpus', () => {
  let workspace: Workspace;
  let engine: AnswerEngine;
  before(async () => {
    workspace = await indexedWorkspace({ 'sources.json': SIDECAR });
    engine = await AnswerEngine.open(workspace.config);
  });

  it('answers with the passage that holds the answer, quoted verbatim from the article', async () => {
    const answer = await engine.answer('How many junior doctors voted in favour of industrial action?');
    assert.equal(answer.abstained, false);
    const [first] = answer.passages;
    assert.ok(first);
    assert.match(first.text, /98 per cent/);
    const source = readFileSync(join(workspace.corpusDir, first.citation.articleId), 'utf8');
    for (const paragraph of first.text.split('\n\n')) assert.ok(source.includes(paragraph), 'verbatim');
    assert.equal(first.text.slice(first.bestSentence.start, first.bestSentence.end), first.bestSentence.text);
    assert.match(first.bestSentence.text, /98 per cent/);
    assert.equal(first.rank, 1);
  });

  it('cites title, author, publication, date, paragraph numbers and URL where known', async () => {
    const answer = await engine.answer('Which unions called on the TUC to organise a day of action?');
    const first = answer.passages[0];
    assert.ok(first);
    assert.deepEqual(first.citation, {
      articleId: '004_beb232aafa18ba84.txt',
      title: 'Now step up the support for crucial junior doctors’ battle',
      author: 'Tomáš Tengely-Evans',
      publication: 'Socialist Worker',
      url: 'https://example.org/junior-doctors',
      date: '2016-04-27',
      paragraphStart: first.citation.paragraphStart,
      paragraphEnd: first.citation.paragraphEnd,
    });
    assert.ok(first.citation.paragraphStart >= 1 && first.citation.paragraphEnd >= first.citation.paragraphStart);
    // Paragraph numbers point at the quoted paragraph among the article's kept paragraphs.
    const article = engine.articles.find((candidate) => candidate.id === first.citation.articleId);
    assert.ok(article && first.citation.paragraphEnd <= article.paragraphCount);
  });

  it('abstains on questions the corpus does not answer, saying so rather than quoting', async () => {
    for (const question of ['What is the recipe for a Victoria sponge cake?', 'Who won the 2018 football World Cup?']) {
      const answer = await engine.answer(question);
      assert.equal(answer.abstained, true, question);
      assert.deepEqual(answer.passages, []);
      assert.match(answer.reason, /below the threshold/);
    }
  });

  it('quotes several articles when several answer', async () => {
    const answer = await engine.answer('What did Heidi Alexander do?', { limit: 3 });
    const articles = new Set(answer.passages.map((passage) => passage.citation.articleId));
    assert.ok(articles.size >= 2, `articles: ${[...articles].join(', ')}`);
  });

  it('pages through further results with offset, without repeating passages', async () => {
    const first = await engine.answer('junior doctors strike picket lines', { limit: 2 });
    assert.equal(first.hasMore, true);
    const second = await engine.answer('junior doctors strike picket lines', { limit: 2, offset: 2 });
    assert.deepEqual(
      second.passages.map((passage) => passage.rank),
      [3, 4],
    );
    const ids = [...first.passages, ...second.passages].map((passage) => passage.id);
    assert.equal(new Set(ids).size, 4);
  });

  it('scores a "none" question as answerable in npm run eval where the index holds an article it names', async () => {
    const [question] = parseQuestionFile(
      JSON.stringify({
        question: 'How many junior doctors voted in favour of industrial action?',
        expect: 'none',
        answered_in: { 'not-indexed.txt': ['98 per cent'] },
      }),
      'q.jsonl',
    );
    assert.ok(question);
    const elsewhere = await runQuestions(engine, [question]);
    assert.deepEqual([elsewhere.answerable, elsewhere.unanswerable], [0, 1]);
    const articleId = (await engine.listArticles()).find((article) =>
      readFileSync(join(workspace.corpusDir, article.id), 'utf8').includes('98 per cent'),
    )?.id;
    assert.ok(articleId);
    const here = await runQuestions(engine, [{ ...question, answeredIn: { [articleId]: ['98 per cent'] } }]);
    assert.deepEqual([here.answerable, here.unanswerable, here.quotedRight], [1, 0, 1]);
  });

  it('refuses bad questions with a UserError', async () => {
    await assert.rejects(engine.answer('   '), UserError);
    await assert.rejects(engine.answer('😀😀'), /only punctuation or emoji/);
  });

  it('gives the neighbours of a passage for context (Show source)', async () => {
    const answer = await engine.answer('How many people joined the picket line in Lancaster?');
    const id = answer.passages[0]?.id ?? '';
    const neighbours = (await engine.source(id))?.passages ?? [];
    assert.ok(neighbours.length >= 2);
    assert.ok(neighbours.some((passage) => passage.id === id));
    assert.ok(neighbours.every((passage) => passage.articleId === answer.passages[0]?.citation.articleId));
  });
});

describe('near-duplicate passages', () => {
  it('quotes a passage once even when a second article repeats it word for word', async () => {
    const copy = readFileSync(join(SEED, '001_6150766b996ef40a.txt'), 'utf8').replace(
      "If Jeremy Hunt wants to blame someone for today's strike, he should look in the mirror",
      'Syndicated: doctors blame the government',
    );
    const { config } = await indexedWorkspace({ 'syndicated-copy.txt': copy });
    const engine = await AnswerEngine.open(config);
    const answer = await engine.answer('How many junior doctors voted in favour of industrial action?', { limit: 5 });
    const withAnswer = answer.passages.filter((passage) => passage.text.includes('98 per cent'));
    assert.equal(withAnswer.length, 1);
  });
});

describe('names the corpus holds only in a headline or byline', () => {
  it('are known names: a question about them is answered, not refused as asking about someone no article mentions', async () => {
    const story = [
      'Marchetti leaves Ferrari after ten seasons',
      '',
      'By Giulia Renzetti',
      '',
      'The Italian driver told the team on Monday that he would not race for it next year.',
      '',
      'He said the decision had been the hardest of his career and thanked the mechanics who had worked with him.',
      '',
    ].join('\n');
    const { config } = await indexedWorkspace({ 'driver.txt': story });
    const engine = await AnswerEngine.open(config);
    for (const question of ['When did Marchetti tell the team he would leave?', 'What did Renzetti report?']) {
      const answer = await engine.answer(question);
      assert.equal(answer.unknownNames, undefined, question);
    }
    assert.deepEqual((await engine.answer('When did Castellani tell the team he would leave?')).unknownNames, [
      'Castellani',
    ]);
    await engine.close();
  });
});

describe("a note about the writer at an article's end", () => {
  it('counts for every passage of the article: members name an opinion piece by what the note says', async () => {
    const piece = [
      'Kelsford cannot afford another fare rise',
      '',
      'By Marta Kowalska',
      '',
      'Bus fares in Kelsford have gone up three times this year, and the council should freeze them until A' +
        'pril. Every rise has been justified by the operator as a response to higher fuel and wage costs, yet its own accounts show profits climbing in each of the last four years while services were cut back on evenings and at weekends.',
      '',
      'Passengers on the number 9 route now pay more than anyone else in the county. Many of them are pensi' +
        'oners travelling to the hospital, students going to the college on the ring road, and shift workers who start before the first train runs and have no other way to get to work on time in the morning.',
      '',
      'Marta Kowalska is the Green party spokesperson for transport on the council.',
      '',
    ].join('\n');
    const { config } = await indexedWorkspace({ 'fares.txt': piece });
    const engine = await AnswerEngine.open(config);
    const answer = await engine.answer('Should the council freeze bus fares, according to the Green spokesperson?', {
      limit: 3,
    });
    const fares = answer.passages.find((passage) => passage.text.startsWith('Bus fares in Kelsford'));
    assert.equal(fares?.scores.coverage, 1, 'the note names the Green spokesperson for the whole piece');
    assert.equal(answer.passages[0], fares);
    await engine.close();
  });
});

describe('re-ranking with a cross-encoder', () => {
  it('scores every top candidate and orders by the cross-encoder', async () => {
    const { config } = await indexedWorkspace();
    const reranked = await AnswerEngine.open({ ...config, rerankModel: 'test-reranker' });
    const answer = await reranked.answer('Which unions called on the TUC to organise a day of action?', { limit: 3 });
    assert.equal(answer.abstained, false);
    const logits = answer.passages.map((passage) => passage.scores.rerank);
    assert.ok(logits.every((logit) => typeof logit === 'number'));
    assert.deepEqual(
      logits,
      [...logits].sort((a, b) => (b ?? 0) - (a ?? 0)),
    );
    assert.match(answer.passages[0]?.text ?? '', /PCS and FBU unions/);
  });

  it('keeps question plus passage within 512 tokens', async () => {
    const config = testConfig();
    const encoder = await CrossEncoder.load('test-reranker', config);
    const long = Array.from({ length: 800 }, (_, i) => `word${i % 50}`).join(' ');
    assert.ok(encoder.tokenCount(long) > 512);
    const [question, passage] = encoder.fitPair('What happened?', long);
    const total = encoder.tokenCount(question) + encoder.tokenCount(passage) + 3;
    assert.ok(total <= 512 && total > 400, `pair is ${total} tokens`);
    assert.ok(long.startsWith(passage), 'the passage is cut at the end, at a word boundary');
    const scores = await encoder.score(question, [long, 'short passage']);
    assert.equal(scores.length, 2);
    assert.ok(scores.every(Number.isFinite));
  });
});

describe('npm run ask and npm run eval', () => {
  let workspace: Workspace;
  before(async () => {
    workspace = await indexedWorkspace();
  });
  const run = (args: string[], extra: Record<string, string> = {}) =>
    runNode(args, { ENV_FILE: '.env.test', ...workspace.env, ...extra });

  it('ask piped into a reader that stops early (| head) stops quietly, with exit code 0', async () => {
    const child = spawnProject(['src/cli/ask.ts', '--top', '10', 'Who is Cameron Panting?'], {
      ENV_FILE: '.env.test',
      ...workspace.env,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Read nothing and close the pipe at once, as `head -0` would.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (exit) => resolve(exit)));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Unexpected error|\n\s+at /);
  });

  it('ask prints a readable answer, and the answer object with --json', async () => {
    const text = await run(['src/cli/ask.ts', 'Who is Cameron Panting?']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^1\. Support surges for the junior doctors .* — Cameron Panting, paragraph \d+$/m);
    assert.match(text.stdout, /^ {3}> .*\*\*Cameron Panting was formerly National Organiser for Counterfire\.\*\*/m);
    const json = await run(['src/cli/ask.ts', '--json', '--top', '2', 'Who is Cameron Panting?']);
    const answer = JSON.parse(json.stdout) as {
      question: string;
      abstained: boolean;
      passages: { text: string; citation: { title: string }; scores: { relevance: number } }[];
    };
    assert.equal(answer.question, 'Who is Cameron Panting?');
    assert.equal(answer.abstained, false);
    assert.ok(answer.passages.length >= 1 && answer.passages.length <= 2);
    assert.equal(typeof answer.passages[0]?.scores.relevance, 'number');
  });

  it('ask --explain shows every signal, the calibrated threshold, and where the question falls against it', async () => {
    const result = await run(['src/cli/ask.ts', '--explain', 'Who won the 2018 football World Cup?']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Nothing in the corpus answers this\./m);
    assert.match(result.stdout, /Closest passages considered:/);
    assert.match(
      result.stdout,
      /relevance 0\.\d\d = 0\.4 × lexical .*best sentence covers .* \+ 0\.4 × semantic \(dense cosine.*\+ 0\.2 × the article's best/,
    );
    assert.match(
      result.stdout,
      /^Threshold: 0\.\d\d, confident above 0\.\d\d, reached by at most 1% of each kind of question made from the corpus that it does not answer \(FALSE_ANSWER_RATE=0\.01\); nothing near below 0\.\d\d, the lower of what \d+% of \d+ off-topic questions and \d+% of the mixed ones reach\.$/m,
    );
    assert.match(
      result.stdout,
      /Decision: abstained: the most relevant passage scores 0\.\d\d, below the threshold 0\.\d\d; above \d+% of \d+ questions the corpus does not answer/,
    );
    const overridden = await run(['src/cli/ask.ts', '--explain', 'Who is Cameron Panting?'], { MIN_RELEVANCE: '0.99' });
    assert.match(overridden.stdout, /^Threshold: 0\.99, MIN_RELEVANCE setting\.$/m);
    assert.match(overridden.stdout, /^Nothing in the corpus answers this\./m);
  });

  it('ask refuses bad input with a clear message and a non-zero exit', async () => {
    const cases: [string[], RegExp][] = [
      [['src/cli/ask.ts', '   '], /The question is empty/],
      [['src/cli/ask.ts', '🙂🙂🙂'], /only punctuation or emoji/],
      [['src/cli/ask.ts', 'x'.repeat(600)], /the limit is 500/],
      [['src/cli/ask.ts', 'Qui a gagné la coupe du monde ?'], /Please ask in English/],
      [['src/cli/ask.ts'], /No question given/],
      [['src/cli/ask.ts', '--top', '99', 'question'], /--top must be a whole number from 1 to 10/],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      assert.notEqual(result.code, 0, args.join(' '));
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('ask says what to do when the index is missing or damaged', async () => {
    const root = mkdtempSync(join(tmpdir(), 'no-index-'));
    const missing = await run(['src/cli/ask.ts', 'question'], { INDEX_DIR: join(root, 'index') });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /There is no index in .* yet\. Run `npm run index`/);
    const damaged = join(root, 'damaged');
    cpSync(workspace.config.indexDir, damaged, { recursive: true });
    const version = readFileSync(join(damaged, 'CURRENT'), 'utf8').trim();
    writeFileSync(join(damaged, version, 'index.sqlite'), 'not a database at all, and long enough to have a header');
    const result = await run(['src/cli/ask.ts', 'question'], { INDEX_DIR: damaged });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is damaged \(index\.sqlite: .*\)\. Run `npm run index` to rebuild it/);
  });

  it('eval scores the dev set: hit@3 ≥ 0.95, both unanswerable questions abstained, no false abstention', async () => {
    const result = await run(['src/cli/eval.ts', 'eval/dev.jsonl', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as Record<string, unknown> & {
      questions: { id: string; hitRank: number | null; abstained: boolean }[];
    };
    assert.deepEqual(Object.keys(report).sort(), [
      'answerable',
      'answerableClosest',
      'answerableConfident',
      'correctAbstentions',
      'falseAbstentions',
      'hit1',
      'hit3',
      'minRelevance',
      'mrr5',
      'questions',
      'quotedRight',
      'runs',
      'unanswerable',
      'unanswerableClosest',
      'unanswerableConfident',
    ]);
    assert.equal(report.answerable, 22);
    assert.equal(report.unanswerable, 2);
    assert.ok((report.hit3 as number) >= 0.95, `hit@3 ${String(report.hit3)}`);
    assert.equal(report.correctAbstentions, 2);
    assert.equal(report.falseAbstentions, 0);
    assert.deepEqual(Object.keys(report.questions[0] ?? {}).sort(), [
      'abstained',
      'answerable',
      'closest',
      'hitRank',
      'id',
      'question',
    ]);
    // Each retriever alone, their plain fusion and the hybrid, side by side; the hybrid never below its better half.
    const runs = report.runs as unknown as { ranking: string; threshold: boolean; hit3: number }[];
    assert.deepEqual(
      runs.map((entry) => `${entry.ranking}${entry.threshold ? '+threshold' : ''}`),
      ['lexical', 'dense', 'rrf', 'hybrid', 'hybrid+threshold'],
    );
    const hit3 = (ranking: string) => runs.find((entry) => entry.ranking === ranking)?.hit3 ?? 0;
    assert.ok(hit3('hybrid') >= Math.max(hit3('lexical'), hit3('dense')), JSON.stringify(runs));
    const text = await run(['src/cli/eval.ts']);
    assert.match(text.stdout, /^lexical \(BM25\) alone +\d\.\d{3}/m);
    assert.match(text.stdout, /^dev23 +abstained \(correct\)/m);
    assert.match(text.stdout, /hit@3 +0\.9[5-9]\d|hit@3 +1\.000/);
    const single = await run(['src/cli/eval.ts', '--ranking', 'dense', '--no-threshold', '--json']);
    assert.equal(single.code, 0, single.stderr);
    const dense = JSON.parse(single.stdout) as { runs: { ranking: string; threshold: boolean; hit3: number }[] };
    assert.deepEqual(
      dense.runs.map((entry) => [entry.ranking, entry.threshold]),
      [['dense', false]],
    );
    assert.equal(dense.runs[0]?.hit3, hit3('dense'));
    const wrong = await run(['src/cli/eval.ts', '--ranking', 'magic']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--ranking must be one of lexical, dense, rrf, hybrid/);
    const typed = await run(['src/cli/eval.ts', '--typos', '2', '--ranking', 'hybrid']);
    assert.equal(typed.code, 0, typed.stderr);
    const firstQuestion = /^dev01 +\S.*? {2,}(.+)$/m.exec(typed.stdout)?.[1] ?? '';
    assert.notEqual(firstQuestion, 'How many junior doctors voted in favour of industrial action?');
    assert.equal(firstQuestion, withTypos('How many junior doctors voted in favour of industrial action?', 2, 'dev01'));
    for (const bad of ['many', '6', '1e0']) {
      const badTypos = await run(['src/cli/eval.ts', '--typos', bad]);
      assert.equal(badTypos.code, 2, bad);
      assert.match(badTypos.stderr, new RegExp(`--typos must be a whole number from 0 to 5, not "${bad}"`));
    }
  });
});

describe('npm start without a Discord token', () => {
  it('updates the index and answers questions typed at the prompt', async () => {
    const root = mkdtempSync(join(tmpdir(), 'start-'));
    const corpusDir = join(root, 'corpus');
    cpSync(SEED, corpusDir, { recursive: true });
    const result = await runNode(
      ['src/cli/start.ts'],
      {
        ENV_FILE: '.env.test',
        CORPUS_DIR: corpusDir,
        DATA_DIR: join(root, 'data'),
        INDEX_DIR: join(root, 'data/index'),
      },
      { input: 'Who is Justin Madders?\n\nWho won the 2018 football World Cup?\nexit\n' },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Index written/);
    assert.match(result.stdout, /Labour MP for Ellesmere Port and Neston/);
    assert.match(result.stdout, /Nothing in the corpus answers this\./);
  });
});
