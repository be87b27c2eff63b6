/**
 * No question lost: a question taken and never answered before a stop is answered on the next start, once;
 * bursts survive the answering worker being killed again and again; a DATA_DIR the bot cannot write, or a
 * handled.json of the wrong shape, never makes it deaf; a second bot on the same DATA_DIR is refused. The real discord.js client runs against the fake
 * Discord on 127.0.0.1; the worker is a real child process killed with real signals.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HandledMessages } from '../src/discord/handled-messages.js';
import { UserError } from '../src/shared/errors.js';
import { lockHolder, processStart, tryLock } from '../src/shared/process-lock.js';
import { startBot, type RunningBot } from '../src/discord/run-bot.js';
import { createLogger } from '../src/logging/logger.js';
import { BOT_ID, FakeDiscord, TOKEN } from './helpers/fake-discord.js';
import { LogCapture } from './helpers/log-capture.js';
import { testConfig } from './helpers/models.js';
import { indexedEnv, replyTo, sleep, until } from './helpers/bot.js';

const TEST_TIMEOUT = { timeout: 240_000 };
const QUESTION = 'How many junior doctors voted in favour of industrial action?';

describe('no question lost', TEST_TIMEOUT, () => {
  let fake: FakeDiscord;
  const bots: RunningBot[] = [];
  before(async () => {
    fake = await new FakeDiscord().start();
  });
  after(async () => {
    for (const bot of bots) await bot.stop(500).catch(() => undefined);
    await fake.close();
  });
  const replies = (id: string) => fake.requests.filter(replyTo(id)).length;
  const start = async (env: Record<string, string>, log = new LogCapture()) => {
    const config = testConfig({ ...env, DISCORD_TOKEN: TOKEN, DISCORD_API_URL: fake.apiUrl, COOLDOWN_SECONDS: '0' });
    const bot = await startBot(config, createLogger('info', log));
    bots.push(bot);
    return bot;
  };

  it('answers, on the next start and once, a question taken but not answered before the bot stopped', async () => {
    const env = await indexedEnv();
    const first = await start(env);
    const worker = first.engine.workerPid as number;
    // The worker is frozen: the question is taken, and the drain's bound passes before it can be answered.
    process.kill(worker, 'SIGSTOP');
    const messageId = fake.postMessage({ content: `<@${BOT_ID}> ${QUESTION}`, mentionBot: true });
    await sleep(700);
    const stopping = first.stop(200);
    await sleep(300);
    process.kill(worker, 'SIGKILL');
    await stopping;
    assert.equal(replies(messageId), 0);
    const state = JSON.parse(readFileSync(join(env.DATA_DIR as string, 'handled.json'), 'utf8')) as {
      pending: Record<string, string>;
    };
    assert.ok(messageId in state.pending, 'recorded as taken, not as answered');

    const second = await start(env);
    const reply = await fake.waitForRequest(replyTo(messageId), 30_000);
    assert.match(JSON.stringify(reply.body), /98 per cent/);
    await second.stop(5000);
    const third = await start(env);
    await sleep(1500);
    await third.stop(5000);
    assert.equal(replies(messageId), 1, 'answered once, not again after another restart');
  });

  it('answers every question of a burst of 100 exactly once while the worker is killed again and again', async () => {
    const env = await indexedEnv();
    const bot = await start(env);
    const ids: string[] = [];
    const answered = () => ids.filter((id) => replies(id) > 0).length;
    for (let i = 0; i < 100; i++) {
      ids.push(fake.postMessage({ content: `<@${BOT_ID}> ${QUESTION} (${i})`, mentionBot: true }));
      if (i === 30 || i === 70) {
        const pid = bot.engine.workerPid;
        if (pid) process.kill(pid, 'SIGKILL');
      }
    }
    await until(() => answered() === 100, `all 100 answered (${answered()} so far)`, 120_000);
    await bot.stop(5000);
    const again = await start(env);
    await sleep(1500);
    await again.stop(5000);
    assert.deepEqual(
      ids.filter((id) => replies(id) !== 1),
      [],
      'each answered exactly once, across a restart too',
    );
    for (const id of ids.slice(0, 5)) {
      assert.match(JSON.stringify(fake.requests.find(replyTo(id))?.body), /98 per cent/);
    }
  });

  it('keeps answering, and says once which folder it cannot write, when handled.json cannot be saved', async () => {
    const env = await indexedEnv();
    // A folder where the file should be: every save fails.
    mkdirSync(join(env.DATA_DIR as string, 'handled.json'), { recursive: true });
    const log = new LogCapture();
    const bot = await start(env, log);
    const first = fake.postMessage({ content: `<@${BOT_ID}> ${QUESTION}`, mentionBot: true });
    await fake.waitForRequest(replyTo(first), 30_000);
    const second = fake.postMessage({ content: `<@${BOT_ID}> Who is Cameron Panting?`, mentionBot: true });
    await fake.waitForRequest(replyTo(second), 30_000);
    await bot.stop(5000);
    const warnings = log.text.split('\n').filter((line) => line.includes('cannot save which messages were answered'));
    assert.equal(warnings.length, 1, log.text);
    assert.match(warnings[0] ?? '', new RegExp(JSON.stringify(env.DATA_DIR).slice(1, -1)));
  });

  it('refuses a second bot on the same DATA_DIR, naming the process of the first', async () => {
    const env = await indexedEnv();
    const first = await start(env);
    await assert.rejects(
      start(env),
      (error: unknown) =>
        error instanceof UserError &&
        new RegExp(`Another bot \\(process ${process.pid}\\) is running with DATA_DIR=`).test(error.message),
    );
    await first.stop(5000);
    // Stopped: the folder is free again.
    const second = await start(env);
    await second.stop(5000);
  });

  it('takes over a lock whose process is gone, or whose pid now belongs to another process', () => {
    const folder = mkdtempSync(join(tmpdir(), 'lock-'));
    const path = join(folder, 'bot.lock');
    // Process 1 is alive, but it is not the one that wrote this lock: it started at another time.
    writeFileSync(path, JSON.stringify({ pid: 1, started: 'not-this-start' }));
    assert.equal(lockHolder(path), undefined);
    const taken = tryLock(path);
    assert.ok('release' in taken);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
    taken.release();
    writeFileSync(path, JSON.stringify({ pid: 1, started: processStart(1) }));
    assert.equal(lockHolder(path), 1);
    assert.deepEqual(tryLock(path), { heldBy: 1 });
  });

  it('reads a handled.json of the wrong shape as nothing handled, and keeps working', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'handled-')), 'handled.json');
    writeFileSync(path, JSON.stringify({ channels: { '1': 5, x: 'y', '2': '200' }, recent: 'no', pending: [1] }));
    const handled = HandledMessages.load(path);
    assert.deepEqual(handled.channels, { '2': '200' });
    handled.take('1', '300');
    handled.done('300');
    assert.ok(handled.answered('300'));
    assert.equal(HandledMessages.load(path).channels['1'], '300');
    writeFileSync(path, '[1, 2, 3]');
    assert.deepEqual(HandledMessages.load(path).channels, {});
  });
});
