/**
 * Messages: mentions of the bot, DMs and the answer channels. A message is taken (recorded) before it is
 * answered and marked answered after, so a restart answers what was taken and never answered, once.
 */
import { validateQuestion } from '../../answering/question.js';
import type { BotContext } from '../context.js';
import { answerPayload } from './answer.js';
import { safely } from './safely.js';
import { questionFromMessage, type ResolvedMentions } from '../mentions.js';
import { replyToMessage } from '../respond.js';
import { cooldownMessage } from './ask-interaction.js';
import { ChannelType, type Message, type User } from 'discord.js';

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
