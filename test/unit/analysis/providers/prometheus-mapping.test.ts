// The Prometheus provider's pure parts: the §4.4 mapping of `data` to `value`/`result`, Go
// number formatting, the §4.3 envelope rules, warnings, endpoints, durations and the §6.10
// time expressions of rangeQuery.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateTimeExpression,
  formatGoFloat,
  formatPromTime,
  formatWarnings,
  interpretPrometheusResponse,
  mapPrometheusData,
  METRIC_TYPE_NOT_SUPPORTED,
  parseGoDuration,
  parseGoFloat,
  prometheusEndpoint,
} from '../../../../src/analysis/providers/prometheus.ts';

const sample = (v: unknown, metric: Record<string, string> = {}) => ({
  metric,
  value: [1700000000.123, v],
});
const series = (values: unknown[]) => ({
  metric: { job: 'app' },
  values: values.map((v, i) => [1700000000 + i, v]),
});

interface Case {
  name: string;
  data: unknown;
  value?: string;
  /** Expected `result`; NaN compares with Object.is semantics via deepEqual. */
  result?: number | number[];
  error?: string | RegExp;
}

const CASES: Case[] = [
  // scalar → the number
  {
    name: 'scalar integer',
    data: { resultType: 'scalar', result: [1, '10'] },
    value: '10',
    result: 10,
  },
  {
    name: 'scalar fraction',
    data: { resultType: 'scalar', result: [1, '0.5'] },
    value: '0.5',
    result: 0.5,
  },
  {
    name: 'scalar NaN',
    data: { resultType: 'scalar', result: [1, 'NaN'] },
    value: 'NaN',
    result: NaN,
  },
  {
    name: 'scalar +Inf',
    data: { resultType: 'scalar', result: [1, '+Inf'] },
    value: '+Inf',
    result: Infinity,
  },
  {
    name: 'scalar -Inf',
    data: { resultType: 'scalar', result: [1, '-Inf'] },
    value: '-Inf',
    result: -Infinity,
  },
  {
    name: 'scalar Inf without sign',
    data: { resultType: 'scalar', result: [1, 'Inf'] },
    value: '+Inf',
    result: Infinity,
  },
  {
    name: 'scalar 1e21 without exponent',
    data: { resultType: 'scalar', result: [1, '1e+21'] },
    value: '1000000000000000000000',
    result: 1e21,
  },
  {
    name: 'scalar tiny without exponent',
    data: { resultType: 'scalar', result: [1, '1.5e-7'] },
    value: '0.00000015',
    result: 1.5e-7,
  },
  {
    name: 'scalar negative zero',
    data: { resultType: 'scalar', result: [1, '-0'] },
    value: '-0',
    result: -0,
  },
  {
    name: 'scalar shortest round-trip',
    data: { resultType: 'scalar', result: [1, '0.9400000000000001'] },
    value: '0.9400000000000001',
    result: 0.9400000000000001,
  },
  {
    name: 'scalar with trailing zeros',
    data: { resultType: 'scalar', result: [1, '2.50'] },
    value: '2.5',
    result: 2.5,
  },
  {
    name: 'scalar unparsable value',
    data: { resultType: 'scalar', result: [1, 'abc'] },
    error: 'error parsing sample value: strconv.ParseFloat: parsing "abc": invalid syntax',
  },
  {
    name: 'scalar unquoted value',
    data: { resultType: 'scalar', result: [1, 5] },
    error: 'sample value must be a quoted string',
  },
  // vector → every sample value, in response order
  {
    name: 'vector of two',
    data: { resultType: 'vector', result: [sample('10'), sample('11')] },
    value: '[10,11]',
    result: [10, 11],
  },
  {
    name: 'vector of one ratio',
    data: { resultType: 'vector', result: [sample('0.95')] },
    value: '[0.95]',
    result: [0.95],
  },
  { name: 'empty vector', data: { resultType: 'vector', result: [] }, value: '[]', result: [] },
  {
    name: 'vector with null result',
    data: { resultType: 'vector', result: null },
    value: '[]',
    result: [],
  },
  {
    name: 'vector with NaN sample',
    data: { resultType: 'vector', result: [sample('NaN'), sample('1')] },
    value: '[NaN,1]',
    result: [NaN, 1],
  },
  {
    name: 'vector with infinities',
    data: { resultType: 'vector', result: [sample('+Inf'), sample('-Inf')] },
    value: '[+Inf,-Inf]',
    result: [Infinity, -Infinity],
  },
  {
    name: 'vector order kept (not sorted)',
    data: { resultType: 'vector', result: [sample('3', { a: '1' }), sample('1', { a: '2' })] },
    value: '[3,1]',
    result: [3, 1],
  },
  {
    name: 'vector big value no exponent',
    data: { resultType: 'vector', result: [sample('123456789012345678901234')] },
    value: '[123456789012345690000000]',
    result: [1.2345678901234569e23],
  },
  {
    name: 'vector native-histogram sample counts as 0',
    data: {
      resultType: 'vector',
      result: [{ metric: {}, histogram: [1, { count: '3', sum: '1', buckets: [] }] }],
    },
    value: '[0]',
    result: [0],
  },
  {
    name: 'vector bad sample value',
    data: { resultType: 'vector', result: [sample('x')] },
    error: 'strconv.ParseFloat: parsing "x": invalid syntax',
  },
  {
    name: 'vector value out of range',
    data: { resultType: 'vector', result: [sample('1e400')] },
    error: 'strconv.ParseFloat: parsing "1e400": value out of range',
  },
  // matrix → flat array (series order, then time order)
  {
    name: 'matrix two series flattened',
    data: { resultType: 'matrix', result: [series(['11', '12']), series(['13', '14'])] },
    value: '[11,12,13,14]',
    result: [11, 12, 13, 14],
  },
  { name: 'empty matrix', data: { resultType: 'matrix', result: [] }, value: '[]', result: [] },
  {
    name: 'matrix series without values',
    data: { resultType: 'matrix', result: [{ metric: {}, values: [] }, series(['1'])] },
    value: '[1]',
    result: [1],
  },
  {
    name: 'matrix with NaN',
    data: { resultType: 'matrix', result: [series(['NaN', '0.25'])] },
    value: '[NaN,0.25]',
    result: [NaN, 0.25],
  },
  // string / other / missing → not supported
  {
    name: 'string result',
    data: { resultType: 'string', result: [1, 'hello'] },
    error: METRIC_TYPE_NOT_SUPPORTED,
  },
  {
    name: 'unknown result type',
    data: { resultType: 'histogram', result: [] },
    error: METRIC_TYPE_NOT_SUPPORTED,
  },
  { name: 'missing result type', data: { result: [] }, error: METRIC_TYPE_NOT_SUPPORTED },
  { name: 'data not an object', data: 'vector', error: METRIC_TYPE_NOT_SUPPORTED },
  { name: 'null data', data: null, error: METRIC_TYPE_NOT_SUPPORTED },
];

