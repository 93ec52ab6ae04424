// §1.6 / §3.4: dryRun and measurementRetention rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dryRunMetrics,
  measurementRetentionLimits,
  ruleMatches,
} from '../../../src/analysis/rules.ts';

const metrics = [{ name: 'success-rate' }, { name: 'latency' }, { name: 'error-rate' }];

const MATCHES: [string, string, boolean][] = [
  ['success', 'success-rate', true], // unanchored
  ['rate$', 'success-rate', true],
  ['^rate', 'success-rate', false],
  ['.*', 'anything', true],
  ['*', 'success-rate', false], // invalid regex never matches
  ['(?i)SUCCESS', 'success-rate', true], // RE2 flag group
  ['[', 'x', false],
];
for (const [pattern, name, want] of MATCHES) {
  test(`ruleMatches(${JSON.stringify(pattern)}, ${name}) = ${want}`, () => {
    assert.equal(ruleMatches(pattern, name), want);
  });
}

test('dryRun: every metric matching any rule; an unmatched rule is an error naming its index', () => {
  const r = dryRunMetrics([{ metricName: 'rate' }, { metricName: 'latency' }], metrics);
  assert.ok(r.ok);
  assert.deepEqual([...r.value].sort(), ['error-rate', 'latency', 'success-rate']);
  assert.deepEqual(dryRunMetrics([{ metricName: 'latency' }, { metricName: '*' }], metrics), {
    ok: false,
    error: "dryRun[1]: Rule didn't match any metric name(s)",
  });
  const none = dryRunMetrics(undefined, metrics);
  assert.ok(none.ok && none.value.size === 0);
});

test('measurementRetention: a later matching rule overrides an earlier one; unmatched rule errors', () => {
  const r = measurementRetentionLimits(
    [
      { metricName: '.*', limit: 20 },
      { metricName: 'latency', limit: 5 },
    ],
    metrics,
  );
  assert.ok(r.ok);
  assert.deepEqual(Object.fromEntries(r.value), {
    'success-rate': 20,
    latency: 5,
    'error-rate': 20,
  });
  assert.deepEqual(measurementRetentionLimits([{ metricName: 'nope', limit: 1 }], metrics), {
    ok: false,
    error: "measurementRetention[0]: Rule didn't match any metric name(s)",
  });
});
