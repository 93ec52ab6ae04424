// Pure decisions of the traffic-routed canary (rollout-semantics §6.5.1–§6.5.3, §6.8 step 3):
// routed counts, the router weight rules in order, the abort/rollback formula, the
// stable-capacity gate and the abort scale-down delay. Case tables first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import type { CanaryStep, CanaryStrategy, RolloutStatus } from '../../../src/api/rollout.ts';
import {
  abortDelayActive,
  abortDelaySeconds,
  referencedHashes,
  routedAtDesiredCounts,
  routedCounts,
  routerWeight,
  stableGateOpen,
  type RouterWeight,
  type TrafficState,
} from '../../../src/rollout/canary-traffic.ts';
import type { RsView } from '../../../src/rollout/replicasets.ts';

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

/** Stable hash, new (canary) hash, a previously recorded canary hash. */
const S = 'stable';
const N = 'new';
const P = 'prev';

const STEPS: CanaryStep[] = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }];

interface RsSpec {
  spec: number;
  avail: number;
  /** status.replicas (defaults to spec). */
  replicas?: number;
}

function rs(hash: string, r: RsSpec, revision = 1): RsView {
  return {
    obj: {} as KubeObject,
    name: `ro-${hash}`,
    hash,
    revision,
    specReplicas: r.spec,
    replicas: r.replicas ?? r.spec,
    readyReplicas: r.avail,
    availableReplicas: r.avail,
    desiredAnnotation: undefined,
    scaleDownDeadline: undefined,
    creationTimestamp: '',
  };
}

function canary(extra: Partial<CanaryStrategy> & { m?: number } = {}): CanaryStrategy {
  const { m, ...rest } = extra;
  return {
    canaryService: 'c',
    stableService: 's',
    steps: STEPS,
    trafficRouting: {
      alb: { ingress: 'ing', servicePort: 80, rootService: 'root' },
      ...(m !== undefined ? { maxTrafficWeight: m } : {}),
    },
    ...rest,
  };
}

function weights(c: number, st: number, canaryHash = N): NonNullable<RolloutStatus['canary']> {
  return {
    weights: {
      canary: { weight: c, serviceName: 'c', podTemplateHash: canaryHash },
      stable: { weight: st, serviceName: 's', podTemplateHash: S },
    },
  };
}

/** Mid-rollout status: stable S, current N, index `idx`. */
function status(idx: number | undefined, extra: Partial<RolloutStatus> = {}): RolloutStatus {
  return {
    stableRS: S,
    currentPodHash: N,
    ...(idx !== undefined ? { currentStepIndex: idx } : {}),
    ...extra,
  };
}

interface StateSpec {
  r?: number;
  canary?: CanaryStrategy;
  status?: RolloutStatus;
  newRS?: RsSpec | null;
  stableRS?: RsSpec | null;
  /** The stable RS is the new RS object (fully promoted). */
  sameRS?: boolean;
}

function state(x: StateSpec): TrafficState {
  const r = x.r ?? 10;
  const newRS = x.newRS === null ? undefined : rs(N, x.newRS ?? { spec: 0, avail: 0 }, 2);
  const stableRS = x.sameRS
    ? newRS
    : x.stableRS === null
      ? undefined
      : rs(S, x.stableRS ?? { spec: r, avail: r }, 1);
  return {
    canary: x.canary ?? canary(),
    status: x.status ?? status(0),
    replicas: r,
    newRS,
    stableRS,
  };
}

// ---------------------------------------------------------------------------------------------
// §6.5.1 / §6.5.2 counts
// ---------------------------------------------------------------------------------------------

const SCS_REPLICAS: CanaryStep[] = [
  { setCanaryScale: { replicas: 3 } },
  { setWeight: 20 },
  { pause: {} },
];
const SCS_STICKY: CanaryStep[] = [
  { setCanaryScale: { weight: 50 } },
  { setWeight: 20 },
  { setCanaryScale: { matchTrafficWeight: true } },
  { setWeight: 40 },
];

