/**
 * Routes Discord events to their handlers, one per kind (handlers/: slash commands, the message context
 * menu, buttons, autocomplete, messages), and turns them away while the bot shuts down. Each handler
 * validates input before deferring and runs inside `safely`.
 */
import type { BotContext } from './context.js';
import { onCorpusAutocomplete } from './handlers/corpus.js';
import { respond } from './respond.js';
import { onButton } from './handlers/button.js';
import { onChatInput } from './handlers/slash-command.js';
import { onContextMenu } from './handlers/context-menu.js';
import { handleMessage } from './handlers/message.js';
import { Events, type Client } from 'discord.js';

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
