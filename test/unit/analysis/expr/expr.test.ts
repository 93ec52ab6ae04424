// Table tests of the condition language (analysis.md §6, dependencies.md §3). Every row states
// the exact value (ints are bigint, floats number) or the error class and message it must give.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compile,
  evaluate,
  evaluateCondition,
  ExprError,
  ExprRuntimeError,
  ExprSyntaxError,
  ExprTypeError,
  type ResultTypeName,
  toPlain,
} from '../../../../src/analysis/expr/index.ts';

interface Row {
  /** Expression source. */
  src: string;
  /** `result` in the environment (omitted: nil). */
  result?: unknown;
  resultType?: ResultTypeName;
  /** Expected value of `evaluate` (compared exactly; Maps through toPlain). */
  want?: unknown;
  /** Evaluate with evaluateCondition (Argo EvalCondition) instead of evaluate. */
  cond?: true;
  /** Expected error: class and (bare) message substring, optionally the 1-based position. */
  error?: { kind: 'syntax' | 'type' | 'runtime'; msg: string; at?: [number, number] };
}

const classes = { syntax: ExprSyntaxError, type: ExprTypeError, runtime: ExprRuntimeError };

function runRow(row: Row): unknown {
  const opts = row.resultType ? { resultType: row.resultType } : {};
  if (row.cond) return evaluateCondition(row.src, row.result ?? null, opts);
  return evaluate(compile(row.src), { result: row.result ?? null }, opts);
}

function check(row: Row): void {
  if (row.error) {
    const { kind, msg, at } = row.error;
    assert.throws(
      () => runRow(row),
      (e: unknown) => {
        assert.ok(e instanceof ExprError, `not an ExprError: ${String(e)}`);
        assert.ok(
          e instanceof classes[kind],
          `expected ${kind} error, got ${e.name}: ${e.message}`,
        );
        assert.ok(
          e.reason.includes(msg),
          `message ${JSON.stringify(e.reason)} lacks ${JSON.stringify(msg)}`,
        );
        if (at) assert.deepEqual([e.line, e.column], at, `position of ${e.message}`);
        return true;
      },
    );
    return;
  }
  const got = runRow(row);
  if (got instanceof Map || (Array.isArray(got) && got.some((x) => x instanceof Map))) {
    assert.deepStrictEqual(toPlain(got), row.want);
  } else {
    assert.deepStrictEqual(got, row.want);
  }
}

