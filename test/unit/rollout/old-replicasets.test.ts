import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decideOtherReplicaSets,
  formatRFC3339,
  type OtherReplicaSetAction,
  type OtherReplicaSetsInput,
  type OwnedReplicaSet,
  parseRFC3339,
} from '../../../src/rollout/old-replicasets.ts';

const NOW = new Date('2026-08-01T12:00:00.750Z');
const IN_30S = '2026-08-01T12:00:30Z'; // now + 30 s, truncated to whole seconds
const FUTURE = '2026-08-01T12:05:00Z';
const PAST = '2026-08-01T11:59:00Z';

function rs(
  name: string,
  revision: number,
  spec: number,
  available: number,
  extra: Partial<OwnedReplicaSet> = {},
): OwnedReplicaSet {
  return {
    name,
    podTemplateHash: `h-${name}`,
    revision,
    specReplicas: spec,
    availableReplicas: available,
    ...extra,
  };
}

const BASIC = {
  replicas: 4,
  maxUnavailable: 1,
  newRSName: 'new',
  stableRSName: 'new',
  trafficRouted: false,
  referencedHashes: [],
  fullyPromoted: true,
  now: NOW,
} satisfies Partial<OtherReplicaSetsInput>;

const ROUTED = {
  ...BASIC,
  trafficRouted: true,
  referencedHashes: ['h-new'],
} satisfies Partial<OtherReplicaSetsInput>;

interface Row {
  name: string;
  input: OtherReplicaSetsInput;
  actions: OtherReplicaSetAction[];
  requeueAt?: string;
  scaledDown: number;
}

