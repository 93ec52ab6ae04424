// §3.7 measurement phase from conditions; §3.6 recording a measurement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Measurement, MetricResult } from '../../../src/api/analysis.ts';
import {
  evaluateResult,
  providerErrorMeasurement,
  recordMeasurement,
  type ConditionEvaluator,
} from '../../../src/analysis/measurement.ts';
import type { MetricTask } from '../../../src/analysis/metric-tasks.ts';
import { at, metric, result, ts } from './helpers.ts';

/** Evaluates `true`/`false`/`throw:<msg>` literally and records every call. */
function evaluator(): { fn: ConditionEvaluator; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fn: (cond) => {
      calls.push(cond);
      if (cond.startsWith('throw:')) throw new Error(cond.slice(6));
      return cond === 'true';
    },
  };
}

// §3.7 decision table — MUST
const TABLE: [string | undefined, string | undefined, string][] = [
  [undefined, undefined, 'Successful'], // no conditions ⇒ Successful, not Inconclusive
  ['', '', 'Successful'],
  ['true', undefined, 'Successful'],
  ['false', undefined, 'Failed'],
  [undefined, 'true', 'Failed'],
  [undefined, 'false', 'Successful'],
  ['true', 'true', 'Failed'], // failure wins
  ['false', 'true', 'Failed'],
  ['true', 'false', 'Successful'],
  ['false', 'false', 'Inconclusive'],
];
for (const [s, f, want] of TABLE) {
  test(`evaluateResult success=${String(s)} failure=${String(f)} ⇒ ${want}`, () => {
    const e = evaluator();
    assert.deepEqual(evaluateResult({ successCondition: s, failureCondition: f }, [1], e.fn), {
      phase: want,
    });
  });
}

test('a successCondition error makes the measurement Error and skips the failureCondition', () => {
  const e = evaluator();
  assert.deepEqual(
    evaluateResult({ successCondition: 'throw:unknown name x', failureCondition: 'true' }, 1, e.fn),
    {
      phase: 'Error',
      message: 'could not evaluate successCondition "throw:unknown name x": unknown name x',
    },
  );
  assert.deepEqual(e.calls, ['throw:unknown name x']);
});

test('a failureCondition error is reported as such', () => {
  const e = evaluator();
  assert.deepEqual(
    evaluateResult({ successCondition: 'true', failureCondition: 'throw:bad' }, { a: 1 }, e.fn),
    { phase: 'Error', message: 'could not evaluate failureCondition "throw:bad": bad' },
  );
});

test('for a nil or empty-array result the cause is replaced; an empty map is not "empty"', () => {
  for (const r of [null, undefined, []]) {
    assert.deepEqual(
      evaluateResult({ successCondition: 'throw:index out of range' }, r, evaluator().fn),
      {
        phase: 'Error',
        message:
          'could not evaluate successCondition "throw:index out of range": metric result is nil or empty: no data returned from the metric provider',
      },
    );
  }
  assert.equal(
    evaluateResult({ successCondition: 'throw:x' }, {}, evaluator().fn).message,
    'could not evaluate successCondition "throw:x": x',
  );
});

// ---------------------------------------------------------------------------------------------
// Recording (§3.6 step 5 counter table — MUST)

const NOW = at(100);
const newTask: MetricTask = { kind: 'new', metric: metric() };
const m = (phase: string, over: Partial<Measurement> = {}): Measurement => ({
  phase,
  startedAt: ts(100),
  ...over,
});

const COUNTERS: [string, string, Partial<MetricResult>][] = [
  // prior measurements, new outcome, expected counters (absent = 0)
  ['S', 'Successful', { count: 2, successful: 2, consecutiveSuccess: 2 }],
  ['S', 'Failed', { count: 2, successful: 1, failed: 1 }],
  ['S', 'Inconclusive', { count: 2, successful: 1, inconclusive: 1 }],
  ['S', 'Error', { count: 1, successful: 1, error: 1, consecutiveError: 1 }],
  ['EE', 'Error', { error: 3, consecutiveError: 3 }],
  ['EE', 'Successful', { count: 1, successful: 1, error: 2, consecutiveSuccess: 1 }],
  ['EE', 'Failed', { count: 1, failed: 1, error: 2 }],
  ['S', 'Running', { count: 1, successful: 1, consecutiveSuccess: 1 }],
];
const KEYS = [
  'count',
  'successful',
  'failed',
  'inconclusive',
  'error',
  'consecutiveError',
  'consecutiveSuccess',
] as const;
for (const [prior, phase, want] of COUNTERS) {
  test(`recordMeasurement: ${prior} + ${phase} updates the counters`, () => {
    const r = recordMeasurement(result(prior), newTask, m(phase), { now: NOW });
    const got = Object.fromEntries(KEYS.filter((k) => r[k] !== undefined).map((k) => [k, r[k]]));
    assert.deepEqual(got, want);
    assert.equal(r.measurements?.length, prior.length + 1);
  });
}

