/**
 * What the buttons under an answer need to know (the question, which passages were shown), kept in memory
 * under a short key that goes into each button's custom_id. Sessions last SESSION_TTL_MS; a button pressed
 * after that, or after a restart, is answered with a polite "expired".
 */
import { randomBytes } from 'node:crypto';

export const SESSION_TTL_MS = 60 * 60 * 1000;

export interface AnswerSession {
  question: string;
  /** Passages per page. */
  limit: number;
  passageIds: string[];
  abstained: boolean;
  createdAt: number;
}

export class AnswerSessions {
  private readonly sessions = new Map<string, AnswerSession>();

  constructor(
    private readonly ttlMs = SESSION_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  create(session: Omit<AnswerSession, 'createdAt'>): string {
    this.prune();
    const key = randomBytes(6).toString('base64url');
    this.sessions.set(key, { ...session, createdAt: this.now() });
    return key;
  }

  get(key: string): AnswerSession | undefined {
    const session = this.sessions.get(key);
    if (!session) return undefined;
    if (this.now() - session.createdAt > this.ttlMs) {
      this.sessions.delete(key);
      return undefined;
    }
    return session;
  }

  /** Records passages shown on a later page, so feedback covers everything the user saw. */
  addShown(key: string, passageIds: string[]): void {
    const session = this.sessions.get(key);
    if (session) session.passageIds = [...new Set([...session.passageIds, ...passageIds])];
  }

  private prune(): void {
    const now = this.now();
    for (const [key, session] of this.sessions) if (now - session.createdAt > this.ttlMs) this.sessions.delete(key);
  }
}

/** Button ids: `more:<key>:<offset>`, `src:<key>:<passage id>`, `fb:<key>:up|down` — all well under 100 characters. */
export type ButtonAction =
  | { kind: 'more'; key: string; offset: number }
  | { kind: 'source'; key: string; passageId: string }
  | { kind: 'feedback'; key: string; vote: 'up' | 'down' };

export const buttonId = {
  more: (key: string, offset: number) => `more:${key}:${offset}`,
  source: (key: string, passageId: string) => `src:${key}:${passageId}`,
  feedback: (key: string, vote: 'up' | 'down') => `fb:${key}:${vote}`,
};

export function parseButtonId(customId: string): ButtonAction | undefined {
  const [kind, key, value] = customId.split(':');
  if (!key || value === undefined) return undefined;
  if (kind === 'more' && /^\d+$/.test(value)) return { kind: 'more', key, offset: Number(value) };
  if (kind === 'src' && /^[0-9a-f]{16}$/.test(value)) return { kind: 'source', key, passageId: value };
  if (kind === 'fb' && (value === 'up' || value === 'down')) return { kind: 'feedback', key, vote: value };
  return undefined;
}
