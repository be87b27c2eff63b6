/**
 * The bot on Discord answers as the quality suite measures: the real bot process (discord.js client, answering
 * worker) with the real Xenova/bge-small-en-v1.5 against the fake Discord on 127.0.0.1, asked by `/ask` and by
 * mention, quotes the same passages with the same grade as the engine does in-process for the same questions.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AnswerEngine } from '../../src/answering/engine.js';
import type { Answer } from '../../src/answering/answer.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { isInstalled } from '../../src/embedding/install-model.js';
import { NOT_IN_CORPUS, passageFooter } from '../../src/discord/render.js';
import { startBot, type RunningBot } from '../../src/discord/run-bot.js';
import { halfOf, parseQuestionFile } from '../../src/evaluation/evaluate.js';
import { createLogger } from '../../src/logging/logger.js';
import { updateIndex } from '../../src/app/update-index.js';
import { APP_ID, BOT_ID, FakeDiscord, TOKEN, type RecordedRequest } from '../helpers/fake-discord.js';
import { PROJECT_ROOT } from '../helpers/process.js';

const MODEL = 'Xenova/bge-small-en-v1.5';
const MODELS_DIR = process.env.QUALITY_MODELS_DIR ?? join(homedir(), '.cache/corpus-quote-bot/models');
/** Questions asked each way: enough to see both grades, few enough for CI. */
const PER_WAY = 6;

interface Body {
  content?: string;
  embeds?: { footer?: { text: string } }[];
  message_reference?: { message_id: string };
  type?: number;
  data?: Body;
}
const bodyOf = (request: RecordedRequest) => (request.body ?? {}) as Body;

/** What a member sees of an answer: refused or not, marked "not sure" or not, and the passages' citations. */
function seen(body: Body): { refused: boolean; closest: boolean; citations: string[] } {
  const content = body.content ?? '';
  return {
    refused: content.includes(NOT_IN_CORPUS),
    closest: content.includes('⚠️'),
    citations: (body.embeds ?? []).map((embed) => embed.footer?.text ?? ''),
  };
}

function expected(answer: Answer): { refused: boolean; closest: boolean; citations: string[] } {
  return {
    refused: answer.abstained,
    closest: !answer.abstained && answer.closest,
    citations: answer.abstained ? [] : answer.passages.map(passageFooter),
  };
}

describe(`the bot on Discord with the real ${MODEL}`, { timeout: 300_000 }, () => {
  let fake: FakeDiscord;
  let running: RunningBot;
  let engine: AnswerEngine;
  const questions = parseQuestionFile(
    readFileSync(join(PROJECT_ROOT, 'eval/questions-seed.jsonl'), 'utf8'),
    'eval/questions-seed.jsonl',
  ).filter((question) => question.containsAny !== undefined && halfOf(question) === 'test');

  before(async () => {
    assert.ok(isInstalled(MODEL, MODELS_DIR), `${MODEL} is not installed in ${MODELS_DIR}`);
    const root = mkdtempSync(join(tmpdir(), 'discord-real-'));
    cpSync(join(PROJECT_ROOT, 'corpus'), join(root, 'corpus'), { recursive: true });
    fake = await new FakeDiscord().start();
    const config: Config = loadConfig({
      env: {
        ENV_FILE: '/dev/null',
        EMBEDDING_MODEL: MODEL,
        MODELS_DIR,
        ALLOW_REMOTE_MODELS: 'false',
        CORPUS_DIR: join(root, 'corpus'),
        DATA_DIR: join(root, 'data'),
        DISCORD_TOKEN: TOKEN,
        DISCORD_API_URL: fake.apiUrl,
        COOLDOWN_SECONDS: '0',
        LOG_LEVEL: 'silent',
      },
      baseDir: PROJECT_ROOT,
    });
    const logger = createLogger('silent');
    await updateIndex({ config, logger });
    engine = await AnswerEngine.open(config);
    running = await startBot(config, logger);
  });
  after(async () => {
    await running?.stop();
    await engine?.close();
    await fake?.close();
  });

  it('answers /ask as the engine does: same passages, same grade, and not the wall of refusals of v2', async () => {
    const asked = questions.slice(0, PER_WAY);
    let refused = 0;
    for (const question of asked) {
      const { token } = fake.slashCommand('ask', [{ name: 'question', type: 3, value: question.question }]);
      const reply = await fake.waitForRequest(
        (request) =>
          (request.method === 'PATCH' && request.path === `/webhooks/${APP_ID}/${token}/messages/@original`) ||
          (request.method === 'POST' && request.path.endsWith(`/${token}/callback`) && bodyOf(request).type === 4),
      );
      const body = reply.method === 'PATCH' ? bodyOf(reply) : (bodyOf(reply).data ?? {});
      const want = expected(await engine.answer(question.question));
      assert.deepEqual(seen(body), want, question.question);
      if (want.refused) refused++;
    }
    assert.ok(refused <= 1, `${refused} of ${asked.length} refused`);
  });

  it('answers mentions as the engine does, whatever the member wraps around the question', async () => {
    const asked = questions.slice(PER_WAY, 2 * PER_WAY);
    let refused = 0;
    for (const question of asked) {
      const messageId = fake.postMessage({
        content: `<@${BOT_ID}> hey, quick question: ${question.question} thanks!`,
        mentionBot: true,
      });
      const reply = await fake.waitForRequest(
        (request) => request.method === 'POST' && bodyOf(request).message_reference?.message_id === messageId,
      );
      const want = expected(await engine.answer(question.question));
      assert.deepEqual(seen(bodyOf(reply)), want, question.question);
      if (want.refused) refused++;
    }
    assert.ok(refused <= 1, `${refused} of ${asked.length} refused`);
  });
});
