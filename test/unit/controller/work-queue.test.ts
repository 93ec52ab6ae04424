import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ItemExponentialBackoff,
  TokenBucket,
  WorkQueue,
  type Clock,
  type WorkQueueMetrics,
} from '../../../src/controller/work-queue.ts';

class FakeClock implements Clock {
  t = 1_000_000;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  /** Moves time forward, firing due timers in deadline order. */
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers)
        if (e[1].at <= target && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = target;
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('TokenBucket', () => {
  test('allows a burst, then one token per 1/qps', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(10, 3, () => clock.now());
    assert.deepEqual([b.reserve(), b.reserve(), b.reserve()], [0, 0, 0]);
    assert.equal(b.reserve(), 100);
    assert.equal(b.reserve(), 200);
    clock.advance(1000);
    // 10 tokens refilled minus the 2 borrowed, capped at the burst of 3.
    assert.deepEqual([b.reserve(), b.reserve(), b.reserve()], [0, 0, 0]);
    assert.equal(b.reserve(), 100);
  });

  test('a non-positive qps never limits', () => {
    const b = new TokenBucket(0, 1);
    for (let i = 0; i < 5; i++) assert.equal(b.reserve(), 0);
  });
});

describe('ItemExponentialBackoff', () => {
  test('5 ms doubling per failure, capped at 1000 s, reset by forget', () => {
    const b = new ItemExponentialBackoff<string>();
    const delays = Array.from({ length: 20 }, () => b.when('a'));
    assert.deepEqual(delays.slice(0, 5), [5, 10, 20, 40, 80]);
    assert.equal(delays[17], 5 * 2 ** 17);
    assert.equal(delays[18], 1_000_000);
    assert.equal(delays[19], 1_000_000);
    assert.equal(b.numRequeues('a'), 20);
    assert.equal(b.when('b'), 5, 'per item');
    b.forget('a');
    assert.equal(b.when('a'), 5);
    for (let i = 0; i < 2000; i++) b.when('c');
    assert.equal(b.when('c'), 1_000_000, 'no overflow to Infinity/NaN');
  });
});

