import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAuthorNote, parseArticleLines } from '../src/corpus/article.js';
import { parseHtml, parseMarkdown, parseText } from '../src/corpus/formats.js';
import { parseArticleFile } from '../src/corpus/read-corpus.js';

const parse = (lines: string[], given = {}) => parseArticleLines({ lines, given, fallbackTitle: 'fallback name' });

describe('article metadata rules', () => {
  it('takes the first headline-like line as the title, skipping captions and bylines', () => {
    const article = parse([
      'Pickets outside UCLH. Photo: Yannis Gourtsoyannis',
      'By Tomáš Tengely-Evans',
      'Support surges for the junior doctors',
      'The march moved off from St Thomas’ hospital.',
    ]);
    assert.equal(article.metadata.title, 'Support surges for the junior doctors');
    assert.equal(article.metadata.author, 'Tomáš Tengely-Evans');
    assert.deepEqual(article.paragraphs, ['The march moved off from St Thomas’ hospital.']);
    assert.equal(article.dropped.length, 1);
  });

  it('reads the author from a "…, writes Name." standfirst and keeps that paragraph', () => {
    const standfirst = 'Now is the time to press the advantage, not return to negotiations, writes Seb Cooke.';
    const article = parse(['Away from the table, back to the streets', standfirst, 'Body text here.']);
    assert.equal(article.metadata.author, 'Seb Cooke');
    assert.deepEqual(article.paragraphs, [standfirst, 'Body text here.']);
  });

  it('reads a signature line followed by a bio as the author, keeping the bio', () => {
    const article = parse([
      'A headline for this',
      'Body.',
      'Cameron Panting',
      'Cameron Panting was formerly an organiser.',
    ]);
    assert.equal(article.metadata.author, 'Cameron Panting');
    assert.deepEqual(article.paragraphs, ['Body.', 'Cameron Panting was formerly an organiser.']);
  });

  it('lets given metadata win and falls back to the file name when nothing reads like a title', () => {
    const given = parse(['A headline for this', 'By Someone Else', 'Body.'], {
      title: 'Given title',
      author: 'Given Author',
    });
    assert.equal(given.metadata.title, 'Given title');
    assert.equal(given.metadata.author, 'Given Author');
    assert.deepEqual(given.paragraphs, ['A headline for this', 'Body.']);
    const none = parse(['Only a sentence that ends with a full stop.']);
    assert.equal(none.metadata.title, 'fallback name');
  });
});

describe('a note about the writer', () => {
  it("is a paragraph beginning with the author's full name and is, was, has or had", () => {
    const author = 'Justin Madders';
    assert.ok(isAuthorNote('Justin Madders is Labour MP for Ellesmere Port and Neston.', author));
    assert.ok(isAuthorNote('Justin Madders was formerly a councillor.', author));
    assert.equal(isAuthorNote('Justin Madders said the talks had failed.', author), false);
    assert.equal(isAuthorNote('Labour MP Justin Madders is angry.', author), false);
    assert.equal(isAuthorNote('Justin Madders is Labour MP.', undefined), false);
    assert.equal(
      isAuthorNote('Madders is Labour MP.', 'Madders'),
      false,
      'one word is too little to know the writer by',
    );
  });
});

