/**
 * The bot's handle on the answering worker process (see worker.ts): the AnswerService interface, with every
 * call answered by the worker. User errors (bad question, missing index) come back as UserErrors.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config.js';
import { UserError } from '../shared/errors.js';
import type { IndexedArticle } from '../vector-index/store.js';
import type { Answer, AnswerOptions, AnswerService, PassageSource } from './engine.js';
import type { WorkerReply, WorkerRequest, WorkerResult, WorkerSetup } from './worker-protocol.js';

type Pending = { resolve: (value: WorkerResult) => void; reject: (error: Error) => void };
type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class RemoteAnswerEngine implements AnswerService {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(
    private readonly worker: ChildProcess,
    /** Called when the worker has loaded a newer index. */
    onReload: (version: string) => void,
  ) {
    worker.on('message', (message) => {
      const reply = message as WorkerReply;
      if (reply.type === 'reloaded') onReload(reply.version);
      if (!('id' in reply)) return;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (!waiting) return;
      if (reply.type === 'error')
        waiting.reject(
          reply.userError ? new UserError(reply.message) : new Error(`answering worker: ${reply.message}`),
        );
      else waiting.resolve(reply.value);
    });
    worker.on('exit', (code, signal) =>
      this.failAll(new Error(`the answering worker stopped (${signal ?? `exit code ${code}`})`)),
    );
  }

  static async start(config: Config, onReload: (version: string) => void = () => {}): Promise<RemoteAnswerEngine> {
    // worker.ts under tsx (development, tests), worker.js when compiled.
    const typescript = import.meta.url.endsWith('.ts');
    const worker = fork(fileURLToPath(new URL(`./worker.${typescript ? 'ts' : 'js'}`, import.meta.url)), [], {
      serialization: 'advanced',
      execArgv: typescript ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const setup: WorkerSetup = { config };
    worker.send(setup);
    const ready = await new Promise<WorkerReply>((resolve, reject) => {
      worker.once('message', (message) => resolve(message as WorkerReply));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the answering worker exited with code ${code} while starting`)));
    });
    worker.removeAllListeners('exit');
    worker.removeAllListeners('error');
    if (ready.type === 'failed') {
      worker.kill();
      throw ready.userError ? new UserError(ready.message) : new Error(ready.message);
    }
    return new RemoteAnswerEngine(worker, onReload);
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  private request(body: RequestBody): Promise<WorkerResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.worker.connected) {
        reject(new Error('the answering worker is not running'));
        return;
      }
      this.pending.set(id, { resolve, reject });
      this.worker.send({ ...body, id });
    });
  }

  async answer(question: string, options: AnswerOptions = {}): Promise<Answer> {
    return (await this.request({ type: 'answer', question, options })) as Answer;
  }

  async listArticles(): Promise<IndexedArticle[]> {
    return (await this.request({ type: 'articles' })) as IndexedArticle[];
  }

  async source(passageId: string): Promise<PassageSource | undefined> {
    return (await this.request({ type: 'source', passageId })) as PassageSource | undefined;
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
