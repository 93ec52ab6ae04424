// A rate-limited work queue with client-go's semantics (k8s.io/client-go/util/workqueue):
//  - a key is queued at most once (dirty set) and never processed by two workers at once;
//    a key added while it is being processed is processed again once the worker is done;
//  - addAfter keeps the EARLIEST pending deadline per key and fires exactly at it;
//  - addRateLimited = addAfter(max(per-item exponential backoff, overall token bucket));
//  - shutDown() stops accepting keys, drops delayed ones, and drains what is already queued.
// Time is injected (Clock) so tests run on a fake clock with no wall-clock waits.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * A token bucket with golang.org/x/time/rate "reserve" semantics: reserve() always takes a
 * token (possibly one that only exists in the future) and returns how long the caller must
 * wait for it. Tokens refill at `qps` per second up to `burst`.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; returns the delay in ms until it is available (0 = now). */
  reserve(): number {
    if (!(this.qps > 0) || !Number.isFinite(this.qps)) return 0;
    const t = this.now();
    const elapsed = Math.max(0, t - this.last);
    this.last = Math.max(this.last, t);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.qps) / 1000);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.qps);
  }
}

/** Per-item exponential backoff: base * 2^(failures), capped (client-go ItemExponentialFailureRateLimiter). */
export class ItemExponentialBackoff<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    readonly baseMs = 5,
    readonly maxMs = 1000 * 1000,
  ) {}

  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = this.baseMs * 2 ** n;
    return Number.isFinite(delay) ? Math.min(delay, this.maxMs) : this.maxMs;
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

/** Hooks for the client-go workqueue_* metrics (see metrics.ts workQueueMetrics()). */
export interface WorkQueueMetrics {
  add(): void;
  depth(n: number): void;
  /** Seconds the key waited in the queue before a worker took it. */
  queueLatency(seconds: number): void;
  /** Seconds the handler ran. */
  workDuration(seconds: number): void;
  retry(): void;
  /** Called when a worker starts/stops on a key, for unfinished_work / longest_running. */
  processing(startedAt: ReadonlyMap<unknown, number>): void;
}

export interface WorkQueueOptions {
  /** Name, as the `name` label of workqueue metrics (Rollouts, Experiments, AnalysisRuns …). */
  name?: string;
  /** Number of concurrent workers started by run(). Default 1. */
  concurrency?: number;
  clock?: Clock;
  /** Per-item backoff for addRateLimited. Default 5 ms → 1000 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Overall bucket for addRateLimited. Default 10 qps, burst 100 (client-go default). */
  bucketQps?: number;
  bucketBurst?: number;
  metrics?: WorkQueueMetrics;
  /** Called when a handler throws (the key is then re-added rate-limited). */
  onError?: (key: string, error: unknown) => void;
}

/** What a handler may return: nothing (success → forget), or ask for a delayed requeue. */
export type HandlerResult = void | { requeueAfterMs: number };
export type Handler = (key: string) => Promise<HandlerResult> | HandlerResult;

type Waiter = (key: string | undefined) => void;

export class WorkQueue {
  readonly name: string;
  private readonly clock: Clock;
  private readonly queue: string[] = [];
  /** Keys that need processing (queued, or re-added while processing). */
  private readonly dirty = new Set<string>();
  /** Keys being processed → start time. */
  private readonly processing = new Map<string, number>();
  /** When each dirty key was added, for queue latency. */
  private readonly addedAt = new Map<string, number>();
  /** Delayed adds: key → earliest deadline and its timer. */
  private readonly waiting = new Map<string, { at: number; timer: unknown }>();
  private readonly waiters: Waiter[] = [];
  private readonly backoff: ItemExponentialBackoff<string>;
  private readonly bucket: TokenBucket;
  private shuttingDown = false;
  private dropping = false;
  private readonly idleResolvers: (() => void)[] = [];
  private workers: Promise<void>[] = [];

  constructor(private readonly opts: WorkQueueOptions = {}) {
    this.name = opts.name ?? '';
    this.clock = opts.clock ?? realClock;
    this.backoff = new ItemExponentialBackoff(opts.baseDelayMs ?? 5, opts.maxDelayMs ?? 1_000_000);
    this.bucket = new TokenBucket(opts.bucketQps ?? 10, opts.bucketBurst ?? 100, () =>
      this.clock.now(),
    );
  }

