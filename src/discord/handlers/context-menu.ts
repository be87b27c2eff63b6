/** The message context menu, "Ask the corpus": that message's text is the question. */
import { ASK_CONTEXT_MENU } from '../commands/definitions.js';
import type { BotContext } from '../context.js';
import { DEFAULT_RESULTS } from './answer.js';
import { respond } from '../respond.js';
import { answerInteraction } from './ask-interaction.js';
import type { MessageContextMenuCommandInteraction } from 'discord.js';

export async function onContextMenu(
  context: BotContext,
  interaction: MessageContextMenuCommandInteraction,
): Promise<void> {
  if (interaction.commandName !== ASK_CONTEXT_MENU) return;
  const text = interaction.targetMessage.content;
  if (!text.trim()) {
    await respond(interaction, 'That message has no text to use as a question.', { ephemeral: true });
    return;
  }
  await answerInteraction(context, interaction, text, DEFAULT_RESULTS);
}
