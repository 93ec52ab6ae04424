// The events endpoint's pure part (plugin/dashboard/rollout-events.ts): only the Events about
// the Rollout's uid, newest first (resourceVersion breaks ties within a second), in the small
// shape, with the newer events API's eventTime/series standing in for missing fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../../src/api/kube-object.ts';
import { eventsAbout, toRolloutEvent } from '../../../../plugin/dashboard/rollout-events.ts';

function ev(o: {
  uid: string;
  rv: string;
  reason: string;
  last?: string;
  extra?: Record<string, unknown>;
}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `e${o.rv}`, resourceVersion: o.rv },
    involvedObject: { kind: 'Rollout', name: 'web', uid: o.uid },
    type: 'Normal',
    reason: o.reason,
    message: `${o.reason} message`,
    count: 1,
    firstTimestamp: o.last,
    lastTimestamp: o.last,
    ...o.extra,
  };
}

test('eventsAbout: the uid only, newest first, ties by resourceVersion', () => {
  const events = [
    ev({ uid: 'a', rv: '10', reason: 'Old', last: '2026-11-22T06:00:00Z' }),
    ev({ uid: 'b', rv: '11', reason: 'OtherRollout', last: '2026-11-22T06:00:05Z' }),
    ev({ uid: 'a', rv: '12', reason: 'SameSecondFirst', last: '2026-11-22T06:00:03Z' }),
    ev({ uid: 'a', rv: '13', reason: 'SameSecondSecond', last: '2026-11-22T06:00:03Z' }),
    // A repeat bumped lastTimestamp: it moves to the top.
    ev({
      uid: 'a',
      rv: '20',
      reason: 'Repeated',
      last: '2026-11-22T06:00:09Z',
      extra: { count: 3, firstTimestamp: '2026-11-22T05:59:00Z' },
    }),
  ];
  assert.deepEqual(
    eventsAbout(events, 'a').map((e) => e.reason),
    ['Repeated', 'SameSecondSecond', 'SameSecondFirst', 'Old'],
  );
  assert.deepEqual(eventsAbout(events, 'a')[0], {
    type: 'Normal',
    reason: 'Repeated',
    message: 'Repeated message',
    count: 3,
    firstTimestamp: '2026-11-22T05:59:00Z',
    lastTimestamp: '2026-11-22T06:00:09Z',
  });
  assert.deepEqual(eventsAbout(events, 'none'), []);
});

test('toRolloutEvent: eventTime and series stand in; empty fields are left out', () => {
  assert.deepEqual(
    toRolloutEvent({
      metadata: { name: 'x' },
      type: 'Warning',
      reason: 'InvalidSpec',
      message: '',
      eventTime: '2026-11-22T06:00:00.123456Z',
      series: { count: 4, lastObservedTime: '2026-11-22T06:10:00.000000Z' },
    }),
    {
      type: 'Warning',
      reason: 'InvalidSpec',
      count: 4,
      firstTimestamp: '2026-11-22T06:00:00.123456Z',
      lastTimestamp: '2026-11-22T06:10:00.000000Z',
    },
  );
  assert.deepEqual(toRolloutEvent({ metadata: { name: 'bare' } }), {});
});
