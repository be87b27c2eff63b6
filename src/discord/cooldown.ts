/** Per-user cooldown between questions, so one user cannot flood the bot. Pure apart from the clock. */
export class Cooldown {
  private readonly lastAsked = new Map<string, number>();

  constructor(
    private readonly seconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when the user may ask now (and starts their cooldown); otherwise whole seconds left to wait. */
  take(userId: string): number {
    if (this.seconds <= 0) return 0;
    const now = this.now();
    const last = this.lastAsked.get(userId);
    if (last !== undefined && now - last < this.seconds * 1000) {
      return Math.ceil((this.seconds * 1000 - (now - last)) / 1000);
    }
    this.lastAsked.set(userId, now);
    if (this.lastAsked.size > 10_000) {
      for (const [user, time] of this.lastAsked) if (now - time >= this.seconds * 1000) this.lastAsked.delete(user);
    }
    return 0;
  }
}
