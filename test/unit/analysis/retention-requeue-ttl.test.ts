// §3.11 measurement retention, §3.12 requeue scheduling, §3.14 TTL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisRunStatus, TtlStrategy } from '../../../src/api/analysis.ts';
import {
  DEFAULT_MEASUREMENT_RETENTION,
  measurementsToTrim,
  retentionLimit,
  trimMeasurements,
} from '../../../src/analysis/retention.ts';
import { nextReconcileTime, requeueDelayMs } from '../../../src/analysis/requeue.ts';
import { isTtlExpired, ttlExpiresAt, ttlSeconds } from '../../../src/analysis/ttl.ts';
import { at, metric, result, ts } from './helpers.ts';

// ---------------------------------------------------------------------------------------------
// Retention

test('retention limit: a matching rule’s limit when > 0, else 10', () => {
  assert.equal(DEFAULT_MEASUREMENT_RETENTION, 10);
  const limits = new Map([
    ['a', 3],
    ['z', 0],
    ['n', -1],
  ]);
  assert.equal(retentionLimit('a', limits), 3);
  assert.equal(retentionLimit('z', limits), 10);
  assert.equal(retentionLimit('n', limits), 10);
  assert.equal(retentionLimit('other', limits), 10);
});

test('measurementsToTrim lists results over their limit whose metric is still in the spec', () => {
  const status: AnalysisRunStatus = {
    phase: 'Running',
    metricResults: [
      result('S'.repeat(11), { name: 'a' }),
      result('S'.repeat(10), { name: 'b' }),
      result('S'.repeat(4), { name: 'c' }),
      result('S'.repeat(20), { name: 'gone' }),
    ],
  };
  const work = measurementsToTrim(
    status,
    [metric({ name: 'a' }), metric({ name: 'b' }), metric({ name: 'c' })],
    new Map([['c', 3]]),
  );
  assert.deepEqual(
    work.map((w) => [w.metric.name, w.limit]),
    [
      ['a', 10],
      ['c', 3],
    ],
  );
});

test('trimMeasurements keeps the newest `limit`, oldest first; counters untouched', () => {
  const r = result('FSSSE', { name: 'a' });
  const t = trimMeasurements(r, 2);
  assert.deepEqual(
    t.measurements?.map((m) => m.phase),
    ['Successful', 'Error'],
  );
  assert.deepEqual(
    t.measurements?.map((m) => m.startedAt),
    [ts(180), ts(240)],
  );
  assert.equal(t.count, 4);
  assert.equal(t.failed, 1);
  assert.equal(t.error, 1);
  assert.equal(r.measurements?.length, 5);
  assert.equal(trimMeasurements(r, 5), r);
});

// ---------------------------------------------------------------------------------------------
// Requeue

const st = (over: Partial<AnalysisRunStatus> = {}): AnalysisRunStatus => ({
  phase: 'Running',
  startedAt: ts(0),
  ...over,
});
const next = (
  status: AnalysisRunStatus | undefined,
  ms: Parameters<typeof nextReconcileTime>[1],
  nowS: number,
) => nextReconcileTime(status, ms, at(nowS))?.toISOString().replace('.000Z', 'Z');

test('requeue: never measured with initialDelay ⇒ startedAt + delay (or now + delay before startedAt)', () => {
  const m = [metric({ initialDelay: '2m' })];
  assert.equal(next(st(), m, 10), ts(120));
  assert.equal(next(undefined, m, 10), ts(130));
  assert.equal(next(st(), [metric()], 10), undefined); // never measured without delay: no requeue
  assert.equal(next(st(), [metric({ initialDelay: 'x' })], 10), undefined);
});

test('requeue: in flight with resumeAt ⇒ resumeAt; without ⇒ nothing', () => {
  const r = result('R');
  r.measurements![0]!.resumeAt = ts(42);
  assert.equal(next(st({ metricResults: [r] }), [metric()], 10), ts(42));
  assert.equal(next(st({ metricResults: [result('R')] }), [metric()], 10), undefined);
});

