// Unsupported traffic routers are reported once per change (src/traffic/unsupported.ts): the
// notice text, the change memo, and what one traffic pass emits and logs, pass after pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedEvent } from '../../../src/kube/event-recorder.ts';
import type { Rollout } from '../../../src/api/rollout.ts';
import type { RsView } from '../../../src/rollout/replicasets.ts';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import { reconcileTrafficRouting } from '../../../src/rollout/canary-traffic.ts';
import {
  ChangeMemo,
  UNSUPPORTED_ROUTER_REASON,
  unsupportedRoutersNotice,
} from '../../../src/traffic/unsupported.ts';
import { albIngress, FakeIngressOps } from './helpers.ts';

describe('unsupportedRoutersNotice', () => {
  const rows: { unsupported: string[]; want: string | undefined }[] = [
    { unsupported: [], want: undefined },
    {
      unsupported: ['istio'],
      want: 'Traffic routing via istio is not supported by this controller: it is left untouched and gets no weight',
    },
    {
      unsupported: ['istio', 'smi'],
      want: 'Traffic routing via istio, smi is not supported by this controller: they are left untouched and get no weight',
    },
  ];
  for (const row of rows) {
    it(JSON.stringify(row.unsupported), () =>
      assert.equal(unsupportedRoutersNotice(row.unsupported), row.want),
    );
  }
});

describe('ChangeMemo', () => {
  // Each row: a sequence of (key, value) and whether each one counts as a change.
  const rows: {
    name: string;
    limit?: number;
    seq: [string, string | undefined, boolean][];
  }[] = [
    {
      name: 'first report, repeats, a new value, the same again',
      seq: [
        ['a', 'x', true],
        ['a', 'x', false],
        ['a', 'x', false],
        ['a', 'y', true],
        ['a', 'y', false],
      ],
    },
    {
      name: 'keys are independent',
      seq: [
        ['a', 'x', true],
        ['b', 'x', true],
        ['a', 'x', false],
        ['b', 'x', false],
      ],
    },
    {
      name: 'nothing to report forgets, so the same value comes back as a change',
      seq: [
        ['a', 'x', true],
        ['a', undefined, true],
        ['a', undefined, false],
        ['a', 'x', true],
      ],
    },
    {
      name: 'past the limit the least recently changed key is forgotten',
      limit: 2,
      seq: [
        ['a', 'x', true],
        ['b', 'x', true],
        ['a', 'y', true],
        ['c', 'x', true],
        ['a', 'y', false],
        ['b', 'x', true],
      ],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const memo = new ChangeMemo(row.limit);
      const got = row.seq.map(([k, v]) => memo.changed(k, v));
      assert.deepEqual(
        got,
        row.seq.map(([, , want]) => want),
      );
      if (row.limit !== undefined) assert.ok(memo.size <= row.limit);
    });
  }
});

describe('a traffic pass with an unsupported router', () => {
  function rollout(uid: string, trafficRouting: Record<string, unknown>): Rollout {
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'ro', namespace: 'default', uid },
      spec: {
        strategy: {
          canary: {
            stableService: 'stable-svc',
            canaryService: 'canary-svc',
            trafficRouting,
          },
        },
      },
    };
  }
  const rs = (hash: string): RsView => ({
    obj: {} as KubeObject,
    name: `ro-${hash}`,
    hash,
    revision: 1,
    specReplicas: 1,
    replicas: 1,
    readyReplicas: 1,
    availableReplicas: 1,
    desiredAnnotation: undefined,
    scaleDownDeadline: undefined,
    creationTimestamp: '',
  });

  async function passes(ro: Rollout, n: number, memo: ChangeMemo) {
    const events: RecordedEvent[] = [];
    const warns: string[] = [];
    const debugs: string[] = [];
    const ops = new FakeIngressOps([albIngress('ingress', 'stable-svc')]);
    const stable = rs('h1');
    for (let i = 0; i < n; i++) {
      await reconcileTrafficRouting({
        rollout: ro,
        canary: ro.spec.strategy!.canary!,
        status: { stableRS: 'h1', currentPodHash: 'h1' },
        replicas: 1,
        newRS: stable,
        stableRS: stable,
        ops,
        emit: (e) => events.push(e),
        warn: (m) => warns.push(m),
        debug: (m) => debugs.push(m),
        notices: memo,
      });
    }
    return {
      warnings: events.filter((e) => e.type === 'Warning'),
      warns,
      debugs,
      albWrites: ops.writes().length,
    };
  }

  it('istio next to alb: one Warning event and warn line, then debug only; ALB still written', async () => {
    const memo = new ChangeMemo();
    const ro = rollout('u1', {
      istio: { virtualService: { name: 'vs' } },
      alb: { ingress: 'ingress', servicePort: 80 },
    });
    const got = await passes(ro, 3, memo);
    const notice = unsupportedRoutersNotice(['istio'])!;
    assert.deepEqual(got.warnings, [
      { type: 'Warning', reason: UNSUPPORTED_ROUTER_REASON, message: notice },
    ]);
    assert.deepEqual(got.warns, [notice]);
    assert.deepEqual(got.debugs, [notice, notice]);
    assert.equal(got.albWrites, 1, 'the ALB action is written once (then already right)');
  });

  it('the set changes (smi added): reported again, once', async () => {
    const memo = new ChangeMemo();
    await passes(rollout('u2', { istio: { virtualService: { name: 'vs' } } }), 2, memo);
    const got = await passes(
      rollout('u2', { istio: { virtualService: { name: 'vs' } }, smi: {} }),
      2,
      memo,
    );
    assert.deepEqual(
      got.warnings.map((e) => e.message),
      [unsupportedRoutersNotice(['istio', 'smi'])],
    );
  });

  it('only supported routers: nothing reported', async () => {
    const got = await passes(
      rollout('u3', { alb: { ingress: 'ingress', servicePort: 80 } }),
      2,
      new ChangeMemo(),
    );
    assert.deepEqual([got.warnings, got.warns, got.debugs], [[], [], []]);
  });
});
