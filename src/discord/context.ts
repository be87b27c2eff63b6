import type { AnswerService } from '../answering/answer.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import type { Cooldown } from './cooldown.js';
import type { HandledMessages } from './handled-messages.js';
import type { InFlight } from './in-flight.js';
import type { AnswerSessions } from './sessions.js';

/** What every handler gets: the answering engine and the bot's small pieces of state. */
export interface BotContext {
  engine: AnswerService;
  sessions: AnswerSessions;
  cooldown: Cooldown;
  feedbackFile: string;
  logger: Logger;
  /** What is being answered now; closed when the bot shuts down. */
  inFlight: InFlight;
  /** Messages already handled (persisted), for the catch-up after a restart. */
  handled: HandledMessages;
  /** The bot's settings (corpus changes run with them in a child process). */
  config: Config;
}
