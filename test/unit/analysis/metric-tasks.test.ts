// §3.5 generateMetricTasks and the terminating flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisRunStatus, Metric } from '../../../src/api/analysis.ts';
import { generateMetricTasks, isTerminating } from '../../../src/analysis/metric-tasks.ts';
import { at, metric, result, ts } from './helpers.ts';

function kinds(
  metrics: Metric[],
  status: AnalysisRunStatus | undefined,
  nowS: number,
  terminate = false,
): string[] {
  return generateMetricTasks({ spec: { terminate }, status }, metrics, at(nowS)).map(
    (t) => `${t.kind}:${t.metric.name}`,
  );
}

const st = (over: Partial<AnalysisRunStatus> = {}): AnalysisRunStatus => ({
  phase: 'Running',
  startedAt: ts(0),
  ...over,
});

test('never measured, no initialDelay: a new measurement for every metric, in spec order', () => {
  const ms = [metric({ name: 'b' }), metric({ name: 'a' })];
  assert.deepEqual(kinds(ms, undefined, 0), ['new:b', 'new:a']);
});

test('initialDelay: skipped while startedAt is unset (first reconcile) and until it passed', () => {
  const m = [metric({ initialDelay: '30s' })];
  assert.deepEqual(kinds(m, undefined, 100), []);
  assert.deepEqual(kinds(m, st(), 29), []);
  assert.deepEqual(kinds(m, st(), 30), ['new:m']); // "in the future" is strict
  assert.deepEqual(kinds([metric({ initialDelay: 'bogus' })], st(), 1000), []);
});

test('a completed metric result is skipped', () => {
  const status = st({ metricResults: [result('S', { phase: 'Successful' })] });
  assert.deepEqual(kinds([metric({ interval: '1s' })], status, 1000), []);
});

test('in flight: skip while resumeAt is in the future, else resume; no resumeAt ⇒ resume', () => {
  const r = result('R');
  r.measurements![0]!.resumeAt = ts(50);
  const status = st({ metricResults: [r] });
  assert.deepEqual(kinds([metric()], status, 49), []);
  assert.deepEqual(kinds([metric()], status, 50), ['resume:m']);
  assert.deepEqual(kinds([metric()], st({ metricResults: [result('R')] }), 0), ['resume:m']);
  const t = generateMetricTasks({ spec: {}, status }, [metric()], at(60));
  assert.equal(t[0]?.kind === 'resume' && t[0].measurement, r.measurements![0]);
});

test('terminating: in-flight measurements are terminated at once (even before resumeAt), no new ones', () => {
  const r = result('R');
  r.measurements![0]!.resumeAt = ts(500);
  const status = st({ metricResults: [r] });
  assert.deepEqual(kinds([metric(), metric({ name: 'other' })], status, 10, true), ['terminate:m']);
});

test('terminating also when a non-dry-run result failed/errored/was inconclusive; dry-run ones do not count', () => {
  for (const phase of ['Failed', 'Error', 'Inconclusive']) {
    const status = st({ metricResults: [result('F', { name: 'x', phase })] });
    assert.equal(isTerminating({}, status), true, phase);
    assert.deepEqual(kinds([metric({ name: 'x' }), metric({ name: 'y' })], status, 0), [], phase);
    const dry = st({ metricResults: [result('F', { name: 'x', phase, dryRun: true })] });
    assert.equal(isTerminating({}, dry), false, `${phase} dry`);
    assert.deepEqual(kinds([metric({ name: 'x' }), metric({ name: 'y' })], dry, 0), ['new:y']);
  }
  assert.equal(isTerminating({ terminate: true }, undefined), true);
  assert.equal(
    isTerminating({}, st({ metricResults: [result('S', { phase: 'Successful' })] })),
    false,
  );
});

test('effective count reached ⇒ no new measurement; errors do not consume count', () => {
  const m = [metric({ count: 2, interval: '10s' })];
  assert.deepEqual(kinds(m, st({ metricResults: [result('SF')] }), 1000), []);
  assert.deepEqual(kinds(m, st({ metricResults: [result('SE')] }), 1000), ['new:m']);
  // count: 1 without interval keeps retrying errors.
  assert.deepEqual(kinds([metric()], st({ metricResults: [result('E')] }), 11), ['new:m']);
  // A negative count is reached after the first non-error measurement.
  assert.deepEqual(
    kinds([metric({ count: -2, interval: '1s' })], st({ metricResults: [result('S')] }), 100),
    [],
  );
});

test('interval: a new measurement only strictly after finishedAt + interval', () => {
  const m = [metric({ interval: '5m' })]; // indefinite
  const status = st({ metricResults: [result('S')] }); // finished at T0
  assert.deepEqual(kinds(m, status, 300), []);
  assert.deepEqual(kinds(m, status, 301), ['new:m']);
  assert.deepEqual(kinds([metric({ interval: 'x' })], status, 10_000), []);
});

test('after an Error the retry interval is 10 s regardless of interval', () => {
  const m = [metric({ interval: '5m' })];
  const status = st({ metricResults: [result('E')] });
  assert.deepEqual(kinds(m, status, 10), []);
  assert.deepEqual(kinds(m, status, 11), ['new:m']);
});

test('without interval (count not reached after errors) the wait is 10 s', () => {
  const status = st({ metricResults: [result('E', { consecutiveError: 1 })] });
  status.metricResults![0]!.measurements![0]!.phase = 'Failed'; // not an error: uses the default
  status.metricResults![0]!.count = 0;
  assert.deepEqual(kinds([metric()], status, 10), []);
  assert.deepEqual(kinds([metric()], status, 11), ['new:m']);
});
