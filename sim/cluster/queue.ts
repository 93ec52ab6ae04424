// A tiny coalescing work queue for the simulated controllers: a key queued many times in
// one tick is reconciled once, and timed requeues (minReadySeconds) fire at their deadline.

export class KeyQueue {
  private pending = new Set<string>();
  private scheduled = false;
  private timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly work: (key: string) => void) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  addAfter(key: string, ms: number): void {
    if (this.stopped || this.timers.has(key)) return;
    const t = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    t.unref();
    this.timers.set(key, t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
  }

  private drain(): void {
    this.scheduled = false;
    const keys = [...this.pending];
    this.pending.clear();
    for (const k of keys) {
      if (this.stopped) return;
      this.work(k);
    }
  }
}
