import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  injectedStableHash,
  replicaSetAffinityUpdate,
  withInjectedAntiAffinity,
  type AntiAffinityConfig,
} from '../../../src/rollout/anti-affinity.ts';
import { podTemplateHash } from '../../../src/rollout/hash.ts';
import {
  findNewReplicaSet,
  podTemplatesSemanticallyEqual,
} from '../../../src/rollout/template-equality.ts';

const PREFERRED: AntiAffinityConfig = {
  preferredDuringSchedulingIgnoredDuringExecution: { weight: 40 },
};
const REQUIRED: AntiAffinityConfig = { requiredDuringSchedulingIgnoredDuringExecution: {} };

const term = (hash: string) => ({
  labelSelector: {
    matchExpressions: [{ key: 'rollouts-pod-template-hash', operator: 'In', values: [hash] }],
  },
  namespaces: ['ns1'],
  topologyKey: 'kubernetes.io/hostname',
});

/** The user's own affinity, which must survive every injection and removal untouched. */
const nodeAffinity = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['web'] }] }],
    },
  },
};
const userAntiTerm = {
  labelSelector: { matchLabels: { app: 'db' } },
  topologyKey: 'topology.kubernetes.io/zone',
};

test('withInjectedAntiAffinity: Go GenerateReplicaSetAffinity', async (t) => {
  const cases: {
    name: string;
    affinity: unknown;
    cfg: AntiAffinityConfig | undefined;
    stable: string | undefined;
    hash: string;
    want: unknown;
  }[] = [
    {
      name: 'preferred, no affinity of its own',
      affinity: undefined,
      cfg: PREFERRED,
      stable: 'stable1',
      hash: 'new1',
      want: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 40, podAffinityTerm: term('stable1') },
          ],
        },
      },
    },
    {
      name: 'required, appended after the user’s terms, node affinity kept',
      affinity: {
        ...nodeAffinity,
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [userAntiTerm] },
      },
      cfg: REQUIRED,
      stable: 'stable1',
      hash: 'new1',
      want: {
        ...nodeAffinity,
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [userAntiTerm, term('stable1')],
        },
      },
    },
    {
      name: 'initial deploy (no stable): nothing to avoid',
      affinity: nodeAffinity,
      cfg: PREFERRED,
      stable: undefined,
      hash: 'new1',
      want: nodeAffinity,
    },
    {
      name: 'the ReplicaSet is the stable one: nothing to avoid',
      affinity: undefined,
      cfg: REQUIRED,
      stable: 'same',
      hash: 'same',
      want: undefined,
    },
    {
      name: 'no antiAffinity configured',
      affinity: undefined,
      cfg: undefined,
      stable: 'stable1',
      hash: 'new1',
      want: undefined,
    },
    {
      name: 'antiAffinity: {} (neither kind) counts as not configured',
      affinity: undefined,
      cfg: {},
      stable: 'stable1',
      hash: 'new1',
      want: undefined,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const before = structuredClone(c.affinity);
      const got = withInjectedAntiAffinity({
        affinity: c.affinity,
        antiAffinity: c.cfg,
        stableHash: c.stable,
        podHash: c.hash,
        namespace: 'ns1',
      });
      assert.deepEqual(got, c.want);
      assert.deepEqual(c.affinity, before, 'input not mutated');
    });
  }
});

test('injectedStableHash: Go HasInjectedAntiAffinityRule looks in the configured list only', () => {
  const preferred = withInjectedAntiAffinity({
    affinity: undefined,
    antiAffinity: PREFERRED,
    stableHash: 'abc',
    podHash: 'new',
    namespace: 'ns1',
  });
  assert.equal(injectedStableHash(preferred, PREFERRED), 'abc');
  assert.equal(injectedStableHash(preferred, REQUIRED), null);
  assert.equal(injectedStableHash(preferred, undefined), null);
  assert.equal(injectedStableHash(nodeAffinity, PREFERRED), null);
  assert.equal(injectedStableHash(undefined, PREFERRED), null);
});

