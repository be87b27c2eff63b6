/**
 * Starts the Discord bot: answering (models and index) in a worker process that reloads the index when
 * `npm run index` writes a new one, the real discord.js client with no mentions allowed, a clean shutdown.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Events, GatewayIntentBits, Partials } from 'discord.js';
import { RemoteAnswerEngine } from '../workers/answering/remote-engine.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { UserError, errorMessage } from '../shared/errors.js';
import { tryLock } from '../shared/process-lock.js';
import { COMMANDS } from './commands/definitions.js';
import type { BotContext } from './context.js';
import { Cooldown } from './cooldown.js';
import { startFeedPolling } from '../workers/corpus/corpus-process.js';
import { catchUp } from './catch-up.js';
import { HandledMessages } from './handled-messages.js';
import { InFlight } from './in-flight.js';
import { attachDispatch } from './dispatch.js';
import { NO_MENTIONS } from './respond.js';
import { AnswerSessions } from './sessions.js';

export interface RunningBot {
  client: Client;
  context: BotContext;
  engine: RemoteAnswerEngine;
  /** Resolves with the reason when the answering worker keeps dying and is given up on. */
  fatal: Promise<string>;
  /**
   * Shuts down: takes no new questions, lets the ones being answered finish (at most `drainMs`), then closes
   * the gateway and the worker.
   */
  stop(drainMs?: number): Promise<void>;
}

/** How long a shutdown waits for the answers in flight: under the 30 s a supervisor usually allows. */
export const DRAIN_MS = 20_000;
/** How long closing the gateway connection may take at shutdown (it waits on the network). */
const DESTROY_MS = 5_000;
/** Longest a shutdown takes: the drain, closing the Discord client, stopping the worker, and a margin. */
export const SHUTDOWN_MS = DRAIN_MS + DESTROY_MS + 5_000 + 2_000;
/** Time left, once shut down, for the last log lines and exit code to go out before the process is ended. */
const EXIT_GRACE_MS = 1_000;

/** Intents: guild events and messages (mentions arrive with content even without Message Content), DMs. */
export function intentsFor(config: Pick<Config, 'answerChannelIds'>): GatewayIntentBits[] {
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];
  // Only answer channels need every message's text, which is the privileged Message Content intent.
  if (config.answerChannelIds.length > 0) intents.push(GatewayIntentBits.MessageContent);
  return intents;
}

function loginError(error: unknown, config: Config): Error {
  const message = errorMessage(error);
  if (/TokenInvalid|invalid token|401/i.test(message) || (error as { code?: string }).code === 'TokenInvalid') {
    return new UserError(
      'Discord rejected DISCORD_TOKEN as invalid. Copy the token again from the Bot page of your application in the Discord developer portal.',
    );
  }
  if (/disallowed intent/i.test(message) || /4014/.test(message)) {
    return new UserError(
      `Discord refused the Message Content intent, which ANSWER_CHANNEL_IDS needs (${config.answerChannelIds.join(', ')}). ` +
        'Switch on "Message Content Intent" on the Bot page of the developer portal, or leave ANSWER_CHANNEL_IDS empty.',
    );
  }
  return error instanceof Error ? error : new Error(message);
}

const DISCORD_API = 'https://discord.com/api';

/**
 * Asks the REST API for the gateway, as login does first, to turn what can go wrong with DISCORD_API_URL
 * into one line naming the setting: nothing listening, no such host, a server error, an HTML page (a wrong
 * URL), no answer. discord.js alone would retry for a minute and then throw something generic.
 */
export async function checkDiscordApi(config: Config, timeoutMs = 10_000): Promise<void> {
  const base = config.discordApiUrl ?? DISCORD_API;
  const where = config.discordApiUrl ? `DISCORD_API_URL="${config.discordApiUrl}"` : `Discord (${DISCORD_API})`;
  let response: Response;
  try {
    response = await fetch(`${base}/v10/gateway/bot`, {
      headers: { Authorization: `Bot ${config.discordToken ?? ''}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      throw new UserError(
        `${where} did not answer within ${timeoutMs / 1000} s. Check the URL and that the server is up.`,
      );
    }
    const code = (error as { cause?: { code?: string } }).cause?.code;
    const why =
      code === 'ECONNREFUSED'
        ? 'connection refused (nothing listens there)'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'no such host'
          : (code ?? errorMessage(error));
    throw new UserError(`Cannot reach ${where}: ${why}. Check the URL, the network, and that the server is up.`);
  }
  if (response.status === 401) throw loginError(new Error('401'), config);
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok) {
    throw new UserError(
      `${where} answered HTTP ${response.status} to GET /gateway/bot. Try again later, or check the URL.`,
    );
  }
  if (!type.includes('json')) {
    throw new UserError(
      `${where} answered with ${type.split(';')[0] || 'something'} (a web page?), not Discord's API. Check the URL: it should end in /api.`,
    );
  }
}

export async function startBot(
  config: Config,
  logger: Logger,
  options: { apiTimeoutMs?: number } = {},
): Promise<RunningBot> {
  if (!config.discordToken) throw new UserError('DISCORD_TOKEN is not set.');
  const releaseLock = lockDataDir(config.dataDir);
  try {
    return await startUnlocked(config, logger, options, releaseLock);
  } catch (error) {
    releaseLock();
    throw error;
  }
}

/**
 * One bot per DATA_DIR: two would answer every question twice (a forgotten terminal, a deploy that starts
 * the new bot before the old one stops).
 */
function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, 'bot.lock');
  let taken: ReturnType<typeof tryLock>;
  try {
    mkdirSync(dataDir, { recursive: true });
    taken = tryLock(path);
  } catch (error) {
    // A DATA_DIR that cannot be written is reported where the bot writes; it does not stop the bot.
    if ((error as NodeJS.ErrnoException).code !== undefined) return () => undefined;
    throw error;
  }
  if ('heldBy' in taken) {
    throw new UserError(
      `Another bot (process ${taken.heldBy}) is running with DATA_DIR=${dataDir}: stop it first, or give this one its own DATA_DIR.`,
    );
  }
  return taken.release;
}

