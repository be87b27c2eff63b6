/**
 * What answering gives: an Answer (the quoted passages, each with its citation, or a refusal), and the
 * service the bot asks, in this process or in the answering worker. Terminal and Discord show the same Answer.
 */
import type { IndexedArticle, IndexedPassage } from '../index/store.js';
import type { ScoredCandidate } from './rank.js';

/** Relevant passages kept per question, across pages of "More results". */
export const MAX_RESULTS = 15;

export interface Citation {
  articleId: string;
  title: string;
  author?: string;
  publication?: string;
  url?: string;
  date?: string;
  paragraphStart: number;
  paragraphEnd: number;
  part?: { index: number; of: number };
}

export interface AnswerPassage {
  id: string;
  /** 1-based position in the full ranked answer (not just this page). */
  rank: number;
  /** Verbatim article text. */
  text: string;
  /** The sentence that best answers the question, with its offsets in `text`. */
  bestSentence: { text: string; start: number; end: number };
  citation: Citation;
  /** The same text in other articles (syndicated copies): quoted once, cited for each. */
  alsoIn?: Citation[];
  scores: Omit<ScoredCandidate, 'label'>;
}

export interface Answer {
  question: string;
  /** Nothing in the corpus is near the question: no passages. */
  abstained: boolean;
  /** The passages are the closest the corpus comes and may not answer (shown marked as uncertain). */
  closest: boolean;
  /** Why the bot answered or abstained, in words (shown by --explain). */
  reason: string;
  /** Names in the question that no article mentions (then it is refused): shown, so the asker can check them. */
  unknownNames?: string[];
  minRelevance: number;
  /** Where minRelevance came from: the index's calibration or the MIN_RELEVANCE setting. */
  thresholdSource: string;
  passages: AnswerPassage[];
  /** Further relevant passages exist after this page. */
  hasMore: boolean;
  /** With `explain`: the best candidates whatever their relevance, to show why the bot decided as it did. */
  considered?: { id: string; title: string; scores: Omit<ScoredCandidate, 'label'> }[];
}

export interface AnswerOptions {
  /** Passages per page (default 3). */
  limit?: number;
  /** Passages to skip (for "More results"). */
  offset?: number;
  /** Include the top candidates and their signals, answered or not. */
  explain?: boolean;
}

/** The passage behind a "Show source" button: it and its neighbours, with the article's citation. */
export interface PassageSource {
  passages: IndexedPassage[];
  citation: Citation;
}

/**
 * What the Discord bot needs from answering, whether the engine runs in this process or in the answering
 * worker (workers/answering/remote-engine.ts). Newer indexes are picked up before each answer.
 */
export interface AnswerService {
  answer(question: string, options?: AnswerOptions): Promise<Answer>;
  listArticles(): Promise<IndexedArticle[]>;
  source(passageId: string): Promise<PassageSource | undefined>;
  close(): Promise<void>;
}

export function citationOf(passage: IndexedPassage, article: IndexedArticle | undefined): Citation {
  const citation: Citation = {
    articleId: passage.articleId,
    title: article?.title ?? passage.articleId,
    paragraphStart: passage.paragraphStart,
    paragraphEnd: passage.paragraphEnd,
  };
  for (const key of ['author', 'publication', 'url', 'date'] as const) {
    const value = article?.[key];
    if (value) citation[key] = value;
  }
  if (passage.part) citation.part = passage.part;
  return citation;
}
