/**
 * The bot's handle on the answering worker process (see worker.ts): the AnswerService interface, with every
 * call answered by the worker, and the worker kept alive. When the worker dies (a crash, an out-of-memory
 * kill, `kill -9`), the death is logged, a new worker is started after a short back-off, and the questions
 * that were waiting are sent to it — each at most twice, so a question that kills the worker cannot kill it
 * forever. A worker that keeps dying is given up on (restart-policy.ts) and `onFatal` is called, so the bot
 * can exit non-zero for its supervisor. User errors (bad question, missing index) come back as UserErrors.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Answer, AnswerOptions, AnswerService, PassageSource } from '../../answering/answer.js';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../logging/logger.js';
import { UserError } from '../../shared/errors.js';
import { forkSibling } from '../../shared/fork-module.js';
import type { IndexedArticle } from '../../index/store.js';
import type { WorkerReply, WorkerRequest, WorkerResult, WorkerSetup } from './protocol.js';
import { DEFAULT_RESTART_POLICY, decideRestart, type RestartPolicy } from './restart-policy.js';

type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Pending {
  body: RequestBody;
  /** Workers this request was sent to; a request whose worker died twice is answered with an error. */
  attempts: number;
  resolve: (value: WorkerResult) => void;
  reject: (error: Error) => void;
}

/** A question sent to this many workers that all died is not sent again. */
const MAX_ATTEMPTS = 2;

export interface RemoteEngineOptions {
  logger: Logger;
  /** Called when the worker has loaded a newer index. */
  onReload?: (version: string) => void;
  /** Called when the worker keeps dying and is not restarted again. */
  onFatal?: (reason: string) => void;
  restartPolicy?: RestartPolicy;
}

/** Starts a worker and waits until it has loaded the models and the index (or says why it cannot). */
async function startWorker(config: Config, logger: Logger): Promise<ChildProcess> {
  // The worker's own output goes through the bot's logger, so it is levelled and scrubbed of secrets too.
  const worker = forkSibling(import.meta.url, 'worker', ['ignore', 'pipe', 'pipe', 'ipc']);
  for (const stream of [worker.stdout, worker.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => logger.warn({ line }, 'answering worker'));
  }
  const setup: WorkerSetup = { config };
  worker.send(setup);
  const ready = await new Promise<WorkerReply>((resolve, reject) => {
    worker.once('message', (message) => resolve(message as WorkerReply));
    worker.once('error', reject);
    worker.once('exit', (code, signal) =>
      reject(new Error(`the answering worker stopped while starting (${signal ?? `exit code ${code}`})`)),
    );
  });
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  if (ready.type === 'failed') {
    worker.kill();
    throw ready.userError ? new UserError(ready.message) : new Error(ready.message);
  }
  return worker;
}

export class RemoteAnswerEngine implements AnswerService {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private worker: ChildProcess | undefined;
  private readonly deaths: number[] = [];
  private closing = false;
  private fatal: string | undefined;
  /** Requests made while no worker runs wait here for the next one. */
  private waitingForWorker: (() => void)[] = [];

  private constructor(
    private readonly config: Config,
    private readonly options: RemoteEngineOptions,
    worker: ChildProcess,
  ) {
    this.attach(worker);
  }

  static async start(config: Config, options: RemoteEngineOptions): Promise<RemoteAnswerEngine> {
    return new RemoteAnswerEngine(config, options, await startWorker(config, options.logger));
  }

  /** The running worker's process id (for operators and tests); undefined while it restarts. */
  get workerPid(): number | undefined {
    return this.worker?.pid;
  }

  private attach(worker: ChildProcess): void {
    this.worker = worker;
    worker.on('message', (message) => this.onReply(message as WorkerReply));
    // A send to a worker that has just died fails with EPIPE; its exit (handled below) resends what waits.
    worker.on('error', (error) =>
      this.options.logger.warn({ reason: error.message }, 'the answering worker cannot be reached'),
    );
    worker.once('exit', (code, signal) => this.onExit(worker, code, signal));
    for (const [id, request] of this.pending) this.send(id, request);
    for (const wake of this.waitingForWorker.splice(0)) wake();
  }

  private onReply(reply: WorkerReply): void {
    if (reply.type === 'reloaded') this.options.onReload?.(reply.version);
    if (!('id' in reply)) return;
    const waiting = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if (!waiting) return;
    if (reply.type === 'error') {
      waiting.reject(reply.userError ? new UserError(reply.message) : new Error(`answering worker: ${reply.message}`));
    } else {
      waiting.resolve(reply.value);
    }
  }

  private onExit(worker: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.worker === worker) this.worker = undefined;
    if (this.closing) return;
    const { logger } = this.options;
    const now = Date.now();
    this.deaths.push(now);
    const decision = decideRestart(this.deaths, now, this.options.restartPolicy ?? DEFAULT_RESTART_POLICY);
    logger.error(
      { code, signal, waiting: this.pending.size, ...(decision.restart ? { restartInMs: decision.delayMs } : {}) },
      'the answering worker stopped',
    );
    if (!decision.restart) {
      this.giveUp(decision.reason);
      return;
    }
    setTimeout(() => void this.restart(), decision.delayMs).unref();
  }

  private async restart(): Promise<void> {
    if (this.closing) return;
    try {
      const worker = await startWorker(this.config, this.options.logger);
      if (this.closing) {
        worker.kill();
        return;
      }
      this.options.logger.info({ pid: worker.pid, resent: this.pending.size }, 'the answering worker was restarted');
      this.attach(worker);
    } catch (error) {
      // Starting failed (a worker that dies while loading counts as a death too): decide again.
      this.options.logger.error({ err: error }, 'the answering worker could not be restarted');
      const now = Date.now();
      this.deaths.push(now);
      const decision = decideRestart(this.deaths, now, this.options.restartPolicy ?? DEFAULT_RESTART_POLICY);
      if (decision.restart) setTimeout(() => void this.restart(), decision.delayMs).unref();
      else this.giveUp(decision.reason);
    }
  }

  private giveUp(reason: string): void {
    this.fatal = reason;
    const error = new Error(`${reason}; it is not restarted again`);
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
    for (const wake of this.waitingForWorker.splice(0)) wake();
    this.options.logger.fatal({ reason }, 'giving up on the answering worker');
    this.options.onFatal?.(reason);
  }

  private send(id: number, request: Pending): void {
    if (request.attempts >= MAX_ATTEMPTS) {
      this.pending.delete(id);
      request.reject(new Error('the answering worker stopped twice while answering this; it was not asked again'));
      return;
    }
    const worker = this.worker;
    if (!worker?.connected) return; // sent when the next worker is attached
    request.attempts++;
    worker.send({ ...request.body, id }, (error) => {
      // Never delivered: the worker died first. It is not this question's fault, so it does not count.
      if (error && this.pending.get(id) === request) request.attempts--;
    });
  }

  private async request(body: RequestBody): Promise<WorkerResult> {
    if (this.closing) throw new Error('the answering engine is shutting down');
    if (!this.worker && !this.fatal) await new Promise<void>((resolve) => this.waitingForWorker.push(resolve));
    if (this.fatal) throw new Error(`${this.fatal}; it is not restarted again`);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const request: Pending = { body, attempts: 0, resolve, reject };
      this.pending.set(id, request);
      // With no worker right now, the request is sent when the next one is attached.
      if (this.worker?.connected) this.send(id, request);
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
    this.closing = true;
    const worker = this.worker;
    if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.disconnect(); // the worker exits on disconnect
    const timer = setTimeout(() => worker.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