/** Waits for `work` at most `ms`: shutting down must end within its bound whatever the network does. */
async function atMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

async function startUnlocked(
  config: Config,
  logger: Logger,
  options: { apiTimeoutMs?: number },
  releaseLock: () => void,
): Promise<RunningBot> {
  await checkDiscordApi(config, options.apiTimeoutMs);
  let onFatal: (reason: string) => void = () => {};
  const fatal = new Promise<string>((resolve) => (onFatal = resolve));
  const engine = await RemoteAnswerEngine.start(config, {
    logger,
    onReload: (version) => logger.info({ version }, 'loaded the new index'),
    onFatal,
  });
  const context: BotContext = {
    engine,
    sessions: new AnswerSessions(),
    cooldown: new Cooldown(config.cooldownSeconds),
    feedbackFile: join(config.dataDir, 'feedback.jsonl'),
    logger,
    inFlight: new InFlight(),
    handled: HandledMessages.load(join(config.dataDir, 'handled.json'), (error) =>
      logger.warn(
        { folder: config.dataDir, reason: errorMessage(error) },
        'cannot save which messages were answered in DATA_DIR; answering anyway, and trying again at each message',
      ),
    ),
    config,
  };
  const client = new Client({
    intents: intentsFor(config),
    // DMs arrive for channels discord.js has not cached; without the Channel partial they would be dropped.
    partials: [Partials.Channel],
    allowedMentions: NO_MENTIONS,
    ...(config.discordApiUrl ? { rest: { api: config.discordApiUrl } } : {}),
  });
  attachDispatch(client, context, config.answerChannelIds);

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(config.discordToken);
    await ready;
  } catch (error) {
    await client.destroy();
    await engine.close();
    throw loginError(error, config);
  }
  const articles = (await engine.listArticles()).length;
  logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size, articles }, 'bot ready');
  const stopPolling = config.feedsPollMinutes > 0 ? startFeedPolling(config, logger) : () => undefined;
  // In the background: the bot answers new questions while it catches up on the ones it missed.
  catchUp(client, context, config.answerChannelIds, config.catchUpMinutes).catch((error: unknown) =>
    logger.error({ err: error }, 'catching up failed'),
  );
  if (config.registerCommandsOnStart && client.application) {
    if (config.discordGuildId) await client.application.commands.set(COMMANDS, config.discordGuildId);
    else await client.application.commands.set(COMMANDS);
    logger.info({ commands: COMMANDS.length, guild: config.discordGuildId ?? 'global' }, 'slash commands registered');
  }
  return {
    client,
    context,
    engine,
    fatal,
    stop: async (drainMs = DRAIN_MS) => {
      stopPolling();
      context.inFlight.close();
      const waiting = context.inFlight.size;
      if (waiting > 0) logger.info({ waiting }, 'finishing the questions being answered');
      if (!(await context.inFlight.drained(drainMs))) {
        logger.warn({ unfinished: context.inFlight.size }, 'stopped before every question was answered');
      }
      await atMost(client.destroy(), DESTROY_MS);
      await engine.close();
      releaseLock();
    },
  };
}

/** Runs until SIGINT or SIGTERM, then shuts down cleanly (a signal during start-up waits for it to finish). */
export async function runBot(config: Config, logger: Logger): Promise<number> {
  let requestStop = () => {};
  const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
  const onSignal = () => requestStop();
  // Listen before starting, so a signal that arrives while the bot starts is not the default "exit at once".
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let bot: RunningBot;
  try {
    bot = await startBot(config, logger);
  } catch (error) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    throw error;
  }
  // A worker that keeps dying ends the bot with exit code 1, so its supervisor restarts the whole bot.
  const outcome = await Promise.race([stopRequested.then(() => 0), bot.fatal.then(() => 1)]);
  logger.info('shutting down');
  // Whatever the network does (a Discord gone away keeps a client reconnecting), the process ends in time:
  // the timer does not itself keep the process alive, and fires only if something else does.
  const exitAfter = (ms: number) =>
    setTimeout(() => {
      logger.warn('connections still open after shutting down; exiting');
      process.exit(outcome);
    }, ms).unref();
  const deadline = exitAfter(SHUTDOWN_MS);
  await bot.stop();
  clearTimeout(deadline);
  exitAfter(EXIT_GRACE_MS);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return outcome;
}
