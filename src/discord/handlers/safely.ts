/**
 * Runs a handler so that a problem the user can fix reaches them as a message, and a failure of the bot
 * becomes a short apology with an error id (and a log line with the same id), never a stack trace in chat.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../logging/logger.js';
import { UserError } from '../../shared/errors.js';

export async function safely(
  logger: Logger,
  what: string,
  run: () => Promise<void>,
  tell: (message: string, isUserError: boolean) => Promise<unknown>,
): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof UserError) {
      await tell(error.message, true).catch((sendError: unknown) =>
        logger.warn({ err: sendError }, `could not send the error of ${what}`),
      );
      return;
    }
    const errorId = randomBytes(4).toString('hex');
    logger.error({ err: error, errorId }, `${what} failed`);
    await tell(
      `Sorry, something went wrong on my side (error id \`${errorId}\`). Please try again later.`,
      false,
    ).catch((sendError: unknown) => logger.warn({ err: sendError, errorId }, 'could not send the apology'));
  }
}
