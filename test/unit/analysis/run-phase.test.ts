// §3.9 assessRunStatus (phase, message, summaries, events, startedAt/completedAt) — MUST.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisRunStatus, Metric, MetricResult } from '../../../src/api/analysis.ts';
import { assessRunStatus, errorRun } from '../../../src/analysis/run-phase.ts';
import { at, metric, result, ts } from './helpers.ts';

const NOW = at(1000);

function assess(
  metrics: Metric[],
  results: MetricResult[] | undefined,
  opts: { terminate?: boolean; dry?: string[]; old?: Partial<AnalysisRunStatus> } = {},
) {
  const status: AnalysisRunStatus | undefined =
    results === undefined && opts.old === undefined
      ? undefined
      : { phase: 'Running', startedAt: ts(0), metricResults: results ?? [], ...opts.old };
  return assessRunStatus(
    { spec: { terminate: opts.terminate ?? false }, status },
    metrics,
    new Set(opts.dry ?? []),
    NOW,
  );
}

const a = metric({ name: 'a', interval: '1m' });
const b = metric({ name: 'b', interval: '1m' });

test('first assessment: startedAt = now, unstarted metrics keep the run Running, summaries', () => {
  const r = assess([a, b, metric({ name: 'c' })], undefined, { dry: ['c'] });
  assert.equal(r.phase, 'Running');
  assert.equal(r.message, '');
  assert.equal(r.status.startedAt, ts(1000));
  assert.equal(r.status.phase, 'Running');
  assert.equal(r.status.completedAt, undefined);
  assert.deepEqual(r.status.runSummary, { count: 2 });
  assert.deepEqual(r.status.dryRunSummary, { count: 1 });
  assert.deepEqual(r.events, []);
});

test('startedAt is kept once set', () => {
  const r = assess([a], [result('S', { name: 'a' })]);
  assert.equal(r.status.startedAt, ts(0));
});

test('all metrics completed Successful ⇒ Successful, completedAt, metric and run events', () => {
  const c1 = metric({ name: 'a' });
  const c2 = metric({ name: 'b', count: 2, interval: '1m' });
  const r = assess([c1, c2], [result('S', { name: 'a' }), result('SS', { name: 'b' })]);
  assert.equal(r.phase, 'Successful');
  assert.equal(r.status.phase, 'Successful');
  assert.equal(r.status.message, undefined);
  assert.equal(r.status.completedAt, ts(1000));
  assert.deepEqual(r.status.runSummary, { count: 2, successful: 2 });
  assert.deepEqual(
    r.status.metricResults?.map((x) => x.phase),
    ['Successful', 'Successful'],
  );
  assert.deepEqual(r.events, [
    {
      type: 'Normal',
      reason: 'MetricSuccessful',
      message: "Metric 'a' Completed. Result: Successful",
    },
    {
      type: 'Normal',
      reason: 'MetricSuccessful',
      message: "Metric 'b' Completed. Result: Successful",
    },
    {
      type: 'Normal',
      reason: 'AnalysisRunSuccessful',
      message: 'Analysis Completed. Result: Successful',
    },
  ]);
});

test('a metric failing while a sibling runs: Running in this pass, Failed on the next (terminating)', () => {
  const first = assess([a, b], [result('F', { name: 'a' }), result('S', { name: 'b' })]);
  assert.equal(first.phase, 'Running');
  assert.equal(first.status.message, undefined);
  assert.deepEqual(
    first.status.metricResults?.map((x) => x.phase),
    ['Failed', 'Running'],
  );
  assert.deepEqual(first.events, [
    { type: 'Warning', reason: 'MetricFailed', message: "Metric 'a' Completed. Result: Failed" },
  ]);
  assert.deepEqual(first.status.runSummary, { count: 2, failed: 1 });
  // Next reconcile: terminating (a non-dry result Failed) ⇒ b (indefinite) succeeds, run Failed.
  const second = assessRunStatus({ spec: {}, status: first.status }, [a, b], new Set(), at(1010));
  assert.equal(second.phase, 'Failed');
  assert.equal(
    second.status.message,
    'Metric "a" assessed Failed due to failed (1) > failureLimit (0)',
  );
  assert.deepEqual(
    second.status.metricResults?.map((x) => x.phase),
    ['Failed', 'Successful'],
  );
  assert.equal(second.status.completedAt, ts(1010));
  assert.deepEqual(second.status.runSummary, { count: 2, failed: 1, successful: 1 });
  assert.deepEqual(second.events.at(-1), {
    type: 'Warning',
    reason: 'AnalysisRunFailed',
    message: 'Analysis Completed. Result: Failed',
  });
});

test('the run message carries the metric message as "Error Message"', () => {
  const r0 = result('EEEEE', { name: 'a' });
  r0.measurements!.at(-1)!.message = 'connection refused';
  const r = assess([metric({ name: 'a' })], [r0]);
  assert.equal(r.phase, 'Error');
  assert.equal(r.status.metricResults?.[0]?.message, 'connection refused');
  assert.equal(
    r.status.message,
    'Metric "a" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): "Error Message: connection refused"',
  );
});

test('spec.terminate before any measurement ⇒ Successful, "Run Terminated"', () => {
  const r = assess([a, b], undefined, { terminate: true });
  assert.equal(r.phase, 'Successful');
  assert.equal(r.status.message, 'Run Terminated');
  assert.equal(r.status.completedAt, ts(1000));
});

