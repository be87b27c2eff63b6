/**
 * End-to-end: the bot's real discord.js client against a fake Discord on 127.0.0.1, with the offline test
 * model. Every test has a timeout; clients and servers are closed in `after` hooks.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../src/config/config.js';
import { createLogger } from '../src/logging/logger.js';
import { UserError } from '../src/shared/errors.js';
import { startBot, type RunningBot } from '../src/discord/run-bot.js';
import { updateIndex } from '../src/app/update-index.js';
import {
  ANSWER_CHANNEL_ID,
  APP_ID,
  BOT_ROLE_ID,
  MOD_ROLE_ID,
  OTHER_USER_ID,
  payloadProblems,
  BOT_ID,
  CHANNEL_ID,
  DM_CHANNEL_ID,
  FakeDiscord,
  GUILD_ID,
  THREAD_ID,
  TOKEN,
  type RecordedRequest,
} from './helpers/fake-discord.js';
import { testConfig } from './helpers/models.js';
import { PROJECT_ROOT, runNode, spawnProject } from './helpers/process.js';
import { LogCapture } from './helpers/log-capture.js';

const SEED = join(PROJECT_ROOT, 'test/fixtures/seed-corpus');
const TEST_TIMEOUT = { timeout: 60_000 };
const PING_ARTICLE =
  'Hospital notice board\n\n@everyone and @here: the <@&200000000000000002> rota and <@400000000000000004> confirm the canteen closes early on Fridays during the refurbishment works.\n';

interface Embed {
  title?: string;
  description?: string;
  url?: string;
  footer?: { text: string };
}
interface Body {
  content?: string;
  embeds?: Embed[];
  components?: { components: { custom_id: string; label: string }[] }[];
  allowed_mentions?: { parse: string[]; replied_user?: boolean };
  message_reference?: { message_id: string };
  flags?: number;
  type?: number;
  data?: Body;
}

const bodyOf = (request: RecordedRequest) => (request.body ?? {}) as Body;
const allText = (body: Body) =>
  [body.content ?? '', ...(body.embeds ?? []).map((e) => `${e.title}\n${e.description}\n${e.footer?.text}`)].join('\n');
const customIds = (body: Body) => (body.components ?? []).flatMap((row) => row.components.map((c) => c.custom_id));
const NO_PINGS = { parse: [], replied_user: false };

function workspace(extra: Record<string, string> = {}): { env: Record<string, string>; corpusDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'bot-test-'));
  const corpusDir = join(root, 'corpus');
  cpSync(SEED, corpusDir, { recursive: true });
  for (const [name, content] of Object.entries(extra)) writeFileSync(join(corpusDir, name), content);
  return {
    corpusDir,
    env: { CORPUS_DIR: corpusDir, DATA_DIR: join(root, 'data'), INDEX_DIR: join(root, 'data/index') },
  };
}

async function startTestBot(
  fake: FakeDiscord,
  env: Record<string, string>,
  overrides: Partial<Config> = {},
  log = new LogCapture(),
) {
  const config = {
    ...testConfig({ ...env, DISCORD_TOKEN: TOKEN, DISCORD_API_URL: fake.apiUrl, COOLDOWN_SECONDS: '0' }),
    ...overrides,
  };
  const logger = createLogger('trace', log);
  await updateIndex({ config, logger });
  return { bot: await startBot(config, logger), config, log };
}

/** Waits for the bot's final answer to an interaction (the edit of its deferred reply, or a first reply). */
function interactionAnswer(fake: FakeDiscord, token: string): Promise<RecordedRequest> {
  return fake.waitForRequest(
    (request) =>
      (request.method === 'PATCH' && request.path === `/webhooks/${APP_ID}/${token}/messages/@original`) ||
      (request.method === 'POST' && request.path.endsWith(`/${token}/callback`) && bodyOf(request).type === 4),
  );
}

