/**
 * The SQLite passage store: what an edit in place relies on (removing an article undoes everything adding it
 * did) and BM25 computed from FTS5's postings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PassageStore, type IndexedPassage } from '../src/index/passage-store.js';

function passage(label: number, articleId: string, text: string): { label: number; passage: IndexedPassage } {
  return {
    label,
    passage: {
      id: `p${label}`,
      articleId,
      paragraphStart: label,
      paragraphEnd: label,
      text,
      embeddingKey: `k${label}`,
    },
  };
}

function storeWith(articles: Record<string, string[]>): PassageStore {
  const store = PassageStore.create(':memory:');
  let label = 0;
  store.transaction(() => {
    for (const [id, texts] of Object.entries(articles)) {
      const passages = texts.map((text) => passage(label++, id, text));
      store.addArticle(
        { id, title: id, paragraphCount: texts.length, passageCount: texts.length, contentHash: `hash-${id}` },
        passages,
      );
    }
  });
  return store;
}

const idf = (store: PassageStore) => (term: string) => {
  const n = store.documentFrequency(term);
  return Math.log(1 + (store.count - n + 0.5) / (n + 0.5));
};

describe('PassageStore', () => {
  it('scores BM25 (k1 1.2, b 0.75, length in distinct terms) times the number of question terms held', () => {
    const store = storeWith({
      a: ['Nurses strike strike today.'],
      b: ['Doctors strike.'],
      c: ['Nurses and doctors met ministers yesterday.'],
    });
    const hits = store.bm25(['nurs', 'strike'], 10, { idf: idf(store), k1: 1.2, b: 0.75 });
    // By hand: distinct-term lengths 3, 2, 5 (average 10/3); df nurs 2, strike 2 of 3 passages.
    const w = Math.log(1 + 1.5 / 2.5);
    const part = (tf: number, length: number) => (tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * length) / (10 / 3)));
    const expected = new Map([
      [0, (w * part(1, 3) + w * part(2, 3)) * 2],
      [1, w * part(1, 2)],
      [2, w * part(1, 5)],
    ]);
    assert.deepEqual(
      hits.map((hit) => hit.label),
      [0, 1, 2],
    );
    for (const hit of hits)
      assert.ok(Math.abs(hit.score - (expected.get(hit.label) ?? 0)) < 1e-9, `label ${hit.label}`);
    assert.deepEqual(
      store.bm25(['nurs', 'strike'], 10, { idf: idf(store), k1: 1.2, b: 0.75 }, 'a').map((hit) => hit.label),
      [1, 2],
    );
  });

  it('removing an article takes back its passages, postings, term counts and acronyms', () => {
    const store = storeWith({
      a: ['The TUC backed the strike.', 'Picket lines formed.'],
      b: ['Doctors walked out on strike.'],
    });
    assert.equal(store.documentFrequency('strike'), 2);
    assert.equal(store.isAcronym('tuc'), true);
    assert.deepEqual(store.termsStartingWith('pick'), ['picket']);
    const removed = store.transaction(() => store.removeArticle('a'));
    assert.deepEqual(removed, [0, 1]);
    assert.equal(store.count, 1);
    assert.equal(store.get(0), undefined);
    assert.equal(store.byId('p1'), undefined);
    assert.equal(store.documentFrequency('strike'), 1);
    assert.equal(store.documentFrequency('tuc'), 0);
    assert.equal(store.isAcronym('tuc'), false);
    assert.deepEqual(store.termsStartingWith('pick'), []);
    assert.deepEqual(
      store.bm25(['tuc', 'picket', 'strike'], 10, { idf: idf(store), k1: 1.2, b: 0.75 }).map((hit) => hit.label),
      [2],
    );
    assert.deepEqual(
      store.articles().map((article) => article.id),
      ['b'],
    );
    assert.equal(store.articleIdOf(2), 'b');
    assert.equal(store.articleIdOf(0), undefined);
  });

  it('keeps files and parse results, dropping parse results of hashes no longer in the corpus', () => {
    const store = storeWith({ a: ['Text.'] });
    store.setFiles(new Map([['a.txt', { size: 5, mtimeMs: 1234.5, contentHash: 'h1' }]]));
    assert.deepEqual(store.files().get('a.txt'), { size: 5, mtimeMs: 1234.5, contentHash: 'h1' });
    store.setParsed(
      new Map([
        ['h1', { paragraphs: ['x'] }],
        ['h2', { paragraphs: ['y'] }],
      ]),
      new Set(['h1', 'h2']),
    );
    store.setParsed(new Map(), new Set(['h2']));
    assert.equal(store.parsed('h1'), undefined);
    assert.deepEqual(store.parsed('h2'), { paragraphs: ['y'] });
  });
});
