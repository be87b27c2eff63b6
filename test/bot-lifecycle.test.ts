/**
 * The bot's life against faults: its answering worker killed (once, and again and again), a shutdown while
 * questions are being answered, and `npm start` stopped by a signal. The real discord.js client runs against
 * the fake Discord on 127.0.0.1; the worker is a real child process, killed with real signals.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RemoteAnswerEngine } from '../src/workers/answering/remote-engine.js';
import { decideRestart } from '../src/workers/answering/restart-policy.js';
import { HandledMessages, unansweredQuestions } from '../src/discord/handled-messages.js';
import { InFlight } from '../src/discord/in-flight.js';
import { startBot, type RunningBot } from '../src/discord/run-bot.js';
import { createLogger } from '../src/logging/logger.js';
import { BOT_ID, FakeDiscord, TOKEN } from './helpers/fake-discord.js';
import { testConfig } from './helpers/models.js';
import { PROJECT_ROOT } from './helpers/process.js';
import { indexedEnv, replyTo, sleep, until } from './helpers/bot.js';
import { LogCapture } from './helpers/log-capture.js';

const TEST_TIMEOUT = { timeout: 120_000 };
const QUESTION = 'How many junior doctors voted in favour of industrial action?';

describe('restart policy and in-flight tracking', () => {
  it('restarts after a doubling delay, and gives up after too many deaths in the window', () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 1000, maxDeaths: 4, windowMs: 60_000 };
    assert.deepEqual(decideRestart([0], 0, policy), { restart: true, delayMs: 100 });
    assert.deepEqual(decideRestart([0, 1, 2], 2, policy), { restart: true, delayMs: 400 });
    assert.deepEqual(decideRestart([0, 1, 2, 3], 3, policy), {
      restart: false,
      reason: 'the answering worker died 4 times within 60 s',
    });
    // Deaths long ago do not count.
    assert.deepEqual(decideRestart([0, 1, 2, 100_000], 100_000, policy), { restart: true, delayMs: 100 });
  });

  it('waits for the work in flight, but not longer than it is told', async () => {
    const inFlight = new InFlight();
    let finish = () => {};
    inFlight.track(new Promise<void>((resolve) => (finish = resolve)));
    inFlight.close();
    assert.equal(inFlight.accepting, false);
    assert.equal(await inFlight.drained(50), false);
    setTimeout(finish, 20);
    assert.equal(await inFlight.drained(1000), true);
    assert.equal(inFlight.size, 0);
  });
});

describe('the answering worker dies', TEST_TIMEOUT, () => {
  let fake: FakeDiscord;
  let bot: RunningBot;
  const log = new LogCapture();
  before(async () => {
    fake = await new FakeDiscord().start();
    const env = await indexedEnv();
    const config = testConfig({ ...env, DISCORD_TOKEN: TOKEN, DISCORD_API_URL: fake.apiUrl, COOLDOWN_SECONDS: '0' });
    bot = await startBot(config, createLogger('info', log));
  });
  after(async () => {
    await bot.stop(1000);
    await fake.close();
  });

  it('logs the death, restarts the worker, and answers the question that was waiting', async () => {
    const first = bot.engine.workerPid;
    assert.ok(first);
    // Freeze the worker so the question is certainly in its hands when it dies.
    process.kill(first, 'SIGSTOP');
    const messageId = fake.postMessage({ content: `<@${BOT_ID}> ${QUESTION}`, mentionBot: true });
    await sleep(700);
    process.kill(first, 'SIGKILL');
    const reply = await fake.waitForRequest(replyTo(messageId), 30_000);
    assert.match(JSON.stringify(reply.body), /98 per cent/);
    assert.match(log.text, /the answering worker stopped/);
    assert.match(log.text, /"signal":"SIGKILL"/);
    assert.match(log.text, /the answering worker was restarted/);
    assert.notEqual(bot.engine.workerPid, first);
    // And it keeps answering.
    const next = fake.postMessage({ content: `<@${BOT_ID}> Who is Cameron Panting?`, mentionBot: true });
    assert.match(JSON.stringify((await fake.waitForRequest(replyTo(next))).body), /National Organiser/);
  });
});

describe('a worker that keeps dying', TEST_TIMEOUT, () => {
  it('is given up on: waiting questions fail, and the bot is told, so it can exit non-zero', async () => {
    const env = await indexedEnv();
    let fatal: string | undefined;
    const engine = await RemoteAnswerEngine.start(testConfig(env), {
      logger: createLogger('silent'),
      onFatal: (reason) => (fatal = reason),
      restartPolicy: { initialDelayMs: 20, maxDelayMs: 50, maxDeaths: 3, windowMs: 60_000 },
    });
    try {
      const killed = new Set<number>();
      while (fatal === undefined) {
        const pid = engine.workerPid;
        if (pid !== undefined && !killed.has(pid)) {
          killed.add(pid);
          process.kill(pid, 'SIGKILL');
        }
        await sleep(20);
        if (killed.size > 10) break;
      }
      assert.equal(killed.size, 3);
      assert.equal(fatal, 'the answering worker died 3 times within 60 s');
      await assert.rejects(engine.answer(QUESTION), /died 3 times within 60 s; it is not restarted again/);
    } finally {
      await engine.close();
    }
  });
});

describe('shutting down while answering', TEST_TIMEOUT, () => {
  let fake: FakeDiscord;
  before(async () => {
    fake = await new FakeDiscord().start();
  });
  after(async () => fake.close());

  it('takes no new question, finishes the ones in flight, then stops', async () => {
    const env = await indexedEnv();
    const config = testConfig({ ...env, DISCORD_TOKEN: TOKEN, DISCORD_API_URL: fake.apiUrl, COOLDOWN_SECONDS: '0' });
    const bot = await startBot(config, createLogger('silent'));
    const pid = bot.engine.workerPid;
    assert.ok(pid);
    process.kill(pid, 'SIGSTOP');
    const inFlight = fake.postMessage({ content: `<@${BOT_ID}> ${QUESTION}`, mentionBot: true });
    await until(() => bot.context.inFlight.size > 0, 'the question to be in flight');
    const stopped = bot.stop(20_000);
    await sleep(300);
    const late = fake.postMessage({ content: `<@${BOT_ID}> Who is Cameron Panting?`, mentionBot: true });
    await sleep(300);
    process.kill(pid, 'SIGCONT');
    await stopped;
    const reply = fake.requests.find(replyTo(inFlight));
    assert.ok(reply, 'the question in flight was answered before the bot stopped');
    assert.match(JSON.stringify(reply.body), /98 per cent/);
    assert.equal(fake.requests.find(replyTo(late)), undefined, 'no new question taken while stopping');
  });
});

/** Runs a command to its end; resolves with its exit code and output. */
function run(command: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(command, args, {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('questions asked while the bot was down', TEST_TIMEOUT, () => {
  let fake: FakeDiscord;
  before(async () => {
    fake = await new FakeDiscord().start();
  });
  after(async () => fake.close());

  it('keeps what it handled across restarts, and picks only recent, addressed, unanswered questions', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'handled-')), 'handled.json');
    const first = HandledMessages.load(path);
    first.add('1', '1100');
    first.add('1', '1000');
    const again = HandledMessages.load(path);
    assert.equal(again.channels['1'], '1100', 'the newest, compared as numbers');
    assert.ok(again.has('1000') && !again.has('999'));
    const message = (id: string, age: number, extra = {}) => ({
      id,
      createdTimestamp: 100_000 - age,
      fromBot: false,
      addressed: true,
      ...extra,
    });
    const picked = unansweredQuestions(
      [
        message('15', 1000),
        message('12', 2000),
        message('13', 11 * 60_000),
        message('14', 10, { addressed: false }),
        message('16', 10, { fromBot: true }),
        message('1000', 10),
        message('17', 10),
      ],
      { now: 100_000, maxAgeMs: 10 * 60_000, handled: (id) => id === '1000', repliedTo: new Set(['17']) },
    );
    assert.deepEqual(
      picked.map((entry) => entry.id),
      ['12', '15'],
    );
  });

  it('answers them on the next start, once each, and not the old or unaddressed ones', async () => {
    const env = await indexedEnv();
    const config = testConfig({ ...env, DISCORD_TOKEN: TOKEN, DISCORD_API_URL: fake.apiUrl, COOLDOWN_SECONDS: '30' });
    const logger = createLogger('silent');
    const first = await startBot(config, logger);
    const before = fake.postMessage({ content: `<@${BOT_ID}> Who is Cameron Panting?`, mentionBot: true });
    await fake.waitForRequest(replyTo(before));
    await first.stop(5000);

    // While the bot is down: two questions from one asker (the cooldown must not hold back the second), one
    // too old, one not addressed to the bot.
    const missed = fake.postMessage({ content: `<@${BOT_ID}> ${QUESTION}`, mentionBot: true });
    const missedToo = fake.postMessage({ content: `<@${BOT_ID}> Who is Justin Madders?`, mentionBot: true });
    const old = fake.postMessage({
      content: `<@${BOT_ID}> Who is Justin Madders?`,
      mentionBot: true,
      ageMs: 20 * 60_000,
    });
    const notForTheBot = fake.postMessage({ content: 'Who is Justin Madders?' });

    const second = await startBot(config, logger);
    const reply = await fake.waitForRequest(replyTo(missed), 30_000);
    assert.match(JSON.stringify(reply.body), /98 per cent/);
    assert.match(JSON.stringify((await fake.waitForRequest(replyTo(missedToo), 30_000)).body), /Labour MP/);
    await sleep(500);
    await second.stop(5000);
    const third = await startBot(config, logger);
    await sleep(1500);
    await third.stop(5000);
    const replies = (id: string) => fake.requests.filter(replyTo(id)).length;
    assert.equal(replies(missed), 1, 'answered once, not again after another restart');
    assert.equal(replies(missedToo), 1);
    assert.equal(replies(before), 1);
    assert.equal(replies(old), 0, 'too old');
    assert.equal(replies(notForTheBot), 0, 'not addressed to the bot');
  });
});

