/**
 * `npm run register-commands`: registers /ask, /sources, /help, /corpus and the "Ask the corpus" context menu with
 * Discord — to DISCORD_GUILD_ID when set (instant), globally otherwise (can take up to an hour to show).
 */
import { REST, Routes, type APIApplication } from 'discord.js';
import { loadConfig } from '../config/config.js';
import { COMMANDS } from '../discord/commands/definitions.js';
import { UserError, errorMessage } from '../shared/errors.js';
import { parseCommandLine, type Command } from './flags.js';
import { runCli } from './run-cli.js';

const COMMAND: Command<never> = {
  synopsis: 'npm run register-commands',
  flags: [],
  about: `Registers the slash commands with Discord: to DISCORD_GUILD_ID when set (instant), globally otherwise (up to
an hour to show). Needs DISCORD_TOKEN.`,
};

await runCli(async () => {
  if (!parseCommandLine(COMMAND)) return 0;
  const config = loadConfig();
  if (!config.discordToken) throw new UserError('DISCORD_TOKEN is not set: it is needed to register commands.', 2);
  const rest = new REST(config.discordApiUrl ? { api: config.discordApiUrl } : {}).setToken(config.discordToken);
  let application: APIApplication;
  try {
    application = (await rest.get(Routes.currentApplication())) as APIApplication;
  } catch (error) {
    throw new UserError(`Discord did not accept DISCORD_TOKEN (${errorMessage(error)}).`);
  }
  const route = config.discordGuildId
    ? Routes.applicationGuildCommands(application.id, config.discordGuildId)
    : Routes.applicationCommands(application.id);
  await rest.put(route, { body: COMMANDS });
  process.stdout.write(
    `Registered ${COMMANDS.length} commands ${config.discordGuildId ? `in guild ${config.discordGuildId}` : 'globally'}.\n`,
  );
});
