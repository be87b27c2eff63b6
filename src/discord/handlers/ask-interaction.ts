/** A question asked by an interaction (/ask or the context menu): validated first, then deferred and answered. */
import { validateQuestion } from '../../answering/question.js';
import type { BotContext } from '../context.js';
import { answerPayload } from './answer.js';
import { safely } from './safely.js';
import { deferAnswer, respond } from '../respond.js';
import type { RepliableInteraction } from 'discord.js';

export function cooldownMessage(seconds: number): string {
  return `You are asking quickly: try again in ${seconds} s.`;
}

/** Validates first, so a fixable mistake gets an ephemeral reply before anything public happens. */
export async function answerInteraction(
  context: BotContext,
  interaction: RepliableInteraction,
  rawQuestion: string,
  limit: number,
): Promise<void> {
  const tell = (message: string) => respond(interaction, message, { ephemeral: true });
  await safely(
    context.logger,
    'answering an interaction',
    async () => {
      const question = validateQuestion(rawQuestion);
      const wait = context.cooldown.take(interaction.user.id);
      if (wait > 0) {
        await respond(interaction, cooldownMessage(wait), { ephemeral: true });
        return;
      }
      await deferAnswer(interaction);
      await respond(interaction, await answerPayload(context, question, limit));
    },
    tell,
  );
}