/** Starts the bot as a process (`npm start`, or node on the compiled code) and waits until it is ready. */
async function startBotProcess(command: string, args: string[], env: Record<string, string>, apiUrl: string) {
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ENV_FILE: '.env.test',
      ...env,
      DISCORD_API_URL: apiUrl,
      DISCORD_TOKEN: TOKEN,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stderr: '' };
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  await until(() => output.stderr.includes('bot ready'), `the bot to be ready: ${output.stderr}`);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output, exited };
}

describe('npm start and signals', TEST_TIMEOUT, () => {
  let fake: FakeDiscord;
  before(async () => {
    fake = await new FakeDiscord().start();
  });
  after(async () => fake.close());

  it('stops the bot itself, not only npm, when npm start gets SIGTERM', async () => {
    const env = await indexedEnv();
    const { child: npm, output, exited } = await startBotProcess('npm', ['start'], env, fake.apiUrl);
    // Everything npm started: the bot and its answering worker.
    const descendants = (
      await new Promise<string>((resolve) => {
        const ps = spawn('ps', ['-eo', 'pid=,ppid=']);
        let out = '';
        ps.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        ps.on('close', () => resolve(out));
      })
    )
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
    const tree = new Set([npm.pid ?? 0]);
    for (let grew = true; grew;) {
      grew = false;
      for (const [pid, ppid] of descendants) {
        if (tree.has(ppid) && !tree.has(pid)) {
          tree.add(pid);
          grew = true;
        }
      }
    }
    assert.ok(tree.size >= 3, 'npm, the bot and its worker');
    npm.kill('SIGTERM');
    assert.equal(await exited, 0, output.stderr);
    assert.match(output.stderr, /shutting down/);
    const alive = () =>
      [...tree].filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
    // The worker exits when the bot's channel closes: allow it a moment on a busy machine.
    for (let wait = 0; wait < 50 && alive().length > 0; wait++) await sleep(100);
    assert.deepEqual(alive(), [], 'no process of the bot is left running');
  });

  it('exits within its shutdown bound after SIGTERM when Discord has gone away', async () => {
    const gone = await new FakeDiscord().start();
    const env = await indexedEnv();
    const {
      child: bot,
      output,
      exited,
    } = await startBotProcess(process.execPath, ['--import', 'tsx', 'src/cli/start.ts'], env, gone.apiUrl);
    await gone.close();
    await sleep(1000);
    const signalled = Date.now();
    bot.kill('SIGTERM');
    const timer = setTimeout(() => bot.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    assert.ok(Date.now() - signalled < 25_000, `exited ${Date.now() - signalled} ms after SIGTERM: ${output.stderr}`);
    assert.match(output.stderr, /shutting down/);
  });

  it('runs compiled: npm run build, then node dist/cli/start.js answers (worker included) and stops on SIGTERM', async () => {
    const build = await run('npm', ['run', '-s', 'build']);
    assert.equal(build.code, 0, build.output);
    const env = await indexedEnv();
    const {
      child: bot,
      output,
      exited,
    } = await startBotProcess(process.execPath, ['dist/cli/start.js'], env, fake.apiUrl);
    const messageId = fake.postMessage({ content: `<@${BOT_ID}> ${QUESTION}`, mentionBot: true });
    assert.match(JSON.stringify((await fake.waitForRequest(replyTo(messageId))).body), /98 per cent/);
    bot.kill('SIGTERM');
    assert.equal(await exited, 0, output.stderr);
  });
});