  get length(): number {
    return this.queue.length;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Keys with a pending delayed add, with their deadlines (for tests and debugging). */
  pendingDeadlines(): Map<string, number> {
    return new Map([...this.waiting].map(([k, v]) => [k, v.at]));
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    this.opts.metrics?.add();
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    this.addedAt.set(key, this.clock.now());
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.opts.metrics?.depth(this.queue.length);
    this.wake();
  }

  /** Adds the key after `ms`; if the key already waits for an earlier deadline, that one stays. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const existing = this.waiting.get(key);
    if (existing) {
      if (existing.at <= at) return;
      this.clock.clearTimeout(existing.timer);
    }
    const timer = this.clock.setTimeout(() => {
      const w = this.waiting.get(key);
      if (w?.timer !== timer) return;
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { at, timer });
  }

  /** Re-adds after max(per-item exponential backoff, overall token bucket delay). */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.opts.metrics?.retry();
    const delay = Math.max(this.backoff.when(key), this.bucket.reserve());
    this.addAfter(key, delay);
  }

  /** Clears the key's failure history (call after a successful sync). */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  numRequeues(key: string): number {
    return this.backoff.numRequeues(key);
  }

  /**
   * Takes the next key, waiting for one; undefined once the queue is shut down and drained.
   * The caller must call done(key) afterwards.
   */
  get(): Promise<string | undefined> {
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the key as processed; a key re-added meanwhile goes back into the queue. */
  done(key: string): void {
    const started = this.processing.get(key);
    if (started === undefined) return;
    this.processing.delete(key);
    this.opts.metrics?.workDuration((this.clock.now() - started) / 1000);
    this.opts.metrics?.processing(this.processing);
    if (this.dropping) this.dirty.delete(key);
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.opts.metrics?.depth(this.queue.length);
      this.wake();
    }
    this.checkIdle();
  }

  /**
   * Starts `concurrency` workers that call `handler` for each key. A handler that throws gets
   * its key re-added rate-limited; one that returns `{requeueAfterMs}` gets it re-added after
   * that delay; otherwise the key's failure history is forgotten. Resolves after shutDown()
   * once every worker has stopped.
   */
  run(handler: Handler, concurrency = this.opts.concurrency ?? 1): Promise<void> {
    for (let i = 0; i < concurrency; i++) this.workers.push(this.worker(handler));
    return Promise.all(this.workers).then(() => undefined);
  }

  /**
   * Stops accepting keys and drops delayed adds. With drain (default) the keys already queued
   * are still processed; without it they are dropped. Resolves when no key is being processed
   * and the queue is empty.
   */
  async shutDown(opts: { drain?: boolean } = {}): Promise<void> {
    this.shuttingDown = true;
    for (const w of this.waiting.values()) this.clock.clearTimeout(w.timer);
    this.waiting.clear();
    if (opts.drain === false) {
      this.dropping = true;
      for (const k of this.queue) this.dirty.delete(k);
      this.queue.length = 0;
    }
    // Idle workers get undefined and exit once nothing is left.
    this.wake();
    if (this.queue.length > 0 || this.processing.size > 0) {
      await new Promise<void>((resolve) => this.idleResolvers.push(resolve));
    }
    await Promise.all(this.workers);
  }

  private async worker(handler: Handler): Promise<void> {
    for (;;) {
      const key = await this.get();
      if (key === undefined) return;
      try {
        const result = await handler(key);
        if (result && result.requeueAfterMs >= 0) {
          this.forget(key);
          this.addAfter(key, result.requeueAfterMs);
        } else {
          this.forget(key);
        }
      } catch (e) {
        this.opts.onError?.(key, e);
        this.addRateLimited(key);
      } finally {
        this.done(key);
      }
    }
  }

  private take(): string | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    const now = this.clock.now();
    this.dirty.delete(key);
    this.processing.set(key, now);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    this.opts.metrics?.depth(this.queue.length);
    if (added !== undefined) this.opts.metrics?.queueLatency((now - added) / 1000);
    this.opts.metrics?.processing(this.processing);
    return key;
  }

  private wake(): void {
    while (this.waiters.length > 0 && this.queue.length > 0) {
      const key = this.take();
      this.waiters.shift()!(key);
    }
    if (this.shuttingDown && this.queue.length === 0) {
      for (const w of this.waiters.splice(0)) w(undefined);
    }
  }

  private checkIdle(): void {
    if (this.shuttingDown && this.queue.length === 0 && this.processing.size === 0) {
      for (const r of this.idleResolvers.splice(0)) r();
      this.wake();
    }
  }
}
