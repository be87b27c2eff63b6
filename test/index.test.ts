import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Config } from '../src/config/config.js';
import { InProcessEmbedder } from '../src/embedding/embedder.js';
import { resolveEmbeddingSpec } from '../src/embedding/model-spec.js';
import { createLogger } from '../src/logging/logger.js';
import { UserError } from '../src/shared/errors.js';
import Database from 'better-sqlite3';
import { AnswerEngine } from '../src/answering/engine.js';
import { updateIndex } from '../src/app/update-index.js';
import {
  STORE_FILE,
  checkModel,
  currentVersion,
  indexWriteError,
  loadIndex,
  openLiveStore,
  readManifest,
  writeVersion,
} from '../src/index/store.js';
import { TERMS_RECIPE } from '../src/text/terms.js';
import { TEST_MODELS_DIR, allPassages, testConfig } from './helpers/models.js';
import { PROJECT_ROOT, runNode, spawnProject } from './helpers/process.js';

const SEED = join(PROJECT_ROOT, 'test/fixtures/seed-corpus');
const logger = createLogger('silent');

/** `count` more articles: copies of a seed article, each with words of its own so no passage repeats. */
function addCopies(corpusDir: string, count: number, from = 0): void {
  const seed = readFileSync(join(SEED, '004_beb232aafa18ba84.txt'), 'utf8');
  for (let i = from; i < from + count; i++) {
    writeFileSync(join(corpusDir, `copy-${i}.txt`), seed.replaceAll('junior', `junior-${i}`));
  }
}

/** `npm run index` in a child process, one passage per model call (slow enough to be killed half-way). */
function startIndexing(env: Record<string, string>) {
  return spawnProject(['src/cli/index-corpus.ts'], {
    ENV_FILE: '.env.test',
    ...env,
    LOG_LEVEL: 'info',
    // Progress is read from the JSON log lines.
    LOG_FORMAT: 'json',
    EMBEDDING_BATCH_SIZE: '1',
  });
}

/** A private copy of the seed corpus and an empty data folder. */
function workspace(): { config: Config; corpusDir: string; env: Record<string, string> } {
  const root = mkdtempSync(join(tmpdir(), 'index-test-'));
  const corpusDir = join(root, 'corpus');
  cpSync(SEED, corpusDir, { recursive: true });
  const env = { CORPUS_DIR: corpusDir, DATA_DIR: join(root, 'data'), INDEX_DIR: join(root, 'data/index') };
  return { config: testConfig(env), corpusDir, env };
}

