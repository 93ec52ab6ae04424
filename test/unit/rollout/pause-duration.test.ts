import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoDuration, parsePauseDuration } from '../../../src/rollout/canary-weight.ts';

describe('parsePauseDuration (§2.3)', () => {
  const rows: { d: number | string | undefined; want: number | undefined | 'invalid' }[] = [
    { d: undefined, want: undefined }, // pause: {} = indefinite
    { d: 0, want: 0 },
    { d: 30, want: 30 },
    { d: 3600, want: 3600 },
    { d: -5, want: 'invalid' },
    { d: 1.5, want: 'invalid' }, // not an int32 (the schema rejects it anyway)
    { d: '30', want: 30 }, // numeric string = seconds
    { d: '0', want: 0 },
    { d: '007', want: 7 },
    { d: '+15', want: 15 },
    { d: '-5', want: 'invalid' },
    { d: '10s', want: 10 },
    { d: '5m', want: 300 },
    { d: '1h', want: 3600 },
    { d: '1h30m', want: 5400 },
    { d: '1h30m15s', want: 5415 },
    { d: '500ms', want: 0 }, // truncated to whole seconds
    { d: '1500ms', want: 1 },
    { d: '1.9s', want: 1 },
    { d: '1.5h', want: 5400 },
    { d: '.5m', want: 30 },
    { d: '5.m', want: 300 },
    { d: '2m-1s', want: 'invalid' }, // a sign is only allowed up front
    { d: '+2m', want: 120 },
    { d: '-2m', want: 'invalid' }, // negative
    { d: '-0s', want: 0 },
    { d: '90000000us', want: 90 },
    { d: '90000000µs', want: 90 }, // U+00B5
    { d: '90000000μs', want: 90 }, // U+03BC
    { d: '3000000000ns', want: 3 },
    { d: '', want: 'invalid' },
    { d: 'abc', want: 'invalid' },
    { d: '10', want: 10 },
    { d: '10 s', want: 'invalid' }, // unit " s"
    { d: '10S', want: 'invalid' }, // units are case-sensitive
    { d: '1d', want: 'invalid' }, // no days in Go
    { d: '5', want: 5 },
    { d: '.s', want: 'invalid' },
    { d: 's', want: 'invalid' },
    { d: '1.5', want: 'invalid' }, // missing unit
    { d: '2147483647', want: 2147483647 },
    { d: '2147483648', want: 'invalid' }, // not int32, and no unit for ParseDuration
    { d: '596524h', want: 'invalid' }, // > int32 seconds
    { d: '596523h', want: 2147482800 },
    { d: '9999999999h', want: 'invalid' }, // int64 overflow
  ];
  for (const row of rows) {
    it(`${JSON.stringify(row.d)} ⇒ ${String(row.want)}`, () => {
      assert.equal(parsePauseDuration(row.d), row.want);
    });
  }
});

describe('parseGoDuration', () => {
  const rows: { s: string; want: bigint | undefined }[] = [
    { s: '0', want: 0n },
    { s: '1ns', want: 1n },
    { s: '1.5us', want: 1500n },
    { s: '2h45m', want: 9_900_000_000_000n },
    { s: '-1.5h', want: -5_400_000_000_000n },
    { s: '0.1s', want: 100_000_000n },
    { s: '2562047h47m16.854775807s', want: 9_223_372_036_854_775_807n }, // max int64
    { s: '2562047h47m16.854775808s', want: undefined }, // overflow
    { s: '1', want: undefined },
    { s: '1x', want: undefined },
  ];
  for (const row of rows) {
    it(`${row.s} ⇒ ${String(row.want)}`, () => assert.equal(parseGoDuration(row.s), row.want));
  }
});
