// Runs a task at most once per gap however often it is asked for, and never twice at once: a
// request inside the gap (or while the task runs) becomes one trailing run. The rollout page
// uses it to re-read the events on every watch update without a request per message. The
// clock and timers are injected so the rule is tested without waiting.

export interface ThrottleClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: ThrottleClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

export class Throttle {
  private lastStart = Number.NEGATIVE_INFINITY;
  private running = false;
  private wanted = false;
  private timer: unknown;
  private disposed = false;

  constructor(
    private readonly gapMs: number,
    private readonly task: () => Promise<unknown>,
    private readonly clock: ThrottleClock = realClock,
  ) {}

  /** Asks for a run: now when allowed, else once when the gap (and any run) is over. */
  request(): void {
    if (this.disposed) return;
    this.wanted = true;
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.wanted || this.running || this.timer !== undefined || this.disposed) return;
    const wait = this.lastStart + this.gapMs - this.clock.now();
    if (wait > 0) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, wait);
      return;
    }
    this.wanted = false;
    this.running = true;
    this.lastStart = this.clock.now();
    // A failed run is the task's to report; the next request tries again.
    void this.task()
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
        this.schedule();
      });
  }
}
