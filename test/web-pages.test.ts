/**
 * Web pages that are hard to read: nested too deep for the parser, in a legacy charset, at a URL with a space.
 * Each is added with `npm run add` or `npm run feeds` against the small web served on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AnswerEngine } from '../src/answering/engine.js';
import iconv from 'iconv-lite';
import { decodeWebPage } from '../src/corpus/decode.js';
import { nestingDepth } from '../src/corpus/html-depth.js';
import { parseHtml } from '../src/corpus/formats.js';
import { readIndexedArticles } from '../src/index/store.js';
import { runNode } from './helpers/process.js';
import { CAFE_PARAGRAPH, TestWeb, webWorkspace } from './helpers/web-server.js';

interface AddJson {
  added: { url: string; file: string; title: string; passages: number }[];
  skipped: { url: string; reason: string }[];
}

describe('how deep a page nests, measured before it is parsed', () => {
  it('counts open elements as the parser would: void, self-closing foreign and auto-closed ones do not nest', () => {
    assert.equal(nestingDepth(`<body>${'<div>'.repeat(1000)}x${'</div>'.repeat(1000)}`), 1000);
    assert.equal(nestingDepth(`<p>${'<b>'.repeat(5000)}x`), 5000);
    assert.equal(nestingDepth(`<ul>${'<li>item'.repeat(5000)}</ul>`), 1);
    assert.equal(nestingDepth(`<body>${'<p>para<br><img src=x>'.repeat(5000)}`), 0);
    assert.equal(nestingDepth(`<table>${'<tr><td>a<td>b'.repeat(3000)}</table>`), 1);
    assert.equal(nestingDepth(`<div><svg>${'<path d="x"/>'.repeat(1000)}</svg></div>`), 2);
    assert.equal(nestingDepth(`<script>${'<div>'.repeat(1000)}</script><!--${'<div>'.repeat(1000)}--><div></div>`), 1);
    assert.equal(nestingDepth(`<div>${'<b><i>x</b></i>'.repeat(1000)}</div>`), 3);
  });

  it('refuses a page nested past the limit at once, with a one-line reason naming the limit', () => {
    const started = performance.now();
    // Given to jsdom and Readability, these 5,000 unclosed <b>s overflow the stack (1,000 <div>s: 34 s of CPU).
    assert.throws(
      () => parseHtml(`<html><body><article>${'<b>'.repeat(5000)}<p>Text.</p></article></body></html>`),
      /^Error: its elements nest 5001 deep, more than the 400 allowed$/,
    );
    assert.ok(performance.now() - started < 1000, 'refused before jsdom is given the page');
  });
});

describe('decoding a web page', () => {
  const text = (bytes: Uint8Array, contentType: string) => {
    const decoded = decodeWebPage(bytes, contentType);
    return 'text' in decoded ? decoded.text : decoded.problem;
  };
  const page = (head: string) =>
    iconv.encode(`<html><head>${head}</head><body><p>“Café”</p></body></html>`, 'windows-1252');

  it('reads the charset of the header, else of the <meta>, else of the XML declaration; Latin-1 as Windows-1252', () => {
    assert.match(text(page(''), 'text/html; charset="ISO-8859-1"'), /<p>“Café”<\/p>/);
    assert.match(text(page('<title>x</title><meta charset=windows-1252>'), 'text/html'), /“Café”/);
    assert.match(
      text(page('<meta http-equiv="content-type" content="text/html; charset=latin1">'), 'text/html'),
      /“Café”/,
    );
    const feed = iconv.encode(
      '<?xml version="1.0" encoding="windows-1252"?><rss><title>Café</title></rss>',
      'windows-1252',
    );
    assert.match(text(feed, 'application/rss+xml'), /<title>Café<\/title>/);
  });

  it('reads bytes that are not the UTF-8 they claim, or that state no charset, as a file would be read', () => {
    assert.match(text(page(''), 'text/html; charset=utf-8'), /“Café”/);
    // A byte-order mark outranks the header, as in browsers.
    assert.equal(text(Buffer.from('\uFEFF<p>“Café”</p>'), 'text/html; charset=windows-1252'), '<p>“Café”</p>');
    assert.match(text(page(''), 'text/html'), /“Café”/);
  });
});

describe('adding web pages', () => {
  let web: TestWeb;
  before(async () => {
    web = await new TestWeb().start();
  });
  after(async () => web.close());

  it('npm run add -- good deep good2: adds the good pages and skips each deep one with a one-line reason', async () => {
    const { env } = webWorkspace('add-deep-', 5);
    const urls = ['/articles/strike.html', '/deep/bold.html', '/deep/divs.html', '/articles/ballot.html'];
    const result = await runNode(['src/cli/add.ts', ...urls.map((path) => `${web.url}${path}`)], env, {
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 0, result.stderr.slice(-2000));
    const lines = result.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^added {4}Porters join the junior doctors’ walkout \(\d+ passages\)/);
    assert.match(lines[1] ?? '', /^added {4}Midwives to ballot over staffing \(\d+ passages\)/);
    const skip = (path: string) =>
      new RegExp(
        `^skipped  ${web.url}${path}: could not read the page: its elements nest \\d+ deep, more than the 400 allowed$`,
      );
    assert.match(lines[2] ?? '', skip('/deep/bold.html'));
    assert.match(lines[3] ?? '', skip('/deep/divs.html'));
    assert.match(lines[4] ?? '', /^2 added, 2 skipped in /);
  });

  it('a feed poll skips a deep item, adds the rest of its feed and the other feeds, and does not fetch it again', async () => {
    const { feedsFile, env } = webWorkspace('feeds-deep-', 5);
    writeFileSync(feedsFile, `${web.url}/feed-deep.rss\n${web.url}/feed.atom\n`);
    const poll = async () => {
      const result = await runNode(['src/cli/feeds.ts', '--json'], env, { timeoutMs: 60_000 });
      assert.equal(result.code, 0, result.stderr.slice(-2000));
      return JSON.parse(result.stdout) as AddJson & { feeds: { status: string; newItems?: number }[] };
    };
    const fetchedBefore = web.hits.get('/deep/bold.html') ?? 0;
    const first = await poll();
    assert.deepEqual(
      first.feeds.map((feed) => [feed.status, feed.newItems]),
      [
        ['read', 2],
        ['read', 1],
      ],
    );
    assert.deepEqual(first.added.map((article) => article.title).sort(), [
      'Midwives to ballot over staffing',
      'Porters join the junior doctors’ walkout',
    ]);
    assert.deepEqual(
      first.skipped.map((skip) => skip.url),
      [`${web.url}/deep/bold.html`],
    );
    assert.match(
      first.skipped[0]?.reason ?? '',
      /^could not read the page: its elements nest 5\d{3} deep, more than the 400 allowed$/,
    );
    const second = await poll();
    assert.deepEqual([second.added, second.skipped], [[], []]);
    assert.equal(web.hits.get('/deep/bold.html'), fetchedBefore + 1, 'a page refused for its depth is done with');
  });

  it('decodes a page in the charset its header or its <meta> declares: curly quotes and accents, never U+FFFD', async () => {
    const { corpusDir, env, config } = webWorkspace('add-cp1252-', 5);
    const result = await runNode(
      ['src/cli/add.ts', '--json', `${web.url}/cp1252.html`, `${web.url}/latin1-meta.html`],
      env,
      { timeoutMs: 60_000 },
    );
    assert.equal(result.code, 0, result.stderr.slice(-2000));
    const report = JSON.parse(result.stdout) as AddJson;
    assert.deepEqual(report.skipped, []);
    assert.deepEqual(
      report.added.map((article) => article.title),
      ['Tea for the pickets at the café', 'Café owners back the strike'],
    );
    for (const article of report.added) {
      const stored = readFileSync(join(corpusDir, article.file), 'utf8');
      assert.ok(stored.includes(CAFE_PARAGRAPH), article.file);
      assert.ok(!stored.includes('\uFFFD'), article.file);
    }
    const engine = await AnswerEngine.open(config);
    try {
      const answer = await engine.answer('What did the owner of the hospital café say about serving the pickets tea?');
      assert.ok(
        answer.passages.some((passage) => passage.text.includes(CAFE_PARAGRAPH)),
        JSON.stringify(answer.passages.map((passage) => passage.text)),
      );
    } finally {
      await engine.close();
    }
  });

  it('stores the URL of a page at a path with a space percent-encoded, as Discord accepts it', async () => {
    const { corpusDir, env, config } = webWorkspace('add-space-', 5);
    const result = await runNode(['src/cli/add.ts', '--json', `${web.url}/articles/with space.html`], env);
    assert.equal(result.code, 0, result.stderr.slice(-2000));
    const report = JSON.parse(result.stdout) as AddJson;
    const encoded = `${web.url}/articles/with%20space.html`;
    assert.equal(report.added[0]?.url, encoded);
    const stored = readFileSync(join(corpusDir, report.added[0]?.file ?? ''), 'utf8');
    assert.match(stored, new RegExp(`^url: "${encoded.replace(/[.]/g, '\\.')}"$`, 'm'));
    const indexed = readIndexedArticles(config.indexDir).find((article) => article.id === report.added[0]?.file);
    assert.equal(indexed?.url, encoded);
  });
});
