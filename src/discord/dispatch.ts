/**
 * Routes Discord events to the handlers: slash commands, the message context menu, buttons, and messages
 * (mentions, DMs, answer channels). Each route validates input before deferring, so mistakes the user can
 * fix get an ephemeral message, and runs inside `safely`.
 */
import {
  ChannelType,
  Events,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type Message,
  type MessageContextMenuCommandInteraction,
  type RepliableInteraction,
  type User,
} from 'discord.js';
import { validateQuestion } from '../answering/question.js';
import { UserError } from '../shared/errors.js';
import { ASK_CONTEXT_MENU } from './commands/definitions.js';
import type { BotContext } from './context.js';
import { appendFeedback } from './feedback.js';
import { DEFAULT_RESULTS, answerPayload, morePayload } from './handlers/answer.js';
import { onCorpus, onCorpusAutocomplete } from './handlers/corpus.js';
import { safely } from './handlers/safely.js';
import { HELP_TEXT, renderSource, renderSources } from './render.js';
import { questionFromMessage, type ResolvedMentions } from './mentions.js';
import { deferAnswer, replyToMessage, respond } from './respond.js';
import { parseButtonId } from './sessions.js';

const EXPIRED = 'These buttons have expired. Ask the question again to get fresh ones.';

/** Reactions: the quiet way to answer in public where a text reply would be noise. */
const REACTION = { wait: '⏳', notUnderstood: '❓', notInCorpus: '🤷' } as const;

const QUESTION_START =
  /^(who|whom|whose|what|when|where|which|why|how|is|are|was|were|do|does|did|can|could|should|would|will|has|have|had|tell|explain|list|name)\b/i;

/**
 * Chatter in an answer channel ("thanks!", "ok", "lol"): no question mark, no question word first, a few
 * words at most. It gets no reply at all, rather than a public "nothing in the corpus answers this".
 */
export function looksLikeChatter(text: string): boolean {
  const trimmed = text.trim();
  return !trimmed.includes('?') && !QUESTION_START.test(trimmed) && trimmed.split(/\s+/).length < 4;
}

function cooldownMessage(seconds: number): string {
  return `You are asking quickly: try again in ${seconds} s.`;
}

/** Validates first, so a fixable mistake gets an ephemeral reply before anything public happens. */
async function answerInteraction(
  context: BotContext,
  interaction: RepliableInteraction,
  rawQuestion: string,
  limit: number,
): Promise<void> {
  const tell = (message: string) => respond(interaction, message, { ephemeral: true });
  await safely(
    context.logger,
    'answering an interaction',
    async () => {
      const question = validateQuestion(rawQuestion);
      const wait = context.cooldown.take(interaction.user.id);
      if (wait > 0) {
        await respond(interaction, cooldownMessage(wait), { ephemeral: true });
        return;
      }
      await deferAnswer(interaction);
      await respond(interaction, await answerPayload(context, question, limit));
    },
    tell,
  );
}

async function onChatInput(context: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  switch (interaction.commandName) {
    case 'ask':
      await answerInteraction(
        context,
        interaction,
        interaction.options.getString('question', true),
        interaction.options.getInteger('results') ?? DEFAULT_RESULTS,
      );
      return;
    case 'sources':
      await safely(
        context.logger,
        '/sources',
        async () => respond(interaction, renderSources(await context.engine.listArticles())),
        (message) => respond(interaction, message, { ephemeral: true }),
      );
      return;
    case 'corpus':
      await onCorpus(context, interaction);
      return;
    case 'help':
      await safely(
        context.logger,
        '/help',
        () => respond(interaction, HELP_TEXT, { ephemeral: true }),
        (message) => respond(interaction, message, { ephemeral: true }),
      );
      return;
    default:
      await respond(interaction, `I do not know the command /${interaction.commandName}.`, { ephemeral: true });
  }
}

