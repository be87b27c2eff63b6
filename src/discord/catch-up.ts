/**
 * After a start, the questions asked while the bot was down: in every answer channel and every channel where
 * it handled a message before, the messages since the last one it handled that are addressed to it, younger
 * than CATCH_UP_MINUTES and not answered yet are answered, oldest first, once each (handled-messages.ts keeps
 * that true across restarts). At most the 100 newest messages per channel are read.
 */
import type { Client, Message } from 'discord.js';
import { errorMessage } from '../shared/errors.js';
import type { BotContext } from './context.js';
import { addressing, handleMessage } from './handlers/message.js';
import { justBefore, unansweredQuestions } from './handled-messages.js';

const PER_CHANNEL = 100;

export async function catchUp(
  client: Client,
  context: BotContext,
  answerChannelIds: string[],
  maxAgeMinutes: number,
): Promise<number> {
  const botUser = client.user;
  if (!botUser || maxAgeMinutes <= 0) return 0;
  const answerChannels = new Set(answerChannelIds);
  const channelIds = new Set([
    ...answerChannelIds,
    ...Object.keys(context.handled.channels),
    ...context.handled.pendingChannels,
  ]);
  let answered = 0;
  for (const channelId of channelIds) {
    let messages: Message[];
    try {
      const channel = await client.channels.fetch(channelId);
      if (!channel?.isTextBased() || !('messages' in channel)) continue;
      // From the oldest message taken and never answered, or else the newest one taken.
      const [oldestPending] = context.handled.pendingIn(channelId);
      const after = oldestPending !== undefined ? justBefore(oldestPending) : context.handled.channels[channelId];
      const fetched = await channel.messages.fetch(after ? { after, limit: PER_CHANNEL } : { limit: PER_CHANNEL });
      messages = [...fetched.values()];
    } catch (error) {
      context.logger.warn({ channelId, reason: errorMessage(error) }, 'could not read a channel to catch up');
      continue;
    }
    const byId = new Map(messages.map((message) => [message.id, message]));
    const repliedTo = new Set(
      messages
        .filter((message) => message.author.id === botUser.id && message.reference?.messageId)
        .map((message) => message.reference?.messageId as string),
    );
    const missed = unansweredQuestions(
      messages.map((message) => ({
        id: message.id,
        createdTimestamp: message.createdTimestamp,
        fromBot: message.author.bot,
        addressed: addressing(message, botUser, answerChannels).any,
      })),
      { now: Date.now(), maxAgeMs: maxAgeMinutes * 60_000, handled: (id) => context.handled.answered(id), repliedTo },
    );
    for (const { id } of missed) {
      const message = byId.get(id);
      if (!message || !context.inFlight.accepting) continue;
      await context.inFlight.track(handleMessage(context, message, answerChannels, { catchingUp: true }));
      answered++;
    }
  }
  if (answered > 0) context.logger.info({ answered }, 'answered questions asked while the bot was down');
  return answered;
}
