/**
 * Bad articles in the corpus: each one is read, skipped with a reason, or indexed with a warning, and never
 * stops the rest. Memory stays flat over hundreds of HTML pages.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, it } from 'node:test';
import { decodeArticle } from '../src/corpus/decode.js';
import { parseHtml } from '../src/corpus/formats.js';
import { chunkParagraphs } from '../src/corpus/passages.js';
import { readCorpus } from '../src/corpus/read-corpus.js';
import { createLogger } from '../src/logging/logger.js';
import { passagesOf } from '../src/index/build/plan.js';
import { updateIndex } from '../src/app/update-index.js';
import Database from 'better-sqlite3';
import { STORE_FILE, currentVersion, loadIndex } from '../src/index/store.js';
import { resolveEmbeddingSpec } from '../src/embedding/model-spec.js';
import { testConfig, allPassages } from './helpers/models.js';
import { runNode } from './helpers/process.js';

const PARAGRAPH =
  'Junior doctors walked out again on Tuesday, and the picket lines outside the hospital were larger than at any ' +
  'point in the dispute, with nurses, porters and patients joining the doctors in the cold.';

function corpusWith(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** A realistic news page of about 12 KB: navigation, scripts, an article of 20 paragraphs, a footer. */
function newsPage(n: number): string {
  const nav = Array.from({ length: 60 }, (_, i) => `<li><a href="/section/${i}">Section ${i}</a></li>`).join('');
  const body = Array.from({ length: 30 }, (_, i) => `<p>${PARAGRAPH} Report ${n}, paragraph ${i}.</p>`).join('\n');
  return `<!doctype html><html><head><title>Strike report ${n}</title>
<meta property="og:site_name" content="The Paper"><script>var tracking = ${JSON.stringify('x'.repeat(800))};</script>
<style>${'.c{color:red}'.repeat(60)}</style></head>
<body><nav><ul>${nav}</ul></nav><article><h1>Strike report number ${n}</h1>${body}</article>
<footer>${'<a href="/about">About us</a> '.repeat(40)}</footer></body></html>`;
}

