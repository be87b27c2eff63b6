// Plain-JS entry of the model worker. Node 20 does not carry tsx's loader into worker threads, so when the
// bot runs from TypeScript sources the worker registers tsx itself before importing worker.ts.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