test('requeue: finishedAt + interval, + 10 s after an Error, nothing without interval or once count is reached', () => {
  assert.equal(
    next(st({ metricResults: [result('S')] }), [metric({ interval: '5m' })], 1),
    ts(300),
  );
  assert.equal(next(st({ metricResults: [result('E')] }), [metric({ interval: '5m' })], 1), ts(10));
  assert.equal(next(st({ metricResults: [result('E')] }), [metric()], 1), ts(10));
  assert.equal(next(st({ metricResults: [result('S')] }), [metric({ count: 2 })], 1), undefined);
  assert.equal(
    next(st({ metricResults: [result('SS')] }), [metric({ count: 2, interval: '1m' })], 1),
    undefined,
  );
  assert.equal(
    next(
      st({ metricResults: [result('S', { phase: 'Successful' })] }),
      [metric({ interval: '1m' })],
      1,
    ),
    undefined,
  );
  assert.equal(
    next(st({ metricResults: [result('S')] }), [metric({ interval: 'bad' })], 1),
    undefined,
  );
});

test('requeue: the earliest over all metrics; the delay is clamped at 0', () => {
  const status = st({
    metricResults: [result('S', { name: 'a' }), result('E', { name: 'b' })],
  });
  const ms = [
    metric({ name: 'a', interval: '1m' }),
    metric({ name: 'b', interval: '1h' }),
    metric({ name: 'c', initialDelay: '5s' }),
  ];
  assert.equal(next(status, ms, 0), ts(5));
  assert.equal(requeueDelayMs(at(5), at(2)), 3000);
  assert.equal(requeueDelayMs(at(5), at(9)), 0);
  assert.equal(requeueDelayMs(undefined, at(9)), undefined);
});

// ---------------------------------------------------------------------------------------------
// TTL

const ttlRun = (
  phase: string,
  ttl: TtlStrategy | undefined,
  completedAt: string | null = ts(0),
) => ({
  spec: { ttlStrategy: ttl },
  status: { phase, completedAt: completedAt ?? undefined },
});

const TTL_CASES: [string, TtlStrategy | undefined, number | undefined][] = [
  ['Successful', { secondsAfterSuccess: 10, secondsAfterCompletion: 99 }, 10],
  ['Successful', { secondsAfterSuccess: 0, secondsAfterCompletion: 99 }, 0],
  ['Successful', { secondsAfterFailure: 5, secondsAfterCompletion: 99 }, 99],
  ['Failed', { secondsAfterFailure: 20, secondsAfterSuccess: 1 }, 20],
  ['Failed', { secondsAfterSuccess: 1 }, undefined],
  ['Error', { secondsAfterFailure: 20, secondsAfterSuccess: 1, secondsAfterCompletion: 30 }, 30],
  ['Inconclusive', { secondsAfterFailure: 20 }, undefined],
  ['Running', { secondsAfterCompletion: 30 }, undefined],
  ['Successful', undefined, undefined],
];
for (const [phase, ttl, want] of TTL_CASES) {
  test(`ttlSeconds(${phase}, ${JSON.stringify(ttl)}) = ${want}`, () => {
    assert.equal(ttlSeconds(ttlRun(phase, ttl)), want);
  });
}

test('TTL: no completedAt ⇒ never expires', () => {
  const r = ttlRun('Successful', { secondsAfterCompletion: 1 }, null);
  assert.equal(ttlSeconds(r), undefined);
  assert.equal(isTtlExpired(r, at(1e6)), false);
  assert.equal(ttlExpiresAt(r), undefined);
});

test('TTL: expired when the whole seconds elapsed are strictly greater (86400 kept, 86401 deleted)', () => {
  const r = ttlRun('Successful', { secondsAfterCompletion: 86400 });
  assert.equal(isTtlExpired(r, at(86400)), false);
  assert.equal(isTtlExpired(r, at(86400.999)), false);
  assert.equal(isTtlExpired(r, at(86401)), true);
  assert.equal(ttlExpiresAt(r)?.getTime(), at(86401).getTime());
});
