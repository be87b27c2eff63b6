/**
 * The answering worker: a child process that owns the models, the index and the whole answering pipeline.
 * onnxruntime-node's inference is a synchronous native call, and BM25 and ranking over a large index are
 * plain CPU work; here, neither holds up the bot's event loop (gateway heartbeats, other users' clicks).
 * A process rather than a worker thread, because onnxruntime-node 1.14's native binding is not safe to load
 * in worker threads or to tear down with them (it can abort the whole process).
 */
import { watchFile } from 'node:fs';
import { join } from 'node:path';
import { UserError, errorMessage } from '../../shared/errors.js';
import { AnswerEngine } from '../../answering/engine.js';
import type { WorkerReply, WorkerRequest, WorkerResult, WorkerSetup } from './protocol.js';

const send = (message: WorkerReply) => process.send?.(message);
// When the bot goes away (or closes us), so do we.
process.on('disconnect', () => process.exit(0));

const { config } = await new Promise<WorkerSetup>((resolve) =>
  process.once('message', (message) => resolve(message as WorkerSetup)),
);
try {
  const engine = await AnswerEngine.open(config);
  const reload = () => {
    try {
      if (engine.reloadIfChanged()) send({ type: 'reloaded', version: engine.indexVersion });
    } catch (error) {
      // Keep answering from the index already loaded; the bot logs why the new one was not taken.
      process.stderr.write(`answering worker: the new index could not be loaded: ${errorMessage(error)}\n`);
    }
  };
  watchFile(join(config.indexDir, 'CURRENT'), { interval: 1000 }, reload);
  process.on('message', (message) => {
    const request = message as WorkerRequest;
    const run = async (): Promise<WorkerResult> => {
      switch (request.type) {
        case 'answer':
          reload();
          return engine.answer(request.question, request.options);
        case 'articles':
          return engine.listArticles();
        case 'source':
          return engine.source(request.passageId);
      }
    };
    run().then(
      (value) => send({ id: request.id, type: 'result', value }),
      (error: unknown) =>
        send({ id: request.id, type: 'error', message: errorMessage(error), userError: error instanceof UserError }),
    );
  });
  send({ type: 'ready', articles: engine.articles.length });
} catch (error) {
  send({ type: 'failed', message: errorMessage(error), userError: error instanceof UserError });
}
