/** The buttons under an answer: More results, Show source, and the feedback votes. */
import { UserError } from '../../shared/errors.js';
import type { BotContext } from '../context.js';
import { appendFeedback } from '../feedback.js';
import { morePayload } from './answer.js';
import { safely } from './safely.js';
import { renderSource } from '../render.js';
import { deferAnswer, respond } from '../respond.js';
import { parseButtonId } from '../sessions.js';
import { cooldownMessage } from './ask-interaction.js';
import type { ButtonInteraction } from 'discord.js';

const EXPIRED = 'These buttons have expired. Ask the question again to get fresh ones.';

export async function onButton(context: BotContext, interaction: ButtonInteraction): Promise<void> {
  const action = parseButtonId(interaction.customId);
  const session = action ? context.sessions.get(action.key) : undefined;
  if (!action || !session) {
    await respond(interaction, EXPIRED, { ephemeral: true });
    return;
  }
  // "More results" runs a search like a question does, so it waits like one.
  const wait = action.kind === 'more' ? context.cooldown.take(interaction.user.id) : 0;
  if (wait > 0) {
    await respond(interaction, cooldownMessage(wait), { ephemeral: true });
    return;
  }
  const tell = (message: string) => respond(interaction, message, { ephemeral: true });
  await safely(
    context.logger,
    `button ${action.kind}`,
    async () => {
      switch (action.kind) {
        case 'more': {
          await deferAnswer(interaction);
          await respond(
            interaction,
            await morePayload(context, action.key, session.question, session.limit, action.offset),
          );
          return;
        }
        case 'source': {
          const found = await context.engine.source(action.passageId);
          if (!found) throw new UserError('That passage is no longer in the index (it was rebuilt). Ask again.');
          await respond(interaction, renderSource(found.passages, action.passageId, found.citation), {
            ephemeral: true,
          });
          return;
        }
        case 'feedback': {
          await appendFeedback(context.feedbackFile, {
            time: new Date().toISOString(),
            question: session.question,
            passageIds: session.passageIds,
            abstained: session.abstained,
            vote: action.vote,
          });
          await respond(interaction, 'Thanks, your feedback was recorded.', { ephemeral: true });
          return;
        }
      }
    },
    tell,
  );
}