async function onContextMenu(context: BotContext, interaction: MessageContextMenuCommandInteraction): Promise<void> {
  if (interaction.commandName !== ASK_CONTEXT_MENU) return;
  const text = interaction.targetMessage.content;
  if (!text.trim()) {
    await respond(interaction, 'That message has no text to use as a question.', { ephemeral: true });
    return;
  }
  await answerInteraction(context, interaction, text, DEFAULT_RESULTS);
}

async function onButton(context: BotContext, interaction: ButtonInteraction): Promise<void> {
  const action = parseButtonId(interaction.customId);
  const session = action ? context.sessions.get(action.key) : undefined;
  if (!action || !session) {
    await respond(interaction, EXPIRED, { ephemeral: true });
    return;
  }
  // "More results" runs a search like a question does, so it waits like one.
  const wait = action.kind === 'more' ? context.cooldown.take(interaction.user.id) : 0;
  if (wait > 0) {
    await respond(interaction, cooldownMessage(wait), { ephemeral: true });
    return;
  }
  const tell = (message: string) => respond(interaction, message, { ephemeral: true });
  await safely(
    context.logger,
    `button ${action.kind}`,
    async () => {
      switch (action.kind) {
        case 'more': {
          await deferAnswer(interaction);
          await respond(
            interaction,
            await morePayload(context, action.key, session.question, session.limit, action.offset),
          );
          return;
        }
        case 'source': {
          const found = await context.engine.source(action.passageId);
          if (!found) throw new UserError('That passage is no longer in the index (it was rebuilt). Ask again.');
          await respond(interaction, renderSource(found.passages, action.passageId, found.citation), {
            ephemeral: true,
          });
          return;
        }
        case 'feedback': {
          await appendFeedback(context.feedbackFile, {
            time: new Date().toISOString(),
            question: session.question,
            passageIds: session.passageIds,
            abstained: session.abstained,
            vote: action.vote,
          });
          await respond(interaction, 'Thanks, your feedback was recorded.', { ephemeral: true });
          return;
        }
      }
    },
    tell,
  );
}

/** What Discord resolved on a message, for turning its mentions into names (discord/mentions.ts). */
function resolvedMentions(message: Message, botUserId: string, botRoleId: string | undefined): ResolvedMentions {
  const users = new Map<string, string>();
  for (const [id, mentioned] of message.mentions.users) users.set(id, mentioned.globalName ?? mentioned.username);
  for (const [id, member] of message.mentions.members ?? []) users.set(id, member.displayName);
  return {
    botUserId,
    botRoleId,
    users,
    roles: new Map([...message.mentions.roles].map(([id, role]) => [id, role.name])),
    channels: new Map(
      [...message.mentions.channels].map(([id, channel]) => [
        id,
        'name' in channel && channel.name ? channel.name : '',
      ]),
    ),
  };
}

/** How a message reaches the bot: in a DM, by a mention (of the bot or its role), in an answer channel. */
export function addressing(message: Message, botUser: User, answerChannels: ReadonlySet<string>) {
  const isDirect = message.channel.type === ChannelType.DM;
  // Mentioning the bot's managed role (what Discord's autocomplete often offers) addresses the bot too.
  const botRoleId = message.guild?.roles.botRoleFor(botUser)?.id;
  const mentioned =
    message.mentions.users.has(botUser.id) || (botRoleId !== undefined && message.mentions.roles.has(botRoleId));
  const parentId = message.channel.isThread() ? message.channel.parentId : null;
  const inAnswerChannel = answerChannels.has(message.channelId) || (parentId !== null && answerChannels.has(parentId));
  return { isDirect, mentioned, inAnswerChannel, botRoleId, any: isDirect || mentioned || inAnswerChannel };
}

export interface MessageOptions {
  /** Answering a question asked while the bot was down: no cooldown (the asker waited long enough). */
  catchingUp?: boolean;
}

