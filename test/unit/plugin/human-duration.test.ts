// §2.5: Kubernetes HumanDuration, boundary by boundary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { age, humanDuration } from '../../../plugin/render/human-duration.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

const cases: [ms: number, want: string][] = [
  [-2 * S, '<invalid>'],
  [-1.5 * S, '0s'], // truncated to -1s: clock skew, not an error
  [-0.4 * S, '0s'],
  [0, '0s'],
  [1.9 * S, '1s'],
  [119 * S, '119s'],
  [120 * S, '2m'],
  [125 * S, '2m5s'],
  [9 * M + 59 * S, '9m59s'],
  [10 * M + 30 * S, '10m'],
  [179 * M, '179m'],
  [180 * M, '3h'],
  [3 * H + 5 * M, '3h5m'],
  [7 * H + 59 * M, '7h59m'],
  [8 * H + 30 * M, '8h'],
  [47 * H, '47h'],
  [48 * H, '2d'],
  [49 * H, '2d1h'],
  [191 * H, '7d23h'],
  [192 * H, '8d'],
  [729 * D, '729d'],
  [730 * D, '2y'],
  [731 * D, '2y1d'],
  [8 * 365 * D - H, '7y364d'],
  [8 * 365 * D, '8y'],
  [3000 * D, '8y'],
];

for (const [ms, want] of cases) {
  test(`humanDuration(${ms}ms) = ${want}`, () => {
    assert.equal(humanDuration(ms), want);
  });
}

test('age is measured from the timestamp to now', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  assert.equal(age('2024-05-01T11:57:50Z', now), '2m10s');
  assert.equal(age('2024-04-29T11:00:00Z', now), '2d1h');
  assert.equal(age('2024-05-01T12:00:05Z', now), '<invalid>');
});

test('a missing creation time is Go zero time: the duration saturates at 292 years', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  assert.equal(age('', now), '292y');
  assert.equal(age('not a time', now), '292y');
});
