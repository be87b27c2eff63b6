/**
 * 👍/👎 on answers, appended as JSON Lines to DATA_DIR/feedback.jsonl so an operator can see which answers
 * miss. It records the question, the passages shown and the vote — never who voted.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface FeedbackRecord {
  time: string;
  question: string;
  passageIds: string[];
  abstained: boolean;
  vote: 'up' | 'down';
}

export async function appendFeedback(file: string, record: FeedbackRecord): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify(record)}\n`, 'utf8');
}