describe('mapPrometheusData (§4.4)', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const got = mapPrometheusData(c.data);
      if (c.error !== undefined) {
        assert.equal(got.ok, false, `expected an error, got ${JSON.stringify(got)}`);
        if (!got.ok) {
          if (typeof c.error === 'string') assert.equal(got.message, c.error);
          else assert.match(got.message, c.error);
        }
        return;
      }
      assert.ok(got.ok, `unexpected error: ${JSON.stringify(got)}`);
      if (!got.ok) return;
      assert.equal(got.value, c.value);
      // deepStrictEqual uses Object.is: NaN equals NaN and -0 differs from 0, as wanted.
      assert.deepEqual(got.result, c.result);
      if (typeof c.result === 'number') assert.equal(typeof got.result, 'number');
      else assert.ok(Array.isArray(got.result));
    });
  }

  test('NaN results compare like Go floats (all ordered comparisons false)', () => {
    const got = mapPrometheusData({ resultType: 'scalar', result: [1, 'NaN'] });
    assert.ok(got.ok && typeof got.result === 'number');
    const r = got.result;
    // `result >= 0.9` and `result < 0.9` are both false → Inconclusive with both conditions.
    assert.equal(r >= 0.9, false);
    assert.equal(r < 0.9, false);
    assert.equal(Number.isNaN(r), true);
  });
});

