/**
 * Which messages the bot has taken and answered, kept in DATA_DIR/handled.json so that after a restart it can
 * tell the questions asked while it was down — or taken and never answered (a crash, a kill, a drain past its
 * bound) — from the ones it already answered: per channel, the newest message taken; the ids of recently
 * answered messages; and the ids taken but not answered yet. Written atomically (temporary file, then
 * rename), so a crash never leaves it half-written; a missing, unreadable or malformed file only means there
 * is nothing to catch up. A folder that cannot be written costs no answer: the state stays in memory, one
 * warning names the folder, and every later change tries to save again.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../shared/files.js';

export interface HandledState {
  /** Channel id → id of the newest message taken there. */
  channels: Record<string, string>;
  /** Ids of recently answered messages, oldest first. */
  recent: string[];
  /** Message id → channel id of messages taken but not answered yet. */
  pending: Record<string, string>;
}

const RECENT_LIMIT = 2000;
const SNOWFLAKE = /^\d{1,20}$/;
const isSnowflake = (value: unknown): value is string => typeof value === 'string' && SNOWFLAKE.test(value);

/** Snowflakes are decimal strings of growing numbers: compare them as numbers, not as text. */
export function newerSnowflake(a: string | undefined, b: string): string {
  return a !== undefined && BigInt(a) >= BigInt(b) ? a : b;
}

/** The snowflake just before one, to fetch messages from it on ("after" is exclusive). */
export function justBefore(id: string): string {
  return (BigInt(id) - 1n).toString();
}

function snowflakeRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(
      (entry): entry is [string, string] => isSnowflake(entry[0]) && isSnowflake(entry[1]),
    ),
  );
}

export class HandledMessages {
  private readonly recentSet: Set<string>;
  private saveFailing = false;

  private constructor(
    private readonly path: string,
    private readonly state: HandledState,
    private readonly onSaveFailure?: (error: unknown) => void,
  ) {
    this.recentSet = new Set(state.recent);
  }

  /** Reads the file; anything in it that is not of the expected shape is left out, never trusted. */
  static load(path: string, onSaveFailure?: (error: unknown) => void): HandledMessages {
    let parsed: Record<string, unknown> = {};
    try {
      const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (typeof value === 'object' && value !== null && !Array.isArray(value))
        parsed = value as Record<string, unknown>;
    } catch {
      // Missing or unreadable: nothing to catch up.
    }
    const recent = Array.isArray(parsed.recent) ? parsed.recent.filter(isSnowflake).slice(-RECENT_LIMIT) : [];
    const state = { channels: snowflakeRecord(parsed.channels), recent, pending: snowflakeRecord(parsed.pending) };
    return new HandledMessages(path, state, onSaveFailure);
  }

  get channels(): Record<string, string> {
    return this.state.channels;
  }

  /** Taken (being answered now, or not answered before a stop) or answered. */
  has(messageId: string): boolean {
    return this.recentSet.has(messageId) || messageId in this.state.pending;
  }

  /** Answered: a reply was sent, or the message needed none. */
  answered(messageId: string): boolean {
    return this.recentSet.has(messageId);
  }

  /** Messages of a channel taken and never answered, oldest first. */
  pendingIn(channelId: string): string[] {
    return Object.entries(this.state.pending)
      .filter(([, channel]) => channel === channelId)
      .map(([id]) => id)
      .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  }

  /** Channels with messages taken and never answered. */
  get pendingChannels(): string[] {
    return [...new Set(Object.values(this.state.pending))];
  }

  /** Records a message as taken (before answering it) and saves the state. */
  take(channelId: string, messageId: string): void {
    this.markTaken(channelId, messageId);
    this.save();
  }

  /** Records a taken message as answered and saves the state. */
  done(messageId: string): void {
    this.markAnswered(messageId);
    this.save();
  }

  /** Taken and answered at once (a message that needs no reply): one save. */
  add(channelId: string, messageId: string): void {
    this.markTaken(channelId, messageId);
    this.markAnswered(messageId);
    this.save();
  }

  private markTaken(channelId: string, messageId: string): void {
    if (!this.recentSet.has(messageId)) this.state.pending[messageId] = channelId;
    this.state.channels[channelId] = newerSnowflake(this.state.channels[channelId], messageId);
  }

  private markAnswered(messageId: string): void {
    delete this.state.pending[messageId];
    if (!this.recentSet.has(messageId)) {
      this.recentSet.add(messageId);
      this.state.recent.push(messageId);
      while (this.state.recent.length > RECENT_LIMIT) this.recentSet.delete(this.state.recent.shift() as string);
    }
  }

  private save(): void {
    try {
      writeFileAtomic(this.path, JSON.stringify(this.state));
      this.saveFailing = false;
    } catch (error) {
      if (!this.saveFailing) this.onSaveFailure?.(error);
      this.saveFailing = true;
    }
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
