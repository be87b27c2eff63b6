/**
 * Adding articles by URL: the safety rules of the fetcher, and `npm run add` end to end against a small web
 * served on 127.0.0.1 (ALLOW_LOOPBACK_URLS=true; every other internal address stays refused).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AnswerEngine } from '../src/answering/engine.js';
import { parseMarkdown } from '../src/corpus/formats.js';
import { createLogger } from '../src/logging/logger.js';
import { updateIndex } from '../src/app/update-index.js';
import { acquireIndexLock, currentVersion } from '../src/index/store.js';
import { articleMarkdown } from '../src/app/add-articles.js';
import { ITEMS_PER_BATCH } from '../src/app/feeds.js';
import { forbiddenAddress } from '../src/web/addresses.js';
import { HTML_TYPES, fetchChecked } from '../src/web/fetch-page.js';
import { PoliteFetcher } from '../src/web/polite-fetcher.js';
import { NOT_ALLOWED } from '../src/discord/handlers/corpus.js';
import { startBot } from '../src/discord/run-bot.js';
import { BOT_ID, FakeDiscord, TOKEN } from './helpers/fake-discord.js';
import { testConfig } from './helpers/models.js';
import { runNode, spawnProject } from './helpers/process.js';
import { STRIKE_PARAGRAPHS, TestWeb, webWorkspace } from './helpers/web-server.js';

describe('which addresses may be fetched', () => {
  it('refuses loopback, private, link-local, unique-local and mapped internal addresses; loopback only when allowed', () => {
    for (const address of [
      '10.0.0.1',
      '192.168.1.20',
      '172.16.4.4',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      'fc00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
      '224.0.0.1',
    ]) {
      assert.ok(forbiddenAddress(address), address);
      assert.ok(forbiddenAddress(address, true), `${address} even with loopback allowed`);
    }
    assert.match(forbiddenAddress('127.0.0.1') ?? '', /127\.0\.0\.1 is a loopback address/);
    assert.match(forbiddenAddress('::1') ?? '', /loopback/);
    assert.equal(forbiddenAddress('127.0.0.1', true), undefined);
    assert.equal(forbiddenAddress('93.184.216.34'), undefined);
    assert.equal(forbiddenAddress('2606:2800:220:1:248:1893:25c8:1946'), undefined);
  });
});

describe('fetching a page', () => {
  let web: TestWeb;
  before(async () => {
    web = await new TestWeb().start();
  });
  after(async () => web.close());
  const options = {
    accept: HTML_TYPES,
    allowLoopback: true,
    maxBytes: 5 * 2 ** 20,
    connectTimeoutMs: 2000,
    totalTimeoutMs: 2000,
  };

  it('refuses a loopback URL unless allowed, other schemes, and redirects to internal addresses', async () => {
    await assert.rejects(
      fetchChecked(`${web.url}/articles/strike.html`, { ...options, allowLoopback: false }),
      /refused: 127\.0\.0\.1 is a loopback address/,
    );
    await assert.rejects(
      fetchChecked('file:///etc/passwd', options),
      /only http and https URLs can be fetched, not file/,
    );
    await assert.rejects(fetchChecked(`${web.url}/to-internal`, options), /refused: 10\.0\.0\.1 is a private address/);
    await assert.rejects(fetchChecked(`${web.url}/loop-a`, options), /refused: a redirect loop|more than 5 redirects/);
  });

  it('refuses what is not a page, too big or too slow, and names the status of a failure', async () => {
    await assert.rejects(
      fetchChecked(`${web.url}/doc.pdf`, options),
      /is application\/pdf, not text\/html or application\/xhtml\+xml/,
    );
    await assert.rejects(fetchChecked(`${web.url}/huge.html`, options), /more than the 5242880 bytes allowed/);
    await assert.rejects(
      fetchChecked(`${web.url}/slow.html`, options),
      /no complete answer from 127\.0\.0\.1:\d+ within 2 s/,
    );
    await assert.rejects(fetchChecked(`${web.url}/missing`, options), /answered HTTP 404 for \/missing/);
    await assert.rejects(fetchChecked(`${web.url}/error`, options), /answered HTTP 500 for \/error/);
    const page = await fetchChecked(`${web.url}/articles/strike.html`, options);
    assert.equal(page.status, 200);
    assert.match(page.body, /Royal Hallamshire/);
  });

  it('honours robots.txt, names itself, and asks one host one request at a time', async () => {
    const fetcher = new PoliteFetcher({ allowLoopback: true }, 0);
    await assert.rejects(
      fetcher.fetch(`${web.url}/private/secret.html`, HTML_TYPES),
      /robots\.txt does not allow fetching \/private\/secret\.html/,
    );
    const pages = await Promise.all([
      fetcher.fetch(`${web.url}/articles/strike.html`, HTML_TYPES),
      fetcher.fetch(`${web.url}/articles/ballot.html`, HTML_TYPES),
    ]);
    assert.equal(pages.length, 2);
    assert.equal(web.hits.get('/robots.txt'), 1, 'robots.txt read once per host');
  });
});

describe('the article file', () => {
  it('reads back verbatim: Markdown markers at the start of a paragraph and in its text stay characters', () => {
    const paragraphs = [
      '# not a heading',
      '1. not a list',
      '> not a quote',
      'a [bracket](x) and <tag> and a \\ backslash',
    ];
    const markdown = articleMarkdown(
      { title: 'Title: with a colon', url: 'https://example.org/a' },
      paragraphs,
      '2016-05-02T00:00:00.000Z',
    );
    const parsed = parseMarkdown(markdown);
    assert.deepEqual(parsed.lines, paragraphs);
    assert.equal(parsed.given.title, 'Title: with a colon');
    assert.deepEqual(parsed.warnings, []);
  });
});

describe('npm run add', () => {
  let web: TestWeb;
  before(async () => {
    web = await new TestWeb().start();
  });
  after(async () => web.close());

  it('cites a page by its own address when its canonical link names another site', async () => {
    const { corpusDir, env } = webWorkspace('add-canonical-');
    const result = await runNode(['src/cli/add.ts', '--json', `${web.url}/claims-elsewhere.html`], env);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { added: { url: string; file: string }[] };
    assert.equal(report.added[0]?.url, `${web.url}/claims-elsewhere.html`);
    const stored = readFileSync(join(corpusDir, report.added[0]?.file ?? ''), 'utf8');
    assert.doesNotMatch(stored, /10\.0\.0\.1/);
  });

  it('adds an article once, answerable with a citation of it; says why it skips the rest, leaving corpus and index as they were', async () => {
    const { corpusDir, env } = webWorkspace('add-');
    const config = testConfig(env);
    await updateIndex({ config, logger: createLogger('silent') });

    const result = await runNode(['src/cli/add.ts', '--json', `${web.url}/articles/strike.html`], env);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      added: { url: string; file: string; title: string; passages: number }[];
      skipped: { url: string; reason: string }[];
      ms: number;
    };
    assert.equal(report.added.length, 1);
    const [added] = report.added;
    assert.equal(added?.title, 'Porters join the junior doctors’ walkout');
    assert.match(added?.file ?? '', /^web\/127\.0\.0\.1\/porters-join-the-junior-doctors-walkout-[0-9a-f]{8}\.md$/);
    assert.ok((added?.passages ?? 0) >= 1);
    const stored = readFileSync(join(corpusDir, added?.file ?? ''), 'utf8');
    assert.match(
      stored,
      /^---\ntitle: "Porters join the junior doctors’ walkout"\nauthor: "Ann Reporter"\npublication: "The Test Gazette"\nurl: "http:\/\/127\.0\.0\.1:\d+\/articles\/strike\.html"\ndate: "2016-05-02"\nfetched: "/,
    );
    for (const paragraph of STRIKE_PARAGRAPHS) assert.ok(stored.includes(paragraph));

    const engine = await AnswerEngine.open(config);
    const answer = await engine.answer('Did the porters at the Royal Hallamshire vote to join the walkout?');
    assert.equal(answer.abstained, false);
    assert.equal(answer.passages[0]?.citation.url, `${web.url}/articles/strike.html`);
    assert.equal(answer.passages[0]?.citation.publication, 'The Test Gazette');
    await engine.close();

    const version = currentVersion(config.indexDir);
    const files = () => readdirSync(join(corpusDir, 'web/127.0.0.1'));
    const bad = [
      [`${web.url}/articles/strike.html`, /already in the corpus as web\/127\.0\.0\.1\//],
      [`${web.url}/mirror/strike.html`, /the same text is already in the corpus/],
      [`${web.url}/empty.html`, /no article text found on the page/],
      [`${web.url}/doc.pdf`, /is application\/pdf, not text\/html/],
      [`${web.url}/huge.html`, /more than the \d+ bytes allowed/],
      [`${web.url}/slow.html`, /no complete answer .* within 2 s/],
      [`${web.url}/loop-a`, /redirect loop|more than 5 redirects/],
      [`${web.url}/to-internal`, /refused: 10\.0\.0\.1 is a private address/],
      [`${web.url}/private/secret.html`, /robots\.txt does not allow/],
      [`${web.url}/missing`, /answered HTTP 404/],
      [`${web.url}/error`, /answered HTTP 500/],
      ['ftp://example.org/a', /not an http\(s\) URL/],
    ] as const;
    const skipped = await runNode(['src/cli/add.ts', '--json', ...bad.map(([url]) => url)], env);
    assert.equal(skipped.code, 1, 'nothing added: exit 1');
    const second = JSON.parse(skipped.stdout) as typeof report;
    assert.deepEqual(second.added, []);
    bad.forEach(([url, reason], i) => {
      assert.equal(second.skipped[i]?.url, url);
      assert.match(second.skipped[i]?.reason ?? '', reason, url);
    });
    assert.equal(files().length, 1, 'no file written for a skipped URL');
    assert.equal(currentVersion(config.indexDir), version, 'the live index untouched');
    assert.ok(!existsSync(join(corpusDir, 'web/127.0.0.1/.tmp')));

    const text = await runNode(['src/cli/add.ts', `${web.url}/articles/ballot.html`], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /^added {4}Midwives to ballot over staffing \(\d+ passages\) → web\/127\.0\.0\.1\/midwives-to-ballot-over-staffing-[0-9a-f]{8}\.md$/m,
    );
    assert.match(text.stdout, /^1 added, 0 skipped in \d+\.\d s$/m);
  });
});

describe('feeds', () => {
  let web: TestWeb;
  before(async () => {
    web = await new TestWeb().start();
  });
  after(async () => web.close());

  it('npm run feeds adds new items of RSS and Atom feeds, reports bad feeds, and costs one conditional request when nothing is new', async () => {
    const { corpusDir, feedsFile, env } = webWorkspace('feeds-');
    writeFileSync(
      feedsFile,
      `# test feeds\n${web.url}/feed.rss\n${web.url}/feed.atom\n${web.url}/malformed.xml\n${web.url}/no-such-feed\nnot a url\n`,
    );
    const config = testConfig(env);
    await updateIndex({ config, logger: createLogger('silent') });
    type Report = {
      feeds: { url: string; status: string; items?: number; newItems?: number; reason?: string }[];
      added: { title: string; file: string; passages: number }[];
    };
    const poll = async () => {
      const result = await runNode(['src/cli/feeds.ts', '--json'], env);
      assert.equal(result.code, 0, result.stderr);
      return { report: JSON.parse(result.stdout) as Report, stderr: result.stderr };
    };

    const first = await poll();
    assert.deepEqual(
      first.report.feeds.map((feed) => [feed.status, feed.newItems ?? feed.reason ?? '']),
      [
        ['read', 1],
        ['read', 1],
        ['failed', first.report.feeds[2]?.reason ?? ''],
        ['failed', first.report.feeds[3]?.reason ?? ''],
      ],
    );
    assert.match(first.report.feeds[2]?.reason ?? '', /not a readable RSS or Atom feed/);
    assert.match(first.report.feeds[3]?.reason ?? '', /answered HTTP 404/);
    assert.match(first.stderr, /feeds\.txt:6: \\?"not a url\\?" is not an http\(s\) URL/);
    assert.deepEqual(first.report.added.map((article) => article.title).sort(), [
      'Midwives to ballot over staffing',
      'Porters join the junior doctors’ walkout',
    ]);
    assert.ok(first.report.added.every((article) => article.passages >= 1));
    const version = currentVersion(config.indexDir);

    const rssRequests = web.hits.get('/feed.rss') ?? 0;
    const second = await poll();
    assert.equal(second.report.feeds[0]?.status, 'unchanged', 'the RSS feed answered 304 to its ETag');
    assert.equal(web.lastIfNoneMatch, '"rss-1"');
    assert.equal(web.hits.get('/feed.rss'), rssRequests + 1, 'one request for the feed');
    assert.deepEqual(second.report.added, []);
    assert.equal(currentVersion(config.indexDir), version, 'nothing embedded, the index untouched');

    // The same story appears in the RSS feed later: seen as the same article, not added twice.
    web.rssItems.push({ title: 'Midwives to ballot', path: '/articles/ballot.html', guid: 'ballot-rss' });
    const third = await poll();
    assert.equal(third.report.feeds[0]?.newItems, 1);
    assert.deepEqual(third.report.added, []);
    assert.equal(readdirSync(join(corpusDir, 'web/127.0.0.1')).length, 2);
    web.rssItems.pop();
  });

  type PollReport = {
    feeds: { url: string; status: string; newItems?: number }[];
    added: { title: string; file: string }[];
    skipped: { url: string; reason: string }[];
    waiting: number;
  };
  const pollOnce = async (env: Record<string, string>) => {
    const result = await runNode(['src/cli/feeds.ts', '--json'], env);
    return { code: result.code, stderr: result.stderr, report: JSON.parse(result.stdout || '{}') as PollReport };
  };

  it('keeps the ETag when an item fails, tries a failed item on three polls only, and never again one refused', async () => {
    const { feedsFile, env } = webWorkspace('feeds-failing-');
    writeFileSync(feedsFile, `${web.url}/feed.rss\n`);
    web.rssItems.push(
      { title: 'Gone', path: '/gone.html', guid: 'gone-1' },
      { title: 'A PDF', path: '/doc.pdf', guid: 'pdf-1' },
    );
    try {
      await updateIndex({ config: testConfig(env), logger: createLogger('silent') });
      const first = await pollOnce(env);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.report.added.length, 1);
      assert.equal(web.hits.get('/gone.html'), 1);
      assert.equal(web.hits.get('/doc.pdf'), 1);

      const second = await pollOnce(env);
      assert.equal(second.report.feeds[0]?.status, 'unchanged', 'the ETag is still sent after an item failed');
      assert.equal(web.hits.get('/gone.html'), 2, 'the failed item is tried again without the feed');
      assert.equal(web.hits.get('/doc.pdf'), 1, 'a refused item is not tried again');
      assert.equal(second.report.waiting, 1);

      await pollOnce(env);
      assert.equal(web.hits.get('/gone.html'), 3);
      const fourth = await pollOnce(env);
      assert.equal(web.hits.get('/gone.html'), 3, 'given up after three polls');
      assert.equal(fourth.report.waiting, 0);
    } finally {
      web.rssItems.splice(1);
    }
  });

  it('adds at most FEEDS_ITEMS_PER_POLL items a poll and leaves the rest for the next poll', async () => {
    const { feedsFile, env } = webWorkspace('feeds-long-');
    writeFileSync(feedsFile, `${web.url}/long.rss\n`);
    web.longFeedItems = 5;
    const limited = { ...env, FEEDS_ITEMS_PER_POLL: '2' };
    await updateIndex({ config: testConfig(env), logger: createLogger('silent') });
    const counts: [number, number][] = [];
    for (let poll = 0; poll < 4; poll++) {
      const { code, stderr, report } = await pollOnce(limited);
      assert.equal(code, 0, stderr);
      counts.push([report.added.length, report.waiting]);
    }
    assert.deepEqual(counts, [
      [2, 3],
      [2, 1],
      [1, 0],
      [0, 0],
    ]);
  });

  it('keeps what an interrupted poll added, a batch at a time, and asks for none of it again', async () => {
    const { feedsFile, env, config } = webWorkspace('feeds-interrupted-', 60);
    writeFileSync(feedsFile, `${web.url}/long.rss\n`);
    web.longFeedItems = ITEMS_PER_BATCH + 2;
    web.hangingNews.add(ITEMS_PER_BATCH);
    await updateIndex({ config, logger: createLogger('silent') });
    const statePath = join(config.dataDir, 'feeds-state.json');
    const child = spawnProject(['src/cli/feeds.ts'], { ...env, LOG_LEVEL: 'silent' });
    const pending = () => {
      try {
        const state = JSON.parse(readFileSync(statePath, 'utf8')) as Record<string, { pending?: unknown[] }>;
        return state[`${web.url}/long.rss`]?.pending?.length;
      } catch {
        return undefined;
      }
    };
    // The first batch is saved; the poll then hangs on the next page: stopped for good.
    for (let wait = 0; wait < 300 && pending() !== 2; wait++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(pending(), 2, 'the first batch was saved while the poll ran');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    web.hangingNews.clear();
    const before = web.hits.get('/news/0.html');
    const next = await pollOnce(env);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(next.report.added.length, 2, 'only the two items not saved before');
    assert.equal(web.hits.get('/news/0.html'), before, 'an item of the saved batch is not fetched again');
    web.longFeedItems = 0;
  });

  it("takes a poll's articles out of the corpus again when the index cannot be updated, and adds them next time", async () => {
    const { corpusDir, feedsFile, env, config } = webWorkspace('feeds-locked-');
    writeFileSync(feedsFile, `${web.url}/feed.atom\n`);
    await updateIndex({ config, logger: createLogger('silent') });
    const release = acquireIndexLock(config.indexDir);
    let failed;
    try {
      failed = await pollOnce(env);
    } finally {
      release();
    }
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /Another indexing run/);
    assert.equal(existsSync(join(corpusDir, 'web')) && readdirSync(join(corpusDir, 'web/127.0.0.1')).length, 0);
    const next = await pollOnce(env);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(
      next.report.added.map((article) => article.title),
      ['Midwives to ballot over staffing'],
    );
  });

  it('reads a robots.txt served as HTML, and fetches nothing from a host whose robots.txt answers 503', async () => {
    const saved = web.robots;
    try {
      const fetcher = () => new PoliteFetcher({ allowLoopback: true }, 0);
      web.robots = { status: 200, type: 'text/html', body: 'User-agent: *\nDisallow: /articles/\n' };
      await assert.rejects(
        fetcher().fetch(`${web.url}/articles/strike.html`, HTML_TYPES),
        /robots\.txt does not allow/,
      );
      web.robots = { status: 503, type: 'text/plain', body: 'busy' };
      const polite = fetcher();
      await assert.rejects(
        polite.fetch(`${web.url}/articles/strike.html`, HTML_TYPES),
        /robots\.txt answered HTTP 503/,
      );
      web.robots = saved;
      const page = await polite.fetch(`${web.url}/articles/strike.html`, HTML_TYPES);
      assert.equal(page.status, 200, 'asked again once the server answers');
    } finally {
      web.robots = saved;
    }
  });
});

describe('the bot and the web: feeds followed while it runs, /corpus', { timeout: 240_000 }, () => {
  let web: TestWeb;
  let fake: FakeDiscord;
  before(async () => {
    web = await new TestWeb().start();
    fake = await new FakeDiscord().start();
  });
  after(async () => {
    await fake.close();
    await web.close();
  });

  it('answers, without a restart, a question about an article that appeared in a feed while it ran', async () => {
    const { feedsFile, env } = webWorkspace('bot-feeds-');
    writeFileSync(feedsFile, `${web.url}/feed.rss\n`);
    web.rssItems.length = 0;
    const config = testConfig({
      ...env,
      FEEDS_POLL_MINUTES: '0.02',
      DISCORD_TOKEN: TOKEN,
      DISCORD_API_URL: fake.apiUrl,
      COOLDOWN_SECONDS: '0',
    });
    await updateIndex({ config, logger: createLogger('silent') });
    const bot = await startBot(config, createLogger('silent'));
    try {
      const question = 'Did the porters at the Royal Hallamshire vote to join the walkout?';
      const ask = async () => {
        const id = fake.postMessage({ content: `<@${BOT_ID}> ${question}`, mentionBot: true });
        const reply = await fake.waitForRequest(
          (request) =>
            (request.body as { message_reference?: { message_id: string } } | undefined)?.message_reference
              ?.message_id === id,
        );
        return reply.body as { content?: string; embeds?: { url?: string; description?: string }[] };
      };
      assert.doesNotMatch(JSON.stringify((await ask()).embeds ?? []), /Hallamshire/);
      web.rssItems.push({ title: 'Porters join the walkout', path: '/articles/strike.html', guid: 'strike-1' });
      const deadline = Date.now() + 60_000;
      let reply = await ask();
      while (!/Hallamshire/.test(reply.embeds?.[0]?.description ?? '') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        reply = await ask();
      }
      assert.match(reply.embeds?.[0]?.description ?? '', /Royal Hallamshire/);
      assert.equal(reply.embeds?.[0]?.url, `${web.url}/articles/strike.html`);
    } finally {
      await bot.stop(2000);
    }
  });

  /** The bot's final answer to an interaction: the edit of its deferred reply, or its first reply. */
  const answerTo = async (token: string) => {
    const request = await fake.waitForRequest(
      (r) =>
        (r.method === 'PATCH' && r.path.startsWith(`/webhooks/`) && r.path.includes(`/${token}/`)) ||
        (r.method === 'POST' &&
          r.path.endsWith(`/${token}/callback`) &&
          [4, 8].includes((r.body as { type: number }).type)),
      60_000,
    );
    const body = request.body as { data?: Record<string, unknown> } & Record<string, unknown>;
    return (body.data ?? body) as {
      content?: string;
      flags?: number;
      embeds?: { description?: string }[];
      choices?: { name: string; value: string }[];
    };
  };
  const MANAGE_NOTHING = '1024'; // View Channel only

  it('lets managers add and remove articles and feeds, refuses everyone else, and suggests articles to remove', async () => {
    const { corpusDir, feedsFile, env } = webWorkspace('corpus-cmd-');
    const config = testConfig({
      ...env,
      DISCORD_TOKEN: TOKEN,
      DISCORD_API_URL: fake.apiUrl,
      COOLDOWN_SECONDS: '0',
    });
    await updateIndex({ config, logger: createLogger('silent') });
    const bot = await startBot(config, createLogger('silent'));
    const sub = (name: string, options: unknown[] = []) => ({ name, type: 1, options });
    const url = (value: string) => ({ name: 'url', type: 3, value });
    try {
      const refused = fake.slashCommand(
        'corpus',
        [sub('add', [url(`${web.url}/articles/strike.html`)])],
        undefined,
        MANAGE_NOTHING,
      );
      const refusal = await answerTo(refused.token);
      assert.equal(refusal.content, NOT_ALLOWED);
      assert.equal(refusal.flags, 64);

      const add = fake.slashCommand('corpus', [sub('add', [url(`${web.url}/articles/strike.html`)])]);
      const added = await answerTo(add.token);
      assert.match(
        added.content ?? '',
        /^Added \*\*Porters join the junior doctors’ walkout\*\* \(\d+ passages, from <http:\/\/127\.0\.0\.1:\d+\/articles\/strike\.html>\)\. It can be asked about now\.$/,
      );
      const ask = fake.slashCommand('ask', [
        { name: 'question', type: 3, value: 'Did the porters at the Royal Hallamshire vote to join the walkout?' },
      ]);
      assert.match(JSON.stringify((await answerTo(ask.token)).embeds), /Royal Hallamshire/);

      const suggest = fake.autocomplete('corpus', [
        sub('remove', [{ name: 'article', type: 3, value: 'porters', focused: true }]),
      ]);
      const choices = (await answerTo(suggest.token)).choices ?? [];
      assert.equal(choices.length, 1);
      assert.equal(choices[0]?.name, 'Porters join the junior doctors’ walkout');
      const remove = fake.slashCommand('corpus', [
        sub('remove', [{ name: 'article', type: 3, value: choices[0]?.value ?? '' }]),
      ]);
      assert.match(
        (await answerTo(remove.token)).content ?? '',
        /^Removed \*\*Porters join the junior doctors’ walkout\*\* \(\d+ passages\)\.$/,
      );
      assert.deepEqual(readdirSync(join(corpusDir, 'web/127.0.0.1')), []);
      const again = fake.slashCommand('ask', [
        { name: 'question', type: 3, value: 'Did the porters at the Royal Hallamshire vote to join the walkout?' },
      ]);
      assert.doesNotMatch(JSON.stringify((await answerTo(again.token)).embeds ?? []), /Royal Hallamshire/);

      const group = (name: string, options: unknown[] = []) => ({
        name: 'feeds',
        type: 2,
        options: [sub(name, options)],
      });
      const follow = fake.slashCommand('corpus', [group('add', [url(`${web.url}/feed.rss`)])]);
      assert.match((await answerTo(follow.token)).content ?? '', /^Following <http:\/\/127\.0\.0\.1:\d+\/feed\.rss>\./);
      assert.match(readFileSync(feedsFile, 'utf8'), /\/feed\.rss$/m);
      const list = fake.slashCommand('corpus', [group('list')]);
      assert.match((await answerTo(list.token)).content ?? '', /• <http:\/\/127\.0\.0\.1:\d+\/feed\.rss>/);
      const bad = fake.slashCommand('corpus', [group('add', [url('not a url')])]);
      assert.match((await answerTo(bad.token)).content ?? '', /"not a url" is not an http\(s\) URL/);
      const unfollow = fake.slashCommand('corpus', [group('remove', [url(`${web.url}/feed.rss`)])]);
      assert.match((await answerTo(unfollow.token)).content ?? '', /^No longer following/);
      assert.doesNotMatch(readFileSync(feedsFile, 'utf8'), /feed\.rss/);
    } finally {
      await bot.stop(2000);
    }
  });
});
