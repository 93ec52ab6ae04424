import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ageCell, humanDuration, parseRfc3339 } from '../../../../sim/render/age.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

describe('humanDuration', () => {
  // Every band edge of apimachinery's HumanDuration, from both sides.
  const cases: [number, string][] = [
    [-2 * S, '<invalid>'],
    [-1999, '0s'],
    [-1 * S, '0s'],
    [-1, '0s'],
    [0, '0s'],
    [999, '0s'],
    [1 * S, '1s'],
    [119 * S + 999, '119s'],
    [2 * M, '2m'],
    [2 * M + 1 * S, '2m1s'],
    [9 * M + 59 * S, '9m59s'],
    [5 * M, '5m'],
    [10 * M, '10m'],
    [10 * M + 59 * S, '10m'],
    [3 * H - 1, '179m'],
    [3 * H, '3h'],
    [3 * H + 30 * M, '3h30m'],
    [7 * H + 59 * M + 59 * S, '7h59m'],
    [8 * H, '8h'],
    [8 * H + 59 * M, '8h'],
    [48 * H - 1, '47h'],
    [48 * H, '2d'],
    [2 * D + 1 * H, '2d1h'],
    [8 * D - 1, '7d23h'],
    [8 * D, '8d'],
    [2 * Y - 1, '729d'],
    [2 * Y, '2y'],
    [2 * Y + 1 * D, '2y1d'],
    [8 * Y - 1, '7y364d'],
    [8 * Y, '8y'],
    [8 * Y + 200 * D, '8y'],
    [100 * Y, '100y'],
  ];
  for (const [ms, want] of cases) {
    it(`${ms} ms → ${want}`, () => assert.equal(humanDuration(ms), want));
  }

  it('is <invalid> for a non-finite duration', () => {
    assert.equal(humanDuration(Number.NaN), '<invalid>');
  });
});

describe('parseRfc3339', () => {
  it('accepts Z, offsets and fractions', () => {
    assert.equal(parseRfc3339('2024-03-01T12:00:00Z'), Date.UTC(2024, 2, 1, 12));
    assert.equal(parseRfc3339('2024-03-01T14:00:00+02:00'), Date.UTC(2024, 2, 1, 12));
    assert.equal(parseRfc3339('2024-03-01T12:00:00.250000Z'), Date.UTC(2024, 2, 1, 12) + 250);
  });

  it('rejects what Go rejects', () => {
    for (const bad of [
      '2024-03-01',
      '2024-03-01 12:00:00Z',
      '2024-02-30T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-03-01T24:00:00Z',
      'yesterday',
    ]) {
      assert.equal(parseRfc3339(bad), undefined, bad);
    }
    assert.notEqual(parseRfc3339('2024-02-29T00:00:00Z'), undefined);
  });
});

describe('ageCell', () => {
  const now = new Date('2026-01-01T00:10:00Z');

  it('formats the age of a timestamp', () => {
    assert.equal(ageCell('2026-01-01T00:09:45Z', now), '15s');
    assert.equal(ageCell('2025-12-31T00:10:00Z', now), '24h');
  });

  it('is null when the field is missing or not a string', () => {
    assert.equal(ageCell(undefined, now), null);
    assert.equal(ageCell(null, now), null);
    assert.equal(ageCell(12, now), null);
  });

  it('is <invalid> when unparsable or more than 1 s in the future', () => {
    assert.equal(ageCell('not a time', now), '<invalid>');
    assert.equal(ageCell('2026-01-01T00:10:02Z', now), '<invalid>');
    assert.equal(ageCell('2026-01-01T00:10:01Z', now), '0s');
  });

  it('is <unknown> for the zero time, as metav1.Time reads it', () => {
    assert.equal(ageCell('', now), '<unknown>');
    assert.equal(ageCell('0001-01-01T00:00:00Z', now), '<unknown>');
  });
});
