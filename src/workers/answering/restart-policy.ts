/**
 * When to restart a dead answering worker, and when to give up. Pure: the supervisor asks it with the times
 * of past deaths. Restarts come after a doubling delay (a worker that dies at once does not spin the CPU);
 * a worker that keeps dying — `maxDeaths` within `windowMs` — is not restarted again, and the bot exits
 * non-zero so that its own supervisor (systemd, Docker, pm2) restarts the whole bot.
 */
export interface RestartPolicy {
  /** First delay; each death within the window doubles it, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  maxDeaths: number;
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 15_000,
  maxDeaths: 5,
  windowMs: 5 * 60_000,
};

export type RestartDecision = { restart: true; delayMs: number } | { restart: false; reason: string };

/** `deaths`: times (ms) of every death so far, the latest last. */
export function decideRestart(
  deaths: number[],
  now: number,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): RestartDecision {
  const recent = deaths.filter((time) => now - time <= policy.windowMs).length;
  if (recent >= policy.maxDeaths) {
    return {
      restart: false,
      reason: `the answering worker died ${recent} times within ${Math.round(policy.windowMs / 1000)} s`,
    };
  }
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, recent - 1));
  return { restart: true, delayMs };
}
