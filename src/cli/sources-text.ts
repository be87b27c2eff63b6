import { sourceText } from '../present/answer-text.js';
import type { IndexedArticle } from '../index/store.js';

/** The indexed articles as a list for a terminal. */
export function formatSources(articles: IndexedArticle[]): string {
  const lines = articles.map((article) => {
    const source = sourceText(article);
    return `- ${article.title}${source ? ` — ${source}` : ''} (${article.passageCount} passages; ${article.id})${article.url ? `\n  ${article.url}` : ''}`;
  });
  return `${articles.length} articles in the index:\n${lines.join('\n')}\n`;
}
