/**
 * Which messages the bot has handled, kept in DATA_DIR/handled.json so that after a restart it can tell the
 * questions asked while it was down from the ones it already answered: per channel, the newest message
 * handled; and the ids of recently handled messages. Written atomically (temporary file, then rename), so a
 * crash never leaves it half-written; a missing or unreadable file only means there is nothing to catch up.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../shared/files.js';

export interface HandledState {
  /** Channel id → id of the newest message handled there. */
  channels: Record<string, string>;
  /** Ids of recently handled messages, oldest first. */
  recent: string[];
}

const RECENT_LIMIT = 2000;

/** Snowflakes are decimal strings of growing numbers: compare them as numbers, not as text. */
export function newerSnowflake(a: string | undefined, b: string): string {
  return a !== undefined && BigInt(a) >= BigInt(b) ? a : b;
}

export class HandledMessages {
  private readonly recentSet: Set<string>;

  private constructor(
    private readonly path: string,
    private readonly state: HandledState,
  ) {
    this.recentSet = new Set(state.recent);
  }

  static load(path: string): HandledMessages {
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<HandledState>;
      const channels = typeof parsed.channels === 'object' && parsed.channels !== null ? parsed.channels : {};
      const recent = Array.isArray(parsed.recent) ? parsed.recent.filter((id) => typeof id === 'string') : [];
      return new HandledMessages(path, { channels, recent });
    } catch {
      return new HandledMessages(path, { channels: {}, recent: [] });
    }
  }

  get channels(): Record<string, string> {
    return this.state.channels;
  }

  has(messageId: string): boolean {
    return this.recentSet.has(messageId);
  }

  /** Records a handled message and saves the state. */
  add(channelId: string, messageId: string): void {
    if (!this.recentSet.has(messageId)) {
      this.recentSet.add(messageId);
      this.state.recent.push(messageId);
      while (this.state.recent.length > RECENT_LIMIT) this.recentSet.delete(this.state.recent.shift() as string);
    }
    this.state.channels[channelId] = newerSnowflake(this.state.channels[channelId], messageId);
    this.save();
  }

  private save(): void {
    writeFileAtomic(this.path, JSON.stringify(this.state));
  }
}

export interface MissedMessage {
  id: string;
  createdTimestamp: number;
  /** Sent by a bot (this one included): never a question to answer. */
  fromBot: boolean;
  /** Mentions the bot, is a DM, or is in an answer channel. */
  addressed: boolean;
}

/**
 * The messages to answer after a restart, oldest first: addressed to the bot, not by a bot, younger than
 * `maxAgeMs`, and neither handled before nor already replied to by the bot (`repliedTo`).
 */
export function unansweredQuestions(
  messages: MissedMessage[],
  options: { now: number; maxAgeMs: number; handled: (id: string) => boolean; repliedTo: Set<string> },
): MissedMessage[] {
  return messages
    .filter(
      (message) =>
        message.addressed &&
        !message.fromBot &&
        options.now - message.createdTimestamp <= options.maxAgeMs &&
        !options.handled(message.id) &&
        !options.repliedTo.has(message.id),
    )
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}