describe('formats', () => {
  it('plain text: one paragraph per line, but hard-wrapped blocks are joined', () => {
    assert.deepEqual(parseText('Title\n\nOne.\nTwo.\n'), ['Title', 'One.', 'Two.', '']);
    const wrapped = [
      'This paragraph was wrapped by an editor at a fixed width of about',
      'seventy characters, as plain text emails and old archives often are,',
      'and it ends here.',
      '',
      'A second paragraph that is also wrapped at the very same fixed width',
      'so that the detector has enough lines to decide that it is wrapped.',
      'The end.',
    ].join('\n');
    const paragraphs = parseText(wrapped);
    assert.equal(paragraphs.length, 2);
    assert.match(paragraphs[0] ?? '', /^This paragraph .* of about seventy characters, .* ends here\.$/);
  });

  it('markdown: front matter, heading as title, links reduced to their text, lists as paragraphs', () => {
    const { lines, given } = parseMarkdown(
      [
        '---',
        'author: Jane Doe',
        'publication: The Paper',
        'url: https://example.org/a',
        'date: 2016-04-27',
        '---',
        '# The headline',
        '',
        'A paragraph with a [link](https://example.org) that',
        'wraps onto a second line.',
        '',
        '![photo](x.jpg)',
        '',
        '- first item',
        '- second item',
        '',
        '```',
        'code()',
        '```',
      ].join('\n'),
    );
    assert.deepEqual(given, {
      title: 'The headline',
      author: 'Jane Doe',
      publication: 'The Paper',
      url: 'https://example.org/a',
      date: '2016-04-27',
    });
    assert.deepEqual(
      lines.filter((line) => line !== ''),
      ['A paragraph with a link that wraps onto a second line.', 'first item', 'second item'],
    );
  });

  it('markdown written the usual way (front matter, blank line, # Title): the heading is the title, not paragraph 1', () => {
    const first = 'Junior doctors walked out again on Tuesday, and the picket lines were larger than ever.';
    const second = 'Nurses and porters joined them on the picket lines outside the hospital in the cold.';
    const body = `# Strike: day two\n\n${first}\n\n${second}\n`;
    for (const frontMatter of [
      'title: "Strike: day two"\nauthor: Ann',
      'title: "strike:  Day two"',
      'author: Ann',
      '',
    ]) {
      const article = parseArticleFile(`---\n${frontMatter}\n---\n\n${body}`, 'md', 'strike.md');
      assert.deepEqual(article.paragraphs, [first, second], frontMatter);
      assert.match(article.metadata.title, /^strike: +day two$/i, frontMatter);
    }
    // With no front matter, and after blank lines, too; a heading that differs from the title stays text.
    assert.deepEqual(parseArticleFile(`\n\n${body}`, 'md', 'strike.md').paragraphs, [first, second]);
    const other = parseArticleFile(`---\ntitle: Another title\n---\n\n${body}`, 'md', 'strike.md');
    assert.deepEqual(other.paragraphs, ['Strike: day two', first, second]);
  });

  it('html: main text through Readability, metadata from meta tags, captions dropped', () => {
    const body = Array.from(
      { length: 6 },
      (_, i) =>
        `<p>Paragraph ${i + 1} of the story, long enough to count as article text for the extractor, with commas, and more words.</p>`,
    ).join('');
    const html = `<!doctype html><html><head><title>Site | Story</title>
      <meta property="og:title" content="The story headline">
      <meta property="og:site_name" content="The Paper">
      <meta name="author" content="Jane Doe">
      <meta property="article:published_time" content="2016-04-27">
      <link rel="canonical" href="https://example.org/story"></head>
      <body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
      <article><h1>The story headline</h1>${body}<figure><img src="a.jpg"><figcaption>Pickets at dawn</figcaption></figure></article>
      <footer>Copyright</footer></body></html>`;
    const article = parseArticleFile(html, 'html', 'story.html');
    assert.deepEqual(article.metadata, {
      title: 'The story headline',
      author: 'Jane Doe',
      publication: 'The Paper',
      url: 'https://example.org/story',
      date: '2016-04-27',
    });
    assert.equal(article.paragraphs.length, 6);
    assert.match(article.paragraphs[0] ?? '', /^Paragraph 1 of the story/);
    assert.ok(!article.paragraphs.some((paragraph) => /Home|Copyright|Pickets at dawn/.test(paragraph)));
    assert.ok(article.dropped.some((line) => line.kind === 'photo' && line.text === 'Pickets at dawn'));
    assert.ok(parseHtml(html).lines.length >= 6);
  });
});
