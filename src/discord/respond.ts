/**
 * Every message the bot sends or edits goes through here, so `allowed_mentions` is set in exactly one place.
 * It allows no mentions at all: an article or a question containing @everyone, @here, a role or a user
 * mention is shown as text and pings nobody, and replies do not ping the asker. Edits carry it too, because
 * Discord parses an edited message's mentions again with its defaults when the field is missing.
 */
import { MessageFlags, type Message, type MessageMentionOptions, type RepliableInteraction } from 'discord.js';
import type { MessagePayload } from './render.js';

export const NO_MENTIONS: MessageMentionOptions = { parse: [], repliedUser: false };

export type Reply = MessagePayload | string;

const body = (reply: Reply) =>
  typeof reply === 'string'
    ? { content: reply, embeds: [], components: [], allowedMentions: NO_MENTIONS }
    : { ...reply, allowedMentions: NO_MENTIONS };

/** Answers an interaction: a first reply, or the edit of a deferred one. Ephemeral only applies to first replies. */
export async function respond(
  interaction: RepliableInteraction,
  reply: Reply,
  options: { ephemeral?: boolean } = {},
): Promise<void> {
  if (interaction.deferred || interaction.replied) {
    await interaction.editReply(body(reply));
    return;
  }
  await interaction.reply({ ...body(reply), ...(options.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) });
}

/** Tells Discord the answer is coming (it allows 3 seconds for a first response). */
export async function deferAnswer(
  interaction: RepliableInteraction,
  options: { ephemeral?: boolean } = {},
): Promise<void> {
  await interaction.deferReply(options.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
}

export async function replyToMessage(message: Message, reply: Reply): Promise<Message> {
  return message.reply(body(reply));
}
