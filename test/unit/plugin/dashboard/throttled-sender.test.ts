// The single watch's rate limit (§3.4: at most one message per 200 ms), with an injected clock
// and mocked timers: the newest value wins, nothing is sent twice within the gap.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { ThrottledSender } from '../../../../plugin/dashboard/rollout-watch.ts';

test('sends at once, then at most once per gap, always the newest value', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let now = 1_000;
    const sent: [number, string][] = [];
    const s = new ThrottledSender<string>(
      200,
      (v) => sent.push([now, v]),
      () => now,
    );
    s.push('a');
    assert.deepEqual(sent, [[1_000, 'a']]);
    now = 1_050;
    s.push('b');
    s.push('c');
    assert.deepEqual(sent, [[1_000, 'a']], 'held back within the gap');
    now = 1_200;
    mock.timers.tick(150);
    assert.deepEqual(sent, [
      [1_000, 'a'],
      [1_200, 'c'],
    ]);
    now = 1_500;
    s.push('d');
    assert.deepEqual(sent.at(-1), [1_500, 'd'], 'after the gap: at once');
    s.stop();
    now = 2_000;
    s.push('e');
    mock.timers.tick(1_000);
    assert.equal(sent.length, 3, 'nothing after stop()');
  } finally {
    mock.timers.reset();
  }
});