describe('the Discord bot against a fake Discord', TEST_TIMEOUT, () => {
  let fake: FakeDiscord;
  let running: RunningBot;
  let config: Config;
  let log: LogCapture;
  let corpusDir: string;

  before(async () => {
    fake = await new FakeDiscord().start();
    const space = workspace({ 'notice.txt': PING_ARTICLE });
    corpusDir = space.corpusDir;
    ({ bot: running, config, log } = await startTestBot(fake, space.env, { cooldownSeconds: 0 }));
  });
  after(async () => {
    await running?.stop();
    await fake?.close();
  });

  it('logs in through the REST URL and gateway of DISCORD_API_URL', () => {
    assert.ok(fake.requests.some((request) => request.path === '/gateway/bot'));
    assert.equal(running.client.user?.id, BOT_ID);
  });

  it('replies to a mention with the right quote and citation, as a reply that pings no one', async () => {
    const messageId = fake.postMessage({
      content: `<@${BOT_ID}> How many junior doctors voted in favour of industrial action?`,
      mentionBot: true,
    });
    const reply = await fake.waitForRequest(
      (request) => request.method === 'POST' && bodyOf(request).message_reference?.message_id === messageId,
    );
    const body = bodyOf(reply);
    assert.equal(reply.path, `/channels/${CHANNEL_ID}/messages`);
    const first = body.embeds?.[0];
    assert.match(first?.description ?? '', /\*\*Faced with this onslaught .*98 per cent.*\*\*/);
    assert.match(first?.title ?? '', /^1\. If Jeremy Hunt wants to blame someone/);
    assert.match(first?.footer?.text ?? '', /paragraph 5/);
    assert.deepEqual(body.allowed_mentions, NO_PINGS);
  });

  it('reads mentions inside a question as names, and takes a mention of its managed role as addressed to it', async () => {
    const messageId = fake.postMessage({
      content: `<@&${BOT_ROLE_ID}> <@${OTHER_USER_ID}> <@&${MOD_ROLE_ID}> <@!${OTHER_USER_ID}> How many junior doctors voted in favour of industrial action?`,
      mentionRoles: [BOT_ROLE_ID, MOD_ROLE_ID],
      mentionUsers: [{ id: OTHER_USER_ID, name: 'other', nick: 'Dr Other' }],
    });
    const reply = bodyOf(
      await fake.waitForRequest((request) => bodyOf(request).message_reference?.message_id === messageId),
    );
    assert.match(reply.embeds?.[0]?.description ?? '', /98 per cent/);
    // The echoed question holds names, not mention markup.
    assert.match(reply.content ?? '', /^\*\*Q:\*\* Dr Other Moderators Dr Other How many junior doctors/);
    assert.doesNotMatch(reply.content ?? '', /<@/);
  });

  it('answers mentions in threads and direct messages', async () => {
    const inThread = fake.postMessage({
      content: `<@${BOT_ID}> Who is Cameron Panting?`,
      mentionBot: true,
      channelId: THREAD_ID,
    });
    const threadReply = await fake.waitForRequest(
      (request) => bodyOf(request).message_reference?.message_id === inThread,
    );
    assert.equal(threadReply.path, `/channels/${THREAD_ID}/messages`);
    assert.match(allText(bodyOf(threadReply)), /National Organiser for Counterfire/);
    const direct = fake.postMessage({ content: 'Who is Justin Madders?', dm: true });
    const dmReply = await fake.waitForRequest((request) => bodyOf(request).message_reference?.message_id === direct);
    assert.equal(dmReply.path, `/channels/${DM_CHANNEL_ID}/messages`);
    assert.match(allText(bodyOf(dmReply)), /Labour MP for Ellesmere Port and Neston/);
  });

  it('ignores guild messages that do not mention it', async () => {
    const before = fake.requests.length;
    fake.postMessage({ content: 'just chatting about doctors' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(!fake.requests.slice(before).some((request) => request.method === 'POST'));
  });

  it('defers /ask at once, then edits in the answer with buttons that work', async () => {
    const { id, token } = fake.slashCommand('ask', [
      { name: 'question', type: 3, value: 'junior doctors strike picket lines solidarity' },
      { name: 'results', type: 4, value: 2 },
    ]);
    const deferred = await fake.waitForRequest((request) => request.path === `/interactions/${id}/${token}/callback`);
    assert.equal(bodyOf(deferred).type, 5);
    const answer = await interactionAnswer(fake, token);
    const body = bodyOf(answer);
    assert.equal(body.embeds?.length, 2);
    assert.deepEqual(body.allowed_mentions, NO_PINGS);
    const ids = customIds(body);
    for (const customId of ids) assert.ok(customId.length <= 100);
    const more = ids.find((customId) => customId.startsWith('more:'));
    const source = ids.find((customId) => customId.startsWith('src:'));
    const up = ids.find((customId) => customId.startsWith('fb:') && customId.endsWith(':up'));
    assert.ok(more && source && up, ids.join(', '));

    const morePress = fake.pressButton(more);
    const moreAnswer = bodyOf(await interactionAnswer(fake, morePress.token));
    assert.match(moreAnswer.embeds?.[0]?.title ?? '', /^3\. /, 'the next page starts at rank 3');
    assert.deepEqual(moreAnswer.allowed_mentions, NO_PINGS);

    const sourcePress = fake.pressButton(source);
    const sourceAnswer = bodyOf(await interactionAnswer(fake, sourcePress.token));
    assert.equal(sourceAnswer.data?.flags, 64, 'ephemeral');
    assert.match(sourceAnswer.data?.embeds?.[0]?.description ?? '', /\*\*/);
    assert.match(sourceAnswer.data?.embeds?.[0]?.footer?.text ?? '', /with the passages around it/);

    const upPress = fake.pressButton(up);
    const thanks = bodyOf(await interactionAnswer(fake, upPress.token));
    assert.match(thanks.data?.content ?? '', /feedback was recorded/);
    const feedback = readFileSync(join(config.dataDir, 'feedback.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const record = feedback.at(-1);
    assert.equal(record?.vote, 'up');
    assert.equal(record?.question, 'junior doctors strike picket lines solidarity');
    assert.ok(Array.isArray(record?.passageIds) && (record.passageIds as string[]).length >= 2);
    assert.deepEqual(
      Object.keys(record ?? {}).sort(),
      ['abstained', 'passageIds', 'question', 'time', 'vote'],
      'no user names',
    );
  });

  it('refuses expired or unknown buttons politely', async () => {
    const press = fake.pressButton('more:expiredKey:3');
    const reply = bodyOf(await interactionAnswer(fake, press.token));
    assert.match(reply.data?.content ?? '', /These buttons have expired/);
    assert.equal(reply.data?.flags, 64);
  });

  it('pings no one when the question or a quoted passage holds @everyone, @here, role or user mentions', async () => {
    const question =
      '@everyone @here <@&200000000000000002> <@400000000000000004> when does the canteen close during the refurbishment works?';
    const { token } = fake.slashCommand('ask', [{ name: 'question', type: 3, value: question }]);
    const answer = bodyOf(await interactionAnswer(fake, token));
    assert.match(allText(answer), /canteen closes early on Fridays/);
    assert.match(allText(answer), /@everyone/, 'the text is shown as it is');
    assert.deepEqual(answer.allowed_mentions, NO_PINGS);
    const messageId = fake.postMessage({ content: `<@${BOT_ID}> ${question}`, mentionBot: true });
    const reply = bodyOf(
      await fake.waitForRequest((request) => bodyOf(request).message_reference?.message_id === messageId),
    );
    assert.deepEqual(reply.allowed_mentions, NO_PINGS);
    // Every message and edit the bot sent so far carried allowed_mentions that allow nothing.
    for (const request of fake.requests.filter(
      (r) => r.method === 'PATCH' || (r.method === 'POST' && r.path.endsWith('/messages')),
    )) {
      assert.deepEqual(bodyOf(request).allowed_mentions, NO_PINGS, `${request.method} ${request.path}`);
    }
  });

  it('says plainly when the corpus does not answer, suggesting /sources', async () => {
    const { token } = fake.slashCommand('ask', [
      { name: 'question', type: 3, value: 'What is the recipe for a Victoria sponge cake?' },
    ]);
    const answer = bodyOf(await interactionAnswer(fake, token));
    assert.match(answer.content ?? '', /Nothing in the corpus answers this\..*\/sources/);
    assert.deepEqual(answer.embeds, []);
  });

  it('gives ephemeral messages for questions the user can fix', async () => {
    for (const [value, message] of [
      ['   ', /The question is empty/],
      ['🙂🙂', /only punctuation or emoji/],
      ['Qui a gagné la coupe du monde de football ?', /Please ask in English/],
    ] as const) {
      const { token } = fake.slashCommand('ask', [{ name: 'question', type: 3, value }]);
      const reply = bodyOf(await interactionAnswer(fake, token));
      assert.equal(reply.type, 4);
      assert.equal(reply.data?.flags, 64, 'ephemeral');
      assert.match(reply.data?.content ?? '', message);
    }
  });

  it('lists the sources and explains itself with /help', async () => {
    const sources = fake.slashCommand('sources');
    const list = bodyOf(await interactionAnswer(fake, sources.token));
    assert.equal(list.data?.embeds?.[0]?.title, '6 articles in the corpus');
    assert.match(list.data?.embeds?.[0]?.description ?? '', /Tomáš Tengely-Evans \(24 passages\)/);
    const help = fake.slashCommand('help');
    const helpReply = bodyOf(await interactionAnswer(fake, help.token));
    assert.equal(helpReply.data?.flags, 64);
    assert.match(helpReply.data?.content ?? '', /\/ask question:/);
  });

  it('answers the "Ask the corpus" message command with that message as the question', async () => {
    const { token } = fake.messageCommand(
      'Ask the corpus',
      'Which unions called on the TUC to organise a day of action?',
    );
    const answer = bodyOf(await interactionAnswer(fake, token));
    assert.match(answer.embeds?.[0]?.description ?? '', /PCS and FBU unions/);
  });

  it('waits and retries when Discord answers 429 Too Many Requests', async () => {
    fake.rateLimit('POST', `/channels/${CHANNEL_ID}/messages`);
    const messageId = fake.postMessage({ content: `<@${BOT_ID}> Who is Justin Madders?`, mentionBot: true });
    const attempts = () =>
      fake.requests.filter(
        (request) => request.method === 'POST' && bodyOf(request).message_reference?.message_id === messageId,
      );
    await fake.waitForRequest((request) => bodyOf(request).message_reference?.message_id === messageId);
    const deadline = Date.now() + 10_000;
    while (attempts().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(attempts().length, 2, 'the first attempt was refused with 429 and retried once');
    assert.match(allText(bodyOf(attempts()[1] as RecordedRequest)), /Labour MP for Ellesmere Port/);
  });

  it('answers 50 questions sent at once', async () => {
    const tokens = Array.from(
      { length: 50 },
      (_, i) =>
        fake.slashCommand(
          'ask',
          [{ name: 'question', type: 3, value: `How many people joined the picket line in Lancaster? (${i})` }],
          String(600000000000000000n + BigInt(i)),
        ).token,
    );
    const answers = await Promise.all(tokens.map((token) => interactionAnswer(fake, token)));
    for (const answer of answers) assert.match(allText(bodyOf(answer)), /around 40 people/);
  });

  it('reloads the index without a restart when `npm run index` writes a new one', async () => {
    writeFileSync(
      join(corpusDir, 'late-news.txt'),
      'Late news\n\nThe porters at the Royal Hallamshire voted to join the walkout in a ballot that closed on Thursday evening.\n',
    );
    await updateIndex({ config, logger: createLogger('silent') });
    const deadline = Date.now() + 10_000;
    let text = '';
    while (Date.now() < deadline && !/porters at the Royal Hallamshire/.test(text)) {
      const { token } = fake.slashCommand('ask', [
        { name: 'question', type: 3, value: 'Did the porters at the Royal Hallamshire vote to join the walkout?' },
      ]);
      text = allText(bodyOf(await interactionAnswer(fake, token)));
      if (!/Hallamshire/.test(text)) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.match(text, /porters at the Royal Hallamshire voted to join the walkout/);
  });

  it('never writes the bot token or an interaction token to its logs, even when a reply fails', async () => {
    // Discord refuses the answer and then the apology: both failures are logged, with the request URL.
    fake.failNext('PATCH', new RegExp(`^/webhooks/${APP_ID}/`), 400, 2);
    const { token } = fake.slashCommand('ask', [{ name: 'question', type: 3, value: 'Who is Justin Madders?' }]);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !/could not send the apology/.test(log.text)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(log.text, /could not send the apology/);
    assert.match(log.text, /\/webhooks\/\d+\/\[redacted\]\/messages/);
    assert.ok(!log.text.includes(token), 'no interaction token');
    assert.ok(!log.text.includes(TOKEN));
    assert.ok(!log.text.includes('How many junior doctors voted'), 'no message contents in the logs');
  });
});

describe('the Discord bot with options', TEST_TIMEOUT, () => {
  let fake: FakeDiscord;
  let bots: RunningBot[] = [];
  before(async () => {
    fake = await new FakeDiscord().start();
  });
  after(async () => {
    for (const bot of bots) await bot.stop();
    await fake.close();
  });

  it('answers every message in an answer channel, which needs the Message Content intent', async () => {
    const { env } = workspace();
    const { bot } = await startTestBot(fake, env, { answerChannelIds: [ANSWER_CHANNEL_ID] });
    bots.push(bot);
    const messageId = fake.postMessage({ content: 'Who is Cameron Panting?', channelId: ANSWER_CHANNEL_ID });
    const reply = await fake.waitForRequest((request) => bodyOf(request).message_reference?.message_id === messageId);
    assert.match(allText(bodyOf(reply)), /National Organiser for Counterfire/);
    // Chatter gets nothing; a question the corpus does not answer gets a reaction, not a public notice.
    const thanks = fake.postMessage({ content: 'thanks!', channelId: ANSWER_CHANNEL_ID });
    const offTopic = fake.postMessage({
      content: 'What is the recipe for a Victoria sponge cake?',
      channelId: ANSWER_CHANNEL_ID,
    });
    const reaction = await fake.waitForRequest(
      (request) => request.method === 'PUT' && request.path.includes(offTopic),
    );
    assert.equal(reaction.path, `/channels/${ANSWER_CHANNEL_ID}/messages/${offTopic}/reactions/🤷/@me`);
    const french = fake.postMessage({
      content: 'Qui a gagné la coupe du monde de football ?',
      channelId: ANSWER_CHANNEL_ID,
    });
    await fake.waitForRequest((request) => request.method === 'PUT' && request.path.includes(`${french}/reactions/❓`));
    const replied = (id: string) =>
      fake.requests.some(
        (request) => request.method === 'POST' && bodyOf(request).message_reference?.message_id === id,
      );
    assert.ok(!replied(thanks) && !replied(offTopic) && !replied(french), 'no public reply to chatter or notices');
    assert.ok(!fake.requests.some((request) => request.path.includes(thanks)), 'not even a reaction to chatter');
    await bot.stop();
    bots = [];
  });

  it('cites an article whose sources.json URL is malformed without a link, instead of failing every answer', async () => {
    const { env } = workspace({
      'sources.json': JSON.stringify({ '001_6150766b996ef40a.txt': { url: 'https://exa mple.org/madders' } }),
    });
    const { bot } = await startTestBot(fake, env);
    bots.push(bot);
    const messageId = fake.postMessage({ content: `<@${BOT_ID}> Who is Justin Madders?`, mentionBot: true });
    const reply = await fake.waitForRequest((request) => bodyOf(request).message_reference?.message_id === messageId);
    const body = bodyOf(reply);
    assert.match(allText(body), /Labour MP for Ellesmere Port and Neston/);
    assert.ok(body.embeds?.every((embed) => embed.url === undefined || !embed.url.includes(' ')));
    assert.deepEqual(payloadProblems(reply.body), []);
    await bot.stop();
    bots = [];
  });

  it('registers its commands in DISCORD_GUILD_ID at start when REGISTER_COMMANDS_ON_START is set', async () => {
    const { env } = workspace();
    const { bot } = await startTestBot(fake, env, { registerCommandsOnStart: true, discordGuildId: GUILD_ID });
    bots.push(bot);
    const put = await fake.waitForRequest((request) => request.method === 'PUT' && request.path.endsWith('/commands'));
    assert.equal(put.path, `/applications/${APP_ID}/guilds/${GUILD_ID}/commands`);
    assert.equal((put.body as unknown as unknown[]).length, 5);
    await bot.stop();
    bots = [];
  });

  it('tells a user who asks too quickly to wait, ephemerally', async () => {
    const { env } = workspace();
    const { bot } = await startTestBot(fake, env, { cooldownSeconds: 30 });
    bots.push(bot);
    const first = fake.slashCommand(
      'ask',
      [{ name: 'question', type: 3, value: 'Why did the junior doctors strike?' }],
      '700000000000000007',
    );
    const firstAnswer = bodyOf(await interactionAnswer(fake, first.token));
    const second = fake.slashCommand(
      'ask',
      [{ name: 'question', type: 3, value: 'Who is Cameron Panting?' }],
      '700000000000000007',
    );
    const reply = bodyOf(await interactionAnswer(fake, second.token));
    assert.equal(reply.data?.flags, 64);
    assert.match(reply.data?.content ?? '', /try again in (29|30) s/);
    // "More results" searches again, so it waits too.
    const more = (firstAnswer.components ?? [])
      .flatMap((row) => row.components)
      .find((component) => component.label === 'More results');
    assert.ok(more?.custom_id);
    const press = fake.pressButton(more.custom_id, '700000000000000007');
    const moreReply = bodyOf(await interactionAnswer(fake, press.token));
    assert.equal(moreReply.data?.flags, 64);
    assert.match(moreReply.data?.content ?? '', /try again in \d+ s/);
    // A mention that comes too soon gets a reaction, not a public notice.
    const mention = fake.postMessage({
      content: `<@${BOT_ID}> Who is Cameron Panting?`,
      mentionBot: true,
      authorId: '700000000000000007',
    });
    await fake.waitForRequest(
      (request) => request.method === 'PUT' && request.path.includes(`${mention}/reactions/⏳`),
    );
    assert.ok(
      !fake.requests.some(
        (request) => request.method === 'POST' && bodyOf(request).message_reference?.message_id === mention,
      ),
    );
  });
});

describe('starting the bot', TEST_TIMEOUT, () => {
  let fake: FakeDiscord;
  before(async () => {
    fake = await new FakeDiscord({ allowMessageContent: false }).start();
  });
  after(async () => fake.close());

  it('refuses an invalid token with a clear message', async () => {
    const { env } = workspace();
    const config = { ...testConfig({ ...env, DISCORD_API_URL: fake.apiUrl }), discordToken: 'wrong-token' };
    await updateIndex({ config, logger: createLogger('silent') });
    await assert.rejects(
      startBot(config, createLogger('silent')),
      (error: unknown) => error instanceof UserError && /rejected DISCORD_TOKEN as invalid/.test(error.message),
    );
  });

  it('explains a missing Message Content intent when answer channels need it', async () => {
    const { env } = workspace();
    const config = {
      ...testConfig({ ...env, DISCORD_API_URL: fake.apiUrl, DISCORD_TOKEN: TOKEN }),
      answerChannelIds: [ANSWER_CHANNEL_ID],
    };
    await updateIndex({ config, logger: createLogger('silent') });
    await assert.rejects(startBot(config, createLogger('silent')), /Message Content Intent/);
  });

  it('npm start exits non-zero with one line on an invalid token, and cleanly on SIGTERM', async () => {
    const { env } = workspace();
    const bad = await runNode(['src/cli/start.ts'], {
      ENV_FILE: '.env.test',
      ...env,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_TOKEN: 'wrong-token',
    });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error: Discord rejected DISCORD_TOKEN as invalid/m);
    assert.ok(!bad.stderr.includes('wrong-token'));

    const child = spawnProject(['src/cli/start.ts'], {
      ENV_FILE: '.env.test',
      ...env,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_TOKEN: TOKEN,
      LOG_LEVEL: 'info',
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bot not ready: ${stderr}`)), 30_000);
      child.stderr.on('data', () => {
        if (stderr.includes('bot ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /shutting down/);
    assert.ok(!stderr.includes(TOKEN));
  });

  it('npm run register-commands registers the five commands in DISCORD_GUILD_ID', async () => {
    const result = await runNode(['src/cli/register-commands.ts'], {
      ENV_FILE: '.env.test',
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_TOKEN: TOKEN,
      DISCORD_GUILD_ID: GUILD_ID,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Registered 5 commands in guild/);
    const put = fake.requests.find((request) => request.method === 'PUT');
    assert.equal(put?.path, `/applications/${APP_ID}/guilds/${GUILD_ID}/commands`);
    const commands = put?.body as unknown as {
      name: string;
      default_member_permissions?: string;
      contexts?: number[];
    }[];
    assert.deepEqual(commands.map((command) => command.name).sort(), [
      'Ask the corpus',
      'ask',
      'corpus',
      'help',
      'sources',
    ]);
    // /corpus is for managers: Discord shows it only to members with Manage Server (0x20), in servers.
    const corpus = commands.find((command) => command.name === 'corpus');
    assert.equal(corpus?.default_member_permissions, '32');
    assert.deepEqual(corpus?.contexts, [0]);
  });
});

describe('the fake Discord', () => {
  it('refuses an embed URL that Discord refuses: a raw space, though WHATWG would percent-encode it', () => {
    assert.deepEqual(payloadProblems({ embeds: [{ url: 'https://example.org/with space.html' }] }), [
      'embeds.0.url: Not a well formed URL.',
    ]);
    assert.deepEqual(payloadProblems({ embeds: [{ url: 'https://example.org/with%20space.html' }] }), []);
  });
});
