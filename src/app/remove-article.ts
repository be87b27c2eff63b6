/**
 * Removing an article: its file leaves the corpus and the incremental index update drops its passages.
 * Only an article the index knows can be removed, and only a file inside CORPUS_DIR. If the index cannot be
 * updated, the file is put back.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { UserError } from '../shared/errors.js';
import { readIndexedArticles } from '../index/store.js';
import { updateIndexOrUndo, type IndexSummary } from './update-index.js';

export interface RemoveReport {
  articleId: string;
  title: string;
  passages: number;
  index: IndexSummary | undefined;
}

export async function removeArticle(
  articleId: string,
  { config, logger }: { config: Config; logger: Logger },
): Promise<RemoveReport> {
  const article = readIndexedArticles(config.indexDir).find((entry) => entry.id === articleId);
  const path = resolve(config.corpusDir, articleId);
  if (!article || relative(config.corpusDir, path).startsWith('..')) {
    throw new UserError(`No article "${articleId}" in the index. Pick one from the list, or see /sources.`);
  }
  const content = readFileSync(path);
  rmSync(path);
  const index = await updateIndexOrUndo({ config, logger }, () => writeFileSync(path, content));
  return { articleId, title: article.title, passages: article.passageCount, index };
}
