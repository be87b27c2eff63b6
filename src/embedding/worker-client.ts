/**
 * The bot's handle on the model worker process: the same interfaces as the in-process embedder and
 * cross-encoder, with every call answered by the worker (see worker.ts for why it is a process).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { UserError } from '../shared/errors.js';
import type { TextEmbedder } from './embedder.js';
import type { ModelLocations } from './load-model.js';
import type { EmbeddingSpec } from './model-spec.js';
import type { PassageScorer } from './reranker.js';
import type { WorkerSetup } from './worker.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

type Pending = { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void };
type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class WorkerModels implements TextEmbedder, PassageScorer {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(
    private readonly worker: ChildProcess,
    readonly spec: EmbeddingSpec,
    readonly dimensions: number,
    readonly fingerprint: string | undefined,
    readonly hasReranker: boolean,
  ) {
    worker.on('message', (message) => {
      const reply = message as WorkerReply;
      if (!('id' in reply)) return;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (!waiting) return;
      if (reply.type === 'error') waiting.reject(new Error(`model worker: ${reply.message}`));
      else waiting.resolve(reply);
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => this.failAll(new Error(`model worker exited with code ${code}`)));
  }

  static async start(
    spec: EmbeddingSpec,
    locations: ModelLocations,
    rerankModel: string | undefined,
  ): Promise<WorkerModels> {
    // worker.ts under tsx (development, tests), worker.js when compiled.
    const typescript = import.meta.url.endsWith('.ts');
    const worker = fork(fileURLToPath(new URL(`./worker.${typescript ? 'ts' : 'js'}`, import.meta.url)), [], {
      serialization: 'advanced', // Float32Array vectors cross as typed arrays, not JSON
      execArgv: typescript ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const setup: WorkerSetup = { spec, locations, rerankModel };
    worker.send(setup);
    const ready = await new Promise<WorkerReply>((resolve, reject) => {
      worker.once('message', (message) => resolve(message as WorkerReply));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`model worker exited with code ${code} while starting`)));
    });
    worker.removeAllListeners('exit');
    worker.removeAllListeners('error');
    if (ready.type === 'failed') {
      worker.kill();
      throw ready.userError ? new UserError(ready.message) : new Error(ready.message);
    }
    if (ready.type !== 'ready') throw new Error(`model worker sent ${ready.type} before ready`);
    return new WorkerModels(worker, spec, ready.dimensions, ready.fingerprint, rerankModel !== undefined);
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  private request(body: RequestBody): Promise<WorkerReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.worker.connected) {
        reject(new Error('the model worker is not running'));
        return;
      }
      this.pending.set(id, { resolve, reject });
      this.worker.send({ ...body, id });
    });
  }

  async embedQuery(question: string): Promise<Float32Array> {
    const reply = await this.request({ type: 'query', text: question });
    const vector = reply.type === 'vectors' ? reply.vectors[0] : undefined;
    if (!vector) throw new Error('model worker returned no vector');
    return vector;
  }

  async embedPassages(texts: string[], batchSize: number): Promise<Float32Array[]> {
    const reply = await this.request({ type: 'passages', texts, batchSize });
    if (reply.type !== 'vectors') throw new Error(`model worker answered ${reply.type}`);
    return reply.vectors;
  }

  async score(question: string, passages: string[]): Promise<number[]> {
    const reply = await this.request({ type: 'rerank', question, passages });
    if (reply.type !== 'scores') throw new Error(`model worker answered ${reply.type}`);
    return reply.scores;
  }

  async close(): Promise<void> {
    if (this.worker.exitCode !== null || this.worker.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.disconnect(); // the worker exits on disconnect
    const timer = setTimeout(() => this.worker.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
