/** Messages between the bot and its model worker (see worker.ts and worker-client.ts). */
export type WorkerRequest =
  | { type: 'query'; id: number; text: string }
  | { type: 'passages'; id: number; texts: string[]; batchSize: number }
  | { type: 'rerank'; id: number; question: string; passages: string[] };

export type WorkerReply =
  | { type: 'ready'; dimensions: number; fingerprint: string | undefined }
  | { type: 'failed'; message: string; userError: boolean }
  | { type: 'vectors'; id: number; vectors: Float32Array[] }
  | { type: 'scores'; id: number; scores: number[] }
  | { type: 'error'; id: number; message: string };
