/** Run as a fresh process by bench/pipeline.ts: loads the index and models, answers once, reports. */
import { AnswerEngine } from '../src/answering/engine.js';
import { loadConfig } from '../src/config/config.js';

const engine = await AnswerEngine.open(loadConfig());
await engine.answer('How many junior doctors voted in favour of industrial action?');
const passages = engine.articles.reduce((sum, article) => sum + article.passageCount, 0);
// performance.now() counts from this process's start.
process.stdout.write(JSON.stringify({ passages, msToReady: performance.now(), rssBytes: process.memoryUsage().rss }));
await engine.close();
