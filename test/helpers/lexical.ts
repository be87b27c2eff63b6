/**
 * A LexicalIndex over a few texts, in an in-memory store: each text is a passage (its label) of an article of
 * its own, "a<label>".
 */
import { LexicalIndex } from '../../src/retrieval/lexical.js';
import { PassageStore } from '../../src/index/passage-store.js';

export function lexicalIndexOf(documents: { label: number; text: string }[]): LexicalIndex {
  const store = PassageStore.create(':memory:');
  store.transaction(() => {
    for (const { label, text } of documents) {
      store.addArticle(
        { id: `a${label}`, title: `Article ${label}`, paragraphCount: 1, passageCount: 1, contentHash: `h${label}` },
        [
          {
            label,
            passage: {
              id: `p${label}`,
              articleId: `a${label}`,
              paragraphStart: 1,
              paragraphEnd: 1,
              text,
              embeddingKey: `k${label}`,
            },
          },
        ],
      );
    }
  });
  return new LexicalIndex(store, store.count);
}
