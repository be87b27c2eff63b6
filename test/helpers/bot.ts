/** What tests of the running bot share: waiting, an indexed copy of the seed corpus, and finding replies. */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logging/logger.js';
import { updateIndex } from '../../src/app/update-index.js';
import type { RecordedRequest } from './fake-discord.js';
import { testConfig } from './models.js';
import { PROJECT_ROOT } from './process.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A private copy of the seed corpus, indexed with the test model: the settings that point at it. */
export async function indexedEnv(): Promise<Record<string, string>> {
  const root = mkdtempSync(join(tmpdir(), 'bot-'));
  cpSync(join(PROJECT_ROOT, 'test/fixtures/seed-corpus'), join(root, 'corpus'), { recursive: true });
  const env = { CORPUS_DIR: join(root, 'corpus'), DATA_DIR: join(root, 'data'), INDEX_DIR: join(root, 'data/index') };
  await updateIndex({ config: testConfig(env), logger: createLogger('silent') });
  return env;
}

/** Matches the bot's reply to one message. */
export const replyTo = (messageId: string) => (request: RecordedRequest) =>
  request.method === 'POST' &&
  (request.body as { message_reference?: { message_id: string } } | undefined)?.message_reference?.message_id ===
    messageId;
