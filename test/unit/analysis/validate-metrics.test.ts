// §1.4 (int-or-string, effective count, durations) and §1.8 (metric validation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Metric } from '../../../src/api/analysis.ts';
import { parseDuration } from '../../../src/analysis/duration.ts';
import {
  consecutiveErrorLimit,
  effectiveCount,
  int32Value,
  intValue,
} from '../../../src/analysis/metric-values.ts';
import {
  countProviders,
  invalidSpecMessage,
  validateMetric,
  validateMetrics,
} from '../../../src/analysis/validate-metrics.ts';
import { metric } from './helpers.ts';

// ---------------------------------------------------------------------------------------------
// Int-or-string (Kubernetes IntValue) — §1.4 MUST

const INT_VALUES: [Metric['count'], number][] = [
  [undefined, 0],
  [3, 3],
  [-1, -1],
  ['3', 3],
  ['+7', 7],
  ['-2', -2],
  ['abc', 0],
  ['1.5', 0],
  ['', 0],
  [' 3', 0],
  ['1_000', 0],
  ['{{args.runs}}', 0],
];
for (const [input, want] of INT_VALUES) {
  test(`intValue(${JSON.stringify(input)}) = ${want}`, () => {
    assert.equal(intValue(input), want);
  });
}

test('int32Value wraps like Go int32(); intValue clamps out-of-range strings like Atoi', () => {
  assert.equal(int32Value('4294967297'), 1);
  assert.equal(intValue('99999999999999999999'), Number((1n << 63n) - 1n));
  assert.equal(int32Value('99999999999999999999'), -1); // int32(MaxInt64)
});

// Effective count — §1.4 MUST
const EFFECTIVE: [Partial<Metric>, number | undefined][] = [
  [{}, 1],
  [{ count: 0 }, 1],
  [{ count: 'junk' }, 1],
  [{ interval: '1m' }, undefined],
  [{ count: 0, interval: '1m' }, undefined],
  [{ count: 'junk', interval: '1m' }, undefined],
  [{ count: 5 }, 5],
  [{ count: '5', interval: '1m' }, 5],
  [{ count: -3 }, -3],
];
for (const [m, want] of EFFECTIVE) {
  test(`effectiveCount(${JSON.stringify(m)}) = ${want}`, () => {
    assert.equal(effectiveCount(m), want);
  });
}

test('consecutiveErrorLimit: absent ⇒ 4, present ⇒ its int value (unparsable ⇒ 0)', () => {
  assert.equal(consecutiveErrorLimit({}), 4);
  assert.equal(consecutiveErrorLimit({ consecutiveErrorLimit: 2 }), 2);
  assert.equal(consecutiveErrorLimit({ consecutiveErrorLimit: '7' }), 7);
  assert.equal(consecutiveErrorLimit({ consecutiveErrorLimit: 'x' }), 0);
});

// ---------------------------------------------------------------------------------------------
// Go durations — §1.4

const DURATIONS: [string, number][] = [
  ['5m', 300_000],
  ['1.5h', 5_400_000],
  ['1h30m', 5_400_000],
  ['0', 0],
  ['-1s', -1000],
  ['+2s', 2000],
  ['500ms', 500],
  ['10us', 0.01],
  ['10µs', 0.01],
  ['.5s', 500],
  ['1.s', 1000],
];
for (const [input, ms] of DURATIONS) {
  test(`parseDuration(${JSON.stringify(input)}) = ${ms} ms`, () => {
    const d = parseDuration(input);
    assert.ok(d.ok, d.ok ? '' : d.error);
    assert.equal(d.ms, ms);
  });
}

const BAD_DURATIONS: [string, string][] = [
  ['10', 'time: missing unit in duration "10"'],
  ['', 'time: invalid duration ""'],
  ['abc', 'time: invalid duration "abc"'],
  ['-', 'time: invalid duration "-"'],
  ['.s', 'time: invalid duration ".s"'],
  ['5x', 'time: unknown unit "x" in duration "5x"'],
  ['1m5', 'time: missing unit in duration "1m5"'],
  ['5 m', 'time: unknown unit " m" in duration "5 m"'],
  ['3µ', 'time: unknown unit "\\xc2\\xb5" in duration "3\\xc2\\xb5"'],
  ['9999999999h', 'time: invalid duration "9999999999h"'],
];
for (const [input, error] of BAD_DURATIONS) {
  test(`parseDuration(${JSON.stringify(input)}) fails with Go's message`, () => {
    assert.deepEqual(parseDuration(input), { ok: false, error });
  });
}

// ---------------------------------------------------------------------------------------------
// §1.8 rules, in order — MUST match

