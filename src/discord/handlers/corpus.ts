/**
 * `/corpus`: managers change what the bot knows — add an article by URL, remove one, follow or drop feeds.
 * Discord shows the command only to members with Manage Server (its default member permissions); the
 * permission is checked again here, since a server can grant the command to others. Changes run in a child
 * process (web/corpus-process.ts), and the answering worker picks the new index up by itself.
 */
import { PermissionFlagsBits, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { UserError } from '../../shared/errors.js';
import { webUrl } from '../../shared/web-url.js';
import { runCorpusTask } from '../../workers/corpus/corpus-process.js';
import { readFeedList, writeFeedList } from '../../app/feeds.js';
import type { BotContext } from '../context.js';
import { deferAnswer, respond } from '../respond.js';
import { safely } from './safely.js';

export const NOT_ALLOWED = 'Only members with the Manage Server permission can change the corpus.';
const CHOICES = 25;
const CHOICE_LENGTH = 100;

function urlOption(interaction: ChatInputCommandInteraction): string {
  const raw = interaction.options.getString('url', true).trim();
  const url = webUrl(raw);
  if (!url) throw new UserError(`"${raw.slice(0, 200)}" is not an http(s) URL.`);
  return url;
}

async function onFeeds(context: BotContext, interaction: ChatInputCommandInteraction, command: string): Promise<void> {
  const { feedsFile, feedsPollMinutes } = context.config;
  const { urls } = readFeedList(feedsFile);
  const polling = feedsPollMinutes > 0 ? `every ${feedsPollMinutes} min` : 'when `npm run feeds` runs (polling is off)';
  if (command === 'list') {
    const list =
      urls.length > 0 ? urls.map((url) => `• <${url}>`).join('\n') : 'No feeds yet. Add one with `/corpus feeds add`.';
    await respond(interaction, `${list}\n\nFeeds are read ${polling}.`.slice(0, 2000), { ephemeral: true });
    return;
  }
  const url = urlOption(interaction);
  if (command === 'add') {
    if (!urls.includes(url)) writeFeedList(feedsFile, [...urls, url]);
    await respond(interaction, `Following <${url}>. Its new articles are added ${polling}.`, { ephemeral: true });
    return;
  }
  if (!urls.includes(url)) throw new UserError(`I do not follow <${url}>. See \`/corpus feeds list\`.`);
  writeFeedList(
    feedsFile,
    urls.filter((entry) => entry !== url),
  );
  await respond(interaction, `No longer following <${url}>. Its articles stay in the corpus.`, { ephemeral: true });
}

export async function onCorpus(context: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  if (!interaction.inGuild() || !interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    await respond(interaction, NOT_ALLOWED, { ephemeral: true });
    return;
  }
  const group = interaction.options.getSubcommandGroup(false);
  const command = interaction.options.getSubcommand(true);
  await safely(
    context.logger,
    `/corpus ${group ? `${group} ` : ''}${command}`,
    async () => {
      if (group === 'feeds') {
        await onFeeds(context, interaction, command);
        return;
      }
      if (command === 'add') {
        const url = urlOption(interaction);
        await deferAnswer(interaction, { ephemeral: true });
        const report = await runCorpusTask(context.config, { kind: 'add', urls: [url] });
        const [added] = report.added;
        await respond(
          interaction,
          added
            ? `Added **${added.title}** (${added.passages} passages, from <${added.url}>). It can be asked about now.`
            : `Not added: ${report.skipped[0]?.reason ?? 'unknown reason'}.`,
        );
        return;
      }
      const articleId = interaction.options.getString('article', true);
      await deferAnswer(interaction, { ephemeral: true });
      const report = await runCorpusTask(context.config, { kind: 'remove', articleId });
      await respond(interaction, `Removed **${report.title}** (${report.passages} passages).`);
    },
    (message) => respond(interaction, message, { ephemeral: true }),
  );
}

/** Suggestions while a manager types: articles by title for `remove`, followed feeds for `feeds remove`. */
export async function onCorpusAutocomplete(context: BotContext, interaction: AutocompleteInteraction): Promise<void> {
  if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    await interaction.respond([]);
    return;
  }
  const typed = String(interaction.options.getFocused()).toLowerCase();
  if (interaction.options.getSubcommandGroup(false) === 'feeds') {
    const { urls } = readFeedList(context.config.feedsFile);
    await interaction.respond(
      urls
        .filter((url) => url.toLowerCase().includes(typed) && url.length <= CHOICE_LENGTH)
        .slice(0, CHOICES)
        .map((url) => ({ name: url, value: url })),
    );
    return;
  }
  const articles = await context.engine.listArticles();
  await interaction.respond(
    articles
      .filter((article) => article.id.length <= CHOICE_LENGTH && article.title.toLowerCase().includes(typed))
      .slice(0, CHOICES)
      .map((article) => ({ name: article.title.slice(0, CHOICE_LENGTH), value: article.id })),
  );
}