const rows: Row[] = [
  // ---- basic canary
  {
    name: 'basic: no other RSs ⇒ nothing',
    input: { ...BASIC, replicaSets: [rs('new', 3, 4, 4)] },
    actions: [],
    scaledDown: 0,
  },
  {
    name: 'basic: budget 7 (Σavailable 10 − minAvail 3) drains newest first',
    input: {
      ...BASIC,
      replicaSets: [rs('older', 1, 2, 2), rs('new', 3, 4, 4), rs('old', 2, 4, 4)],
    },
    actions: [
      { rs: 'old', replicas: 0 },
      { rs: 'older', replicas: 0 },
    ],
    scaledDown: 6,
  },
  {
    name: 'basic: budget 3 (new RS only half available) ⇒ old 4 → 1',
    input: { ...BASIC, replicaSets: [rs('new', 3, 4, 2), rs('old', 2, 4, 4)] },
    actions: [{ rs: 'old', replicas: 1 }],
    scaledDown: 3,
  },
  {
    name: 'basic: budget ≤ 0 ⇒ nothing',
    input: { ...BASIC, replicaSets: [rs('new', 3, 4, 0), rs('old', 2, 3, 3)] },
    actions: [],
    scaledDown: 0,
  },
  {
    name: 'basic: budget runs out at the newer RS; the older one waits',
    input: {
      ...BASIC,
      replicaSets: [rs('new', 5, 4, 1), rs('v4', 4, 3, 3), rs('v3', 3, 3, 3)],
    },
    // Σavailable 7 − minAvail 3 = 4: v4 3 → 0 (budget 1), v3 3 → 2.
    actions: [
      { rs: 'v4', replicas: 0 },
      { rs: 'v3', replicas: 2 },
    ],
    scaledDown: 4,
  },
  {
    name: 'basic: order is by revision, not list order',
    input: {
      ...BASIC,
      replicaSets: [rs('v3', 3, 3, 3), rs('new', 9, 4, 0), rs('v7', 7, 3, 3), rs('v5', 5, 3, 3)],
    },
    // Σavailable 9 − 3 = 6: v7 → 0, v5 → 0, budget spent before v3.
    actions: [
      { rs: 'v7', replicas: 0 },
      { rs: 'v5', replicas: 0 },
    ],
    scaledDown: 6,
  },
  {
    name: 'basic: equal revisions ⇒ newer creationTimestamp first',
    input: {
      ...BASIC,
      replicaSets: [
        rs('a', 2, 2, 2, { creationTimestamp: '2026-01-01T00:00:00Z' }),
        rs('b', 2, 2, 2, { creationTimestamp: '2026-02-01T00:00:00Z' }),
        rs('new', 3, 4, 2),
      ],
    },
    // Σavailable 6 − 3 = 3: b → 0, a → 1.
    actions: [
      { rs: 'b', replicas: 0 },
      { rs: 'a', replicas: 1 },
    ],
    scaledDown: 3,
  },
  {
    name: 'basic: unhealthy pods dropped first, then the budget applies',
    input: { ...BASIC, replicaSets: [rs('new', 3, 4, 4), rs('old', 2, 4, 1)] },
    // cleanup 4 → 1; Σavailable 5 − 3 = 2 ⇒ 1 → 0.
    actions: [
      { rs: 'old', replicas: 1 },
      { rs: 'old', replicas: 0 },
    ],
    scaledDown: 4,
  },
  {
    name: 'basic: cleanup happens even when the budget is 0',
    input: { ...BASIC, replicaSets: [rs('new', 3, 4, 1), rs('old', 2, 4, 2)] },
    actions: [{ rs: 'old', replicas: 2 }],
    scaledDown: 2,
  },
  {
    name: 'basic: cleanup to 0 strips the deadline',
    input: {
      ...BASIC,
      replicaSets: [rs('new', 3, 4, 4), rs('old', 2, 2, 0, { scaleDownDeadline: FUTURE })],
    },
    actions: [{ rs: 'old', replicas: 0, removeDeadline: true }],
    scaledDown: 2,
  },
  {
    name: 'basic: available > spec stops everything after earlier (older) cleanups; reports 0',
    input: {
      ...BASIC,
      replicaSets: [
        rs('new', 4, 4, 4),
        rs('v3', 3, 2, 3, { creationTimestamp: '2026-02-01T00:00:00Z' }),
        rs('v2', 2, 3, 1, { creationTimestamp: '2026-01-01T00:00:00Z' }),
      ],
    },
    actions: [{ rs: 'v2', replicas: 1 }],
    scaledDown: 0,
  },
  {
    name: 'basic: available > spec on the oldest RS stops before any action',
    input: {
      ...BASIC,
      replicaSets: [
        rs('new', 4, 4, 4),
        rs('v3', 3, 3, 1, { creationTimestamp: '2026-02-01T00:00:00Z' }),
        rs('v2', 2, 2, 3, { creationTimestamp: '2026-01-01T00:00:00Z' }),
      ],
    },
    actions: [],
    scaledDown: 0,
  },
  {
    name: 'basic: separate stable and new RSs are never touched; spec-0 RSs skipped but counted',
    input: {
      ...BASIC,
      fullyPromoted: false,
      newRSName: 'canary',
      stableRSName: 'stable',
      replicaSets: [
        rs('canary', 3, 1, 1),
        rs('stable', 1, 3, 3),
        rs('gone', 2, 0, 2),
        rs('mid', 2, 1, 1),
      ],
    },
    // Σavailable 7 − 3 = 4 ⇒ mid 1 → 0.
    actions: [{ rs: 'mid', replicas: 0 }],
    scaledDown: 1,
  },
  {
    name: 'basic: a deadline annotation does not delay basic scale-down, and is stripped at 0',
    input: {
      ...BASIC,
      replicaSets: [rs('new', 3, 4, 4), rs('old', 2, 4, 4, { scaleDownDeadline: FUTURE })],
    },
    actions: [{ rs: 'old', replicas: 0, removeDeadline: true }],
    scaledDown: 4,
  },
  {
    name: 'basic: referenced hashes are ignored',
    input: {
      ...BASIC,
      referencedHashes: ['h-old'],
      replicaSets: [rs('new', 3, 4, 4), rs('old', 2, 4, 4)],
    },
    actions: [{ rs: 'old', replicas: 0 }],
    scaledDown: 4,
  },
  // ---- traffic-routed canary
  {
    name: 'routed: fully promoted, previous stable gets now+30s (default) and keeps its size',
    input: { ...ROUTED, replicaSets: [rs('new', 2, 4, 4), rs('prev', 1, 4, 4)] },
    actions: [{ rs: 'prev', setDeadline: IN_30S }],
    requeueAt: IN_30S,
    scaledDown: 0,
  },
  {
    name: 'routed: custom scaleDownDelaySeconds 600',
    input: {
      ...ROUTED,
      scaleDownDelaySeconds: 600,
      replicaSets: [rs('new', 2, 4, 4), rs('prev', 1, 4, 4)],
    },
    actions: [{ rs: 'prev', setDeadline: '2026-08-01T12:10:00Z' }],
    requeueAt: '2026-08-01T12:10:00Z',
    scaledDown: 0,
  },
  {
    name: 'routed: deadline not reached ⇒ keep, requeue at the deadline',
    input: {
      ...ROUTED,
      replicaSets: [rs('new', 2, 4, 4), rs('prev', 1, 4, 4, { scaleDownDeadline: FUTURE })],
    },
    actions: [],
    requeueAt: FUTURE,
    scaledDown: 0,
  },
  {
    name: 'routed: deadline passed ⇒ 0 and strip the annotation',
    input: {
      ...ROUTED,
      replicaSets: [rs('new', 2, 4, 4), rs('prev', 1, 4, 4, { scaleDownDeadline: PAST })],
    },
    actions: [{ rs: 'prev', replicas: 0, removeDeadline: true }],
    scaledDown: 4,
  },
  {
    name: 'routed: deadline exactly now (not after now) ⇒ 0',
    input: {
      ...ROUTED,
      now: new Date('2026-08-01T12:05:00Z'),
      replicaSets: [rs('new', 2, 4, 4), rs('prev', 1, 4, 4, { scaleDownDeadline: FUTURE })],
    },
    actions: [{ rs: 'prev', replicas: 0, removeDeadline: true }],
    scaledDown: 4,
  },
  {
    name: 'routed: unreadable deadline ⇒ 0',
    input: {
      ...ROUTED,
      replicaSets: [rs('new', 2, 4, 4), rs('prev', 1, 4, 4, { scaleDownDeadline: 'soon' })],
    },
    actions: [{ rs: 'prev', replicas: 0, removeDeadline: true }],
    scaledDown: 4,
  },
  {
    name: 'routed: an empty deadline annotation is present but unreadable ⇒ 0',
    input: {
      ...ROUTED,
      replicaSets: [rs('new', 2, 4, 4), rs('prev', 1, 4, 4, { scaleDownDeadline: '' })],
    },
    actions: [{ rs: 'prev', replicas: 0, removeDeadline: true }],
    scaledDown: 4,
  },
  {
    name: 'routed: scaleDownDelayRevisionLimit 1 ⇒ newest delayed, the rest to 0',
    input: {
      ...ROUTED,
      replicas: 2,
      maxUnavailable: 0,
      scaleDownDelayRevisionLimit: 1,
      newRSName: 'v4',
      stableRSName: 'v4',
      referencedHashes: ['h-v4'],
      replicaSets: [
        rs('v4', 4, 2, 2),
        rs('v3', 3, 2, 2),
        rs('v2', 2, 2, 2, { scaleDownDeadline: FUTURE }),
        rs('v1', 1, 2, 2, { scaleDownDeadline: PAST }),
      ],
    },
    actions: [
      { rs: 'v3', setDeadline: IN_30S },
      { rs: 'v2', replicas: 0, removeDeadline: true },
      { rs: 'v1', replicas: 0, removeDeadline: true },
    ],
    requeueAt: IN_30S,
    scaledDown: 4,
  },
  {
    name: 'routed: revision limit counts already-delayed RSs first in revision order',
    input: {
      ...ROUTED,
      replicas: 2,
      maxUnavailable: 0,
      scaleDownDelayRevisionLimit: 1,
      newRSName: 'v4',
      stableRSName: 'v4',
      referencedHashes: ['h-v4'],
      replicaSets: [
        rs('v4', 4, 2, 2),
        rs('v3', 3, 2, 2, { scaleDownDeadline: FUTURE }),
        rs('v2', 2, 2, 2),
      ],
    },
    actions: [{ rs: 'v2', replicas: 0 }],
    requeueAt: FUTURE,
    scaledDown: 2,
  },
  {
    name: 'routed: scaleDownDelayRevisionLimit 0 ⇒ straight to 0',
    input: {
      ...ROUTED,
      scaleDownDelayRevisionLimit: 0,
      replicaSets: [rs('new', 2, 4, 4), rs('prev', 1, 4, 4)],
    },
    actions: [{ rs: 'prev', replicas: 0 }],
    scaledDown: 4,
  },
  {
    name: 'routed: explicit scaleDownDelaySeconds 0 ⇒ never annotated, kept at its size (§10)',
    input: {
      ...ROUTED,
      scaleDownDelaySeconds: 0,
      replicaSets: [rs('new', 2, 4, 4), rs('prev', 1, 4, 4)],
    },
    actions: [],
    scaledDown: 0,
  },
  {
    name: 'routed: explicit 0 delay ⇒ only pushed past the revision limit scales down',
    input: {
      ...ROUTED,
      scaleDownDelaySeconds: 0,
      scaleDownDelayRevisionLimit: 1,
      replicaSets: [rs('new', 3, 4, 4), rs('v2', 2, 4, 4), rs('v1', 1, 4, 4)],
    },
    actions: [{ rs: 'v1', replicas: 0 }],
    scaledDown: 4,
  },
  {
    name: 'routed: dynamicStableScale ⇒ previous stable to 0 at once',
    input: {
      ...ROUTED,
      dynamicStableScale: true,
      replicaSets: [rs('new', 2, 4, 4), rs('prev', 1, 4, 4)],
    },
    actions: [{ rs: 'prev', replicas: 0 }],
    scaledDown: 4,
  },
  {
    name: 'routed: referenced RSs are skipped (e.g. still the stable Service target)',
    input: {
      ...ROUTED,
      referencedHashes: ['h-new', 'h-prev'],
      replicaSets: [rs('new', 2, 4, 4), rs('prev', 1, 4, 4)],
    },
    actions: [],
    scaledDown: 0,
  },
  {
    name: 'routed: an RS without a hash label is never referenced',
    input: {
      ...ROUTED,
      referencedHashes: ['h-new', ''],
      dynamicStableScale: true,
      replicaSets: [rs('new', 2, 4, 4), rs('prev', 1, 4, 4, { podTemplateHash: '' })],
    },
    actions: [{ rs: 'prev', replicas: 0 }],
    scaledDown: 4,
  },
  {
    name: 'routed: mid-update, abandoned intermediate revision ⇒ 0 (no delay)',
    input: {
      ...ROUTED,
      fullyPromoted: false,
      newRSName: 'v3',
      stableRSName: 'v1',
      referencedHashes: ['h-v3', 'h-v1'],
      replicaSets: [rs('v3', 3, 1, 1), rs('v2', 2, 1, 1), rs('v1', 1, 4, 4)],
    },
    actions: [{ rs: 'v2', replicas: 0 }],
    scaledDown: 1,
  },
  {
    name: 'routed: intermediate revisions stop once the budget is spent',
    input: {
      ...ROUTED,
      fullyPromoted: false,
      newRSName: 'v4',
      stableRSName: 'v1',
      referencedHashes: ['h-v4', 'h-v1'],
      replicaSets: [rs('v4', 4, 1, 0), rs('v3', 3, 2, 2), rs('v2', 2, 2, 2), rs('v1', 1, 1, 1)],
    },
    // Σavailable 5 − minAvail 3 = 2: v3 2 → 0 spends it all; v2 waits for the next pass.
    actions: [{ rs: 'v3', replicas: 0 }],
    scaledDown: 2,
  },
  {
    name: 'routed: mid-update, RS already delayed keeps its delay',
    input: {
      ...ROUTED,
      fullyPromoted: false,
      newRSName: 'v3',
      stableRSName: 'v2',
      referencedHashes: ['h-v3', 'h-v2'],
      replicaSets: [
        rs('v3', 3, 1, 1),
        rs('v2', 2, 4, 4),
        rs('v1', 1, 4, 4, { scaleDownDeadline: FUTURE }),
      ],
    },
    actions: [],
    requeueAt: FUTURE,
    scaledDown: 0,
  },
  {
    name: 'routed: abort delay in force ⇒ scaling to 0 keeps the deadline annotation',
    input: {
      ...ROUTED,
      abortDelayActive: true,
      replicaSets: [rs('new', 2, 4, 4), rs('prev', 1, 4, 4, { scaleDownDeadline: PAST })],
    },
    actions: [{ rs: 'prev', replicas: 0 }],
    scaledDown: 4,
  },
  {
    name: 'routed: budget ≤ 0 ⇒ no annotation either',
    input: { ...ROUTED, replicaSets: [rs('new', 2, 4, 0), rs('prev', 1, 3, 3)] },
    actions: [],
    scaledDown: 0,
  },
  {
    name: 'routed: earliest pending deadline is the requeue time',
    input: {
      ...ROUTED,
      replicas: 2,
      maxUnavailable: 0,
      newRSName: 'v4',
      stableRSName: 'v4',
      referencedHashes: ['h-v4'],
      replicaSets: [
        rs('v4', 4, 2, 2),
        rs('v3', 3, 2, 2, { scaleDownDeadline: FUTURE }),
        rs('v2', 2, 2, 2, { scaleDownDeadline: '2026-08-01T12:01:00Z' }),
        rs('v1', 1, 2, 2),
      ],
    },
    actions: [{ rs: 'v1', setDeadline: IN_30S }],
    requeueAt: IN_30S,
    scaledDown: 0,
  },
  {
    name: 'routed: unhealthy cleanup applies to referenced RSs too',
    input: {
      ...ROUTED,
      referencedHashes: ['h-new', 'h-prev'],
      replicaSets: [rs('new', 2, 4, 4), rs('prev', 1, 4, 3)],
    },
    actions: [{ rs: 'prev', replicas: 3 }],
    scaledDown: 1,
  },
];

