/**
 * Discord's mention markup in questions and in what the bot echoes back. Pure.
 *
 * Incoming: `<@123> <@&456> <#789> How many doctors voted?` is a question about doctors, not about numbers
 * in angle brackets: user, role and channel mentions become the names Discord resolved on the message, the
 * bot's own mention (or its managed role's) goes, and so do @everyone, @here and custom emoji.
 *
 * Outgoing: the echoed question is made inert even for a server that ignored `allowed_mentions`: a zero-width
 * space after every "@" of a mention, and links wrapped in <…> so they do not unfurl into previews.
 */

export interface ResolvedMentions {
  /** The bot's user id, and the id of its managed role in this server, if any: both address the bot. */
  botUserId: string;
  botRoleId?: string | undefined;
  /** Display names Discord resolved on the message, by id. */
  users: ReadonlyMap<string, string>;
  roles: ReadonlyMap<string, string>;
  channels: ReadonlyMap<string, string>;
}

export function questionFromMessage(content: string, resolved: ResolvedMentions): string {
  const named = (names: ReadonlyMap<string, string>, id: string) => names.get(id) ?? '';
  return content
    .replace(/<@!?(\d+)>/g, (_, id: string) => (id === resolved.botUserId ? ' ' : ` ${named(resolved.users, id)} `))
    .replace(/<@&(\d+)>/g, (_, id: string) => (id === resolved.botRoleId ? ' ' : ` ${named(resolved.roles, id)} `))
    .replace(/<#(\d+)>/g, (_, id: string) => ` ${named(resolved.channels, id)} `)
    .replace(/<a?:\w+:\d+>/g, ' ')
    .replace(/@(everyone|here)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const ZERO_WIDTH_SPACE = '\u200b';

/** Text that pings nobody and unfurls nothing when Discord renders it, whatever allowed_mentions says. */
export function inertText(text: string): string {
  return (
    text
      .replace(/@(everyone|here)\b/g, `@${ZERO_WIDTH_SPACE}$1`)
      .replace(/<@([!&]?\d+)>/g, `<@${ZERO_WIDTH_SPACE}$1>`)
      .replace(/<?(https?:\/\/[^\s<>]+)>?/g, '<$1>')
      // Discord makes an invite live (a join card) with or without its scheme: a zero-width space breaks it.
      .replace(/\b(discord(?:app)?\.com\/invite|discord\.(?:gg|io|me|li))\//gi, `$1${ZERO_WIDTH_SPACE}/`)
  );
}