describe('WorkQueue', () => {
  test('deduplicates queued keys and keeps FIFO order', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    q.done('a');
    q.done('b');
    assert.equal(q.length, 0);
  });

  test('a key added while processing is processed again afterwards, never concurrently', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, concurrency: 4 });
    const gates: { promise: Promise<void>; resolve: () => void }[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    const running = q.run(async () => {
      calls++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const g = deferred();
      gates.push(g);
      await g.promise;
      inFlight--;
    });
    q.add('a');
    await flush();
    assert.equal(calls, 1);
    q.add('a');
    q.add('a');
    await flush();
    assert.equal(calls, 1, 'not handed to a second worker while processing');
    assert.equal(q.length, 0, 'held back, not queued');
    gates[0]!.resolve();
    await flush();
    assert.equal(calls, 2, 'processed again after done');
    gates[1]!.resolve();
    await flush();
    assert.equal(calls, 2, 'the two adds during processing collapse into one');
    assert.equal(maxInFlight, 1);
    await q.shutDown();
    await running;
  });

  test('concurrency bounds the number of keys processed at once', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    const gates = new Map<string, () => void>();
    let inFlight = 0;
    let maxInFlight = 0;
    const done: string[] = [];
    const running = q.run(async (key) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((r) => gates.set(key, r));
      inFlight--;
      done.push(key);
    }, 2);
    for (const k of ['a', 'b', 'c', 'd']) q.add(k);
    await flush();
    assert.deepEqual([...gates.keys()], ['a', 'b']);
    gates.get('b')!();
    await flush();
    assert.deepEqual([...gates.keys()], ['a', 'b', 'c']);
    gates.get('a')!();
    gates.get('c')!();
    await flush();
    gates.get('d')!();
    await flush();
    assert.deepEqual(done, ['b', 'a', 'c', 'd']);
    assert.equal(maxInFlight, 2);
    await q.shutDown();
    await running;
  });

  test('addAfter fires exactly at the deadline and keeps the earliest deadline per key', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    const seen: [string, number][] = [];
    const start = clock.now();
    const running = q.run((key) => {
      seen.push([key, clock.now() - start]);
    });
    q.addAfter('a', 100);
    q.addAfter('a', 50); // earlier wins
    q.addAfter('a', 80); // later than the pending 50: ignored
    q.addAfter('b', 30);
    assert.deepEqual(
      q.pendingDeadlines(),
      new Map([
        ['a', start + 50],
        ['b', start + 30],
      ]),
    );
    clock.advance(29);
    await flush();
    assert.deepEqual(seen, []);
    clock.advance(1);
    await flush();
    assert.deepEqual(seen, [['b', 30]]);
    clock.advance(19);
    await flush();
    assert.equal(seen.length, 1);
    clock.advance(1);
    await flush();
    assert.deepEqual(seen, [
      ['b', 30],
      ['a', 50],
    ]);
    clock.advance(1000);
    await flush();
    assert.equal(seen.length, 2, 'the superseded deadlines never fire');
    assert.equal(clock.pending, 0);
    q.addAfter('c', 0);
    await flush();
    assert.deepEqual(seen.at(-1), ['c', 1050]);
    await q.shutDown();
    await running;
  });

  test('addRateLimited backs off exponentially per item; forget resets', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addRateLimited('a');
    assert.equal(q.pendingDeadlines().get('a'), clock.now() + 5);
    clock.advance(5);
    assert.equal(q.length, 1);
    assert.equal(await q.get(), 'a');
    q.done('a');
    q.addRateLimited('a');
    assert.equal(q.pendingDeadlines().get('a'), clock.now() + 10);
    clock.advance(10);
    q.addRateLimited('a');
    assert.equal(q.pendingDeadlines().get('a'), clock.now() + 20);
    assert.equal(q.numRequeues('a'), 3);
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
    clock.advance(20);
    q.addRateLimited('b');
    assert.equal(q.pendingDeadlines().get('b'), clock.now() + 5);
    await q.shutDown({ drain: false });
  });

  test('addRateLimited is also limited by the overall token bucket', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, bucketQps: 10, bucketBurst: 2 });
    q.addRateLimited('a');
    q.addRateLimited('b');
    q.addRateLimited('c');
    q.addRateLimited('d');
    const now = clock.now();
    assert.deepEqual(
      q.pendingDeadlines(),
      new Map([
        ['a', now + 5],
        ['b', now + 5],
        ['c', now + 100],
        ['d', now + 200],
      ]),
    );
  });

  test('a throwing handler is retried with backoff; success forgets; requeueAfterMs delays', async () => {
    const clock = new FakeClock();
    const errors: string[] = [];
    const q = new WorkQueue({
      clock,
      onError: (k, e) => errors.push(`${k}:${(e as Error).message}`),
    });
    let attempts = 0;
    const running = q.run((key) => {
      if (key === 'later') return { requeueAfterMs: 1000 };
      attempts++;
      if (attempts < 3) throw new Error(`fail ${attempts}`);
    });
    q.add('a');
    await flush();
    assert.equal(attempts, 1);
    assert.equal(q.numRequeues('a'), 1);
    clock.advance(4);
    await flush();
    assert.equal(attempts, 1);
    clock.advance(1);
    await flush();
    assert.equal(attempts, 2);
    clock.advance(10);
    await flush();
    assert.equal(attempts, 3);
    assert.equal(q.numRequeues('a'), 0, 'forgotten after success');
    assert.deepEqual(errors, ['a:fail 1', 'a:fail 2']);

    q.add('later');
    await flush();
    assert.equal(q.pendingDeadlines().get('later'), clock.now() + 1000);
    await q.shutDown();
    await running;
  });

  test('shutDown drains queued keys, ignores new adds, drops delayed ones', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    const processed: string[] = [];
    const gate = deferred();
    const running = q.run(async (key) => {
      if (key === 'a') await gate.promise;
      processed.push(key);
    });
    q.add('a');
    await flush();
    q.add('b');
    q.add('c');
    q.addAfter('d', 10);
    let shutDone = false;
    const shut = q.shutDown().then(() => (shutDone = true));
    q.add('e');
    await flush();
    assert.equal(shutDone, false, 'waits for the in-flight key');
    assert.equal(clock.pending, 0, 'delayed adds dropped');
    gate.resolve();
    await shut;
    await running;
    assert.deepEqual(processed, ['a', 'b', 'c']);
    assert.equal(await q.get(), undefined);
  });

  test('shutDown({drain:false}) drops queued keys but waits for in-flight ones', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    const processed: string[] = [];
    const gate = deferred();
    const running = q.run(async (key) => {
      if (key === 'a') await gate.promise;
      processed.push(key);
    });
    q.add('a');
    await flush();
    q.add('a');
    q.add('b');
    const shut = q.shutDown({ drain: false });
    gate.resolve();
    await shut;
    await running;
    assert.deepEqual(processed, ['a']);
  });

  test('reports workqueue metrics', async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    const metrics: WorkQueueMetrics = {
      add: () => log.push('add'),
      depth: (n) => log.push(`depth=${n}`),
      queueLatency: (s) => log.push(`latency=${s}`),
      workDuration: (s) => log.push(`work=${s}`),
      retry: () => log.push('retry'),
      processing: (m) => log.push(`processing=${m.size}`),
    };
    const q = new WorkQueue({ clock, metrics, name: 'Rollouts' });
    assert.equal(q.name, 'Rollouts');
    q.add('a');
    clock.advance(500);
    assert.equal(await q.get(), 'a');
    clock.advance(250);
    q.done('a');
    q.addRateLimited('a');
    assert.deepEqual(log, [
      'add',
      'depth=1',
      'depth=0',
      'latency=0.5',
      'processing=1',
      'work=0.25',
      'processing=0',
      'retry',
    ]);
    await q.shutDown();
  });
});
