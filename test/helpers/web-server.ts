/**
 * A small web on 127.0.0.1 for the tests of adding articles and following feeds: article pages, an RSS and an
 * Atom feed, and every kind of bad answer (no article, not HTML, too big, too slow, redirect loop, redirect to
 * an internal address, malformed XML, 404, 500). Nothing here ever connects anywhere else.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { testConfig } from './models.js';
import { PROJECT_ROOT } from './process.js';

export const STRIKE_PARAGRAPHS = [
  'Porters at the Royal Hallamshire voted on Monday to join the walkout, the first time support staff have balloted alongside the junior doctors.',
  'Their union said 87 per cent of members who took part backed the action, on a turnout of more than half.',
  'Managers at the trust said emergency services would run as normal and asked patients to keep their appointments.',
];

export const BALLOT_PARAGRAPHS = [
  'Midwives in the north west will ballot for industrial action next month over staffing levels on maternity wards.',
  'The college said the ballot would open on the first of the month and close three weeks later, with results due soon after.',
];

function articlePage(title: string, paragraphs: string[], canonical?: string): string {
  return `<!doctype html><html><head><title>${title}</title>
<meta property="og:title" content="${title}"><meta property="og:site_name" content="The Test Gazette">
<meta name="author" content="Ann Reporter"><meta property="article:published_time" content="2016-05-02">
${canonical ? `<link rel="canonical" href="${canonical}">` : ''}</head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>${title}</h1>
${paragraphs.map((paragraph) => `<p>${paragraph}</p>`).join('\n')}</article><footer>© The Test Gazette</footer></body></html>`;
}

export const CLEANERS_PARAGRAPH =
  'Cleaners at the hospital said they would not cross the picket line when the porters walk out next week.';

/** A paragraph with curly quotes and an accent: in Windows-1252, bytes 0x93, 0x94 and 0xE9. */
export const CAFE_PARAGRAPH =
  'The owner of the hospital café said: “We have served the pickets tea since the first morning of the strike.”';

/** Pages that defeat jsdom and Readability: nesting that costs minutes of CPU, or overflows the stack. */
const deepPage = (open: string, close: string, depth: number) =>
  articlePage('A page nested too deep', STRIKE_PARAGRAPHS).replace(
    /<article>([\s\S]*)<\/article>/,
    (_, inner: string) => `<article>${open.repeat(depth)}${inner}${close.repeat(depth)}</article>`,
  );

export class TestWeb {
  private readonly server: Server;
  port = 0;
  /** Items of the RSS feed; a test adds one to see the bot pick it up. */
  readonly rssItems: { title: string; path: string; guid: string }[] = [
    { title: 'Porters join the walkout', path: '/articles/strike.html', guid: 'strike-1' },
  ];
  /** What /robots.txt answers; a test changes it to see a server error or an HTML answer. */
  robots = { status: 200, type: 'text/plain', body: 'User-agent: *\nDisallow: /private/\n' };
  /** Items of /long.rss, each linking to its own article /news/<n>.html. */
  longFeedItems = 0;
  /** Articles of /long.rss that never finish arriving (to stop a poll half-way). */
  readonly hangingNews = new Set<number>();
  /** How many times each path was requested, and the last conditional headers seen. */
  readonly hits = new Map<string, number>();
  lastIfNoneMatch: string | undefined;