const RULES: [string, Partial<Metric>, string | undefined][] = [
  ['a plain metric is valid', {}, undefined],
  ['rule 1', { consecutiveSuccessLimit: -1 }, 'consecutiveSuccessLimit must be >= 0'],
  ['rule 2', { failureLimit: -2 }, 'failureLimit must be >= 0, or -1 to be disabled'],
  [
    'rule 3',
    { failureLimit: -1 },
    'failureLimit and consecutiveSuccessLimit cannot both be disabled',
  ],
  [
    'rule 3 is satisfied by a streak',
    { failureLimit: -1, consecutiveSuccessLimit: 2, interval: '1m' },
    undefined,
  ],
  ['rule 4', { inconclusiveLimit: -1 }, 'inconclusiveLimit must be >= 0'],
  ['rule 5', { consecutiveErrorLimit: -1 }, 'consecutiveErrorLimit must be >= 0'],
  ['rule 5 string', { consecutiveErrorLimit: '-3' }, 'consecutiveErrorLimit must be >= 0'],
  [
    'rule 6 (Go test: count 1, failureLimit 2)',
    { count: 1, failureLimit: 2 },
    'count (1) must be >= failureLimit + consecutiveSuccessLimit (2 + 0) if both >= 0',
  ],
  [
    'rule 6 with a streak',
    { count: 3, failureLimit: 1, consecutiveSuccessLimit: 3, interval: '1m' },
    'count (3) must be >= failureLimit + consecutiveSuccessLimit (1 + 3) if both >= 0',
  ],
  ['rule 6 does not apply to count 0', { count: 0, failureLimit: 2 }, undefined],
  [
    'rule 7',
    { count: 2, failureLimit: -1, consecutiveSuccessLimit: 3, interval: '1m' },
    'count must be >= consecutiveSuccessLimit',
  ],
  ['rule 8 (Go test)', { count: 1, inconclusiveLimit: 2 }, 'count must be >= inconclusiveLimit'],
  ['rule 9 (Go test)', { count: 2 }, 'interval must be specified when count > 1'],
  ['rule 9 with a string count', { count: '2' }, 'interval must be specified when count > 1'],
  ['rule 10', { interval: '10' }, 'invalid interval string: time: missing unit in duration "10"'],
  [
    'rule 11',
    { initialDelay: '1x' },
    'invalid startDelay string: time: unknown unit "x" in duration "1x"',
  ],
  ['rule 12 none', { provider: {} }, 'no provider specified'],
  [
    'rule 12 several',
    { provider: { prometheus: {}, web: { url: 'http://x' } } },
    'multiple providers specified',
  ],
  [
    'rule 12: each plugin key counts',
    { provider: { plugin: { a: {}, b: {} } } },
    'multiple providers specified',
  ],
  ['rule 12: one plugin', { provider: { plugin: { 'argoproj-labs/x': {} } } }, undefined],
  [
    'earlier rules win (1 before 12)',
    { consecutiveSuccessLimit: -1, provider: {} },
    'consecutiveSuccessLimit must be >= 0',
  ],
  [
    'earlier rules win (9 before 10)',
    { count: 3, interval: '', initialDelay: 'bad' },
    'interval must be specified when count > 1',
  ],
  ['unparsable int strings count as 0', { failureLimit: 'x', count: 'y' }, undefined],
];
for (const [name, over, want] of RULES) {
  test(`validateMetric: ${name}`, () => {
    assert.equal(validateMetric(metric(over)), want);
  });
}

test('countProviders ignores null/absent keys', () => {
  assert.equal(countProviders(undefined), 0);
  assert.equal(countProviders({ prometheus: undefined, web: { url: 'x' }, plugin: {} }), 1);
});

test('validateMetrics: empty list, duplicate at the later index, prefix, first failure wins', () => {
  assert.equal(validateMetrics([]), 'no metrics specified');
  assert.equal(validateMetrics(undefined), 'no metrics specified');
  assert.equal(
    validateMetrics([metric({ name: 'a' }), metric({ name: 'b' }), metric({ name: 'a' })]),
    "metrics[2]: duplicate name 'a'",
  );
  assert.equal(
    validateMetrics([
      metric({ name: 'a' }),
      metric({ name: 'b', count: 2 }),
      metric({ name: 'c', provider: {} }),
    ]),
    'metrics[1]: interval must be specified when count > 1',
  );
  assert.equal(validateMetrics([metric({ name: 'a' }), metric({ name: 'b' })]), undefined);
  assert.equal(
    invalidSpecMessage('metrics[0]: no provider specified'),
    'Analysis spec invalid: metrics[0]: no provider specified',
  );
});