describe('building the index', () => {
  let embedder: InProcessEmbedder;
  before(async () => {
    const config = testConfig();
    embedder = await InProcessEmbedder.load(resolveEmbeddingSpec(config), config);
  });

  it('writes an index with a manifest that the loader accepts', async () => {
    const { config } = workspace();
    const summary = await updateIndex({ config, logger, embedder });
    assert.equal(summary.articles, 5);
    assert.equal(summary.embedded, summary.passages);
    assert.equal(summary.reused, 0);
    assert.equal(summary.dropped, 18);
    assert.ok(summary.bytes > 0);
    const index = loadIndex(config.indexDir, resolveEmbeddingSpec(config), 50);
    assert.equal(index.passages.count, summary.passages);
    assert.equal(index.hnsw.getCurrentCount(), summary.passages);
    assert.equal(index.hnsw.getEf(), 50);
    assert.deepEqual(index.manifest.model, {
      modelId: 'test-embedder',
      pooling: 'mean',
      queryPrefix: '',
      passagePrefix: '',
      dimensions: 64,
      fingerprint: embedder.fingerprint,
    });
    assert.match(index.manifest.model.fingerprint ?? '', /^[0-9a-f]{16}$/);
    assert.equal(index.manifest.formatVersion, 3);
    // The calibration measured on this index: a dense range and a sorted null distribution of a few hundred.
    const { calibration } = index.manifest;
    assert.ok(calibration.denseCeiling > calibration.denseFloor, JSON.stringify(calibration));
    assert.equal(calibration.nullRelevances.length, calibration.offTopicQuestions + calibration.nearTopicQuestions);
    assert.ok(calibration.offTopicQuestions >= 150 && calibration.nearTopicQuestions > 20);
    assert.deepEqual(
      calibration.nullRelevances,
      [...calibration.nullRelevances].sort((a, b) => a - b),
    );
    assert.deepEqual(summary.calibration, calibration);
    assert.equal(index.manifest.hnsw.space, 'cosine');
    assert.match(index.manifest.corpusHash, /^[0-9a-f]{64}$/);
    assert.equal(index.articles.find((article) => article.id.startsWith('003'))?.author, 'Seb Cooke');
    // The vector of a passage finds that passage first.
    const [vector] = await embedder.embedPassages(
      [`${index.articles[0]?.title}\n\n${allPassages(index.passages)[0]?.text}`],
      1,
    );
    assert.ok(vector);
    assert.equal(index.hnsw.searchKnn(Array.from(vector), 1).neighbors[0], index.passages.labels()[0]);
  });

  it('leaves every copy of a sampled passage out of its null question, however many copies the archive holds', async () => {
    const { config, corpusDir } = workspace();
    // Fourteen word-for-word copies of one article: more than the nearest passages looked at for retellings.
    const story = readFileSync(join(SEED, '004_beb232aafa18ba84.txt'), 'utf8');
    for (let i = 0; i < 14; i++) writeFileSync(join(corpusDir, `copy-${i}.txt`), story);
    const { calibration } = await updateIndex({ config, logger, embedder });
    const nearTopic = calibration.nullFamilies?.nearTopic ?? [];
    assert.ok(nearTopic.length > 10, `${nearTopic.length} near-topic questions`);
    // Answered by a copy left in, such a question reaches 0.8 with the test model; the seed articles' own
    // near-topic questions stay below 0.45.
    assert.ok(Math.max(...nearTopic) < 0.5, JSON.stringify(nearTopic.slice(-5)));
  });

  it('gives the same passage ids when the same corpus is indexed again from scratch', async () => {
    const first = workspace();
    const second = workspace();
    await updateIndex({ config: first.config, logger, embedder });
    await updateIndex({ config: second.config, logger, embedder });
    const ids = (config: Config) =>
      allPassages(loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10).passages).map((p) => p.id);
    assert.deepEqual(ids(first.config), ids(second.config));
  });

  it('embeds nothing on an unchanged corpus, and only what changed after an edit, an addition or a removal', async () => {
    const { config, corpusDir } = workspace();
    const initial = await updateIndex({ config, logger, embedder });
    const again = await updateIndex({ config, logger, embedder });
    assert.equal(again.embedded, 0);
    assert.equal(again.reused, initial.passages);
    assert.equal(again.upToDate, true);

    // Edit one paragraph of one article: one passage changes.
    const file = join(corpusDir, '001_6150766b996ef40a.txt');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Trust has been damaged', 'Trust has been badly damaged'));
    const edited = await updateIndex({ config, logger, embedder });
    assert.equal(edited.embedded, 1);
    assert.equal(edited.reused, initial.passages - 1);
    const editedIndex = loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10);
    assert.ok(
      allPassages(editedIndex.passages).some((passage) => passage.text.includes('Trust has been badly damaged')),
    );

    // Add an article: only its passages are embedded.
    writeFileSync(
      join(corpusDir, 'new-article.md'),
      '---\ntitle: Nurses ballot for action\npublication: Test Gazette\n---\n\nNurses across the country began voting on industrial action this week, after talks on pay broke down.\n\nThe ballot closes next month, and the union expects a large turnout among members in hospitals.\n',
    );
    const added = await updateIndex({ config, logger, embedder });
    assert.equal(added.articles, 6);
    assert.equal(added.embedded, added.passages - edited.passages);
    assert.ok(added.embedded >= 1);

    // Remove an article: nothing is embedded and its passages are gone.
    rmSync(join(corpusDir, '002_cc5370e47b0b367d.txt'));
    const removed = await updateIndex({ config, logger, embedder });
    assert.equal(removed.embedded, 0);
    const removedIndex = loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10);
    assert.ok(!allPassages(removedIndex.passages).some((passage) => passage.articleId.startsWith('002')));
    // Removed in place: the graph keeps their points, marked deleted, and never returns them.
    assert.equal(removedIndex.hnsw.getCurrentCount() - removedIndex.manifest.graph.deleted, removed.passages);
    const [anyVector] = await embedder.embedPassages(['junior doctors strike'], 1);
    const everything = removedIndex.hnsw.searchKnn(Array.from(anyVector ?? []), removed.passages).neighbors;
    assert.deepEqual(
      [...everything].sort((a, b) => a - b),
      removedIndex.passages.labels(),
    );
    // Old versions are cleaned up: one live version folder.
    assert.deepEqual(
      readdirSync(config.indexDir).filter((name) => name.startsWith('v-')),
      [currentVersion(config.indexDir)],
    );
  });

  it('edits an article in place: same folder, a new graph, only the changed passage touched, picked up by a running engine', async () => {
    const { config, corpusDir } = workspace();
    await updateIndex({ config, logger, embedder });
    const engine = await AnswerEngine.open(config, { embedder });
    const before = loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10);
    const folder = currentVersion(config.indexDir);
    const labelsBefore = new Map(
      allPassages(before.passages).map((passage) => [passage.id, before.passages.byId(passage.id)?.label]),
    );
    before.passages.close();
    const file = join(corpusDir, '001_6150766b996ef40a.txt');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Trust has been damaged', 'Trust has been gravely damaged'));
    const edited = await updateIndex({ config, logger, embedder });
    assert.equal(edited.embedded, 1);
    const after = loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10);
    assert.equal(currentVersion(config.indexDir), folder, 'no new version folder');
    assert.notEqual(after.manifest.graph.file, before.manifest.graph.file);
    assert.deepEqual(
      readdirSync(join(config.indexDir, folder ?? '')).filter((name) => name.startsWith('graph-')),
      [after.manifest.graph.file],
      'the replaced graph file is removed',
    );
    // Every other passage, in this article or another, keeps its label; the edited one gets a new label past
    // every old one, and its old point is marked deleted.
    const relabelled = allPassages(after.passages).filter(
      (passage) => labelsBefore.get(passage.id) !== after.passages.byId(passage.id)?.label,
    );
    assert.equal(relabelled.length, 1);
    assert.match(relabelled[0]?.text ?? '', /gravely damaged/);
    assert.ok((after.passages.byId(relabelled[0]?.id ?? '')?.label ?? 0) >= before.manifest.graph.nextLabel);
    assert.equal(after.manifest.graph.deleted, 1);
    assert.equal(after.manifest.passageCount, before.manifest.passageCount);
    after.passages.close();
    // The engine holding the old graph sees the new one before its next answer.
    assert.equal(engine.reloadIfChanged(), true);
    const answer = await engine.answer('Has trust been gravely damaged?');
    assert.match(answer.passages[0]?.text ?? '', /gravely damaged/);
    await engine.close();
  });

  it('keeps the calibration through small edits and measures it again once 2% of the passages changed', async () => {
    const { config, corpusDir } = workspace();
    const seed = readFileSync(join(SEED, '004_beb232aafa18ba84.txt'), 'utf8');
    for (let i = 0; i < 20; i++)
      writeFileSync(join(corpusDir, `copy-${i}.txt`), seed.replaceAll('junior', `junior-${i}`));
    const initial = await updateIndex({ config, logger, embedder });
    assert.ok(initial.passages > 300);
    const file = join(corpusDir, '001_6150766b996ef40a.txt');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Trust has been damaged', 'Trust has been badly damaged'));
    const edited = await updateIndex({ config, logger, embedder });
    assert.equal(edited.embedded, 1);
    assert.deepEqual(edited.calibration.nullRelevances, initial.calibration.nullRelevances);
    assert.equal(edited.calibration.changedPassages, 2, 'one passage out, its edited version in');
    // More than 2% of the passages since the last measurement: measured again.
    for (let i = 20; i < 24; i++)
      writeFileSync(join(corpusDir, `copy-${i}.txt`), seed.replaceAll('junior', `junior-${i}`));
    const grown = await updateIndex({ config, logger, embedder });
    assert.equal(grown.calibration.changedPassages, undefined);
    assert.notDeepEqual(grown.calibration.nullRelevances, initial.calibration.nullRelevances);
    assert.deepEqual(
      loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10).manifest.calibration,
      grown.calibration,
    );
  });

  it('refuses an index built with another model or dimension, saying what to run', async () => {
    const { config, env } = workspace();
    await updateIndex({ config, logger, embedder });
    const other = testConfig({ ...env, EMBEDDING_POOLING: 'cls' });
    assert.throws(
      () => loadIndex(other.indexDir, resolveEmbeddingSpec(other), 10),
      (error: unknown) =>
        error instanceof UserError &&
        /built with pooling mean \(settings say cls\)/.test(error.message) &&
        /npm run index/.test(error.message),
    );
    const renamed = { ...resolveEmbeddingSpec(config), modelId: 'Xenova/bge-small-en-v1.5' };
    assert.throws(
      () => loadIndex(config.indexDir, renamed, 10),
      /built with model "test-embedder" \(settings say "Xenova\/bge-small-en-v1\.5"\)/,
    );
    const index = loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10);
    assert.throws(
      () => checkModel(index.manifest, { dimensions: 384, fingerprint: undefined }, index.path),
      /64-dimensional vectors but the model gives 384/,
    );
    // Building with the new settings re-embeds everything.
    const rebuilt = await updateIndex({ config: other, logger });
    assert.equal(rebuilt.embedded, rebuilt.passages);
  });

  it('re-embeds everything, and refuses the old index, when the model files change under the same id', async () => {
    const { env } = workspace();
    const modelsDir = mkdtempSync(join(tmpdir(), 'models-'));
    cpSync(TEST_MODELS_DIR, modelsDir, { recursive: true });
    const config = testConfig({ ...env, MODELS_DIR: modelsDir });
    const first = await updateIndex({ config, logger });
    assert.equal(first.embedded, first.passages);
    // A re-exported model: same id, different files.
    appendFileSync(join(modelsDir, 'test-embedder', 'tokenizer_config.json'), '\n');
    const changed = await InProcessEmbedder.load(resolveEmbeddingSpec(config), config);
    const index = loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10);
    assert.throws(
      () => checkModel(index.manifest, changed, index.path),
      /files of model "test-embedder" changed since the index/,
    );
    const rebuilt = await updateIndex({ config, logger });
    assert.equal(rebuilt.embedded, rebuilt.passages);
    assert.equal(rebuilt.upToDate, false);
  });

  it('reports a missing or damaged index clearly, and rebuilds a damaged one', async () => {
    const { config } = workspace();
    const spec = resolveEmbeddingSpec(config);
    assert.throws(() => loadIndex(config.indexDir, spec, 10), /no index in .* yet\. Run `npm run index`/);
    await updateIndex({ config, logger, embedder });
    const version = currentVersion(config.indexDir) ?? '';
    const graph = loadIndex(config.indexDir, spec, 10).manifest.graph.file;
    writeFileSync(join(config.indexDir, version, graph), 'garbage');
    assert.throws(
      () => loadIndex(config.indexDir, spec, 10),
      new RegExp(`is damaged \\(${graph.replaceAll('.', '\\.')}: .*\\)\\. Run \`npm run index\` to rebuild it`),
    );
    const rebuilt = await updateIndex({ config, logger, embedder });
    assert.equal(rebuilt.embedded, rebuilt.passages);
    assert.equal(loadIndex(config.indexDir, spec, 10).passages.count, rebuilt.passages);
  });
});