describe('Go float formatting and parsing', () => {
  const FORMAT: [number, string][] = [
    [0, '0'],
    [1, '1'],
    [-2.5, '-2.5'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e21, '1000000000000000000000'],
    [1.5e22, '15000000000000000000000'],
    [1e-7, '0.0000001'],
    [-1.25e-9, '-0.00000000125'],
    [5e-324, '0.' + '0'.repeat(323) + '5'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [-0, '-0'],
  ];
  for (const [v, s] of FORMAT) {
    test(`formatGoFloat(${String(v)}) = ${s.length > 30 ? s.slice(0, 12) + '…' : s}`, () => {
      assert.equal(formatGoFloat(v), s);
    });
  }

  test('parseGoFloat accepts what strconv.ParseFloat accepts', () => {
    assert.equal(parseGoFloat('1e3'), 1000);
    assert.equal(parseGoFloat('.5'), 0.5);
    assert.equal(parseGoFloat('5.'), 5);
    assert.equal(parseGoFloat('+Inf'), Infinity);
    assert.equal(parseGoFloat('-inf'), -Infinity);
    assert.equal(parseGoFloat('infinity'), Infinity);
    assert.ok(Number.isNaN(parseGoFloat('nan')));
    assert.equal(parseGoFloat('0x1p-2'), 0.25);
    assert.throws(() => parseGoFloat(''), /parsing "": invalid syntax/);
    assert.throws(() => parseGoFloat('1_000'), /invalid syntax/);
    assert.throws(() => parseGoFloat(' 1'), /invalid syntax/);
  });

  test('query times are Unix seconds with the fraction, never an exponent', () => {
    assert.equal(formatPromTime(new Date(1700000000123)), '1700000000.123');
    assert.equal(formatPromTime(new Date(1700000000000)), '1700000000');
  });
});

describe('response envelope (§4.3)', () => {
  const ok = (data: unknown, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ status: 'success', data, ...extra });

  test('2xx success gives data and warnings', () => {
    const env = interpretPrometheusResponse(
      200,
      ok({ resultType: 'scalar', result: [1, '1'] }, { warnings: ['w1', 'w2'] }),
    );
    assert.deepEqual(env, {
      ok: true,
      data: { resultType: 'scalar', result: [1, '1'] },
      warnings: ['w1', 'w2'],
    });
  });

  test('status error → "<errorType>: <error>" (400, 422 and even 200)', () => {
    const body = JSON.stringify({
      status: 'error',
      errorType: 'bad_data',
      error: '1:5: parse error: unexpected end of input',
    });
    for (const code of [400, 422, 200]) {
      assert.deepEqual(interpretPrometheusResponse(code, body), {
        ok: false,
        message: 'bad_data: 1:5: parse error: unexpected end of input',
      });
    }
  });

  test('400 with a success body is inconsistent', () => {
    assert.deepEqual(interpretPrometheusResponse(400, ok({ resultType: 'vector', result: [] })), {
      ok: false,
      message: 'bad_response: inconsistent body for response code',
    });
  });

  test('other statuses: client_error, server_error, bad_response', () => {
    assert.deepEqual(interpretPrometheusResponse(404, 'nope'), {
      ok: false,
      message: 'client_error: client error: 404',
    });
    assert.deepEqual(interpretPrometheusResponse(503, ''), {
      ok: false,
      message: 'server_error: server error: 503',
    });
    assert.deepEqual(interpretPrometheusResponse(302, ''), {
      ok: false,
      message: 'bad_response: bad response code 302',
    });
  });

  test('unparsable 2xx body → bad_response', () => {
    const env = interpretPrometheusResponse(200, '<html>');
    assert.equal(env.ok, false);
    if (!env.ok) assert.match(env.message, /^bad_response: /);
    assert.deepEqual(interpretPrometheusResponse(200, ''), {
      ok: false,
      message: 'bad_response: unexpected end of JSON input',
    });
  });

  test('warnings are quoted and joined with ", "', () => {
    assert.equal(formatWarnings(['w1', 'w2']), '"w1", "w2"');
    assert.equal(formatWarnings(['only']), '"only"');
  });
});

