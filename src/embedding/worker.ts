/**
 * Worker thread that owns the models. onnxruntime-node's inference is a synchronous native call; running it
 * here keeps the bot's event loop free for gateway heartbeats and other users' interactions.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InProcessEmbedder } from './embedder.js';
import type { ModelLocations } from './load-model.js';
import type { EmbeddingSpec } from './model-spec.js';
import { CrossEncoder } from './reranker.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';
import { UserError, errorMessage } from '../shared/errors.js';

interface Setup {
  spec: EmbeddingSpec;
  locations: ModelLocations;
  rerankModel: string | undefined;
}

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const setup = workerData as Setup;

const reply = (message: WorkerReply) => port.postMessage(message);

try {
  const embedder = await InProcessEmbedder.load(setup.spec, setup.locations);
  const reranker = setup.rerankModel ? await CrossEncoder.load(setup.rerankModel, setup.locations) : undefined;
  reply({ type: 'ready', dimensions: embedder.dimensions, fingerprint: embedder.fingerprint });
  port.on('message', (request: WorkerRequest) => {
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
    run().then(reply, (error: unknown) => reply({ type: 'error', id: request.id, message: errorMessage(error) }));
  });
} catch (error) {
  reply({ type: 'failed', message: errorMessage(error), userError: error instanceof UserError });
}