describe('decideOtherReplicaSets (§6.8 step 4)', () => {
  for (const row of rows) {
    it(row.name, () => {
      const got = decideOtherReplicaSets(row.input);
      assert.deepEqual(got.actions, row.actions);
      assert.equal(
        got.requeueAt?.toISOString(),
        row.requeueAt && new Date(row.requeueAt).toISOString(),
      );
      assert.equal(got.scaledDown, row.scaledDown);
    });
  }

  it('does not mutate its input', () => {
    const input: OtherReplicaSetsInput = {
      ...BASIC,
      replicaSets: [rs('new', 3, 4, 4), rs('old', 2, 4, 1, { scaleDownDeadline: PAST })],
    };
    const before = structuredClone(input);
    decideOtherReplicaSets(input);
    assert.deepEqual(input, before);
  });
});

describe('RFC3339 helpers', () => {
  const format: [Date, string][] = [
    [NOW, '2026-08-01T12:00:00Z'],
    [new Date('2026-12-31T23:59:59.999Z'), '2026-12-31T23:59:59Z'],
    [new Date('2026-01-01T00:00:00Z'), '2026-01-01T00:00:00Z'],
  ];
  for (const [d, want] of format) {
    it(`format ${d.toISOString()} ⇒ ${want}`, () => assert.equal(formatRFC3339(d), want));
  }
  const parse: [string, string | undefined][] = [
    ['2026-08-01T12:00:30Z', '2026-08-01T12:00:30.000Z'],
    ['2026-08-01T14:00:30+02:00', '2026-08-01T12:00:30.000Z'],
    ['2026-08-01T12:00:30.5Z', '2026-08-01T12:00:30.500Z'],
    ['2026-02-29T00:00:00Z', undefined], // not a leap year
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['2026-08-01T24:00:00Z', undefined],
    ['2026-08-01 12:00:30Z', undefined],
    ['2026-08-01T12:00:30', undefined],
    ['', undefined],
  ];
  for (const [s, want] of parse) {
    it(`parse ${JSON.stringify(s)} ⇒ ${String(want)}`, () =>
      assert.equal(parseRFC3339(s)?.toISOString(), want));
  }
});