describe('npm run index', () => {
  it('prints the summary as one JSON object with --json', async () => {
    const { env } = workspace();
    const result = await runNode(['src/cli/index-corpus.ts', '--json'], { ENV_FILE: '.env.test', ...env });
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as Record<string, number> & {
      calibration: { threshold: number; thresholdSource: string; nullQuestions: number };
    };
    assert.deepEqual(Object.keys(summary).sort(), [
      'articles',
      'bytes',
      'calibration',
      'dropped',
      'embedded',
      'ms',
      'passages',
      'repeated',
      'resumed',
      'reused',
    ]);
    assert.equal(summary.articles, 5);
    assert.equal(summary.embedded, summary.passages);
    assert.ok(summary.calibration.threshold > 0 && summary.calibration.threshold < 1);
    assert.match(summary.calibration.thresholdSource, /FALSE_ANSWER_RATE=0\.01/);
    const text = await runNode(['src/cli/index-corpus.ts'], {
      ENV_FILE: '.env.test',
      ...env,
      FALSE_ANSWER_RATE: '0.2',
    });
    assert.match(
      text.stdout,
      /^ {2}answer thresholds +confident above 0\.\d\d, reached by at most 20% of each kind of question made from the corpus/m,
    );
    assert.match(text.stdout, /^ {2}dense range +-?\d\.\d{3} \(off-topic questions’ nearest passage\) to \d\.\d{3}/m);
  });

  it('writes its warnings piped as readable lines, once each, unless LOG_FORMAT=json', async () => {
    const { env, corpusDir } = workspace();
    writeFileSync(join(corpusDir, 'notes.pdf'), '%PDF-1.4');
    const text = await runNode(['src/cli/index-corpus.ts'], { ENV_FILE: '.env.test', ...env, LOG_LEVEL: 'warn' });
    assert.equal(text.code, 0, text.stderr);
    const warnings = text.stderr.split('\n').filter((line) => line.includes('notes.pdf'));
    assert.deepEqual(warnings, ['WARN  skipped: not an article type (.txt, .md, .html) file=notes.pdf']);
    const json = await runNode(['src/cli/index-corpus.ts'], {
      ENV_FILE: '.env.test',
      ...env,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    });
    assert.match(json.stderr, /^\{"level":40,.*"file":"notes\.pdf"/m);
  });

  it('says clearly when the corpus folder is missing or holds no articles', async () => {
    const { env, corpusDir } = workspace();
    rmSync(corpusDir, { recursive: true });
    const missing = await runNode(['src/cli/index-corpus.ts'], { ENV_FILE: '.env.test', ...env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Error: The corpus folder .* does not exist\./m);
    cpSync(join(PROJECT_ROOT, 'README.md'), join(corpusDir, 'notes.pdf'));
    const empty = await runNode(['src/cli/index-corpus.ts'], { ENV_FILE: '.env.test', ...env });
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /notes\.pdf.*skipped: not an article type|skipped: not an article type.*notes\.pdf/);
    assert.match(empty.stderr, /^Error: No articles found in /m);
  });

  it('leaves the previous index live when a run is killed half-way', async () => {
    const { env, corpusDir, config } = workspace();
    await updateIndex({ config, logger });
    const before = loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10);
    // Enough new text that embedding takes a while, so the kill lands mid-run.
    addCopies(corpusDir, 150);
    const child = startIndexing(env);
    const killed = await new Promise<boolean>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('embedding progress')) child.kill('SIGKILL');
      });
      child.on('close', (_code, signal) => resolve(signal === 'SIGKILL'));
    });
    assert.ok(killed, 'the run was killed before it finished');
    const after = loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10);
    assert.equal(after.version, before.version);
    assert.equal(after.manifest.passageCount, before.manifest.passageCount);
    // The next run takes over the dead run's lock, finishes, and cleans up.
    const next = await updateIndex({ config, logger });
    assert.equal(next.articles, 155);
    assert.ok(!existsSync(join(config.indexDir, '.lock')));
    assert.deepEqual(
      readdirSync(config.indexDir).filter((name) => name.startsWith('v-')),
      [currentVersion(config.indexDir)],
    );
  });
});

