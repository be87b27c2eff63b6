/**
 * The questions the bot is answering right now, so a shutdown can let them finish: `close` stops new work
 * from being taken, `drained` waits (bounded) for what is running. Without it, SIGTERM cut answers off
 * half-way and their askers got an apology that could not even be sent.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();
  private open = true;

  get accepting(): boolean {
    return this.open;
  }

  get size(): number {
    return this.running.size;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const done = () => this.running.delete(work);
    work.then(done, done);
    return work;
  }

  close(): void {
    this.open = false;
  }

  /** True when everything running finished within `timeoutMs`. */
  async drained(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const finished = (async () => {
      while (this.running.size > 0) await Promise.allSettled([...this.running]);
      return true as const;
    })();
    const result = await Promise.race([finished, timeout]);
    clearTimeout(timer);
    return result;
  }
}
