/** Messages between the bot and its answering worker process (see worker.ts and remote-engine.ts). */
import type { Config } from '../../config/config.js';
import type { Answer, AnswerOptions, PassageSource } from '../../answering/answer.js';
import type { IndexedArticle } from '../../index/store.js';

export interface WorkerSetup {
  config: Config;
}

export type WorkerRequest =
  | { id: number; type: 'answer'; question: string; options: AnswerOptions }
  | { id: number; type: 'articles' }
  | { id: number; type: 'source'; passageId: string };

export type WorkerResult = Answer | IndexedArticle[] | PassageSource | undefined;

export type WorkerReply =
  | { type: 'ready'; articles: number }
  | { type: 'failed'; message: string; userError: boolean }
  | { type: 'reloaded'; version: string }
  | { id: number; type: 'result'; value: WorkerResult }
  | { id: number; type: 'error'; message: string; userError: boolean };
