/**
 * The seed articles, checked line by line against what a person reading them decided: which lines are
 * boilerplate, which are metadata, and that every other line is indexed verbatim.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readCorpus } from '../src/corpus/read-corpus.js';
import { passagesOf } from '../src/index/build/plan.js';
import { PROJECT_ROOT } from './helpers/process.js';

const SEED = join(PROJECT_ROOT, 'test/fixtures/seed-corpus');

/** Lines (or distinctive parts of them) that must appear in no passage. */
const BOILERPLATE = [
  'Sign Up',
  "Get the New Statesman's Morning Call email.",
  'Free trial CSS',
  'Photo: Yannis Gourtsoyannis',
  'credit: Rohin Francis/Flickr',
  'I support JD,s to the moon and back',
  'Please enter your comment!',
  'Please enter your name here',
  'Downloading PDF',
  'This article is over 7 years, 11 months old',
  'Issue 2502',
  '(Pic: Guy Smallman)',
  'Junior doctors, teachers and their supporters march on Downing Street at the end of the first strike day',
  'Sign up for our daily email update',
  'Latest News',
  'Make a donation to Socialist Worker',
  'Help fund the resistance',
];

/** Lines that are metadata, with what they become. */
const EXPECTED_METADATA: Record<string, { title: string; author?: string }> = {
  '000_554e873da87f078f.txt': { title: 'I stand with the junior doctors' },
  '001_6150766b996ef40a.txt': {
    title: "If Jeremy Hunt wants to blame someone for today's strike, he should look in the mirror",
  },
  '002_cc5370e47b0b367d.txt': {
    title: 'Support surges for the junior doctors as they strike, in another bad day for Jeremy Hunt',
    author: 'Cameron Panting',
  },
  '003_9e6904e7f6f5d413.txt': {
    title: 'Junior doctors strike: away from the table, back to the streets',
    author: 'Seb Cooke',
  },
  '004_beb232aafa18ba84.txt': {
    title: 'Now step up the support for crucial junior doctors’ battle',
    author: 'Tomáš Tengely-Evans',
  },
};
const METADATA_LINES = ['By Tomáš Tengely-Evans', 'Cameron Panting'];

const corpus = await readCorpus(SEED);

describe('the seed corpus', () => {
  const { passages } = passagesOf(corpus.articles);

  it('reads all five articles with the expected titles and authors', () => {
    assert.deepEqual(corpus.skipped, []);
    const metadata = Object.fromEntries(
      corpus.articles.map((article) => [
        article.id,
        { title: article.metadata.title, ...(article.metadata.author ? { author: article.metadata.author } : {}) },
      ]),
    );
    assert.deepEqual(metadata, EXPECTED_METADATA);
  });

  it('indexes no boilerplate line', () => {
    for (const line of BOILERPLATE) {
      const found = passages.find((passage) => passage.text.includes(line));
      assert.equal(found, undefined, `"${line}" is in passage ${found?.id}`);
    }
  });

  it('indexes every real paragraph verbatim, in the passages of its own article', () => {
    for (const file of readdirSync(SEED)) {
      const titles = new Set([EXPECTED_METADATA[file]?.title]);
      const own = passages.filter((passage) => passage.articleId === file).map((passage) => passage.text);
      const lines = readFileSync(join(SEED, file), 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !titles.has(line) && !METADATA_LINES.includes(line))
        .filter((line) => !BOILERPLATE.some((boilerplate) => line.includes(boilerplate)));
      assert.ok(lines.length > 5, file);
      for (const line of lines) {
        assert.ok(
          own.some((text) => text.includes(line)),
          `${file}: "${line.slice(0, 60)}…" is not indexed`,
        );
      }
    }
  });

  it('counts the dropped lines by kind', () => {
    const dropped = corpus.articles.flatMap((article) => article.dropped);
    assert.equal(dropped.length, 18);
    const kinds = new Set(dropped.map((line) => line.kind));
    for (const kind of ['newsletter', 'photo', 'banner', 'comments', 'donation', 'navigation'])
      assert.ok(kinds.has(kind as never), kind);
  });

  it('numbers paragraphs within each article and gives every passage a unique id', () => {
    assert.equal(new Set(passages.map((passage) => passage.id)).size, passages.length);
    const fourth = passages.filter((passage) => passage.articleId === '004_beb232aafa18ba84.txt');
    assert.equal(fourth[0]?.paragraphStart, 1);
    assert.match(fourth[0]?.text ?? '', /^Tory health secretary Jeremy Hunt was rocked/);
  });
});