describe('resuming a killed build', () => {
  it('keeps the vectors a run killed at over half-way computed: the next run embeds only the rest', async () => {
    const { env, corpusDir, config } = workspace();
    await updateIndex({ config, logger });
    addCopies(corpusDir, 150);
    const child = startIndexing(env);
    let total = 0;
    let doneWhenKilled = 0;
    let stderr = '';
    const killed = await new Promise<boolean>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        for (const line of stderr.split('\n')) {
          const progress = /"done":(\d+),"total":(\d+),"perSecond":[\d.]+/.exec(line);
          if (progress && Number(progress[1]) >= Number(progress[2]) / 2 && doneWhenKilled === 0) {
            doneWhenKilled = Number(progress[1]);
            total = Number(progress[2]);
            child.kill('SIGKILL');
          }
        }
      });
      child.on('close', (_code, signal) => resolve(signal === 'SIGKILL'));
    });
    assert.ok(killed, `the run was killed before it finished: ${stderr.slice(-500)}`);
    assert.ok(total > 1000 && doneWhenKilled >= total / 2, `${doneWhenKilled} of ${total}`);
    const next = await updateIndex({ config, logger });
    assert.ok(next.resumed >= doneWhenKilled, `resumed ${next.resumed}, killed at ${doneWhenKilled}`);
    assert.equal(next.resumed + next.embedded, total, 'every new passage embedded exactly once across both runs');
    assert.ok(!existsSync(join(config.indexDir, 'checkpoint.bin')), 'the checkpoint is gone after a finished build');
    const index = loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10);
    assert.equal(index.passages.count, next.passages);
    // The resumed vectors are the ones a fresh run computes.
    const fresh = workspace();
    cpSync(corpusDir, fresh.corpusDir, { recursive: true });
    await updateIndex({ config: fresh.config, logger });
    const reference = loadIndex(fresh.config.indexDir, resolveEmbeddingSpec(fresh.config), 10);
    const labels = index.passages.labels();
    for (const label of [labels[0] ?? 0, labels[Math.floor(labels.length / 2)] ?? 0, labels.at(-1) ?? 0]) {
      const other = reference.passages.byId(index.passages.get(label)?.id ?? '')?.label ?? -1;
      const [a, b] = [index.hnsw.getPoint(label), reference.hnsw.getPoint(other)];
      // Equal up to float rounding (the killed run embedded one passage per batch, the fresh one eight).
      assert.ok(
        a.every((value, d) => Math.abs(value - (b[d] ?? 0)) < 1e-5),
        `passage ${label}`,
      );
    }
  });
});