function table(name: string, rows: Row[]): void {
  describe(name, () => {
    for (const row of rows) {
      const label = `${row.cond ? 'cond ' : ''}${row.src}${'result' in row ? ` | result=${JSON.stringify(row.result, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}` : ''}`;
      it(label, () => check(row));
    }
  });
}

const err = (
  kind: 'syntax' | 'type' | 'runtime',
  msg: string,
  at?: [number, number],
): Row['error'] => ({
  kind,
  msg,
  at,
});

// ---- §6.9 expressions observed in real templates, and dependencies.md §3 examples -------------

table('analysis.md §6.9: expressions from real templates', [
  { src: 'result[0] >= 0.95', result: [0.96], cond: true, want: true },
  { src: 'result[0] >= 0.95', result: [0.5], cond: true, want: false },
  { src: 'result[0] <= 0.95', result: [0.95], resultType: '[]float64', cond: true, want: true },
  { src: 'result[0] >= 10', result: [12, 1], resultType: '[]float64', cond: true, want: true },
  { src: 'result == true', result: true, cond: true, want: true },
  { src: "result == 'true'", result: 'true', cond: true, want: true },
  { src: "result.major == '1'", result: { major: '1', minor: '27' }, cond: true, want: true },
  { src: 'result.Status == 999', result: { Status: 999 }, cond: true, want: true },
  {
    src: 'result.ok && result.successPercent >= 0.90',
    result: { ok: true, successPercent: 0.9 },
    cond: true,
    want: true,
  },
  { src: 'result.successRate >= 0.95', result: { successRate: 0.94 }, cond: true, want: false },
  { src: 'isNaN(result) || result >= 0.95', result: NaN, cond: true, want: true },
  { src: 'isNaN(result) || result >= 0.95', result: 0.97, cond: true, want: true },
  { src: 'isInf(result)', result: Infinity, cond: true, want: true },
  { src: 'isInf(result)', result: 1e308, cond: true, want: false },
  { src: 'len(result) == 0 || result[0] >= 0.95', result: [], cond: true, want: true },
  { src: 'len(result) > 0 && result[0] >= 0.95', result: [], cond: true, want: false },
  { src: 'all(result, # < 1000)', result: [1, 999.9], cond: true, want: true },
  { src: 'all(result, # < 1000)', result: [1, 1000], cond: true, want: false },
  {
    src: 'all(result.service_apdex.values.values, {asFloat(.value) >= 9900})',
    result: {
      service_apdex: { label: null, values: { values: [{ value: '9950' }, { value: 9901 }] } },
    },
    cond: true,
    want: true,
  },
  {
    src: 'len(result[0].Values) >= 5 and all(result[0].Values, {# <= 0.01})',
    result: [{ Values: [0.001, 0.01, 0, 0.005, 0.002] }],
    cond: true,
    want: true,
  },
  { src: 'default(result, 0) < 0.05', result: null, cond: true, want: true },
  { src: 'default(result, 0) < 0.05', result: 0.07, cond: true, want: false },
  {
    src: 'max(result) < 0.05',
    result: [0.01, 0.04],
    resultType: '[]float64',
    cond: true,
    want: true,
  },
  { src: '10 in result', result: [1, 10], resultType: '[]float64', cond: true, want: true },
  { src: '10.000000 not in result', result: [10], cond: true, want: false },
  {
    src: "result.count == 10 and result['average.duration'] < 15.0",
    result: { count: 10, 'average.duration': 14.2 },
    cond: true,
    want: true,
  },
  { src: 'result == "canary-ok"', result: 'canary-ok', cond: true, want: true },
]);

table('dependencies.md §3 and Argo evaluate_test.go', [
  { src: 'result[0] >= 0.95', result: [0.95], cond: true, want: true },
  { src: 'len(result) > 0 && result[0] < 5', result: [4.9], cond: true, want: true },
  { src: 'all(result, {# > 0.9})', result: [0.91, 0.99], cond: true, want: true },
  { src: 'all(result, {# > 0.9})', result: [0.91, 0.9], cond: true, want: false },
  { src: 'default(result, 0) >= 0.9', result: null, cond: true, want: false },
  { src: 'default(result, 0) >= 0.9', result: 0.95, cond: true, want: true },
  { src: 'asFloat(result) > 1', result: '1.5', cond: true, want: true },
  { src: 'asFloat(result) > 1', result: 2, cond: true, want: true },
  { src: '2 in result', result: [2, 2], resultType: '[]float64', cond: true, want: true },
  { src: 'result > 1', result: 5, cond: true, want: true },
  { src: 'result == false', result: true, cond: true, want: false },
  { src: '1', cond: true, error: err('runtime', 'expected bool, but got int') },
  { src: 'invalidVariable', cond: true, error: err('type', 'unknown name invalidVariable') },
  {
    src: "result.Name() == 'hi'",
    result: true,
    cond: true,
    error: err('type', 'type bool has no method Name'),
  },
  { src: 'asInt(result) == 1', result: '1', cond: true, want: true },
  { src: 'asInt(result) == 1', result: 1.123, cond: true, want: true },
  {
    src: 'asInt(result) == 1.1',
    result: '1.1',
    cond: true,
    error: err('runtime', 'strconv.ParseInt: parsing "1.1": invalid syntax'),
  },
  { src: 'asFloat(result) == 1.1', result: '1.1', cond: true, want: true },
  {
    src: 'asFloat(result) == 1.1',
    result: 'NotANum',
    cond: true,
    error: err('runtime', 'strconv.ParseFloat: parsing "NotANum": invalid syntax'),
  },
  {
    src: 'asFloat(result) == "1.1"',
    result: '1.1',
    cond: true,
    error: err('type', 'invalid operation: == (mismatched types float64 and string)'),
  },
  {
    src: 'all(result.service_apdex.values.values, {# > 1})',
    result: { service_apdex: { label: null, values: { values: [2, 2] } } },
    cond: true,
    want: true,
  },
]);

// ---- literals and lexing ----------------------------------------------------------------------

table('literals (§6.2)', [
  { src: '42', want: 42n },
  { src: '1_000_000', want: 1_000_000n },
  { src: '0x1F + 0o17 + 0b101', want: 51n },
  { src: '1.5', want: 1.5 },
  { src: '.5', want: 0.5 },
  { src: '1e3', want: 1000 },
  { src: '1.5e-3', want: 0.0015 },
  { src: "'single'", want: 'single' },
  { src: '"tab\\tnew\\nline"', want: 'tab\tnew\nline' },
  { src: '"\\u00e9\\x41\\101"', want: 'éAA' },
  { src: '`raw \\n string`', want: 'raw \\n string' },
  { src: 'true', want: true },
  { src: 'nil', want: null },
  { src: '[1, "a", nil, true,]', want: [1n, 'a', null, true] },
  { src: '{"a": 1, b: 2.5, 3: "c"}', want: { a: 1, b: 2.5, '3': 'c' } },
  { src: '1 // trailing comment', want: 1n },
  { src: '/* block */ 2', want: 2n },
  { src: '9223372036854775807', want: 9223372036854775807n },
]);

// ---- operators --------------------------------------------------------------------------------

table('arithmetic: int vs float as in expr (§6.4)', [
  { src: '1 + 2', want: 3n },
  { src: '1 + 2.0', want: 3 },
  { src: '7 / 2', want: 3.5 },
  { src: '6 / 3', want: 2 },
  { src: '7 % 3', want: 1n },
  { src: '-7 % 3', want: -1n },
  { src: '2 ** 10', want: 1024 },
  { src: '2 ^ 3 ^ 2', want: 512 },
  { src: '-2 ** 2', want: -4 },
  { src: '1 + 2 * 3 - 4 / 2', want: 5 },
  { src: '(1 + 2) * 3', want: 9n },
  { src: '9223372036854775807 + 1', want: -9223372036854775808n },
  { src: '1 / 0', want: Infinity },
  { src: '0 / 0 == 0 / 0', want: false },
  { src: '-(3)', want: -3n },
  { src: '+3.5', want: 3.5 },
  { src: '"a" + "b"', want: 'ab' },
  { src: '5 % 0', error: err('runtime', 'integer divide by zero', [1, 3]) },
  {
    src: '1.5 % 1',
    error: err('type', 'invalid operation: % (mismatched types float64 and int)', [1, 5]),
  },
  {
    src: '"a" + 1',
    error: err('type', 'invalid operation: + (mismatched types string and int)', [1, 5]),
  },
  { src: '-"a"', error: err('type', 'invalid operation: - (mismatched type string)', [1, 1]) },
  {
    src: 'result.x * 2',
    result: { x: 'a' },
    error: err('runtime', 'invalid operation: string * int'),
  },
]);

table('comparison, membership, strings (§6.5)', [
  { src: '1 == 1.0', want: true },
  { src: '1 != 2', want: true },
  { src: '"a" < "b"', want: true },
  { src: '1 < 2 < 3', want: true },
  { src: '1 < 3 < 2', want: false },
  {
    src: '"1" < 2',
    error: err('type', 'invalid operation: < (mismatched types string and int)', [1, 5]),
  },
  { src: '[1, 2] == [1, 2]', want: true },
  { src: '{"a": [1]} == {"a": [1]}', want: true },
  { src: 'nil == nil', want: true },
  { src: 'result.code == "200"', result: { code: 200 }, want: false },
  {
    src: 'result.code < "200"',
    result: { code: 200 },
    error: err('runtime', 'invalid operation: float64 < string'),
  },
  { src: '2 in [2.0]', want: true },
  { src: '3 not in [1, 2]', want: true },
  { src: '"a" in {"a": 1}', want: true },
  { src: '"x" in result.missing', result: {}, want: false },
  {
    src: '"x" in result',
    result: null,
    error: err('type', 'invalid operation: in (mismatched types string and unknown)'),
  },
  {
    src: '1 in result',
    result: { a: 1 },
    error: err('type', 'cannot use int as type string in map key'),
  },
  { src: '"abc" contains "b"', want: true },
  { src: '"abc" not contains "z"', want: true },
  { src: '"abc" startsWith "ab" and "abc" endsWith "bc"', want: true },
  {
    src: 'result.s contains "x"',
    result: { s: 5 },
    error: err('runtime', 'interface {} is float64, not string'),
  },
  { src: 'NaN_check == nil', error: err('type', 'unknown name NaN_check') },
  { src: 'result >= 0.9', result: NaN, cond: true, want: false },
  { src: 'result < 0.9', result: NaN, cond: true, want: false },
  { src: 'result == result', result: NaN, cond: true, want: false },
  { src: 'result >= 0.9', result: Infinity, cond: true, want: true },
]);

table('logic, ternary, nil coalescing, ranges', [
  { src: 'true && false || true', want: true },
  { src: 'true and not false', want: true },
  { src: '!true == false', want: true },
  { src: 'not (1 > 2)', want: true },
  { src: 'false or result > 1', result: 2, want: true },
  { src: 'false && result.x', result: { x: 1 }, want: false },
  {
    src: 'result.ok || false',
    result: { ok: 1 },
    error: err('runtime', 'interface {} is float64, not bool'),
  },
  {
    src: '!result.x',
    result: { x: 'y' },
    error: err('runtime', 'interface {} is string, not bool'),
  },
  { src: '!1', error: err('type', 'invalid operation: ! (mismatched type int)') },
  { src: '1 && true', error: err('type', 'invalid operation: && (mismatched types int and bool)') },
  { src: 'result > 1 ? "hi" : "lo"', result: 0.5, want: 'lo' },
  { src: 'false ?: true', want: true },
  { src: '1 ? 2 : 3', error: err('type', 'non-bool expression (type int) used as condition') },
  { src: 'nil ?? 5', want: 5n },
  { src: 'result.x ?? "none"', result: {}, want: 'none' },
  {
    src: 'a ?? b + c',
    error: err('syntax', 'cannot be mixed. Wrap either by parentheses.', [1, 8]),
  },
  { src: '1..4', want: [1n, 2n, 3n, 4n] },
  { src: '3..1', want: [] },
  { src: '1..2000000', error: err('runtime', 'memory budget exceeded') },
  { src: 'let x = 2; let y = x * 3; y + 1', want: 7n },
  { src: 'if result > 1 { "big" } else { "small" }', result: 3, want: 'big' },
  { src: '(1; 2; 3)', want: 3n },
  { src: '-5 | abs()', want: 5n },
]);

table('member access, indexing, slices, optional chaining (§6.5, §6.7)', [
  { src: 'result.a.b', result: { a: { b: 'x' } }, want: 'x' },
  { src: 'result.missing', result: { a: 1 }, want: null },
  { src: 'result.d == nil', result: { a: 1 }, cond: true, want: true },
  { src: 'result["a-b"]', result: { 'a-b': 2 }, want: 2 },
  { src: 'result[-1]', result: [1, 2, 3], want: 3 },
  {
    src: 'result[1.9]',
    result: [1, 2, 3],
    error: err('type', 'array elements can only be selected using an integer (got float64)'),
  },
  { src: 'result[result[0]]', result: [1.9, 20], want: 20 },
  {
    src: 'result[5]',
    result: [1, 2, 3],
    error: err('runtime', 'index out of range: 5 (array length is 3)', [1, 7]),
  },
  {
    src: 'result[0]',
    result: [],
    cond: true,
    error: err('runtime', 'index out of range: 0 (array length is 0)'),
  },
  {
    src: 'result.a.b',
    result: { a: null },
    error: err('runtime', 'cannot fetch b from <nil>', [1, 10]),
  },
  { src: 'result?.a?.b', result: { a: null }, want: null },
  { src: 'result.a?.b.c', result: { a: null }, want: null },
  { src: 'result?.[1]', result: [5, 6], want: 6 },
  { src: 'result.x', result: null, error: err('type', 'type nil has no field x') },
  {
    src: 'result < 0.05',
    result: null,
    cond: true,
    error: err('type', 'invalid operation: < (mismatched types'),
  },
  { src: 'result.x', result: 'str', error: err('type', 'type string has no field x') },
  { src: '[1, 2, 3, 4][1:3]', want: [2n, 3n] },
  { src: '[1, 2, 3][:-1]', want: [1n, 2n] },
  { src: '[1, 2, 3][-2:]', want: [2n, 3n] },
  { src: '"hello"[1:3]', want: 'el' },
  { src: '(1)[0]', error: err('type', 'type int[int] is undefined') },
  { src: '1[0]', error: err('syntax', 'unexpected token Bracket("[")', [1, 2]) },
]);

// ---- builtins ---------------------------------------------------------------------------------

table('builtins (§6.6)', [
  { src: 'len(result)', result: [1, 2], want: 2n },
  { src: 'len("héllo")', want: 5n },
  { src: 'len({"a": 1})', want: 1n },
  { src: 'len(result)', result: null, error: err('type', 'invalid argument for len (type <nil>)') },
  { src: 'len()', error: err('type', 'invalid number of arguments (expected 1, got 0)', [1, 1]) },
  { src: 'len(1, 2)', error: err('type', 'invalid number of arguments (expected 1, got 2)') },
  { src: 'all([], # > 0)', want: true },
  { src: 'any([], # > 0)', want: false },
  { src: 'any(result, # > 2)', result: [1, 3], want: true },
  { src: 'none(result, # > 2)', result: [1, 3], want: false },
  { src: 'one(result, # > 2)', result: [1, 3], want: true },
  { src: 'filter(result, # > 1)', result: [1, 2, 3], want: [2, 3] },
  { src: 'map(result, # * 2)', result: [1, 2], want: [2, 4] },
  { src: 'map(result, .name)', result: [{ name: 'a' }, { name: 'b' }], want: ['a', 'b'] },
  { src: 'map(result, #index)', result: ['a', 'b'], want: [0n, 1n] },
  { src: 'count(result, # > 1)', result: [1, 2, 3], want: 2n },
  { src: 'sum(result)', result: [1, 2.5], want: 3.5 },
  { src: 'sum([1, 2, 3])', want: 6n },
  { src: 'sum(result, .v)', result: [{ v: 1 }, { v: 2 }], want: 3 },
  { src: 'abs(-1.5) + abs(-2)', want: 3.5 },
  { src: 'int(2.9) + int("40")', want: 42n },
  { src: 'int("4x")', error: err('runtime', 'invalid operation: int(4x)') },
  { src: 'float("1.5") + float(1)', want: 2.5 },
  { src: 'string(1.5) + string(1000000.0) + string(nil)', want: '1.51e+06<nil>' },
  { src: 'string(result)', result: [1, 'x'], want: '[1 x]' },
  { src: 'max(result)', result: [1, 7, 3], want: 7 },
  { src: 'min(1, 2.5, [0.5, [-1]])', want: -1n },
  { src: 'max([])', want: null },
  { src: 'max()', error: err('type', 'not enough arguments to call max') },
  {
    src: 'max(result)',
    result: [1, 'a'],
    error: err('runtime', 'invalid argument for max (type string)'),
  },
  { src: 'mean([1, 2, 3, 4])', want: 2.5 },
  { src: 'mean([])', want: 0 },
  { src: 'median([3, 1, 2])', want: 2 },
  { src: 'find(result, # > 1)', result: [1, 2, 3], want: 2 },
  { src: 'findIndex(result, # > 1)', result: [1, 2, 3], want: 1n },
  { src: 'findLast(result, # > 1)', result: [1, 2, 3], want: 3 },
  { src: 'findLastIndex(result, # > 5)', result: [1, 2, 3], want: -1n },
  { src: 'groupBy([1, 2, 3, 4], # % 2)[0]', want: [2n, 4n] },
  { src: 'sortBy(result, .n, "desc")', result: [{ n: 1 }, { n: 3 }], want: [{ n: 3 }, { n: 1 }] },
  { src: 'reduce(1..4, #acc + #)', want: 10n },
  { src: 'reduce([1, 2], #acc * #, 10)', want: 20n },
  { src: 'first(result) + last(result)', result: [1, 2, 4], want: 5 },
  { src: 'get(result, 9) ?? "none"', result: [1], want: 'none' },
  { src: 'keys({"a": 1})[0] + values({"a": "b"})[0]', want: 'ab' },
  { src: 'upper("abc") + lower("DEF") + trim("  x  ")', want: 'ABCdefx' },
  { src: 'split("a,b,c", ",")', want: ['a', 'b', 'c'] },
  { src: 'join(["a", "b"], "-") + replace("aaa", "a", "b") + repeat("z", 2)', want: 'a-bbbbzz' },
  { src: 'indexOf("héllo", "l")', want: 3n },
  {
    src: 'toJSON({"b": [1, 2.5], "a": nil})',
    want: '{\n  "a": null,\n  "b": [\n    1,\n    2.5\n  ]\n}',
  },
  { src: 'fromJSON(result).a[1]', result: '{"a": [1, 2]}', want: 2 },
  { src: 'round(2.5) + round(-2.5) + ceil(1.2) + floor(-1.2)', want: 0 },
  { src: 'uniq([1, 1, 2]) == [1, 2]', want: true },
  { src: 'sort([3, 1, 2])', want: [1n, 2n, 3n] },
  { src: 'type(1) + type(1.0) + type("")', want: 'intfloatstring' },
  {
    src: 'all(result, # + 1)',
    result: [1],
    resultType: '[]float64',
    error: err('type', 'predicate should return boolean (got float64)'),
  },
  { src: 'all(1, true)', error: err('type', 'builtin all takes only array (got int)', [1, 5]) },
  { src: 'all(result)', error: err('syntax', 'expected at least 2 arguments', [1, 11]) },
  { src: 'filter(result, #index > 0)', result: [1], error: err('type', 'unknown pointer #index') },
  { src: 'upper(1)', error: err('type', 'cannot use int as argument (type string) to call upper') },
  { src: 'trim()', error: err('type', 'not enough arguments to call trim') },
]);

table('Argo environment functions (§6.1)', [
  { src: 'asInt(result)', result: -2.7, want: -2n },
  {
    src: 'asInt(result)',
    result: true,
    error: err('runtime', 'asInt() not supported on bool true'),
  },
  {
    src: 'asInt(result)',
    result: null,
    error: err('runtime', 'asInt() not supported on <nil> <nil>'),
  },
  { src: 'asFloat(result)', result: '1e3', want: 1000 },
  { src: 'isNaN(asFloat(result))', result: 'NaN', want: true },
  { src: 'isInf(asFloat(result))', result: '-Inf', want: true },
  {
    src: 'asFloat(result)',
    result: [1],
    error: err('runtime', 'asFloat() not supported on []interface {} [1]'),
  },
  { src: 'isNil(result)', result: null, want: true },
  { src: 'isNil(result)', result: [], want: false },
  { src: 'isNil(result.x)', result: { x: null }, want: false },
  { src: 'default(result.x, 0)', result: { x: null }, want: { x: null } },
  { src: 'default(result, 7)', result: null, want: 7n },
  {
    src: 'isNaN(result)',
    result: [1],
    resultType: '[]float64',
    error: err('type', 'cannot use []float64 as argument (type float64) to call isNaN'),
  },
  {
    src: 'isNaN(result.x)',
    result: { x: 's' },
    error: err('runtime', 'reflect: Call using string as type float64'),
  },
  {
    src: 'asInt(result)',
    result: '5',
    cond: true,
    error: err('runtime', 'expected bool, but got int64'),
  },
  {
    src: 'result',
    result: [1],
    resultType: '[]float64',
    cond: true,
    error: err('runtime', 'expected bool, but got []float64'),
  },
  {
    src: 'result',
    result: null,
    cond: true,
    error: err('runtime', 'expected bool, but got <nil>'),
  },
  { src: 'asInt()', error: err('type', 'not enough arguments to call asInt') },
  {
    src: 'default(result, 0) < 0.05',
    result: [0.01],
    resultType: '[]float64',
    cond: true,
    error: err('runtime', 'invalid operation: []float64 < float64'),
  },
]);

// ---- syntax errors with positions -------------------------------------------------------------

table('syntax errors (expr messages and positions)', [
  { src: '1 +', error: err('syntax', 'unexpected token EOF', [1, 3]) },
  { src: 'foo(1, 2))', error: err('syntax', 'unexpected token Bracket(")")', [1, 10]) },
  { src: '(1, 2)', error: err('syntax', 'unexpected token Operator(",")', [1, 3]) },
  { src: '"abc', error: err('syntax', 'literal not terminated', [1, 4]) },
  { src: '1a', error: err('syntax', 'bad number syntax: "1a"', [1, 2]) },
  { src: '1 @ 2', error: err('syntax', "unrecognized character: U+0040 '@'", [1, 3]) },
  { src: 'x\n  + @', error: err('syntax', 'unrecognized character', [2, 5]) },
  { src: '#', error: err('syntax', 'cannot use pointer accessor outside predicate', [1, 1]) },
  { src: 'result.', error: err('syntax', 'unexpected end of expression') },
  { src: 'a not b', error: err('syntax', 'unexpected token Identifier("b")', [1, 7]) },
  { src: '1 2', error: err('syntax', 'unexpected token Number("2")', [1, 3]) },
  { src: '"\\q"', error: err('syntax', 'invalid char escape') },
  { src: '99999999999999999999', error: err('syntax', 'invalid integer literal') },
  { src: '/* open', error: err('syntax', 'unclosed comment') },
  { src: '{,}', error: err('syntax', 'a map key must be a quoted string') },
  { src: 'let result = 1; result', error: err('type', 'cannot redeclare result', [1, 5]) },
  {
    src: 'result matches "(unclosed"',
    error: err('type', 'error parsing regexp: missing closing ): `(unclosed`'),
  },
  { src: 'result matches "(?=x)"', error: err('type', 'invalid or unsupported Perl syntax') },
]);

describe('error formatting', () => {
  it('compile errors carry expr-style position and caret snippet', () => {
    assert.throws(
      () => compile('foo(1, 2))'),
      (e: unknown) => {
        assert.ok(e instanceof ExprSyntaxError);
        assert.equal(
          e.message,
          'unexpected token Bracket(")") (1:10)\n | foo(1, 2))\n | .........^',
        );
        assert.equal(e.reason, 'unexpected token Bracket(")")');
        return true;
      },
    );
  });

  it('type errors point at the operator', () => {
    assert.throws(
      () => compile('max(replicas) >= "gold"'),
      (e: unknown) => e instanceof ExprTypeError && e.reason === 'unknown name replicas',
    );
    assert.throws(
      () => evaluate(compile('asFloat(result) == "1.1"'), { result: '1.1' }),
      (e: unknown) =>
        e instanceof ExprTypeError &&
        e.message ===
          'invalid operation: == (mismatched types float64 and string) (1:17)\n | asFloat(result) == "1.1"\n | ................^',
    );
  });

  it('evaluateCondition reports the bare message, as Argo unwraps file.Error', () => {
    assert.throws(
      () => evaluateCondition('result.a.b', { a: null }),
      (e: unknown) =>
        e instanceof ExprRuntimeError &&
        e.message === 'cannot fetch b from <nil>' &&
        e.line === 1 &&
        e.column === 10,
    );
  });
});