test('a completed measurement gets finishedAt = now unless the provider set it; in-flight ones do not', () => {
  const a = recordMeasurement(undefined, newTask, m('Successful'), { now: NOW });
  assert.equal(a.measurements?.[0]?.finishedAt, ts(100));
  const b = recordMeasurement(undefined, newTask, m('Failed', { finishedAt: ts(90) }), {
    now: NOW,
  });
  assert.equal(b.measurements?.[0]?.finishedAt, ts(90));
  const c = recordMeasurement(undefined, newTask, m('Running'), { now: NOW });
  assert.equal(c.measurements?.[0]?.finishedAt, undefined);
});

test('a new result is created Running, with dryRun and provider metadata', () => {
  const r = recordMeasurement(undefined, newTask, m('Running'), {
    now: NOW,
    dryRun: true,
    metadata: { ResolvedPrometheusQuery: 'q' },
  });
  assert.deepEqual(r, {
    name: 'm',
    phase: 'Running',
    dryRun: true,
    metadata: { ResolvedPrometheusQuery: 'q' },
    measurements: [m('Running')],
  });
  // On an existing result, they are left alone.
  const again = recordMeasurement(r, newTask, m('Running'), {
    now: NOW,
    dryRun: false,
    metadata: {},
  });
  assert.equal(again.dryRun, true);
  assert.deepEqual(again.metadata, { ResolvedPrometheusQuery: 'q' });
});

test('resume/terminate replace the last measurement; new appends; the input is not modified', () => {
  const prior = result('SR');
  const inFlight = prior.measurements![1]!;
  const resumed = recordMeasurement(
    prior,
    { kind: 'resume', metric: metric(), measurement: inFlight },
    m('Failed'),
    { now: NOW },
  );
  assert.deepEqual(
    resumed.measurements?.map((x) => x.phase),
    ['Successful', 'Failed'],
  );
  assert.equal(prior.measurements?.length, 2);
  assert.equal(prior.measurements?.[1]?.phase, 'Running');
  assert.equal(prior.failed, undefined);
});

test('a terminated measurement returning Successful or Inconclusive says "Metric Terminated"', () => {
  const prior = result('R');
  const task: MetricTask = {
    kind: 'terminate',
    metric: metric(),
    measurement: prior.measurements![0]!,
  };
  for (const phase of ['Successful', 'Inconclusive']) {
    const r = recordMeasurement(prior, task, m(phase, { message: 'job deleted' }), { now: NOW });
    assert.equal(r.measurements?.[0]?.message, 'Metric Terminated', phase);
  }
  const f = recordMeasurement(prior, task, m('Failed', { message: 'x' }), { now: NOW });
  assert.equal(f.measurements?.[0]?.message, 'x');
  // Only for terminate tasks.
  const n = recordMeasurement(undefined, newTask, m('Successful', { message: 'y' }), { now: NOW });
  assert.equal(n.measurements?.[0]?.message, 'y');
});

test('secret values are redacted from the measurement message', () => {
  const r = recordMeasurement(
    undefined,
    newTask,
    m('Error', { message: 'GET https://h/?t=abc123 failed' }),
    {
      now: NOW,
      secretValues: new Set(['abc123']),
    },
  );
  assert.equal(r.measurements?.[0]?.message, 'GET https://h/?t=***** failed');
});

test('a provider construction error: a new Error measurement, or the in-flight one reused', () => {
  assert.deepEqual(providerErrorMeasurement(newTask, 'bad address', NOW), {
    phase: 'Error',
    startedAt: ts(100),
    message: 'bad address',
  });
  const inFlight: Measurement = {
    phase: 'Running',
    startedAt: ts(5),
    metadata: { 'job-name': 'j' },
  };
  assert.deepEqual(
    providerErrorMeasurement(
      { kind: 'resume', metric: metric(), measurement: inFlight },
      'boom',
      NOW,
    ),
    { phase: 'Error', startedAt: ts(5), metadata: { 'job-name': 'j' }, message: 'boom' },
  );
  assert.equal(inFlight.phase, 'Running');
});