const countRows: {
  name: string;
  s: StateSpec;
  /** Weights passed explicitly instead of the status' recorded ones. */
  w?: { canary: number; stable: number };
  want: { canary: number; stable: number };
}[] = [
  // weight-based sizing, stable always R without dynamicStableScale
  { name: 'setWeight 20, R=10 ⇒ 2 / 10', s: {}, want: { canary: 2, stable: 10 } },
  {
    name: 'pause after setWeight 20 ⇒ 2 / 10',
    s: { status: status(1) },
    want: { canary: 2, stable: 10 },
  },
  { name: 'setWeight 50 ⇒ 5 / 10', s: { status: status(2) }, want: { canary: 5, stable: 10 } },
  { name: 'ceil: R=3, setWeight 20 ⇒ 1 / 3', s: { r: 3 }, want: { canary: 1, stable: 3 } },
  {
    name: 'maxTrafficWeight 200: ceil(10·50/200) = 3',
    s: { canary: canary({ m: 200 }), status: status(2) },
    want: { canary: 3, stable: 10 },
  },
  {
    name: 'promoteFull ⇒ M ⇒ R',
    s: { status: status(0, { promoteFull: true }) },
    want: { canary: 10, stable: 10 },
  },
  {
    name: 'no stableRS yet ⇒ M',
    s: { status: status(0, { stableRS: '' }) },
    want: { canary: 10, stable: 10 },
  },
  {
    name: 'currentPodHash == stableRS ⇒ M',
    s: { status: status(0, { stableRS: N }) },
    want: { canary: 10, stable: 10 },
  },
  { name: 'index = len(steps) ⇒ M', s: { status: status(4) }, want: { canary: 10, stable: 10 } },
  {
    name: 'aborted (not dynamic) ⇒ canary 0, stable R',
    s: { status: status(2, { abort: true }) },
    want: { canary: 0, stable: 10 },
  },
  // setCanaryScale
  {
    name: 'setCanaryScale replicas 3 is sticky past setWeight 20',
    s: { canary: canary({ steps: SCS_REPLICAS }), status: status(1) },
    want: { canary: 3, stable: 10 },
  },
  {
    name: 'setCanaryScale weight 50 sticky past setWeight 20 ⇒ 5',
    s: { canary: canary({ steps: SCS_STICKY }), status: status(1) },
    want: { canary: 5, stable: 10 },
  },
  {
    name: 'matchTrafficWeight at current index ⇒ back to setWeight 20',
    s: { canary: canary({ steps: SCS_STICKY }), status: status(2) },
    want: { canary: 2, stable: 10 },
  },
  {
    name: 'matchTrafficWeight earlier ⇒ setWeight 40 ⇒ 4',
    s: { canary: canary({ steps: SCS_STICKY }), status: status(3) },
    want: { canary: 4, stable: 10 },
  },
  {
    name: 'setCanaryScale weight 200 with R=4 ⇒ 8 (may exceed M)',
    s: { r: 4, canary: canary({ steps: [{ setCanaryScale: { weight: 200 } }] }) },
    want: { canary: 8, stable: 4 },
  },
  {
    name: 'aborted with default abortScaleDownDelaySeconds ⇒ setCanaryScale ignored',
    s: { canary: canary({ steps: SCS_REPLICAS }), status: status(1, { abort: true }) },
    want: { canary: 0, stable: 10 },
  },
  {
    name: 'aborted with abortScaleDownDelaySeconds 0 ⇒ setCanaryScale replicas kept',
    s: {
      canary: canary({ steps: SCS_REPLICAS, abortScaleDownDelaySeconds: 0 }),
      status: status(1, { abort: true }),
    },
    want: { canary: 3, stable: 10 },
  },
  {
    name: 'explicit replicas not raised by minPods (not dynamic)',
    s: {
      canary: canary({ steps: [{ setCanaryScale: { replicas: 1 } }], minPodsPerReplicaSet: 3 }),
    },
    want: { canary: 1, stable: 10 },
  },
  {
    name: 'explicit replicas raised by minPods with dynamicStableScale',
    s: {
      canary: canary({
        steps: [{ setCanaryScale: { replicas: 1 } }],
        minPodsPerReplicaSet: 3,
        dynamicStableScale: true,
      }),
    },
    want: { canary: 3, stable: 10 },
  },
  // minPodsPerReplicaSet
  {
    name: 'minPods 3 raises canary 2 ⇒ 3',
    s: { canary: canary({ minPodsPerReplicaSet: 3 }) },
    want: { canary: 3, stable: 10 },
  },
  {
    name: 'minPods capped at R',
    s: { canary: canary({ minPodsPerReplicaSet: 20 }) },
    want: { canary: 10, stable: 10 },
  },
  {
    name: 'minPods leaves 0 at 0 (aborted)',
    s: { canary: canary({ minPodsPerReplicaSet: 3 }), status: status(0, { abort: true }) },
    want: { canary: 0, stable: 10 },
  },
  // dynamicStableScale
  {
    name: 'dynamic, no weights ⇒ stable ceil(R·(M−W)/M) = 8',
    s: { canary: canary({ dynamicStableScale: true }) },
    want: { canary: 2, stable: 8 },
  },
  {
    name: 'dynamic, recorded stable 100 keeps stable at 10',
    s: {
      canary: canary({ dynamicStableScale: true }),
      status: status(0, { canary: weights(0, 100) }),
    },
    want: { canary: 2, stable: 10 },
  },
  {
    name: 'dynamic, recorded stable 85 ⇒ max(8, ceil(8.5)) = 9',
    s: {
      canary: canary({ dynamicStableScale: true }),
      status: status(0, { canary: weights(15, 85) }),
    },
    want: { canary: 2, stable: 9 },
  },
  {
    name: 'dynamic, explicit weights argument overrides the recorded ones',
    s: {
      canary: canary({ dynamicStableScale: true }),
      status: status(0, { canary: weights(0, 100) }),
    },
    w: { canary: 20, stable: 80 },
    want: { canary: 2, stable: 8 },
  },
  {
    name: 'dynamic + minPods 3 at W=90 ⇒ stable 1 raised to 3',
    s: {
      canary: canary({
        dynamicStableScale: true,
        minPodsPerReplicaSet: 3,
        steps: [{ setWeight: 90 }],
      }),
    },
    want: { canary: 9, stable: 3 },
  },
  {
    name: 'dynamic, all steps done ⇒ canary R, stable 0 (minPods keeps 0)',
    s: { canary: canary({ dynamicStableScale: true, minPodsPerReplicaSet: 2 }), status: status(4) },
    want: { canary: 10, stable: 0 },
  },
  {
    name: 'dynamic abort: d = 20 (c = max(4,5)); recorded 50/50 ⇒ canary max(5,2), stable 8',
    s: {
      canary: canary({ dynamicStableScale: true }),
      status: status(2, { abort: true, canary: weights(50, 50) }),
      newRS: { spec: 5, avail: 5 },
      stableRS: { spec: 6, avail: 6 },
    },
    want: { canary: 5, stable: 8 },
  },
  {
    name: 'dynamic abort, no explicit delay: c = max(need 1, canary 5) ⇒ d = 20',
    s: {
      canary: canary({ dynamicStableScale: true }),
      status: status(2, { abort: true, canary: weights(20, 80) }),
      newRS: { spec: 5, avail: 5 },
      stableRS: { spec: 9, avail: 9 },
    },
    want: { canary: 2, stable: 8 },
  },
  {
    name: 'dynamic abort, explicit delay: c = need 1 ⇒ d = 0 ⇒ stable R, canary from weights',
    s: {
      canary: canary({ dynamicStableScale: true, abortScaleDownDelaySeconds: 10 }),
      status: status(2, { abort: true, canary: weights(20, 80) }),
      newRS: { spec: 5, avail: 5 },
      stableRS: { spec: 9, avail: 9 },
    },
    want: { canary: 2, stable: 10 },
  },
  {
    name: 'dynamic abort, stable fully available, no weights ⇒ 0 / 10',
    s: {
      canary: canary({ dynamicStableScale: true }),
      status: status(2, { abort: true }),
      newRS: { spec: 5, avail: 0 },
      stableRS: { spec: 10, avail: 10 },
    },
    want: { canary: 0, stable: 10 },
  },
];