export async function handleMessage(
  context: BotContext,
  message: Message,
  answerChannels: ReadonlySet<string>,
  options: MessageOptions = {},
): Promise<void> {
  const botUser = message.client.user;
  if (message.author.bot || message.system || !botUser) return;
  const { isDirect, mentioned, inAnswerChannel, botRoleId, any } = addressing(message, botUser, answerChannels);
  // At run time a message taken once is never taken again; catching up takes again what was never answered.
  if (!any || (options.catchingUp ? context.handled.answered(message.id) : context.handled.has(message.id))) return;
  if (message.content === '' && message.attachments.size === 0 && inAnswerChannel && !mentioned) {
    context.logger.warn(
      { channelId: message.channelId },
      'a message in an answer channel arrived without content: the Message Content intent is missing (enable it in the developer portal)',
    );
    return;
  }
  context.logger.debug({ channelId: message.channelId, length: message.content.length }, 'question by message');
  const text = questionFromMessage(message.content, resolvedMentions(message, botUser.id, botRoleId));
  // Someone who addressed the bot (a mention, a DM) gets a reply; in an answer channel, where every message
  // arrives whether or not it is meant for the bot, notices are reactions and chatter gets nothing.
  const addressed = isDirect || mentioned;
  if (!addressed && looksLikeChatter(text)) {
    context.handled.add(message.channelId, message.id);
    return;
  }
  // Taken now, answered once the reply is sent: a stop in between leaves it for the next start's catch-up.
  context.handled.take(message.channelId, message.id);
  const react = (emoji: string) => message.react(emoji).then(() => undefined);
  await safely(
    context.logger,
    'answering a message',
    async () => {
      const question = validateQuestion(text);
      const wait = options.catchingUp ? 0 : context.cooldown.take(message.author.id);
      if (wait > 0) {
        // Only the asker cares how long to wait: a reaction in a channel, the words in a DM.
        await (isDirect ? replyToMessage(message, cooldownMessage(wait)) : react(REACTION.wait));
        return;
      }
      if ('sendTyping' in message.channel) await message.channel.sendTyping().catch(() => undefined);
      const payload = await answerPayload(context, question);
      if (!addressed && payload.embeds.length === 0) {
        await react(REACTION.notInCorpus);
        return;
      }
      await replyToMessage(message, payload);
    },
    (notice, isUserError) =>
      isUserError && !addressed ? react(REACTION.notUnderstood) : replyToMessage(message, notice),
  );
  context.handled.done(message.id);
}

const SHUTTING_DOWN = 'I am restarting right now. Ask again in a minute.';

export function attachDispatch(client: Client, context: BotContext, answerChannelIds: string[]): void {
  const answerChannels = new Set(answerChannelIds);
  client.on(Events.InteractionCreate, (interaction) => {
    if (!context.inFlight.accepting) {
      // An interaction must be answered within 3 seconds or Discord shows "interaction failed".
      if (interaction.isRepliable()) {
        respond(interaction, SHUTTING_DOWN, { ephemeral: true }).catch(() => undefined);
      }
      return;
    }
    const handled = interaction.isAutocomplete()
      ? interaction.commandName === 'corpus'
        ? onCorpusAutocomplete(context, interaction)
        : interaction.respond([])
      : interaction.isChatInputCommand()
        ? onChatInput(context, interaction)
        : interaction.isMessageContextMenuCommand()
          ? onContextMenu(context, interaction)
          : interaction.isButton()
            ? onButton(context, interaction)
            : Promise.resolve();
    context.inFlight
      .track(handled)
      .catch((error: unknown) => context.logger.error({ err: error }, 'interaction handler failed'));
  });
  client.on(Events.MessageCreate, (message) => {
    // A message that arrives during shutdown is left for the next start's catch-up.
    if (!context.inFlight.accepting) return;
    context.inFlight
      .track(handleMessage(context, message, answerChannels))
      .catch((error: unknown) => context.logger.error({ err: error }, 'message handler failed'));
  });
}
