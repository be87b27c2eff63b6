/** Slash commands: /ask, /sources, /help, /corpus. */
import type { BotContext } from '../context.js';
import { DEFAULT_RESULTS } from './answer.js';
import { onCorpus } from './corpus.js';
import { safely } from './safely.js';
import { HELP_TEXT, renderSources } from '../render.js';
import { respond } from '../respond.js';
import { answerInteraction } from './ask-interaction.js';
import type { ChatInputCommandInteraction } from 'discord.js';

export async function onChatInput(context: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
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
