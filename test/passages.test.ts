import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkParagraphs, splitLongParagraph } from '../src/corpus/passages.js';
import { splitSentences } from '../src/text/sentences.js';

const long = (n: number) => `This is sentence number ${n} of a long paragraph, written to take up room in the test.`;

describe('chunkParagraphs', () => {
  it('keeps ordinary paragraphs as one passage each, with their paragraph numbers', () => {
    const paragraphs = [long(1) + ' ' + long(2), long(3) + ' ' + long(4)];
    const chunks = chunkParagraphs(paragraphs);
    assert.deepEqual(
      chunks.map((chunk) => [chunk.paragraphStart, chunk.paragraphEnd, chunk.text]),
      [
        [1, 1, paragraphs[0]],
        [2, 2, paragraphs[1]],
      ],
    );
  });

  it('joins a short paragraph (a quote continued) to the one before it, verbatim with a blank line', () => {
    const first =
      'Sarah Hallet sits on the committee. She said, “It was as well, if not better, supported than before.';
    const second = '“We were happy to take part.”';
    const chunks = chunkParagraphs([first, second, long(3) + ' ' + long(4)]);
    assert.equal(chunks.length, 2);
    assert.equal(chunks[0]?.text, `${first}\n\n${second}`);
    assert.deepEqual([chunks[0]?.paragraphStart, chunks[0]?.paragraphEnd], [1, 2]);
  });

  it('joins a short heading-like paragraph to the one after it', () => {
    const chunks = chunkParagraphs([
      long(1) + ' ' + long(2),
      'Strikers and their supporters march',
      long(3) + ' ' + long(4),
    ]);
    assert.equal(chunks.length, 2);
    assert.equal(chunks[1]?.text, `Strikers and their supporters march\n\n${long(3)} ${long(4)}`);
    assert.deepEqual([chunks[1]?.paragraphStart, chunks[1]?.paragraphEnd], [2, 3]);
  });

  it('never joins past the maximum size', () => {
    const big = Array.from({ length: 11 }, (_, i) => long(i)).join(' ');
    // Room for the paragraph, not for the paragraph plus the aside.
    const chunks = chunkParagraphs([big, 'A short aside.'], { minChars: 100, maxChars: big.length + 10 });
    assert.deepEqual(
      chunks.map((chunk) => chunk.text),
      [big, 'A short aside.'],
    );
  });

  it('never lets a heading joined to a long paragraph carry it past the maximum: the heading leads its first part', () => {
    const heading = 'Strikers and their supporters march';
    const paragraph = Array.from({ length: 55 }, (_, i) => long(i)).join(' ');
    assert.ok(paragraph.length > 4600);
    const chunks = chunkParagraphs([long(1) + ' ' + long(2), heading, paragraph]);
    const [first, ...rest] = chunks.slice(1);
    assert.ok(rest.length >= 3);
    for (const chunk of chunks) assert.ok(chunk.text.length <= 1200, `${chunk.text.length} characters`);
    assert.ok(first?.text.startsWith(`${heading}\n\n${long(0)}`));
    assert.deepEqual([first?.paragraphStart, first?.paragraphEnd], [2, 3]);
    const body = first?.text.slice(heading.length + 2) ?? '';
    assert.ok(paragraph.startsWith(body), 'the heading, a blank line, then an exact slice');
    for (const chunk of rest) {
      assert.ok(paragraph.includes(chunk.text), 'verbatim slice');
      assert.deepEqual([chunk.paragraphStart, chunk.paragraphEnd], [3, 3]);
    }
    assert.equal([body, ...rest.map((chunk) => chunk.text)].join(' '), paragraph);
  });

  it('cuts a title line plus one huge line with no sentence end into passages of at most the maximum', () => {
    const runaway = 'picket '.repeat(3_000_000).trim();
    const chunks = chunkParagraphs(['The strike diary', runaway]);
    assert.ok(chunks.length > 15_000);
    assert.ok(chunks.every((chunk) => chunk.text.length <= 1200));
    assert.match(chunks[0]?.text ?? '', /^The strike diary\n\npicket( picket)*$/);
    assert.ok((chunks[0]?.text.length ?? 0) > 1100, 'the heading shares its part, which is filled');
    // A "word" too long to stand beside the heading: the heading is a passage of its own, numbered so.
    const blob = 'x'.repeat(5000);
    const cut = chunkParagraphs(['A heading', blob]);
    assert.deepEqual(
      cut.map((chunk) => [chunk.paragraphStart, chunk.paragraphEnd, chunk.text.length]),
      [
        [1, 1, 9],
        [2, 2, 1200],
        [2, 2, 1200],
        [2, 2, 1200],
        [2, 2, 1200],
        [2, 2, 200],
      ],
    );
  });

  it('splits a long paragraph at sentence boundaries into balanced parts whose text is an exact slice', () => {
    const paragraph = Array.from({ length: 30 }, (_, i) => long(i)).join(' ');
    const parts = splitLongParagraph(paragraph, 7, 1200);
    assert.ok(parts.length >= 3);
    for (const [index, part] of parts.entries()) {
      assert.ok(paragraph.includes(part.text), 'verbatim slice');
      assert.ok(part.text.length <= 1200);
      assert.match(part.text, /^This is sentence/);
      assert.match(part.text, /test\.$/);
      assert.deepEqual(part.part, { index: index + 1, of: parts.length });
      assert.equal(part.paragraphStart, 7);
    }
    const lengths = parts.map((part) => part.text.length);
    assert.ok(Math.max(...lengths) - Math.min(...lengths) < 200, `balanced: ${lengths.join(', ')}`);
    assert.equal(parts.map((part) => part.text).join(' '), paragraph);
  });
});

describe('splitSentences', () => {
  it('splits at sentence ends, keeps quotes with their sentence, and reports exact offsets', () => {
    const text = 'He said, “It was well supported.” Then he left! Did it work? It did… mostly.';
    const sentences = splitSentences(text);
    assert.deepEqual(
      sentences.map((sentence) => sentence.text),
      ['He said, “It was well supported.”', 'Then he left!', 'Did it work?', 'It did… mostly.'],
    );
    for (const sentence of sentences) assert.equal(text.slice(sentence.start, sentence.end), sentence.text);
  });
});
