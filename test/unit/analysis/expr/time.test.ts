// Time expressions of Prometheus rangeQuery start/end (analysis.md §6.10).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compile,
  evaluate,
  evaluateTime,
  ExprDuration,
  ExprRuntimeError,
  ExprTime,
  ExprTypeError,
  timeString,
} from '../../../../src/analysis/expr/index.ts';

const now = (): Date => new Date('2024-05-06T07:08:09.123Z');

describe('evaluateTime', () => {
  const rows: [src: string, want: string][] = [
    [
      'date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h")',
      '2023-08-13T23:00:00.000Z',
    ],
    ['now()', '2024-05-06T07:08:09.123Z'],
    ['now() - duration("1h30m")', '2024-05-06T05:38:09.123Z'],
    ['now() + duration("-90s")', '2024-05-06T07:06:39.123Z'],
    ['duration("1h") + now()', '2024-05-06T08:08:09.123Z'],
    ['date("2023-08-14")', '2023-08-14T00:00:00.000Z'],
    ['date("15:04:05")', '0001-01-01T15:04:05.000Z'],
    ['date("2023-08-14T10:00:00+02:00")', '2023-08-14T08:00:00.000Z'],
    ['date("Mon, 02 Jan 2006 15:04:05 UTC")', '2006-01-02T15:04:05.000Z'],
    [
      'date("2023-08-14 12:00:00", "2006-01-02 15:04:05", "Europe/Berlin")',
      '2023-08-14T10:00:00.000Z',
    ],
    [
      'date("2023-01-14 12:00:00", "2006-01-02 15:04:05", "America/New_York")',
      '2023-01-14T17:00:00.000Z',
    ],
    ['date("Aug 14 2023 3:04PM", "Jan 2 2006 3:04PM")', '2023-08-14T15:04:00.000Z'],
  ];
  for (const [src, want] of rows) {
    it(src, () => assert.equal(evaluateTime(src, { now }).toDate().toISOString(), want));
  }

  it('keeps Go nanoseconds and prints Time.String()', () => {
    const t = evaluateTime(
      'date("2023-08-14 10:11:12.123456789", "2006-01-02 15:04:05.000000000")',
    );
    assert.equal(t.ns % 1_000_000_000n, 123_456_789n);
    assert.equal(timeString(t), '2023-08-14 10:11:12.123456789 +0000 UTC');
  });

  const failures: [
    src: string,
    message: string,
    cls: typeof ExprRuntimeError | typeof ExprTypeError,
  ][] = [
    ['now() - duration("??")', 'time: invalid duration "??"', ExprRuntimeError],
    ['duration("1x")', 'time: unknown unit "x" in duration "1x"', ExprRuntimeError],
    ['duration("1")', 'time: missing unit in duration "1"', ExprRuntimeError],
    ['date("bogus")', 'invalid date bogus', ExprRuntimeError],
    ['date("2023-02-30")', 'invalid date 2023-02-30', ExprRuntimeError],
    [
      'date("2023-08-14", "2006-01-02", "Nowhere/Zone")',
      'unknown time zone Nowhere/Zone',
      ExprRuntimeError,
    ],
    ['1', 'expected time.Time, but got int', ExprRuntimeError],
    ['"2024"', 'expected time.Time, but got string', ExprRuntimeError],
    ['result', 'unknown name result', ExprTypeError],
    ['asInt("1")', 'unknown name asInt', ExprTypeError],
    [
      'now() + now()',
      'invalid operation: + (mismatched types time.Time and time.Time)',
      ExprTypeError,
    ],
  ];
  for (const [src, message, cls] of failures) {
    it(`${src} fails`, () => {
      assert.throws(
        () => evaluateTime(src, { now }),
        (e: unknown) => e instanceof cls && e.message === message,
      );
    });
  }
});

describe('durations and times in general expressions', () => {
  const rows: [src: string, want: unknown][] = [
    ['string(duration("90m"))', '1h30m0s'],
    ['string(duration("1.5s") + duration("250ms"))', '1.75s'],
    ['string(duration("100ms") * 3)', '300ms'],
    ['string(duration("1µs"))', '1µs'],
    ['duration("1h") == duration("60m")', true],
    ['duration("2m") > duration("90s")', true],
    ['now() - date("2024-05-06") > duration("7h")', true],
    ['date("2024-01-01") == date("2024-01-01T00:00:00Z")', true],
    ['now() > date("2020-01-01")', true],
    ['int(duration("1s"))', 1_000_000_000n],
    ['toJSON(date("2024-01-01"))', '"2024-01-01T00:00:00Z"'],
    ['type(now())', 'time.Time'],
    [
      'string(date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC"))',
      '2023-08-14 00:00:00 +0000 UTC',
    ],
  ];
  for (const [src, want] of rows) {
    it(src, () => assert.deepStrictEqual(evaluate(compile(src), {}, { now }), want));
  }

  it('returns ExprTime / ExprDuration values', () => {
    assert.ok(evaluate(compile('now()'), {}, { now }) instanceof ExprTime);
    const d = evaluate(compile('now() - date("2024-05-06")'), {}, { now });
    assert.ok(d instanceof ExprDuration);
    assert.equal(d.ns, 25_689_123_000_000n);
  });
});