test('spec.terminate: indefinite metrics complete Successful, even with others unstarted', () => {
  const r = assess(
    [a, b],
    [result('SF', { name: 'a', failed: 1 })].map((x) => ({ ...x })),
    {
      terminate: true,
    },
  );
  // a has failed 1 > failureLimit 0 ⇒ Failed wins over termination.
  assert.equal(r.phase, 'Failed');
  assert.equal(r.status.message, 'Metric "a" assessed Failed due to failed (1) > failureLimit (0)');
  const ok = assess([a, b], [result('SS', { name: 'a' })], { terminate: true });
  assert.equal(ok.phase, 'Successful');
  assert.equal(ok.status.message, 'Run Terminated');
  assert.deepEqual(
    ok.status.metricResults?.map((x) => x.phase),
    ['Successful'],
  );
});

test('terminating with a metric still in flight ⇒ the worst completed phase anyway', () => {
  const r = assess([a, b], [result('S', { name: 'a' }), result('R', { name: 'b' })], {
    terminate: true,
  });
  assert.deepEqual(
    r.status.metricResults?.map((x) => x.phase),
    ['Successful', 'Running'],
  );
  assert.equal(r.phase, 'Successful');
});

test('dry-run metrics never influence phase or message; their message and summary record the limit', () => {
  const r = assess(
    [metric({ name: 'a' }), metric({ name: 'd' })],
    [result('S', { name: 'a' }), result('F', { name: 'd', dryRun: true })],
    { dry: ['d'] },
  );
  assert.equal(r.phase, 'Successful');
  assert.equal(r.status.message, undefined);
  assert.equal(r.status.metricResults?.[1]?.phase, 'Failed');
  assert.equal(
    r.status.metricResults?.[1]?.message,
    'Metric assessed Failed due to failed (1) > failureLimit (0)',
  );
  assert.deepEqual(r.status.runSummary, { count: 1, successful: 1 });
  assert.deepEqual(r.status.dryRunSummary, { count: 1, failed: 1 });
  assert.deepEqual(
    r.events.map((e) => e.reason),
    ['MetricSuccessful', 'MetricFailed', 'AnalysisRunSuccessful'],
  );
});

test('a run whose metrics are all dry-run ends Successful even when they fail', () => {
  const r = assess([metric({ name: 'd' })], [result('EEEEE', { name: 'd', dryRun: true })], {
    dry: ['d'],
  });
  assert.equal(r.phase, 'Successful');
  assert.deepEqual(r.status.dryRunSummary, { count: 1, error: 1 });
  assert.deepEqual(r.status.runSummary, {});
});

test('worst phase order: Failed beats Error beats Inconclusive; ties name the first metric', () => {
  const ms = [
    metric({ name: 'i' }),
    metric({ name: 'e' }),
    metric({ name: 'f' }),
    metric({ name: 'f2' }),
  ];
  const r = assess(ms, [
    result('I', { name: 'i' }),
    result('EEEEE', { name: 'e' }),
    result('F', { name: 'f' }),
    result('F', { name: 'f2' }),
  ]);
  assert.equal(r.phase, 'Failed');
  assert.equal(r.status.message, 'Metric "f" assessed Failed due to failed (1) > failureLimit (0)');
  assert.deepEqual(r.status.runSummary, { count: 4, failed: 2, inconclusive: 1, error: 1 });
});

test('metrics completed without a limit message are tallied successful (quirk §10.7)', () => {
  const m = metric({
    name: 'a',
    count: 2,
    failureLimit: -1,
    consecutiveSuccessLimit: 2,
    interval: '1m',
  });
  const r = assess([m], [result('SF', { name: 'a' })]);
  assert.equal(r.phase, 'Failed'); // count reached without the streak
  assert.equal(r.status.message, undefined); // no limit message
  assert.deepEqual(r.status.runSummary, { count: 1, successful: 1 });
});

test('the message changes only with the phase; completedAt is set once', () => {
  const r = assess([metric({ name: 'a' })], [result('F', { name: 'a', phase: 'Failed' })], {
    old: { phase: 'Failed', message: 'original', completedAt: ts(5) },
  });
  assert.equal(r.phase, 'Failed');
  assert.equal(r.message, 'Metric "a" assessed Failed due to failed (1) > failureLimit (0)');
  assert.equal(r.status.message, 'original');
  assert.equal(r.status.completedAt, ts(5));
  assert.deepEqual(r.events, []);
});

test('the metric message is the last measurement’s, copied when the metric phase changes', () => {
  const r0 = result('SS', { name: 'a' });
  r0.measurements![1]!.message = 'latest';
  const r = assess([metric({ name: 'a', count: 2, interval: '1m' })], [r0]);
  assert.equal(r.status.metricResults?.[0]?.message, 'latest');
  // No change of phase ⇒ no copy.
  const r1 = result('S', { name: 'a', message: 'kept' });
  r1.measurements![0]!.message = 'other';
  const same = assess([a], [r1]);
  assert.equal(same.status.metricResults?.[0]?.message, 'kept');
});

test('the input status is not modified', () => {
  const results = [result('F', { name: 'a' })];
  const status: AnalysisRunStatus = { phase: 'Running', metricResults: results };
  assessRunStatus({ spec: {}, status }, [a], new Set(), NOW);
  assert.equal(results[0]?.phase, 'Running');
  assert.equal(status.startedAt, undefined);
});

test('early Error exits: phase Error, message, no startedAt/completedAt, a Warning event', () => {
  const r = errorRun(undefined, 'Analysis spec invalid: metrics[0]: no provider specified');
  assert.deepEqual(r.status, {
    metricResults: [],
    phase: 'Error',
    message: 'Analysis spec invalid: metrics[0]: no provider specified',
  });
  assert.deepEqual(r.events, [
    { type: 'Warning', reason: 'AnalysisRunError', message: 'Analysis Completed. Result: Error' },
  ]);
});
