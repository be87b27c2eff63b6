/**
 * The model worker: a child process that owns the models. onnxruntime-node's inference is a synchronous
 * native call; running it here keeps the bot's event loop free for gateway heartbeats and other users.
 * A process rather than a worker thread, because onnxruntime-node 1.14's native binding is not safe to load
 * in worker threads or to tear down with them (it can abort the whole process).
 */
import { InProcessEmbedder } from './embedder.js';
import type { ModelLocations } from './load-model.js';
import type { EmbeddingSpec } from './model-spec.js';
import { CrossEncoder } from './reranker.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';
import { UserError, errorMessage } from '../shared/errors.js';

export interface WorkerSetup {
  spec: EmbeddingSpec;
  locations: ModelLocations;
  rerankModel: string | undefined;
}

const send = (message: WorkerReply) => process.send?.(message);
// When the bot goes away (or closes us), so do we.
process.on('disconnect', () => process.exit(0));

const setup = await new Promise<WorkerSetup>((resolve) =>
  process.once('message', (message) => resolve(message as WorkerSetup)),
);
try {
  const embedder = await InProcessEmbedder.load(setup.spec, setup.locations);
  const reranker = setup.rerankModel ? await CrossEncoder.load(setup.rerankModel, setup.locations) : undefined;
  process.on('message', (message) => {
    const request = message as WorkerRequest;
    const run = async (): Promise<WorkerReply> => {
      switch (request.type) {
        case 'query':
          return { type: 'vectors', id: request.id, vectors: [await embedder.embedQuery(request.text)] };
        case 'passages':
          return {
            type: 'vectors',
            id: request.id,
            vectors: await embedder.embedPassages(request.texts, request.batchSize),
          };
        case 'rerank':
          if (!reranker) throw new Error('no re-ranking model is loaded');
          return { type: 'scores', id: request.id, scores: await reranker.score(request.question, request.passages) };
      }
    };
    run().then(send, (error: unknown) => send({ type: 'error', id: request.id, message: errorMessage(error) }));
  });
  send({ type: 'ready', dimensions: embedder.dimensions, fingerprint: embedder.fingerprint });
} catch (error) {
  send({ type: 'failed', message: errorMessage(error), userError: error instanceof UserError });
}
