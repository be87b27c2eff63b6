/** The application commands, as Discord receives them when they are registered. */
import {
  ApplicationCommandType,
  ContextMenuCommandBuilder,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js';
import { MAX_QUESTION_CHARS } from '../../answering/question.js';

export const ASK_CONTEXT_MENU = 'Ask the corpus';
const EVERYWHERE = [InteractionContextType.Guild, InteractionContextType.BotDM];

export const COMMANDS: RESTPostAPIApplicationCommandsJSONBody[] = [
  new SlashCommandBuilder()
    .setName('ask')
    .setDescription('Ask a question; I answer with quotes from the articles, with citations')
    .setContexts(EVERYWHERE)
    .addStringOption((option) =>
      option.setName('question').setDescription('Your question').setRequired(true).setMaxLength(MAX_QUESTION_CHARS),
    )
    .addIntegerOption((option) =>
      option
        .setName('results')
        .setDescription('How many passages to quote (1-5, default 3)')
        .setMinValue(1)
        .setMaxValue(5),
    )
    .toJSON(),
  new SlashCommandBuilder()
    .setName('sources')
    .setDescription('List the articles I can quote')
    .setContexts(EVERYWHERE)
    .toJSON(),
  new SlashCommandBuilder().setName('help').setDescription('How to ask me questions').setContexts(EVERYWHERE).toJSON(),
  // Changing what the bot knows is for the server's managers: Discord hides the command from everyone else
  // (default member permissions), and the handler checks again when it runs (a server can override the default).
  new SlashCommandBuilder()
    .setName('corpus')
    .setDescription('Change the articles the bot knows (Manage Server permission)')
    .setContexts([InteractionContextType.Guild])
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((command) =>
      command
        .setName('add')
        .setDescription('Add the article at a URL')
        .addStringOption((option) =>
          option.setName('url').setDescription('http(s) URL of the article').setRequired(true),
        ),
    )
    .addSubcommand((command) =>
      command
        .setName('remove')
        .setDescription('Remove an article')
        .addStringOption((option) =>
          option.setName('article').setDescription('The article').setRequired(true).setAutocomplete(true),
        ),
    )
    .addSubcommandGroup((group) =>
      group
        .setName('feeds')
        .setDescription('The RSS and Atom feeds the bot follows')
        .addSubcommand((command) => command.setName('list').setDescription('List the feeds'))
        .addSubcommand((command) =>
          command
            .setName('add')
            .setDescription('Follow a feed')
            .addStringOption((option) => option.setName('url').setDescription('RSS or Atom URL').setRequired(true)),
        )
        .addSubcommand((command) =>
          command
            .setName('remove')
            .setDescription('Stop following a feed')
            .addStringOption((option) =>
              option.setName('url').setDescription('The feed').setRequired(true).setAutocomplete(true),
            ),
        ),
    )
    .toJSON(),
  new ContextMenuCommandBuilder()
    .setName(ASK_CONTEXT_MENU)
    .setType(ApplicationCommandType.Message)
    .setContexts(EVERYWHERE)
    .toJSON(),
];