describe('reading a corpus with bad files', () => {
  it('keeps memory flat over hundreds of HTML pages read as a corpus: each page’s DOM is released', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    assert.ok(newsPage(0).length > 10_000);
    const heapAfterReading = async (count: number) => {
      const files: Record<string, string> = {};
      for (let n = 0; n < count; n++) files[`page-${n}.html`] = newsPage(n);
      const corpus = await readCorpus(corpusWith(files));
      assert.equal(corpus.articles.length, count);
      assert.ok(parseHtml(newsPage(0)).lines.length >= 30);
      gc();
      return process.memoryUsage().heapUsed;
    };
    const warm = await heapAfterReading(30);
    const after = await heapAfterReading(300);
    // Unreleased, each page keeps its DOM (several MB); released, 270 more pages add next to nothing.
    assert.ok(after - warm < 40 * 1024 * 1024, `heap grew ${((after - warm) / 1048576).toFixed(0)} MiB`);
  });

  it('indexes the rest when front matter YAML cannot be parsed, warning with the file and line', async () => {
    const dir = corpusWith({
      'bad.md': `---\nauthor: Ann\ntitle: Strike: day two\n---\n\n${PARAGRAPH}\n`,
      'good.txt': `A good headline for the article\n${PARAGRAPH}\n`,
    });
    const corpus = await readCorpus(dir);
    assert.deepEqual(
      corpus.articles.map((article) => article.id),
      ['bad.md', 'good.txt'],
    );
    assert.equal(corpus.articles[0]?.paragraphs[0], PARAGRAPH);
    assert.equal(corpus.warnings[0]?.file, 'bad.md');
    assert.match(corpus.warnings[0]?.message ?? '', /^front matter line 3: .*; it is ignored \(quote values/);
  });

  it('decodes Windows-1252 and UTF-16 files, and never quotes U+FFFD', async () => {
    const accented = 'Le café crème était très apprécié à l’hôpital — «grève» générale, même à Noël.';
    // Windows-1252 bytes, curly apostrophe (0x92) included.
    const latin1 = Buffer.concat([
      Buffer.from(`A headline about the café strike\n${PARAGRAPH} Un café, s`, 'latin1'),
      Buffer.from([0x92]),
      Buffer.from('il vous plaît.\n', 'latin1'),
    ]);
    const manyAccents = Buffer.from(`${accented.replace(/[’—«»]/g, "'")}\n`.repeat(20), 'latin1');
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`Headline in UTF-16 here\n${PARAGRAPH}\n`, 'utf16le'),
    ]);
    const utf16NoBom = Buffer.from(`Headline in UTF-16 here\n${PARAGRAPH}\n`, 'utf16le');
    const dir = corpusWith({
      'latin1.txt': latin1,
      'accents.txt': manyAccents,
      'notepad.txt': utf16,
      'nobom.txt': utf16NoBom,
      'binary.txt': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0]),
    });
    const corpus = await readCorpus(dir);
    const text = (id: string) => corpus.articles.find((article) => article.id === id)?.paragraphs.join('\n') ?? '';
    assert.match(text('latin1.txt'), /Un café, s’il vous plaît\.$/);
    assert.match(text('accents.txt'), /très apprécié/);
    assert.equal(text('notepad.txt'), PARAGRAPH);
    assert.equal(text('nobom.txt'), PARAGRAPH);
    for (const article of corpus.articles) assert.ok(!article.paragraphs.join('').includes('\uFFFD'), article.id);
    assert.deepEqual(corpus.skipped, [{ file: 'binary.txt', reason: 'binary content (NUL bytes), not text' }]);
    const unknown = decodeArticle(Buffer.from([0x81, 0x8d, 0x8f, 0x90, 0x9d, 0x81, 0x8d]));
    assert.ok('problem' in unknown && /convert it to UTF-8 \(for example `iconv/.test(unknown.problem));
  });

  it('cuts a paragraph with no sentence ends at word boundaries, never past the passage limit', () => {
    const runaway = 'strike pay picket ballot '.repeat(20_000);
    const chunks = chunkParagraphs([runaway.trim()]);
    assert.ok(chunks.length > 400);
    assert.ok(chunks.every((chunk) => chunk.text.length <= 1200));
    // Whole words only, verbatim.
    const word = '(strike|pay|picket|ballot)';
    for (const chunk of chunks) {
      assert.match(chunk.text, new RegExp(`^${word}( ${word})*$`));
      assert.ok(runaway.includes(chunk.text));
    }
  });

  it('indexes a title line and one 200,000-word line with no sentence end as many passages within the limit', async () => {
    const words = Array.from({ length: 200_000 }, (_, i) => ['strike', 'pay', 'picket', 'ballot'][i % 4]).join(' ');
    // A headline the title rule takes, and one too short for it (so it stays a heading-like first paragraph).
    const dir = corpusWith({
      'headline.txt': `The long strike: a diary\n${words}\n`,
      'short.txt': `Pay talks\n${words}\n`,
    });
    const { articles } = await readCorpus(dir);
    for (const article of articles) {
      const { passages } = passagesOf([article]);
      assert.ok(passages.length > 1000, `${article.id}: ${passages.length} passages`);
      const longest = Math.max(...passages.map((passage) => passage.text.length));
      assert.ok(longest <= 1200, `${article.id}: a passage of ${longest} characters`);
    }
    assert.equal(articles.length, 2);
  });

  it('follows symbolic links to article files and does not walk hidden folders', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    writeFileSync(join(outside, 'linked.txt'), `A linked article headline\n${PARAGRAPH}\n`);
    const dir = corpusWith({
      'real.txt': `A real article headline here\n${PARAGRAPH}\n`,
      '.git/objects/readme.txt': 'not an article',
      '.git/config': '[core]',
      '.DS_Store': 'x',
    });
    symlinkSync(join(outside, 'linked.txt'), join(dir, 'linked.txt'));
    symlinkSync(dir, join(dir, 'loop'));
    const corpus = await readCorpus(dir);
    assert.deepEqual(
      corpus.articles.map((article) => article.id),
      ['linked.txt', 'real.txt'],
    );
    assert.deepEqual(corpus.skipped, []);
    assert.deepEqual(corpus.warnings, []);
  });

  it('drops a malformed URL from sources.json with a warning naming the article, and keeps the rest', async () => {
    const dir = corpusWith({
      'a.txt': `An article with a bad link\n${PARAGRAPH}\n`,
      'b.txt': `An article with a good link\n${PARAGRAPH}\n`,
      'sources.json': JSON.stringify({
        'a.txt': { url: 'htp:/example.org/a', author: 'Ann' },
        'b.txt': { url: 'https://example.org/b', autor: 'typo' },
      }),
    });
    const corpus = await readCorpus(dir);
    const [a, b] = corpus.articles;
    assert.equal(a?.metadata.url, undefined);
    assert.equal(a?.metadata.author, 'Ann');
    assert.equal(b?.metadata.url, 'https://example.org/b');
    assert.deepEqual(corpus.warnings, [
      {
        file: 'sources.json',
        message: '"b.txt".autor is not a known field (expected title, author, publication, url, date); ignored',
      },
      { file: 'a.txt', message: 'url "htp:/example.org/a" is not an http(s) URL; the article is cited without a link' },
    ]);
    writeFileSync(join(dir, 'sources.json'), '{ "a.txt": ');
    const broken = await readCorpus(dir);
    assert.equal(broken.articles.length, 2);
    assert.match(broken.warnings[0]?.message ?? '', /^not valid JSON .*ignored until it is fixed/);
  });
});

describe('article URLs', () => {
  it('keeps a URL with a space as the URL parser writes it, percent-encoded, whether from front matter, a canonical link or sources.json', async () => {
    const dir = corpusWith({
      'a.md': `---\ntitle: Strike report\nurl: "https://example.org/strike report"\n---\n\n${PARAGRAPH}\n`,
      'b.html': `<html><head><title>Strike report two</title><link rel="canonical" href="https://example.org/report two"></head><body><article><p>${PARAGRAPH}</p><p>${PARAGRAPH} Again.</p></article></body></html>`,
      'c.txt': `A third strike report here\n${PARAGRAPH}\n`,
      'sources.json': JSON.stringify({ 'c.txt': { url: 'https://example.org/third report?q=a b' } }),
    });
    const corpus = await readCorpus(dir);
    assert.deepEqual(
      corpus.articles.map((article) => article.metadata.url),
      [
        'https://example.org/strike%20report',
        'https://example.org/report%20two',
        'https://example.org/third%20report?q=a%20b',
      ],
    );
    assert.deepEqual(corpus.warnings, []);
  });
});

describe('reading only what changed', () => {
  it('does not read a file whose size and modification time the index already knows', async () => {
    const dir = corpusWith({ 'a.txt': `Headline A\n${PARAGRAPH}\n`, 'b.txt': `Headline B\n${PARAGRAPH}\n` });
    const first = await readCorpus(dir);
    assert.deepEqual([...first.files.keys()], ['a.txt', 'b.txt']);
    assert.equal(first.unchanged.length, 0);
    // A stamp matching a.txt but a hash it does not have: had the file been read, the real hash would show.
    const known = new Map(first.files);
    known.set('a.txt', { ...(first.files.get('a.txt') ?? { size: 0, mtimeMs: 0 }), contentHash: 'from-the-index' });
    writeFileSync(join(dir, 'b.txt'), `Headline B\n${PARAGRAPH} Edited.\n`);
    const second = await readCorpus(dir, { known });
    assert.deepEqual(second.unchanged, [{ id: 'a.txt', contentHash: 'from-the-index' }]);
    assert.deepEqual(
      second.articles.map((article) => article.id),
      ['b.txt'],
    );
    // A changed sidecar can change any article's metadata: then every file is read.
    writeFileSync(join(dir, 'sources.json'), '{"a.txt": {"author": "A. Writer"}}');
    const withSidecar = await readCorpus(dir, { known: second.files });
    const third = await readCorpus(dir, { known: new Map([...second.files].filter(([id]) => id !== 'sources.json')) });
    assert.equal(withSidecar.unchanged.length, 0);
    assert.equal(third.unchanged.length, 0);
    assert.equal(third.articles.find((article) => article.id === 'a.txt')?.metadata.author, 'A. Writer');
  });
});

describe('parsing only what changed', () => {
  it('does not parse an unchanged article again: its parse comes from the cache kept beside the index', async () => {
    const root = mkdtempSync(join(tmpdir(), 'parse-cache-'));
    const corpusDir = join(root, 'corpus');
    mkdirSync(corpusDir);
    writeFileSync(join(corpusDir, 'page.html'), newsPage(1));
    writeFileSync(join(corpusDir, 'other.txt'), `Another article headline\n${PARAGRAPH}\n`);
    const config = testConfig({ CORPUS_DIR: corpusDir, DATA_DIR: join(root, 'data'), INDEX_DIR: join(root, 'index') });
    const logger = createLogger('silent');
    await updateIndex({ config, logger });
    const storePath = join(config.indexDir, currentVersion(config.indexDir) ?? '', STORE_FILE);
    const store = new Database(storePath);
    const rows = store.prepare('SELECT content_hash, value FROM parsed').all() as {
      content_hash: string;
      value: string;
    }[];
    assert.equal(rows.length, 2);
    // Mark the cached parse of the HTML page; if the next build parsed the page again, the mark would be gone.
    for (const row of rows) {
      const entry = JSON.parse(row.value) as { paragraphs: string[] };
      if (entry.paragraphs.length > 5) entry.paragraphs[0] = 'A paragraph only the cache holds, as a marker.';
      store.prepare('UPDATE parsed SET value = ? WHERE content_hash = ?').run(JSON.stringify(entry), row.content_hash);
    }
    store.close();
    // A full build re-reads every article (the file's size and time alone would skip an unchanged one): the
    // HTML page must come from the parse cache.
    writeFileSync(join(corpusDir, 'other.txt'), `Another article headline\n${PARAGRAPH} Edited.\n`);
    const summary = await updateIndex({ config: { ...config, embeddingModel: 'test-embedder-shifted' }, logger });
    assert.equal(summary.upToDate, false);
    const index = loadIndex(
      config.indexDir,
      resolveEmbeddingSpec({ ...config, embeddingModel: 'test-embedder-shifted' }),
      10,
    );
    assert.ok(
      allPassages(index.passages).some((passage) => passage.text.startsWith('A paragraph only the cache holds')),
    );
    assert.ok(allPassages(index.passages).some((passage) => passage.text.endsWith('Edited.')));
  });
});

describe('npm run index on a big HTML corpus', () => {
  it('indexes 300 pages of 12 KB within a 200 MB heap', async () => {
    const files: Record<string, string> = {};
    for (let n = 0; n < 300; n++) files[`page-${String(n).padStart(3, '0')}.html`] = newsPage(n);
    const corpusDir = corpusWith(files);
    const root = mkdtempSync(join(tmpdir(), 'html-index-'));
    // A memory check, not a speed one: on a busy 2-core machine this build has taken 55–116 s.
    const result = await runNode(
      ['src/cli/index-corpus.ts', '--json'],
      {
        ENV_FILE: '.env.test',
        CORPUS_DIR: corpusDir,
        DATA_DIR: join(root, 'data'),
        INDEX_DIR: join(root, 'index'),
        NODE_OPTIONS: '--max-old-space-size=200',
      },
      { timeoutMs: 600_000 },
    );
    assert.equal(result.code, 0, result.stderr.slice(-2000));
    assert.equal((JSON.parse(result.stdout) as { articles: number }).articles, 300);
  });
});
