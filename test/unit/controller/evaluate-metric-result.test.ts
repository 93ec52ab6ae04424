// The evaluator the AnalysisRun controller hands to the providers: the condition language
// behind Argo's EvaluateResult, with the column added to syntax errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Metric } from '../../../src/api/analysis.ts';
import { evaluateMetricResult } from '../../../src/controller/analysis-controller.ts';

const metric = (successCondition?: string, failureCondition?: string): Metric => ({
  name: 'm',
  ...(successCondition !== undefined ? { successCondition } : {}),
  ...(failureCondition !== undefined ? { failureCondition } : {}),
  provider: { prometheus: { query: 'up' } },
});

const cases: [string, unknown, Metric, { phase: string; message?: string }][] = [
  ['success true', [0.99], metric('result[0] >= 0.95'), { phase: 'Successful' }],
  ['success false', [0.5], metric('result[0] >= 0.95'), { phase: 'Failed' }],
  ['failure wins', [0.5], metric('true', 'result[0] < 0.9'), { phase: 'Failed' }],
  ['neither', [0.92], metric('result[0] >= 0.95', 'result[0] < 0.9'), { phase: 'Inconclusive' }],
  ['no conditions', [0], metric(), { phase: 'Successful' }],
  [
    'syntax error points at the column',
    1,
    metric('result > > 1'),
    {
      phase: 'Error',
      message:
        'could not evaluate successCondition "result > > 1": unexpected token Operator(">") (1:10)',
    },
  ],
  [
    'syntax error at the end',
    [1],
    metric(undefined, 'result[0] >= '),
    {
      phase: 'Error',
      message: 'could not evaluate failureCondition "result[0] >= ": unexpected token EOF (1:13)',
    },
  ],
  [
    'unknown name keeps Argo text',
    [1],
    metric('foo > 1'),
    { phase: 'Error', message: 'could not evaluate successCondition "foo > 1": unknown name foo' },
  ],
  [
    'non-bool result',
    [1],
    metric('1'),
    {
      phase: 'Error',
      message: 'could not evaluate successCondition "1": expected bool, but got int',
    },
  ],
  [
    'empty result',
    [],
    metric('result[0] >= 0.95'),
    {
      phase: 'Error',
      message:
        'could not evaluate successCondition "result[0] >= 0.95": metric result is nil or empty: no data returned from the metric provider',
    },
  ],
];

for (const [name, result, m, want] of cases) {
  test(`evaluateMetricResult: ${name}`, () => {
    assert.deepEqual(evaluateMetricResult(result, m), want);
  });
}
