/** Question → rendered reply with its buttons; shared by /ask, mentions, answer channels and the context menu. */
import type { Answer } from '../../answering/answer.js';
import type { BotContext } from '../context.js';
import { renderAnswer, type ButtonIds, type MessagePayload } from '../render.js';
import { buttonId } from '../sessions.js';

export const DEFAULT_RESULTS = 3;

export async function answerPayload(
  context: BotContext,
  question: string,
  limit = DEFAULT_RESULTS,
): Promise<MessagePayload> {
  const answer = await context.engine.answer(question, { limit });
  const key = context.sessions.create({
    question: answer.question,
    limit,
    passageIds: answer.passages.map((passage) => passage.id),
    abstained: answer.abstained,
  });
  return renderAnswer(answer, buttonsFor(key, answer, limit));
}

/** The buttons under one page of an answer; "More results" leads to the page starting at `nextOffset`. */
function buttonsFor(key: string, answer: Answer, nextOffset: number): ButtonIds {
  return {
    ...(answer.hasMore ? { more: buttonId.more(key, nextOffset) } : {}),
    source: answer.passages.map((passage) => buttonId.source(key, passage.id)),
    up: buttonId.feedback(key, 'up'),
    down: buttonId.feedback(key, 'down'),
  };
}

/** The next page of an earlier answer (the "More results" button). */
export async function morePayload(
  context: BotContext,
  key: string,
  question: string,
  limit: number,
  offset: number,
): Promise<MessagePayload> {
  const answer = await context.engine.answer(question, { limit, offset });
  context.sessions.addShown(
    key,
    answer.passages.map((passage) => passage.id),
  );
  return renderAnswer(answer, buttonsFor(key, answer, offset + limit));
}