describe('keeping a good index when things go wrong', () => {
  /** A live process that is not this one, to hold a lock as another indexing run would. */
  function otherProcess(): { pid: number; stop: () => void } {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    return { pid: child.pid ?? 0, stop: () => child.kill('SIGKILL') };
  }

  it('measures the calibration again when a run stopped before it could, though the corpus is unchanged', async () => {
    const { config } = workspace();
    const built = await updateIndex({ config, logger });
    // What an edit leaves when it is killed between its commit and the new calibration's.
    const { store, manifest } = openLiveStore(config.indexDir, { writable: true });
    store.setMeta('manifest', {
      ...manifest,
      calibration: { ...manifest.calibration, changedPassages: manifest.passageCount },
    });
    store.close();
    const next = await updateIndex({ config, logger });
    assert.equal(next.upToDate, false);
    assert.equal(next.calibration.changedPassages, undefined);
    assert.equal(next.embedded, 0);
    assert.deepEqual(next.calibration.nullRelevances, built.calibration.nullRelevances);
  });

  it('builds the terms again, reusing the vectors, when the way text becomes terms changed', async () => {
    const { config } = workspace();
    await updateIndex({ config, logger });
    // An index whose terms an older recipe made ("NHS's" as "nhss"): its stored terms no longer match questions.
    const { store, manifest } = openLiveStore(config.indexDir, { writable: true });
    const pipeline = JSON.parse(manifest.pipeline) as Record<string, unknown>;
    assert.equal(pipeline.terms, TERMS_RECIPE);
    store.setMeta('manifest', { ...manifest, pipeline: JSON.stringify({ ...pipeline, terms: 'terms/1' }) });
    store.close();
    const next = await updateIndex({ config, logger });
    assert.equal(next.upToDate, false);
    assert.equal(next.embedded, 0);
    assert.equal(
      (JSON.parse(readManifest(config.indexDir).manifest.pipeline) as Record<string, unknown>).terms,
      TERMS_RECIPE,
    );
    assert.equal((await updateIndex({ config, logger })).upToDate, true);
  });

  it('clears what an interrupted run left behind, though the corpus is unchanged', async () => {
    const { config } = workspace();
    await updateIndex({ config, logger });
    const live = currentVersion(config.indexDir) ?? '';
    // What killed runs leave: a half-written version, an old one, a pointer being swapped, an unused graph.
    mkdirSync(join(config.indexDir, 'v-full.partial'));
    writeFileSync(join(config.indexDir, 'v-full.partial', STORE_FILE), 'half written');
    mkdirSync(join(config.indexDir, 'v-0-old'));
    writeFileSync(join(config.indexDir, 'CURRENT.123.tmp'), 'v-0-old');
    writeFileSync(join(config.indexDir, live, 'graph-unused.hnsw'), 'x'.repeat(1000));
    const next = await updateIndex({ config, logger });
    assert.equal(next.upToDate, true);
    assert.deepEqual(
      readdirSync(config.indexDir).filter((name) => name.startsWith('v-') || name.endsWith('.tmp')),
      [live],
    );
    assert.ok(!existsSync(join(config.indexDir, live, 'graph-unused.hnsw')));
  });

  it('refuses to search a graph file swapped for another of the same size', async () => {
    const { config } = workspace();
    await updateIndex({ config, logger });
    const { manifest, path } = openLiveStore(config.indexDir);
    const graph = join(path, manifest.graph.file);
    const bytes = readFileSync(graph);
    // Another model's vectors: same layout and size, other numbers.
    const floats = new Float32Array(
      bytes.buffer,
      bytes.byteOffset + (bytes.length >> 1) - ((bytes.length >> 1) % 4),
      64,
    );
    floats.fill(0.5);
    writeFileSync(graph, bytes);
    assert.throws(
      () => loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10),
      /not the graph the manifest names/,
    );
  });

  it('rebuilds an index whose data file was damaged in place, at the same size', async () => {
    const { config } = workspace();
    await updateIndex({ config, logger });
    const version = currentVersion(config.indexDir) ?? '';
    const vectors = join(
      config.indexDir,
      version,
      loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10).manifest.graph.file,
    );
    const bytes = readFileSync(vectors);
    bytes.fill(0xff, Math.floor(bytes.length / 3), Math.floor(bytes.length / 3) + 4096);
    writeFileSync(vectors, bytes);
    const rebuilt = await updateIndex({ config, logger });
    assert.equal(rebuilt.upToDate, false);
    assert.notEqual(currentVersion(config.indexDir), version);
    assert.equal((await updateIndex({ config, logger })).upToDate, true);
  });

  it('never takes a store damaged in place or emptied for up to date: ask names the damage, index rebuilds', async () => {
    const spec = (config: Config) => resolveEmbeddingSpec(config);
    // One page overwritten: SQLite's own check finds it.
    const { config } = workspace();
    await updateIndex({ config, logger });
    const version = currentVersion(config.indexDir) ?? '';
    const storeFile = join(config.indexDir, version, 'index.sqlite');
    const bytes = readFileSync(storeFile);
    const page = 4096 * Math.floor(bytes.length / 4096 / 2);
    bytes.fill(0xff, page, page + 4096);
    writeFileSync(storeFile, bytes);
    const rebuilt = await updateIndex({ config, logger });
    assert.equal(rebuilt.upToDate, false);
    assert.notEqual(currentVersion(config.indexDir), version);
    assert.equal((await updateIndex({ config, logger })).upToDate, true);

    // Tables emptied behind the manifest's back: the counts tell.
    const emptied = workspace().config;
    await updateIndex({ config: emptied, logger });
    const emptiedVersion = currentVersion(emptied.indexDir) ?? '';
    const db = new Database(join(emptied.indexDir, emptiedVersion, 'index.sqlite'));
    db.exec('DELETE FROM passages; DELETE FROM postings;');
    db.close();
    assert.throws(
      () => loadIndex(emptied.indexDir, spec(emptied), 10),
      /is damaged \(index\.sqlite: it holds 0 passages, not \d+\)\. Run `npm run index` to rebuild it/,
    );
    assert.equal((await updateIndex({ config: emptied, logger })).upToDate, false);
    assert.ok(loadIndex(emptied.indexDir, spec(emptied), 10).passages.count > 0);
  });

  it('says a store locked by another process is locked, and never rebuilds because of it', async () => {
    const { config } = workspace();
    await updateIndex({ config, logger });
    const version = currentVersion(config.indexDir) ?? '';
    const holder = new Database(join(config.indexDir, version, 'index.sqlite'));
    holder.exec('BEGIN EXCLUSIVE');
    try {
      await assert.rejects(updateIndex({ config, logger }), /is locked by another process/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    assert.equal(currentVersion(config.indexDir), version);
    assert.equal((await updateIndex({ config, logger })).upToDate, true);
  });

  it('an edit that fails between writing its graph and committing leaves the last good index live', async () => {
    const { config, corpusDir } = workspace();
    await updateIndex({ config, logger });
    const before = loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10);
    before.passages.close();
    const folder = join(config.indexDir, currentVersion(config.indexDir) ?? '');
    const file = join(corpusDir, '001_6150766b996ef40a.txt');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Trust has been damaged', 'Trust has been sorely damaged'));
    // Another connection holds the store's write lock: the edit's graph is written, its commit cannot be.
    const holder = new Database(join(folder, STORE_FILE));
    holder.exec('BEGIN IMMEDIATE');
    try {
      await assert.rejects(
        updateIndex({ config, logger }),
        /^UserError: Cannot write the index in .*: another process held the index store locked .*\(SQLITE_BUSY\)\.$/,
      );
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    assert.equal(
      readdirSync(folder).filter((name) => name.startsWith('graph-')).length,
      2,
      'the new graph was written',
    );
    const after = loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10);
    assert.equal(after.version, before.version, 'the old graph is still the live one');
    assert.ok(!allPassages(after.passages).some((passage) => passage.text.includes('sorely')));
    after.passages.close();
    // The next run commits the edit and removes the graph file the failed one left.
    const next = await updateIndex({ config, logger });
    assert.deepEqual([next.embedded, next.resumed], [0, 1], 'the failed run checkpointed its one vector');
    const live = loadIndex(config.indexDir, resolveEmbeddingSpec(config), 10);
    assert.ok(allPassages(live.passages).some((passage) => passage.text.includes('sorely')));
    assert.deepEqual(
      readdirSync(folder).filter((name) => name.startsWith('graph-')),
      [live.manifest.graph.file],
    );
    live.passages.close();
  });

  it('decides "up to date" without the lock, and names the other run when it must write', async () => {
    const { config, corpusDir } = workspace();
    await updateIndex({ config, logger });
    const other = otherProcess();
    try {
      writeFileSync(join(config.indexDir, '.lock'), String(other.pid));
      assert.equal((await updateIndex({ config, logger })).upToDate, true);
      appendFileSync(
        join(corpusDir, '000_554e873da87f078f.txt'),
        '\nA new paragraph long enough to be a passage of its own, about the strike.\n',
      );
      await assert.rejects(
        updateIndex({ config, logger }),
        new RegExp(`Another indexing run \\(process ${other.pid}\\) is writing`),
      );
    } finally {
      other.stop();
    }
  });

  it('npm start answers from the last good index when it cannot bring it up to date', async () => {
    const { config, corpusDir, env } = workspace();
    await updateIndex({ config, logger });
    const other = otherProcess();
    try {
      writeFileSync(join(config.indexDir, '.lock'), String(other.pid));
      writeFileSync(
        join(corpusDir, 'new.txt'),
        `A brand new article headline\n${'New text about the strike. '.repeat(8)}\n`,
      );
      const result = await runNode(
        ['src/cli/start.ts'],
        { ENV_FILE: '.env.test', ...env, LOG_LEVEL: 'warn' },
        { input: 'Who is Justin Madders?\nexit\n' },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /could not update the index; answering from the last good one/);
      assert.match(result.stderr, /Another indexing run/);
      assert.match(result.stdout, /Labour MP for Ellesmere Port and Neston/);
    } finally {
      other.stop();
    }
  });

  it('a write that fails (disk full) removes its half-written folder and names the folder in one line', async () => {
    const { config } = workspace();
    await updateIndex({ config, logger });
    const live = currentVersion(config.indexDir);
    const staging = join(config.indexDir, 'v-full.partial');
    mkdirSync(staging);
    // /dev/full answers every write with ENOSPC: a real full disk, as far as the writer can tell.
    symlinkSync('/dev/full', join(staging, STORE_FILE));
    await assert.rejects(
      writeVersion(config.indexDir, async (store) => store.setMeta('probe', 'x'.repeat(100_000)), 'v-full'),
      (error: unknown) =>
        error instanceof UserError &&
        error.message ===
          `Cannot write the index in ${config.indexDir}: the disk is full; free some space and run \`npm run index\` again (SQLITE_FULL).`,
    );
    assert.ok(!existsSync(staging));
    assert.equal(currentVersion(config.indexDir), live);
    const readOnly = Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
    assert.match(
      String((indexWriteError(readOnly, '/srv/index') as Error).message),
      /^Cannot write the index in \/srv\/index: the file system is read-only; set INDEX_DIR/,
    );
    const other = new Error('something else');
    assert.equal(indexWriteError(other, '/srv/index'), other);
  });
});
