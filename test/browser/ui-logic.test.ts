// The dashboard UI's pure helpers (ui/src/util.ts, MetricChart): the search syntax, the
// "requires attention" rule, pod icon classes, image splitting, measurement parsing, pause
// labels and chart ticks, the pause countdown, condition colours, event order and the events
// re-read throttle (ui/src/throttle.ts, on a fake clock). No browser needed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { niceTicks, thresholdOf } from '../../ui/src/chart.ts';
import { Throttle, type ThrottleClock } from '../../ui/src/throttle.ts';
import type { RolloutInfo } from '../../ui/src/types.ts';
import {
  analysisLabel,
  conditionTone,
  countdownText,
  matchesSearch,
  newestFirst,
  measurementNumbers,
  parseDuration,
  pauseText,
  podTone,
  requiresAttention,
  splitImage,
} from '../../ui/src/util.ts';

const ro = (name: string, labels: Record<string, string> = {}, extra: RolloutInfo = {}) => ({
  objectMeta: { name, labels },
  ...extra,
});

describe('dashboard UI helpers', () => {
  test('search: substrings, exact names, labels, negation, comma-separated AND', () => {
    const a = ro('checkout-api', { team: 'payments', tier: 'backend' });
    const b = ro('checkout', { team: 'pay' });
    assert.equal(matchesSearch(a, ''), true);
    assert.equal(matchesSearch(a, 'check'), true);
    assert.equal(matchesSearch(a, 'CHECK'), true);
    assert.equal(matchesSearch(a, '"checkout"'), false);
    assert.equal(matchesSearch(b, '"checkout"'), true);
    assert.equal(matchesSearch(a, 'team:pay'), true);
    assert.equal(matchesSearch(a, 'team:"pay"'), false);
    assert.equal(matchesSearch(b, 'team:"pay"'), true);
    assert.equal(matchesSearch(a, 'missing:x'), false);
    assert.equal(matchesSearch(a, '!api'), false);
    assert.equal(matchesSearch(b, '!api'), true);
    assert.equal(matchesSearch(a, 'check, tier:back'), true);
    assert.equal(matchesSearch(a, 'check, !tier:back'), false);
  });

  test('requires attention: Degraded, Unknown, or Paused other than by a pause step', () => {
    assert.equal(requiresAttention({ status: 'Degraded' }), true);
    assert.equal(requiresAttention({ status: 'Unknown' }), true);
    assert.equal(requiresAttention({ status: 'Paused', message: 'CanaryPauseStep' }), false);
    assert.equal(requiresAttention({ status: 'Paused', message: 'BlueGreenPause' }), true);
    assert.equal(requiresAttention({ status: 'Healthy' }), false);
  });

  test('pod icon classes', () => {
    assert.equal(podTone('Running', '1/1'), 'success');
    assert.equal(podTone('Running', '0/1'), 'pending');
    assert.equal(podTone('ContainerCreating', '0/1'), 'pending');
    assert.equal(podTone('Terminating', '1/1'), 'pending');
    assert.equal(podTone('Completed', '0/1'), 'success');
    assert.equal(podTone('CrashLoopBackOff', '0/1'), 'failure');
    assert.equal(podTone('InvalidImageName', '0/1'), 'failure');
    assert.equal(podTone('ImagePullBackOff', '0/1'), 'warning');
    assert.equal(podTone('Whatever', '0/1'), 'unknown');
  });

  test('image:tag splits at the last colon; no tag is an error', () => {
    assert.deepEqual(splitImage('argoproj/rollouts-demo:yellow'), {
      image: 'argoproj/rollouts-demo',
      tag: 'yellow',
    });
    assert.deepEqual(splitImage('registry:5000/team/app:1.2'), {
      image: 'registry:5000/team/app',
      tag: '1.2',
    });
    assert.equal(splitImage('registry:5000/team/app'), undefined);
    assert.equal(splitImage('app'), undefined);
    assert.equal(splitImage('app:'), undefined);
  });

  test('measurement values, durations, labels, chart ticks', () => {
    assert.deepEqual(measurementNumbers('0.97'), [0.97]);
    assert.deepEqual(measurementNumbers('[0.5,1]'), [0.5, 1]);
    assert.deepEqual(measurementNumbers('["2"]'), [2]);
    assert.deepEqual(measurementNumbers('NaN'), []);
    assert.deepEqual(measurementNumbers('ok'), []);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('30'), 30_000);
    assert.equal(parseDuration(10), 10_000);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(pauseText(undefined), 'Pause');
    assert.equal(pauseText('30'), 'Pause: 30s');
    assert.equal(pauseText(10), 'Pause: 10s');
    assert.equal(pauseText('1h'), 'Pause: 1h');
    assert.equal(analysisLabel('payments-865d98dd84-2-1'), 'Analysis 2-1');
    assert.deepEqual(niceTicks(0.946, 1), [0.96, 0.98, 1]);
    assert.deepEqual(niceTicks(0, 100), [0, 50, 100]);
    assert.equal(thresholdOf('result[0] >= 0.95'), 0.95);
    assert.equal(thresholdOf('len(result) > 0'), 0);
    assert.equal(thresholdOf(undefined), undefined);
  });

  test('the pause countdown from pauseEndsAt: exact, then Resuming…', () => {
    const end = '2026-11-22T07:00:00Z';
    const at = (iso: string) => Date.parse(iso);
    assert.equal(countdownText(end, at('2026-11-22T06:59:18Z')), 'Resumes in 42s');
    assert.equal(countdownText(end, at('2026-11-22T06:59:17.500Z')), 'Resumes in 43s');
    assert.equal(countdownText(end, at('2026-11-22T06:00:00Z')), 'Resumes in 1h');
    assert.equal(countdownText(end, at('2026-11-22T06:00:02Z')), 'Resumes in 59m58s');
    assert.equal(countdownText(end, at('2026-11-22T07:00:00Z')), 'Resuming…');
    assert.equal(countdownText('not a time', 0), undefined);
  });

  test('condition colours', () => {
    assert.equal(conditionTone('Paused', 'True'), 'paused');
    assert.equal(conditionTone('Paused', 'False'), 'neutral');
    assert.equal(conditionTone('InvalidSpec', 'True'), 'failure');
    assert.equal(conditionTone('Available', 'True'), 'success');
    assert.equal(conditionTone('Available', 'False'), 'warning');
    assert.equal(conditionTone('Progressing', 'True', 'ReplicaSetUpdated'), 'pending');
    assert.equal(conditionTone('Progressing', 'True', 'NewReplicaSetAvailable'), 'success');
    assert.equal(conditionTone('Progressing', 'False', 'ProgressDeadlineExceeded'), 'failure');
    assert.equal(conditionTone('Progressing', 'Unknown', 'RolloutPaused'), 'paused');
    assert.equal(conditionTone('Healthy', 'False'), 'neutral');
    assert.equal(conditionTone('Healthy', 'Unknown'), 'unknown');
  });

  test('events newest first; equal times keep the server order', () => {
    const e = (reason: string, lastTimestamp?: string) => ({
      reason,
      ...(lastTimestamp ? { lastTimestamp } : {}),
    });
    assert.deepEqual(
      newestFirst([
        e('old', '2026-11-22T06:00:00Z'),
        e('a', '2026-11-22T06:05:00Z'),
        e('none'),
        e('b', '2026-11-22T06:05:00Z'),
      ]).map((x) => x.reason),
      ['a', 'b', 'old', 'none'],
    );
  });

  test('the events throttle: at once, then one trailing run per gap, never two at once', async () => {
    let now = 0;
    const timers: { at: number; fn: () => void }[] = [];
    const clock: ThrottleClock = {
      now: () => now,
      setTimeout: (fn, ms) => {
        const t = { at: now + ms, fn };
        timers.push(t);
        return t;
      },
      clearTimeout: (h) => {
        const i = timers.indexOf(h as (typeof timers)[number]);
        if (i >= 0) timers.splice(i, 1);
      },
    };
    const advance = async (to: number) => {
      now = to;
      for (const t of timers.filter((x) => x.at <= to)) {
        timers.splice(timers.indexOf(t), 1);
        t.fn();
      }
      await new Promise((r) => setImmediate(r));
    };
    const runs: number[] = [];
    let finish: (() => void) | undefined;
    const th = new Throttle(
      2_000,
      () => {
        runs.push(now);
        return new Promise<void>((r) => (finish = r));
      },
      clock,
    );
    th.request();
    assert.deepEqual(runs, [0], 'the first request runs at once');
    th.request();
    th.request();
    await advance(2_500);
    assert.deepEqual(runs, [0], 'not while the first run is still going');
    finish?.();
    await advance(2_500);
    assert.deepEqual(runs, [0, 2_500], 'the requests meanwhile became one run');
    finish?.();
    await advance(3_000);
    th.request();
    await advance(3_000);
    assert.deepEqual(runs, [0, 2_500], 'inside the gap: waits');
    await advance(4_500);
    assert.deepEqual(runs, [0, 2_500, 4_500], 'one trailing run when the gap is over');
    finish?.();
    th.request();
    th.dispose();
    await advance(10_000);
    assert.deepEqual(runs, [0, 2_500, 4_500], 'nothing after dispose');
  });
});
