// §3.8 assessMetricStatus, incl. the "key consequences" table — MUST.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Metric, MetricResult } from '../../../src/api/analysis.ts';
import { assessMetricStatus, checkLimits } from '../../../src/analysis/metric-phase.ts';
import { metric, result } from './helpers.ts';

const CASES: [string, Partial<Metric>, string, boolean, string, Partial<MetricResult>?][] = [
  // name, spec, measurements, terminating, expected phase
  ['no measurements ⇒ Pending', {}, '', false, 'Pending'],
  ['no measurements, terminating ⇒ Successful', {}, '', true, 'Successful'],
  ['in-flight last ⇒ Running', {}, 'R', false, 'Running'],
  ['in-flight last ⇒ Running even when terminating', { interval: '1m' }, 'SR', true, 'Running'],
  ['defaults: one Failed ⇒ Failed (failureLimit 0)', {}, 'F', false, 'Failed'],
  [
    'failureLimit 2, F,F,F ⇒ Failed (3 > 2)',
    { failureLimit: 2, interval: '1m' },
    'FFF',
    false,
    'Failed',
  ],
  ['failureLimit 3, F,F,F ⇒ Running', { failureLimit: 3, interval: '1m' }, 'FFF', false, 'Running'],
  [
    'failureLimit 3, F,F,F, terminating ⇒ Successful',
    { failureLimit: 3, interval: '1m' },
    'FFF',
    true,
    'Successful',
  ],
  [
    'failureLimit -1 never fails',
    { failureLimit: -1, consecutiveSuccessLimit: 9, interval: '1m' },
    'FFFFFF',
    false,
    'Running',
  ],
  ['failureLimit as a string', { failureLimit: '1', interval: '1m' }, 'FF', false, 'Failed'],
  ['defaults: one Inconclusive ⇒ Inconclusive (1 > 0)', {}, 'I', false, 'Inconclusive'],
  [
    'inconclusiveLimit 1, I ⇒ Running',
    { inconclusiveLimit: 1, interval: '1m' },
    'I',
    false,
    'Running',
  ],
  ['defaults: 5 consecutive errors ⇒ Error', {}, 'EEEEE', false, 'Error'],
  [
    'defaults: 4 consecutive errors ⇒ still Running (errors do not consume count)',
    {},
    'EEEE',
    false,
    'Running',
  ],
  [
    'errors interrupted by a success do not add up',
    { interval: '1m' },
    'EEESEEE',
    false,
    'Running',
  ],
  [
    'consecutiveErrorLimit 0 ⇒ the first error errors the metric',
    { consecutiveErrorLimit: 0 },
    'E',
    false,
    'Error',
  ],
  ['consecutiveErrorLimit unparsable ⇒ 0', { consecutiveErrorLimit: 'x' }, 'E', false, 'Error'],
  ['Error overrides Failed when both trip', { interval: '1m' }, 'FEEEEE', false, 'Error'],
  ['Inconclusive overrides Failed when both trip', { interval: '1m' }, 'FI', false, 'Inconclusive'],
  [
    'count 10, 10 × S ⇒ Successful',
    { count: 10, interval: '1m' },
    'SSSSSSSSSS',
    false,
    'Successful',
  ],
  ['count 10, 9 × S ⇒ Running', { count: 10, interval: '1m' }, 'SSSSSSSSS', false, 'Running'],
  [
    'count reached with failures within the limit ⇒ Successful',
    { count: 3, failureLimit: 2, interval: '1m' },
    'FSF',
    false,
    'Successful',
  ],
  ['no count, no interval: one S ⇒ Successful', {}, 'S', false, 'Successful'],
  ['negative count behaves like 1', { count: -3, interval: '1m' }, 'S', false, 'Successful'],
  ['string count from args', { count: '2', interval: '1m' }, 'SS', false, 'Successful'],
  [
    'failureLimit -1, streak 3: S,F,F,F,S,S,S ⇒ Successful',
    { failureLimit: -1, consecutiveSuccessLimit: 3, interval: '1m' },
    'SFFFSSS',
    false,
    'Successful',
  ],
  [
    'failureLimit -1, streak 3, streak not yet reached ⇒ Running',
    { failureLimit: -1, consecutiveSuccessLimit: 3, interval: '1m' },
    'SFFFSS',
    false,
    'Running',
  ],
  [
    'count 7, streak 5, failureLimit -1: S,F,F,F,S,S,S ⇒ Failed',
    { count: 7, failureLimit: -1, consecutiveSuccessLimit: 5, interval: '1m' },
    'SFFFSSS',
    false,
    'Failed',
  ],
  [
    'failureLimit 4, streak 4, count 10: S,S,S,F,F,F,F,S,S,S ⇒ Inconclusive',
    { count: 10, failureLimit: 4, consecutiveSuccessLimit: 4, interval: '1m' },
    'SSSFFFFSSS',
    false,
    'Inconclusive',
  ],
  [
    'an absent failureLimit is applicable: count 2, streak 2, inconclusiveLimit 1, S,I ⇒ Inconclusive',
    { count: 2, consecutiveSuccessLimit: 2, inconclusiveLimit: 1, interval: '1m' },
    'SI',
    false,
    'Inconclusive',
  ],
  [
    'streak reached before count ⇒ Successful',
    { count: 10, failureLimit: 4, consecutiveSuccessLimit: 2, interval: '1m' },
    'FSS',
    false,
    'Successful',
  ],
  [
    'indefinite metric, terminating, no limit tripped ⇒ Successful',
    { interval: '1m', failureLimit: 1 },
    'SFS',
    true,
    'Successful',
  ],
  [
    'indefinite metric with a streak never fails by termination',
    { interval: '1m', failureLimit: -1, consecutiveSuccessLimit: 5 },
    'FF',
    true,
    'Successful',
  ],
  ['indefinite metric, not terminating ⇒ Running', { interval: '1m' }, 'SSS', false, 'Running'],
  ['a completed result keeps its phase', {}, 'F', false, 'Successful', { phase: 'Successful' }],
  [
    'a stored Error stays Error even with only successes',
    { interval: '1m' },
    'SSS',
    true,
    'Error',
    { phase: 'Error' },
  ],
];

for (const [name, spec, letters, terminating, want, over] of CASES) {
  test(`assessMetricStatus: ${name}`, () => {
    assert.equal(assessMetricStatus(metric(spec), result(letters, over), terminating), want);
  });
}

const LIMITS: [Partial<Metric>, string, ReturnType<typeof checkLimits>][] = [
  [{}, 'S', undefined],
  [{ failureLimit: 3 }, 'FFFF', { phase: 'Failed', message: 'failed (4) > failureLimit (3)' }],
  [{ failureLimit: -1, consecutiveSuccessLimit: 1 }, 'FFFF', undefined],
  [{}, 'II', { phase: 'Inconclusive', message: 'inconclusive (2) > inconclusiveLimit (0)' }],
  [{}, 'EEEEE', { phase: 'Error', message: 'consecutiveErrors (5) > consecutiveErrorLimit (4)' }],
  [
    { consecutiveErrorLimit: '2' },
    'FIEEE',
    { phase: 'Error', message: 'consecutiveErrors (3) > consecutiveErrorLimit (2)' },
  ],
];
for (const [spec, letters, want] of LIMITS) {
  test(`checkLimits ${JSON.stringify(spec)} ${letters}`, () => {
    assert.deepEqual(checkLimits(spec, result(letters)), want);
  });
}
