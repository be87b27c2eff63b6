/** The application commands, as Discord receives them when they are registered. */
import {
  ApplicationCommandType,
  ContextMenuCommandBuilder,
  InteractionContextType,
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
  new ContextMenuCommandBuilder()
    .setName(ASK_CONTEXT_MENU)
    .setType(ApplicationCommandType.Message)
    .setContexts(EVERYWHERE)
    .toJSON(),
];