  constructor() {
    this.server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      const html = (body: string) => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
      switch (path) {
        case '/robots.txt':
          response.writeHead(this.robots.status, { 'content-type': this.robots.type }).end(this.robots.body);
          return;
        case '/articles/strike.html':
          html(
            articlePage(
              'Porters join the junior doctors’ walkout',
              STRIKE_PARAGRAPHS,
              `${this.url}/articles/strike.html`,
            ),
          );
          return;
        case '/mirror/strike.html':
          html(articlePage('Porters join the junior doctors’ walkout', STRIKE_PARAGRAPHS));
          return;
        case '/claims-elsewhere.html':
          // A canonical link naming another site's (here: a private) address, which must not become the citation.
          html(articlePage('Cleaners back the porters', [CLEANERS_PARAGRAPH], 'http://10.0.0.1/admin/article'));
          return;
        case '/articles/ballot.html':
          html(articlePage('Midwives to ballot over staffing', BALLOT_PARAGRAPHS));
          return;
        case '/private/secret.html':
          html(articlePage('Not for robots', STRIKE_PARAGRAPHS));
          return;
        case '/deep/divs.html':
          html(deepPage('<div>', '</div>', 1000));
          return;
        case '/deep/bold.html':
          html(deepPage('<b>', '', 5000));
          return;
        case '/cp1252.html':
          response
            .writeHead(200, { 'content-type': 'text/html; charset=windows-1252' })
            .end(
              iconv.encode(
                articlePage('Tea for the pickets at the café', [CAFE_PARAGRAPH, ...BALLOT_PARAGRAPHS]),
                'windows-1252',
              ),
            );
          return;
        case '/latin1-meta.html':
          // No charset in the header: only the page's own <meta http-equiv> says what its bytes are.
          response
            .writeHead(200, { 'content-type': 'text/html' })
            .end(
              iconv.encode(
                articlePage('Café owners back the strike', [CAFE_PARAGRAPH, ...STRIKE_PARAGRAPHS.slice(1)]).replace(
                  '<head>',
                  '<head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">',
                ),
                'windows-1252',
              ),
            );
          return;
        case '/articles/with%20space.html':
          html(
            articlePage('Porters vote again', STRIKE_PARAGRAPHS.slice(0, 2), `${this.url}/articles/with space.html`),
          );
          return;
        case '/feed-deep.rss': {
          const items = [
            ['A page nested too deep', '/deep/bold.html', 'deep-1'],
            ['Porters join the walkout', '/articles/strike.html', 'strike-1'],
          ]
            .map(
              ([title, path, guid]) =>
                `<item><title>${title}</title><link>${this.url}${path}</link><guid>${guid}</guid></item>`,
            )
            .join('');
          response
            .writeHead(200, { 'content-type': 'application/rss+xml' })
            .end(
              `<?xml version="1.0"?><rss version="2.0"><channel><title>Deep Gazette</title>${items}</channel></rss>`,
            );
          return;
        }
        case '/empty.html':
          html(
            '<!doctype html><html><head><title>Home</title></head><body><nav><a href="/a">A</a></nav></body></html>',
          );
          return;
        case '/doc.pdf':
          response.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.4 not a page');
          return;
        case '/huge.html':
          response.writeHead(200, { 'content-type': 'text/html' });
          for (let i = 0; i < 7; i++) response.write(`<p>${'x'.repeat(1024 * 1024)}</p>`);
          response.end();
          return;
        case '/slow.html':
          response.writeHead(200, { 'content-type': 'text/html' });
          response.write('<html><body><p>The beginning of a page that never ends');
          return; // never ends: the fetcher's total timeout must stop it
        case '/loop-a':
          response.writeHead(302, { location: '/loop-b' }).end();
          return;
        case '/loop-b':
          response.writeHead(302, { location: '/loop-a' }).end();
          return;
        case '/to-internal':
          // A private address: refused before any connection is made, so nothing is sent there.
          response.writeHead(302, { location: 'http://10.0.0.1/admin' }).end();
          return;
        case '/error':
          response.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
          return;
        case '/feed.rss': {
          const etag = `"rss-${this.rssItems.length}"`;
          this.lastIfNoneMatch = request.headers['if-none-match'];
          if (request.headers['if-none-match'] === etag) {
            response.writeHead(304, { etag }).end();
            return;
          }
          const items = this.rssItems
            .map(
              (item) =>
                `<item><title>${item.title}</title><link>${this.url}${item.path}</link><guid>${item.guid}</guid></item>`,
            )
            .join('');
          response
            .writeHead(200, { 'content-type': 'application/rss+xml', etag })
            .end(
              `<?xml version="1.0"?><rss version="2.0"><channel><title>Test Gazette</title>${items}</channel></rss>`,
            );
          return;
        }
        case '/feed.atom':
          response
            .writeHead(200, { 'content-type': 'application/atom+xml' })
            .end(
              `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Gazette</title>` +
                `<id>urn:test:atom</id><updated>2016-05-02T00:00:00Z</updated>` +
                `<entry><title>Midwives to ballot</title><id>urn:test:ballot</id><link href="${this.url}/articles/ballot.html"/>` +
                `<updated>2016-05-02T00:00:00Z</updated></entry></feed>`,
            );
          return;
        case '/malformed.xml':
          response
            .writeHead(200, { 'content-type': 'application/rss+xml' })
            .end('<rss><channel><item><title>oops</channel>');
          return;
        case '/long.rss': {
          const items = Array.from(
            { length: this.longFeedItems },
            (_, n) =>
              `<item><title>Council notice ${n}</title><link>${this.url}/news/${n}.html</link><guid>news-${n}</guid></item>`,
          ).join('');
          response
            .writeHead(200, { 'content-type': 'application/rss+xml', etag: `"long-${this.longFeedItems}"` })
            .end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Notices</title>${items}</channel></rss>`);
          return;
        }
        default: {
          const notice = /^\/news\/(\d+)\.html$/.exec(path);
          if (notice && this.hangingNews.has(Number(notice[1]))) {
            response.writeHead(200, { 'content-type': 'text/html' }).write('<html><body><p>Still coming');
            return;
          }
          if (notice) {
            html(
              articlePage(`Council notice ${notice[1]}`, [
                `Council notice number ${notice[1]} says the library on street ${notice[1]} will close for repairs.`,
              ]),
            );
            return;
          }
          response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        }
      }
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await new Promise((resolve) => this.server.once('listening', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A copy of the seed corpus, a data folder and a feeds file, and settings to fetch from the local web. */
export function webWorkspace(prefix: string, fetchTimeoutSeconds = 2) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const corpusDir = join(root, 'corpus');
  cpSync(join(PROJECT_ROOT, 'test/fixtures/seed-corpus'), corpusDir, { recursive: true });
  const feedsFile = join(root, 'feeds.txt');
  const env = {
    ENV_FILE: '.env.test',
    CORPUS_DIR: corpusDir,
    DATA_DIR: join(root, 'data'),
    // .env.test names a shared INDEX_DIR; each workspace gets its own.
    INDEX_DIR: join(root, 'data', 'index'),
    FEEDS_FILE: feedsFile,
    ALLOW_LOOPBACK_URLS: 'true',
    FETCH_DELAY_MS: '0',
    FETCH_TIMEOUT_SECONDS: String(fetchTimeoutSeconds),
  };
  return { corpusDir, feedsFile, env, config: testConfig(env) };
}
