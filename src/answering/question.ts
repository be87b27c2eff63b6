/**
 * What a question must be before it is searched. Each refusal says what was wrong and what to do, so the
 * command line and Discord can show it as is.
 */
import { deu, eng, fra, ita, nld, por, spa } from 'stopword';
import { UserError } from '../shared/errors.js';
import { isChatSpelling } from '../text/chat.js';
import { words } from '../text/terms.js';

export const MAX_QUESTION_CHARS = 500;

const ENGLISH = new Set(eng);
const OTHER_LANGUAGES = new Set([...fra, ...spa, ...deu, ...ita, ...por, ...nld].filter((word) => !ENGLISH.has(word)));

/** Returns the question with surrounding and repeated white space removed, or throws a UserError. */
export function validateQuestion(raw: string): string {
  const question = raw.replace(/\s+/g, ' ').trim();
  if (question === '') {
    throw new UserError(
      'The question is empty. Ask something about the articles, e.g. "Why did the junior doctors strike?"',
    );
  }
  if (question.length > MAX_QUESTION_CHARS) {
    throw new UserError(
      `The question is ${question.length} characters long; the limit is ${MAX_QUESTION_CHARS}. Ask something shorter.`,
    );
  }
  const letters = question.match(/\p{L}/gu) ?? [];
  if (letters.length === 0 && !/\p{N}/u.test(question)) {
    throw new UserError('The question has no words in it, only punctuation or emoji. Ask it in words.');
  }
  const latin = question.match(/\p{Script=Latin}/gu) ?? [];
  const questionWords = words(question);
  // A chat spelling ("wat", "n", "u") is no sign of another language, though Dutch or German has the word too.
  const english = questionWords.filter((word) => ENGLISH.has(word)).length;
  const foreign = questionWords.filter((word) => OTHER_LANGUAGES.has(word) && !isChatSpelling(word)).length;
  if (latin.length < letters.length / 2 || (questionWords.length >= 3 && foreign >= 2 && foreign > english)) {
    throw new UserError('Please ask in English: the articles are in English and the search only understands English.');
  }
  return question;
}