describe('endpoints', () => {
  test('path join removes duplicate slashes and keeps a base path', () => {
    assert.equal(prometheusEndpoint('http://prom:9090', 'query'), 'http://prom:9090/api/v1/query');
    assert.equal(
      prometheusEndpoint('http://prom:9090//base//', 'query_range'),
      'http://prom:9090/base/api/v1/query_range',
    );
  });
});

describe('durations and time expressions (§6.10)', () => {
  test('Go durations', () => {
    assert.equal(parseGoDuration('1m'), 60e9);
    assert.equal(parseGoDuration('1.5h'), 5400e9);
    assert.equal(parseGoDuration('1h2m3s'), 3723e9);
    assert.equal(parseGoDuration('-30s'), -30e9);
    assert.equal(parseGoDuration('0'), 0);
    assert.equal(parseGoDuration('250ms'), 250e6);
    assert.throws(() => parseGoDuration('10'), { message: 'time: missing unit in duration "10"' });
    assert.throws(() => parseGoDuration('??'), { message: 'time: invalid duration "??"' });
    assert.throws(() => parseGoDuration('5d'), {
      message: 'time: unknown unit "d" in duration "5d"',
    });
  });

  const now = new Date('2024-05-01T12:00:00Z');
  test('the tested example: date(…, layout, "UTC") - duration("1h")', () => {
    assert.equal(
      evaluateTimeExpression(
        'date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h")',
        now,
      ).toISOString(),
      '2023-08-13T23:00:00.000Z',
    );
  });

  test('now() arithmetic', () => {
    assert.equal(evaluateTimeExpression('now()', now).toISOString(), now.toISOString());
    assert.equal(
      evaluateTimeExpression('now() - duration("5m")', now).toISOString(),
      '2024-05-01T11:55:00.000Z',
    );
    assert.equal(
      evaluateTimeExpression('duration("1h") + now()', now).toISOString(),
      '2024-05-01T13:00:00.000Z',
    );
  });

  test('date() default layouts and time zones', () => {
    assert.equal(
      evaluateTimeExpression('date("2023-08-14")', now).toISOString(),
      '2023-08-14T00:00:00.000Z',
    );
    assert.equal(
      evaluateTimeExpression('date("2023-08-14T10:00:00+02:00")', now).toISOString(),
      '2023-08-14T08:00:00.000Z',
    );
    assert.equal(
      evaluateTimeExpression(
        'date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "Europe/Paris")',
        now,
      ).toISOString(),
      '2023-08-13T22:00:00.000Z',
    );
  });

  test('errors: bad duration, non-time results, bad dates', () => {
    assert.throws(() => evaluateTimeExpression('now() - duration("??")', now), {
      message: 'time: invalid duration "??"',
    });
    assert.throws(() => evaluateTimeExpression('duration("1h")', now), {
      message: 'expected time.Time, but got time.Duration',
    });
    assert.throws(() => evaluateTimeExpression('"2023"', now), {
      message: 'expected time.Time, but got string',
    });
    assert.throws(() => evaluateTimeExpression('date("2023-02-30")', now), {
      message: 'invalid date 2023-02-30',
    });
    assert.throws(() => evaluateTimeExpression('yesterday()', now), /unknown name yesterday/);
  });
});