describe('routedCounts (§6.5.1, §6.5.2)', () => {
  for (const row of countRows) {
    it(row.name, () => {
      const st = state(row.s);
      assert.deepEqual(row.w ? routedCounts(st, row.w) : routedCounts(st), row.want);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// routedAtDesiredCounts (§6.2 setWeight completion, traffic-routed)
// ---------------------------------------------------------------------------------------------

const atCountRows: { name: string; s: StateSpec; want: boolean }[] = [
  {
    name: 'canary 2/2, stable 10/10 ⇒ reached',
    s: { newRS: { spec: 2, avail: 2 } },
    want: true,
  },
  { name: 'canary 2 spec, 1 available ⇒ not', s: { newRS: { spec: 2, avail: 1 } }, want: false },
  {
    name: 'stable spec 9 (≠ R) ⇒ not',
    s: { newRS: { spec: 2, avail: 2 }, stableRS: { spec: 9, avail: 9 } },
    want: false,
  },
  {
    name: 'stable status.replicas 11 (≠ R) ⇒ not',
    s: { newRS: { spec: 2, avail: 2 }, stableRS: { spec: 10, avail: 10, replicas: 11 } },
    want: false,
  },
  {
    name: 'dynamic: stable size not checked',
    s: {
      canary: canary({ dynamicStableScale: true }),
      newRS: { spec: 2, avail: 2 },
      stableRS: { spec: 3, avail: 3 },
    },
    want: true,
  },
  {
    name: 'Percent 50 threshold: 1 of 2 available ⇒ reached',
    s: {
      canary: canary({ replicaProgressThreshold: { type: 'Percent', value: 50 } }),
      newRS: { spec: 2, avail: 1 },
    },
    want: true,
  },
];

describe('routedAtDesiredCounts', () => {
  for (const row of atCountRows) {
    it(row.name, () => assert.equal(routedAtDesiredCounts(state(row.s)), row.want));
  }
});

// ---------------------------------------------------------------------------------------------
// §6.5.3 router weight (first match) and the abort/rollback formula
// ---------------------------------------------------------------------------------------------

const DYN = canary({ dynamicStableScale: true });
const promoted = (extra: Partial<RolloutStatus> = {}): RolloutStatus =>
  status(4, { stableRS: N, ...extra });

const weightRows: { name: string; s: StateSpec; want: RouterWeight }[] = [
  // 1. dynamic rollback to stable
  {
    name: 'rule 1: rollback, stable share 50 < M−d 80 ⇒ keep recorded 100 on the previous hash',
    s: {
      canary: DYN,
      status: promoted({ canary: weights(100, 0, P) }),
      newRS: { spec: 10, avail: 5 },
      sameRS: true,
    },
    want: { weight: 100, canaryHash: P, removeManagedRoutes: false },
  },
  {
    name: 'rule 1: rollback, stable share 90 ≥ M−d 50 ⇒ min(d 50, cur 100)',
    s: {
      canary: DYN,
      status: promoted({ canary: weights(100, 0, P) }),
      newRS: { spec: 10, avail: 9 },
      sameRS: true,
    },
    want: { weight: 50, canaryHash: P, removeManagedRoutes: false },
  },
  {
    name: 'rule 1 not taken once the new RS is fully available ⇒ rule 2',
    s: {
      canary: DYN,
      status: promoted({ canary: weights(100, 0, P) }),
      newRS: { spec: 10, avail: 10 },
      sameRS: true,
    },
    want: { weight: 0, canaryHash: N, removeManagedRoutes: true },
  },
  // 2. fully promoted
  {
    name: 'rule 2: fully promoted ⇒ 0 on the new hash, routes removed',
    s: {
      status: promoted({ canary: weights(100, 0, P) }),
      newRS: { spec: 10, avail: 5 },
      sameRS: true,
    },
    want: { weight: 0, canaryHash: N, removeManagedRoutes: true },
  },
  {
    name: 'rule 2: dynamic, recorded canary hash = new hash ⇒ 0',
    s: {
      canary: DYN,
      status: promoted({ canary: weights(100, 0, N) }),
      newRS: { spec: 10, avail: 5 },
      sameRS: true,
    },
    want: { weight: 0, canaryHash: N, removeManagedRoutes: true },
  },
  {
    name: 'rule 2 before rule 3: fully promoted and aborted ⇒ 0, not the abort formula',
    s: {
      canary: DYN,
      status: promoted({ abort: true, canary: weights(50, 50, N) }),
      newRS: { spec: 10, avail: 5 },
      sameRS: true,
    },
    want: { weight: 0, canaryHash: N, removeManagedRoutes: true },
  },
  // 3. aborted: abort/rollback formula
  {
    name: 'rule 3: aborted, not dynamic ⇒ 0',
    s: {
      status: status(2, { abort: true, canary: weights(50, 50) }),
      newRS: { spec: 5, avail: 5 },
    },
    want: { weight: 0, canaryHash: N, removeManagedRoutes: true },
  },
  {
    name: 'rule 3 before rule 5: aborted + promoteFull ⇒ 0, not the recorded weight',
    s: {
      status: status(2, { abort: true, promoteFull: true, canary: weights(50, 50) }),
      newRS: { spec: 5, avail: 5 },
    },
    want: { weight: 0, canaryHash: N, removeManagedRoutes: true },
  },
  {
    name: 'formula: R = 0 ⇒ 0',
    s: {
      r: 0,
      canary: DYN,
      status: status(2, { abort: true, canary: weights(50, 50) }),
      newRS: { spec: 0, avail: 0 },
      stableRS: { spec: 0, avail: 0 },
    },
    want: { weight: 0, canaryHash: N, removeManagedRoutes: true },
  },
  {
    name: 'formula: stable RS missing ⇒ 0',
    s: {
      canary: DYN,
      status: status(2, { abort: true, canary: weights(50, 50) }),
      newRS: { spec: 5, avail: 5 },
      stableRS: null,
    },
    want: { weight: 0, canaryHash: N, removeManagedRoutes: true },
  },
  {
    name: 'formula: no recorded weights ⇒ max(e 40, d 20) = 40',
    s: {
      canary: DYN,
      status: status(2, { abort: true }),
      newRS: { spec: 5, avail: 5 },
      stableRS: { spec: 6, avail: 6 },
    },
    want: { weight: 40, canaryHash: N, removeManagedRoutes: true },
  },
  {
    name: 'formula: stable share 60 < M−d 80 ⇒ recorded 50',
    s: {
      canary: DYN,
      status: status(2, { abort: true, canary: weights(50, 50) }),
      newRS: { spec: 5, avail: 5 },
      stableRS: { spec: 6, avail: 6 },
    },
    want: { weight: 50, canaryHash: N, removeManagedRoutes: true },
  },
  {
    name: 'formula: stable share 90 ≥ M−d 80 ⇒ min(d 20, cur 50)',
    s: {
      canary: DYN,
      status: status(2, { abort: true, canary: weights(50, 50) }),
      newRS: { spec: 5, avail: 5 },
      stableRS: { spec: 9, avail: 9 },
    },
    want: { weight: 20, canaryHash: N, removeManagedRoutes: true },
  },
  {
    name: 'formula: d = 0 (stable full) ⇒ min(e 0, cur) = 0',
    s: {
      canary: DYN,
      status: status(2, { abort: true, canary: weights(50, 50) }),
      newRS: { spec: 5, avail: 0 },
      stableRS: { spec: 10, avail: 10 },
    },
    want: { weight: 0, canaryHash: N, removeManagedRoutes: true },
  },
  {
    name: 'formula: d = 0 (explicit delay, c = need) ⇒ min(e 10, cur 50)',
    s: {
      canary: canary({ dynamicStableScale: true, abortScaleDownDelaySeconds: 10 }),
      status: status(2, { abort: true, canary: weights(50, 50) }),
      newRS: { spec: 5, avail: 5 },
      stableRS: { spec: 9, avail: 9 },
    },
    want: { weight: 10, canaryHash: N, removeManagedRoutes: true },
  },
  // 4. new RS missing or without available pods
  {
    name: 'rule 4: new RS missing ⇒ 0, empty hash',
    s: { status: status(2), newRS: null },
    want: { weight: 0, canaryHash: '', removeManagedRoutes: true },
  },
  {
    name: 'rule 4: new RS 0 available ⇒ 0',
    s: { status: status(2), newRS: { spec: 5, avail: 0 } },
    want: { weight: 0, canaryHash: N, removeManagedRoutes: true },
  },
  {
    name: 'rule 4 before rule 5: 0 available + promoteFull ⇒ 0, not the recorded 5',
    s: {
      status: status(2, { promoteFull: true, canary: weights(5, 95) }),
      newRS: { spec: 10, avail: 0 },
    },
    want: { weight: 0, canaryHash: N, removeManagedRoutes: true },
  },
  // 5. promoteFull
  {
    name: 'rule 5: promoteFull, not dynamic ⇒ recorded canary weight 5',
    s: {
      status: status(0, { promoteFull: true, canary: weights(5, 95) }),
      newRS: { spec: 10, avail: 7 },
    },
    want: { weight: 5, canaryHash: N, removeManagedRoutes: true },
  },
  {
    name: 'rule 5: promoteFull, not dynamic, nothing recorded ⇒ 0',
    s: { status: status(0, { promoteFull: true }), newRS: { spec: 10, avail: 7 } },
    want: { weight: 0, canaryHash: N, removeManagedRoutes: true },
  },
  {
    name: 'rule 5: promoteFull, dynamic ⇒ floor(M·7/10) = 70',
    s: {
      canary: DYN,
      status: status(0, { promoteFull: true, canary: weights(5, 95) }),
      newRS: { spec: 10, avail: 7 },
    },
    want: { weight: 70, canaryHash: N, removeManagedRoutes: true },
  },
  {
    name: 'rule 5: promoteFull, dynamic, M 200, R 3, 1 available ⇒ floor(66.7) = 66',
    s: {
      r: 3,
      canary: canary({ dynamicStableScale: true, m: 200 }),
      status: status(0, { promoteFull: true }),
      newRS: { spec: 3, avail: 1 },
    },
    want: { weight: 66, canaryHash: N, removeManagedRoutes: true },
  },
  // 6. current step
  {
    name: 'rule 6: index 0 not reached ⇒ 0',
    s: { status: status(0), newRS: { spec: 2, avail: 1 } },
    want: { weight: 0, canaryHash: N, removeManagedRoutes: false },
  },
  {
    name: 'rule 6: index 0 reached ⇒ 20',
    s: { status: status(0), newRS: { spec: 2, avail: 2 } },
    want: { weight: 20, canaryHash: N, removeManagedRoutes: false },
  },
  {
    name: 'rule 6: pause at index 1, counts reached ⇒ 20',
    s: { status: status(1), newRS: { spec: 2, avail: 2 } },
    want: { weight: 20, canaryHash: N, removeManagedRoutes: false },
  },
  {
    name: 'rule 6: setWeight 50 not reached ⇒ previous setWeight 20',
    s: { status: status(2), newRS: { spec: 5, avail: 2 } },
    want: { weight: 20, canaryHash: N, removeManagedRoutes: false },
  },
  {
    name: 'rule 6: canary reached but stable not at R ⇒ previous setWeight 20',
    s: { status: status(2), newRS: { spec: 5, avail: 5 }, stableRS: { spec: 9, avail: 9 } },
    want: { weight: 20, canaryHash: N, removeManagedRoutes: false },
  },
  {
    name: 'rule 6: setWeight 50 reached ⇒ 50',
    s: { status: status(2), newRS: { spec: 5, avail: 5 } },
    want: { weight: 50, canaryHash: N, removeManagedRoutes: false },
  },
  {
    name: 'rule 6: dynamic, stable size ignored ⇒ 50',
    s: {
      canary: DYN,
      status: status(2),
      newRS: { spec: 5, avail: 5 },
      stableRS: { spec: 5, avail: 5 },
    },
    want: { weight: 50, canaryHash: N, removeManagedRoutes: false },
  },
  {
    name: 'rule 6: pause at index 3 not reached ⇒ setWeight strictly before = 50',
    s: { status: status(3), newRS: { spec: 2, avail: 2 } },
    want: { weight: 50, canaryHash: N, removeManagedRoutes: false },
  },
  {
    name: 'rule 6: Percent 50 threshold met (3 of 5) ⇒ 50',
    s: {
      canary: canary({ replicaProgressThreshold: { type: 'Percent', value: 50 } }),
      status: status(2),
      newRS: { spec: 5, avail: 3 },
    },
    want: { weight: 50, canaryHash: N, removeManagedRoutes: false },
  },
  {
    name: 'rule 6: setCanaryScale replicas 3 not reached (2/2) ⇒ 0',
    s: { canary: canary({ steps: SCS_REPLICAS }), status: status(1), newRS: { spec: 2, avail: 2 } },
    want: { weight: 0, canaryHash: N, removeManagedRoutes: false },
  },
  {
    name: 'rule 6: setCanaryScale replicas 3 reached (3/3) ⇒ setWeight 20',
    s: { canary: canary({ steps: SCS_REPLICAS }), status: status(1), newRS: { spec: 3, avail: 3 } },
    want: { weight: 20, canaryHash: N, removeManagedRoutes: false },
  },
  {
    name: 'rule 6: all steps done, at R ⇒ M',
    s: { status: status(4), newRS: { spec: 10, avail: 10 } },
    want: { weight: 100, canaryHash: N, removeManagedRoutes: false },
  },
  {
    name: 'rule 6: all steps done, maxTrafficWeight 200 ⇒ 200',
    s: { canary: canary({ m: 200 }), status: status(4), newRS: { spec: 10, avail: 10 } },
    want: { weight: 200, canaryHash: N, removeManagedRoutes: false },
  },
  {
    name: 'rule 6: all steps done, not yet at R ⇒ last setWeight 50',
    s: { status: status(4), newRS: { spec: 10, avail: 5 } },
    want: { weight: 50, canaryHash: N, removeManagedRoutes: false },
  },
  // 7. no steps
  {
    name: 'rule 7: no steps, not promoted ⇒ 0',
    s: { canary: canary({ steps: [] }), status: status(undefined), newRS: { spec: 10, avail: 10 } },
    want: { weight: 0, canaryHash: N, removeManagedRoutes: false },
  },
];

describe('routerWeight (§6.5.3, first match) and the abort/rollback formula', () => {
  for (const row of weightRows) {
    it(row.name, () => assert.deepEqual(routerWeight(state(row.s)), row.want));
  }
});

// ---------------------------------------------------------------------------------------------
// Stable-capacity gate
// ---------------------------------------------------------------------------------------------

const gateRows: { name: string; s: StateSpec; weight: number; want: boolean }[] = [
  { name: 'no stable RS ⇒ closed', s: { stableRS: null }, weight: 100, want: false },
  {
    name: 'weight 20, R 10: need 8, 8 available ⇒ open',
    s: { stableRS: { spec: 10, avail: 8 } },
    weight: 20,
    want: true,
  },
  {
    name: 'weight 20, R 10: need 8, 7 available ⇒ closed',
    s: { stableRS: { spec: 10, avail: 7 } },
    weight: 20,
    want: false,
  },
  {
    name: 'weight 0: need R, 9 of 10 ⇒ closed',
    s: { stableRS: { spec: 10, avail: 9 } },
    weight: 0,
    want: false,
  },
  {
    name: 'weight M: need 0, nothing available ⇒ open',
    s: { stableRS: { spec: 10, avail: 0 } },
    weight: 100,
    want: true,
  },
  {
    name: 'floor: R 3, weight 50 ⇒ need floor(1.5) = 1',
    s: { r: 3, stableRS: { spec: 3, avail: 1 } },
    weight: 50,
    want: true,
  },
  {
    name: 'M 200, weight 50: need floor(150·10/200) = 7, 7 available ⇒ open',
    s: { canary: canary({ m: 200 }), stableRS: { spec: 10, avail: 7 } },
    weight: 50,
    want: true,
  },
  {
    name: 'M 200, weight 50: 6 available ⇒ closed',
    s: { canary: canary({ m: 200 }), stableRS: { spec: 10, avail: 6 } },
    weight: 50,
    want: false,
  },
  {
    name: 'Percent 80 threshold: need 10, 8 available ⇒ open',
    s: {
      canary: canary({ replicaProgressThreshold: { type: 'Percent', value: 80 } }),
      stableRS: { spec: 10, avail: 8 },
    },
    weight: 0,
    want: true,
  },
  {
    name: 'Pods 9 threshold, 8 available ⇒ closed',
    s: {
      canary: canary({ replicaProgressThreshold: { type: 'Pods', value: 9 } }),
      stableRS: { spec: 10, avail: 8 },
    },
    weight: 0,
    want: false,
  },
];

describe('stableGateOpen (§6.5.3 gate)', () => {
  for (const row of gateRows) {
    it(row.name, () => assert.equal(stableGateOpen(state(row.s), row.weight), row.want));
  }
});

// ---------------------------------------------------------------------------------------------
// §6.8 step 3 abort delay
// ---------------------------------------------------------------------------------------------

const delayRows: { name: string; s: StateSpec; want: boolean; seconds: number }[] = [
  { name: 'not aborted ⇒ inactive', s: {}, want: false, seconds: 30 },
  {
    name: 'aborted, default delay ⇒ active (30 s)',
    s: { status: status(2, { abort: true }) },
    want: true,
    seconds: 30,
  },
  {
    name: 'aborted, delay 0 ⇒ inactive',
    s: { canary: canary({ abortScaleDownDelaySeconds: 0 }), status: status(2, { abort: true }) },
    want: false,
    seconds: 0,
  },
  {
    name: 'aborted, dynamic with default delay ⇒ inactive',
    s: { canary: DYN, status: status(2, { abort: true }) },
    want: false,
    seconds: 30,
  },
  {
    name: 'aborted, dynamic with explicit delay 5 ⇒ active',
    s: {
      canary: canary({ dynamicStableScale: true, abortScaleDownDelaySeconds: 5 }),
      status: status(2, { abort: true }),
    },
    want: true,
    seconds: 5,
  },
  {
    name: 'aborted, no stable RS ⇒ inactive',
    s: { status: status(2, { abort: true }), stableRS: null },
    want: false,
    seconds: 30,
  },
  {
    name: 'aborted, stable RS is the new RS ⇒ inactive',
    s: { status: status(2, { abort: true }), sameRS: true },
    want: false,
    seconds: 30,
  },
];

describe('abortDelayActive / abortDelaySeconds (§6.8 step 3)', () => {
  for (const row of delayRows) {
    it(row.name, () => {
      const st = state(row.s);
      assert.equal(abortDelayActive(st), row.want);
      assert.equal(abortDelaySeconds(st.canary), row.seconds);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// §6.8 step 4 referenced hashes
// ---------------------------------------------------------------------------------------------

describe('referencedHashes (§6.8 step 4)', () => {
  it('status hashes, recorded weight hashes, new RS and Service selectors, deduplicated', () => {
    const st = status(2, {
      canary: {
        weights: {
          canary: { weight: 5, podTemplateHash: P },
          stable: { weight: 95, podTemplateHash: S },
          additional: [{ weight: 1, podTemplateHash: 'exp' }],
        },
      },
    });
    const svc = (h: string): KubeObject => ({ metadata: { name: h }, spec: { h } });
    const got = referencedHashes(st, rs(N, { spec: 1, avail: 1 }), [svc('sel'), undefined], (s) =>
      s ? ((s.spec as { h: string }).h ?? '') : '',
    );
    assert.deepEqual(got.sort(), [N, 'exp', P, 'sel', S].sort());
  });
});