test('replicaSetAffinityUpdate: the term follows status.stableRS', async (t) => {
  const inject = (stable: string, base: unknown = undefined, cfg = REQUIRED) =>
    withInjectedAntiAffinity({
      affinity: base,
      antiAffinity: cfg,
      stableHash: stable,
      podHash: 'x',
      namespace: 'ns1',
    });
  const cases: {
    name: string;
    affinity: unknown;
    cfg?: AntiAffinityConfig;
    stable: string | undefined;
    hash: string;
    want: { affinity: unknown } | undefined;
  }[] = [
    {
      name: 'up to date: no write',
      affinity: inject('s1'),
      stable: 's1',
      hash: 'n1',
      want: undefined,
    },
    {
      name: 'rolled back to an older ReplicaSet: term re-pointed at the current stable',
      affinity: inject('s0', nodeAffinity),
      stable: 's1',
      hash: 'n1',
      want: { affinity: inject('s1', nodeAffinity) },
    },
    {
      name: 'became the stable ReplicaSet: term removed, empty affinity dropped',
      affinity: inject('s0'),
      stable: 'n1',
      hash: 'n1',
      want: { affinity: undefined },
    },
    {
      name: 'became the stable ReplicaSet: the user’s own affinity stays',
      affinity: inject('s0', {
        ...nodeAffinity,
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [userAntiTerm] },
      }),
      stable: 'n1',
      hash: 'n1',
      want: {
        affinity: {
          ...nodeAffinity,
          podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [userAntiTerm] },
        },
      },
    },
    {
      name: 'an old ReplicaSet (revision 1, created at the initial deploy) becomes new: term added',
      affinity: undefined,
      stable: 's1',
      hash: 'n1',
      want: { affinity: inject('s1') },
    },
    {
      name: 'stable and never injected: no write',
      affinity: nodeAffinity,
      stable: 'n1',
      hash: 'n1',
      want: undefined,
    },
    {
      name: 'antiAffinity removed from the spec: left alone (as Go)',
      affinity: inject('s0'),
      cfg: {},
      stable: 's1',
      hash: 'n1',
      want: undefined,
    },
    {
      name: 'preferred weight kept on re-point',
      affinity: inject('s0', undefined, PREFERRED),
      cfg: PREFERRED,
      stable: 's1',
      hash: 'n1',
      want: { affinity: inject('s1', undefined, PREFERRED) },
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.deepEqual(
        replicaSetAffinityUpdate({
          affinity: c.affinity,
          antiAffinity: c.cfg ?? REQUIRED,
          stableHash: c.stable,
          podHash: c.hash,
          namespace: 'ns1',
        }),
        c.want,
      );
    });
  }
});

test('template equality ignores the injected term, so no second ReplicaSet is created', async (t) => {
  const template = {
    metadata: { labels: { app: 'web' } },
    spec: { affinity: nodeAffinity, containers: [{ name: 'web', image: 'web:2' }] },
  };
  for (const cfg of [PREFERRED, REQUIRED]) {
    await t.test(Object.keys(cfg)[0], () => {
      const rsTemplate: { metadata: unknown; spec: Record<string, unknown> } =
        structuredClone(template);
      rsTemplate.spec.affinity = withInjectedAntiAffinity({
        affinity: template.spec.affinity,
        antiAffinity: cfg,
        stableHash: 'stable1',
        podHash: 'new1',
        namespace: 'ns1',
      });
      assert.ok(podTemplatesSemanticallyEqual(rsTemplate, template, { antiAffinity: cfg }));
      // Without knowing the strategy, the exact injected shape against the stable hash is still
      // recognised (antiAffinity removed from the spec mid-update).
      assert.ok(
        podTemplatesSemanticallyEqual(rsTemplate, template, {
          stableHashForAntiAffinity: 'stable1',
        }),
      );
      assert.ok(!podTemplatesSemanticallyEqual(rsTemplate, template));
      // The hash is computed from the Rollout's template, never from the RS's.
      const hash = podTemplateHash(template);
      const rs = {
        metadata: {
          name: 'web-other-label',
          creationTimestamp: '2026-01-01T00:00:00Z',
          labels: { 'rollouts-pod-template-hash': 'label-from-another-hash-version' },
        },
        spec: { template: rsTemplate },
      };
      assert.equal(findNewReplicaSet([rs], template, hash, { antiAffinity: cfg }), rs);
    });
  }
});
