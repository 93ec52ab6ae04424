import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IntOrString } from '../../../src/api/common.ts';
import { resolveFenceposts } from '../../../src/rollout/fenceposts.ts';
import {
  approx,
  basicCanaryCounts,
  floorCeilingTied,
  type RSCounts,
  type TrafficRoutedInput,
  trafficRoutedCounts,
  weightToReplicas,
} from '../../../src/rollout/replica-math.ts';

const rs = (name: string, spec: number, available: number): RSCounts => ({
  name,
  specReplicas: spec,
  availableReplicas: available,
});

describe('approx (§6.4.2)', () => {
  // [R, W, surge, canary, stable]. Rows 1–57 are Go's TestApproximateWeightedNewStableReplicaCounts.
  const rows: [number, number, number, number, number][] = [
    [0, 0, 0, 0, 0],
    [0, 50, 0, 0, 0],
    [0, 100, 0, 0, 0],
    [0, 0, 1, 0, 0],
    [0, 50, 1, 0, 0],
    [0, 100, 1, 0, 0],
    [1, 0, 0, 0, 1],
    [1, 1, 0, 0, 1],
    [1, 49, 0, 0, 1],
    [1, 50, 0, 1, 0],
    [1, 99, 0, 1, 0],
    [1, 100, 0, 1, 0],
    [1, 0, 1, 0, 1],
    [1, 1, 1, 1, 1],
    [1, 49, 1, 1, 1],
    [1, 50, 1, 1, 1],
    [1, 99, 1, 1, 1],
    [1, 100, 1, 1, 0],
    [2, 0, 0, 0, 2],
    [2, 1, 0, 1, 1],
    [2, 50, 0, 1, 1],
    [2, 99, 0, 1, 1],
    [2, 100, 0, 2, 0],
    [2, 0, 1, 0, 2],
    [2, 1, 1, 1, 2],
    [2, 50, 1, 1, 1],
    [2, 99, 1, 2, 1],
    [2, 100, 1, 2, 0],
    [3, 10, 0, 1, 2],
    [3, 25, 0, 1, 2],
    [3, 33, 0, 1, 2],
    [3, 34, 0, 1, 2],
    [3, 49, 0, 1, 2],
    [3, 50, 0, 2, 1],
    [3, 10, 1, 1, 3],
    [3, 25, 1, 1, 3],
    [3, 33, 1, 1, 2],
    [3, 34, 1, 1, 2],
    [3, 49, 1, 2, 2],
    [3, 50, 1, 2, 2],
    [10, 0, 1, 0, 10],
    [10, 1, 0, 1, 9],
    [10, 14, 0, 1, 9],
    [10, 15, 0, 2, 8],
    [10, 16, 0, 2, 8],
    [10, 99, 0, 9, 1],
    [10, 100, 1, 10, 0],
    [10, 0, 1, 0, 10],
    [10, 1, 1, 1, 10],
    [10, 18, 1, 2, 9],
    [10, 19, 1, 2, 9],
    [10, 20, 1, 2, 8],
    [10, 23, 1, 2, 8],
    [10, 24, 1, 3, 8],
    [10, 25, 1, 3, 8],
    [10, 99, 1, 10, 1],
    [10, 100, 1, 10, 0],
    // spec §6.4.3 / §6.10 examples
    [10, 20, 2, 2, 8],
    [10, 50, 2, 5, 5],
    [1, 51, 0, 1, 0],
    [2, 25, 1, 1, 2], // (1,3) beats (1,2): 33% is closer to 25% than 50%
    [1, 25, 1, 1, 1],
    [8, 25, 2, 2, 6],
    [4, 25, 1, 1, 3],
    // no candidate at all ⇒ (0, R): hi == R and the floor is tied, without surge
    [2, 75, 0, 0, 2],
    [10, 95, 0, 0, 10],
    [4, 50, 0, 2, 2],
  ];
  for (const [r, w, surge, c, s] of rows) {
    it(`R=${r} W=${w} surge=${surge} ⇒ (${c}, ${s})`, () => {
      assert.deepEqual(approx(r, w, 100, surge), { canary: c, stable: s });
    });
  }
  it('uses M for the weight scale (M=1000, W=250, R=4 ⇒ (1, 3))', () => {
    assert.deepEqual(approx(4, 250, 1000, 0), { canary: 1, stable: 3 });
  });
});

describe('floorCeilingTied: float64 T × (W / M) has fraction exactly 0.5', () => {
  const rows: [total: number, weight: number, want: boolean][] = [
    [3, 50, true],
    [2, 25, true],
    [10, 95, true],
    [5, 10, true],
    [4, 25, false],
    [3, 33, false],
    [25, 14, false], // exactly 3.5, but 25 × 0.14 = 3.5000000000000004 in float64
    [45, 70, false], // exactly 31.5, float64 31.499999999999996
  ];
  for (const [t, w, want] of rows) {
    it(`${t} × (${w}/100) ⇒ ${want}`, () => assert.equal(floorCeilingTied(t, w, 100), want));
  }
});

interface BasicRow {
  name: string;
  r: number;
  w: number;
  surge: IntOrString;
  unavail: IntOrString;
  stable?: [spec: number, available: number];
  canary?: [spec: number, available: number];
  older?: [spec: number, available: number];
  want: [canary: number, stable: number];
}

describe('basicCanaryCounts (§6.4.3)', () => {
  const rows: BasicRow[] = [
    // §6.4.3 worked examples
    {
      name: 'spec: R=10 W=20 surge 2 unavail 0, stable 10/10 ⇒ canary 2, stable 10',
      r: 10,
      w: 20,
      surge: 2,
      unavail: 0,
      stable: [10, 10],
      canary: [0, 0],
      want: [2, 10],
    },
    {
      name: 'spec: next pass with canary 2/2 ⇒ stable 8',
      r: 10,
      w: 20,
      surge: 2,
      unavail: 0,
      stable: [10, 10],
      canary: [2, 2],
      want: [2, 8],
    },
    {
      name: 'spec: R=10 W=50 surge 2 unavail 1 ⇒ canary 2, stable 9',
      r: 10,
      w: 50,
      surge: 2,
      unavail: 1,
      stable: [10, 10],
      canary: [0, 0],
      want: [2, 9],
    },
    {
      name: 'spec: R=1 W=49 surge 0 ⇒ canary 0, stable 1',
      r: 1,
      w: 49,
      surge: 0,
      unavail: 1,
      stable: [1, 1],
      canary: [0, 0],
      want: [0, 1],
    },
    {
      name: 'spec: R=1 W=51 surge 0 ⇒ stable first drops to 0',
      r: 1,
      w: 51,
      surge: 0,
      unavail: 1,
      stable: [1, 1],
      canary: [0, 0],
      want: [0, 0],
    },
    {
      name: 'spec: R=1 W=51 surge 0, then canary 1',
      r: 1,
      w: 51,
      surge: 0,
      unavail: 1,
      stable: [0, 0],
      canary: [0, 0],
      want: [1, 0],
    },
    {
      name: 'spec: R=4 W=0 abort surge 1 unavail 0, stable 0, canary 4/4 ⇒ stable 1, canary 4',
      r: 4,
      w: 0,
      surge: 1,
      unavail: 0,
      stable: [0, 0],
      canary: [4, 4],
      want: [4, 1],
    },
    {
      name: 'spec: abort, stable 1/0 (not yet available) ⇒ unchanged',
      r: 4,
      w: 0,
      surge: 1,
      unavail: 0,
      stable: [1, 0],
      canary: [4, 4],
      want: [4, 1],
    },
    {
      name: 'spec: abort, after stable 1/1 ⇒ canary 3',
      r: 4,
      w: 0,
      surge: 1,
      unavail: 0,
      stable: [1, 1],
      canary: [4, 4],
      want: [3, 1],
    },
    // Go TestCalculateReplicaCountsForCanary (basic rows)
    {
      name: 'go: do not add extra RSs in scaleDownCount when spec < available',
      r: 10,
      w: 100,
      surge: 3,
      unavail: 0,
      stable: [7, 8],
      canary: [6, 3],
      want: [6, 7],
    },
    {
      name: 'go: max surge percentage to scale up canary',
      r: 10,
      w: 20,
      surge: '20%',
      unavail: 0,
      stable: [10, 10],
      canary: [0, 0],
      want: [2, 10],
    },
    {
      name: 'go: do not go past max surge',
      r: 10,
      w: 30,
      surge: 2,
      unavail: 0,
      stable: [10, 10],
      canary: [0, 0],
      want: [2, 10],
    },
    {
      name: 'go: max unavailable int scales down stable',
      r: 10,
      w: 20,
      surge: 0,
      unavail: 2,
      stable: [10, 10],
      canary: [0, 0],
      want: [0, 8],
    },
    {
      name: 'go: max unavailable percentage scales down stable',
      r: 10,
      w: 20,
      surge: 0,
      unavail: '20%',
      stable: [10, 10],
      canary: [0, 0],
      want: [0, 8],
    },
    {
      name: 'go: do not go past max unavailable',
      r: 10,
      w: 30,
      surge: 0,
      unavail: 2,
      stable: [10, 10],
      canary: [0, 0],
      want: [0, 8],
    },
    {
      name: 'go: canary to zero on setWeight 0',
      r: 10,
      w: 0,
      surge: 1,
      unavail: 1,
      stable: [10, 10],
      canary: [1, 1],
      want: [0, 10],
    },
    {
      name: 'go: stable to zero on setWeight 100',
      r: 10,
      w: 100,
      surge: 1,
      unavail: 1,
      stable: [1, 1],
      canary: [10, 10],
      want: [10, 0],
    },
    {
      name: 'go: R=1 W=20 does not leave canary at 0',
      r: 1,
      w: 20,
      surge: 1,
      unavail: 0,
      stable: [1, 1],
      canary: [0, 0],
      want: [1, 1],
    },
    {
      name: 'go: R=1 W=90 does not leave canary at 0',
      r: 1,
      w: 90,
      surge: 1,
      unavail: 0,
      stable: [1, 1],
      canary: [0, 0],
      want: [1, 1],
    },
    {
      name: 'go: scale up stable before canary (older RS 3/3)',
      r: 10,
      w: 30,
      surge: 1,
      unavail: 0,
      stable: [1, 1],
      canary: [0, 0],
      older: [3, 3],
      want: [1, 7],
    },
    {
      name: 'go: scale down canary and stable',
      r: 10,
      w: 30,
      surge: 0,
      unavail: 3,
      stable: [8, 5],
      canary: [4, 4],
      want: [3, 7],
    },
    {
      name: 'go: scale down stable and canary available',
      r: 10,
      w: 100,
      surge: 1,
      unavail: 0,
      stable: [10, 2],
      canary: [10, 8],
      want: [9, 2],
    },
    {
      name: 'go: no scale-down of canary/stable while older RSs have replicas',
      r: 10,
      w: 30,
      surge: 0,
      unavail: 1,
      stable: [8, 6],
      canary: [4, 2],
      older: [3, 3],
      want: [4, 8],
    },
    {
      name: 'go: uneven weight does not round past maxSurge',
      r: 10,
      w: 5,
      surge: 0,
      unavail: 1,
      stable: [10, 10],
      canary: [0, 0],
      want: [0, 9],
    },
    {
      name: 'go: uneven weight (part 2)',
      r: 10,
      w: 5,
      surge: 0,
      unavail: 1,
      stable: [9, 9],
      canary: [0, 0],
      want: [1, 9],
    },
    {
      name: 'go: 0%/0% ⇒ unavailable 1',
      r: 10,
      w: 10,
      surge: '0%',
      unavail: '0%',
      stable: [10, 10],
      canary: [0, 0],
      want: [0, 9],
    },
    {
      name: 'go: honor maxSurge when stable unavailable',
      r: 4,
      w: 100,
      surge: 1,
      unavail: 0,
      stable: [4, 1],
      canary: [0, 0],
      want: [1, 4],
    },
    {
      name: 'go: scale down to maxUnavailable without exceeding maxSurge',
      r: 3,
      w: 99,
      surge: 0,
      unavail: 2,
      stable: [3, 3],
      canary: [0, 0],
      want: [0, 1],
    },
    {
      name: 'go: scale down to maxUnavailable (part 2)',
      r: 3,
      w: 99,
      surge: 0,
      unavail: 2,
      stable: [1, 1],
      canary: [0, 0],
      want: [2, 1],
    },
    {
      name: 'go: honor maxUnavailable when stable unavailable',
      r: 4,
      w: 100,
      surge: 1,
      unavail: 0,
      stable: [4, 1],
      canary: [1, 1],
      want: [1, 3],
    },
    {
      name: 'go: promoteFull (weight 100) honors surge 4/unavail 4',
      r: 4,
      w: 100,
      surge: 4,
      unavail: 4,
      stable: [4, 4],
      canary: [0, 0],
      want: [4, 0],
    },
    {
      name: 'go: promoteFull still honors surge 3/unavail 0',
      r: 4,
      w: 100,
      surge: 3,
      unavail: 0,
      stable: [4, 4],
      canary: [0, 0],
      want: [3, 4],
    },
    // limit / count details
    {
      name: 'limit: stepping back with a crashlooping canary drains the canary, keeps available stable pods',
      r: 3,
      w: 50,
      surge: 0,
      unavail: 1,
      stable: [2, 2],
      canary: [3, 0],
      want: [1, 2],
    },
    {
      name: 'count: available pods above spec (already being removed) are not counted',
      r: 2,
      w: 100,
      surge: 1,
      unavail: 1,
      stable: [1, 1],
      canary: [0, 1],
      want: [2, 1],
    },
    {
      name: 'limit: R cut to 2 at W=75 (surge 1, unavail 0), canary 3/3 stable 2/2 ⇒ (2, 1)',
      r: 2,
      w: 75,
      surge: 1,
      unavail: 0,
      stable: [2, 2],
      canary: [3, 3],
      want: [2, 1],
    },
    // no separate stable
    {
      name: 'no stable RS ⇒ canary to R',
      r: 10,
      w: 10,
      surge: 0,
      unavail: 1,
      canary: [9, 9],
      want: [10, 0],
    },
    {
      name: 'no canary RS yet: stable untouched',
      r: 4,
      w: 50,
      surge: 1,
      unavail: 1,
      stable: [4, 4],
      want: [0, 3],
    },
    {
      name: 'other RSs consume the surge room',
      r: 4,
      w: 50,
      surge: 1,
      unavail: 0,
      stable: [2, 2],
      canary: [1, 1],
      older: [2, 2],
      want: [1, 2],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const { maxSurge, maxUnavailable } = resolveFenceposts(row.r, row.surge, row.unavail);
      const stable = row.stable && rs('stable', ...row.stable);
      const canary = row.canary && rs('canary', ...row.canary);
      const others = row.older ? [rs('older', ...row.older)] : [];
      const got = basicCanaryCounts(
        row.r,
        row.w,
        100,
        maxSurge,
        maxUnavailable,
        canary,
        stable,
        others,
      );
      assert.deepEqual(got, { canary: row.want[0], stable: row.want[1] });
    });
  }

  it('go: new deployment (stable RS is the new RS) ⇒ canary R, stable 0', () => {
    const same = rs('stable', 10, 0);
    assert.deepEqual(basicCanaryCounts(10, 10, 100, 0, 1, same, same, []), {
      canary: 10,
      stable: 0,
    });
  });
  it('go: stable RS edge cases (absent, or same as new) ⇒ canary R', () => {
    const n = rs('stable', 9, 9);
    assert.deepEqual(basicCanaryCounts(10, 10, 100, 0, 1, n, undefined, []), {
      canary: 10,
      stable: 0,
    });
    assert.deepEqual(basicCanaryCounts(10, 10, 100, 0, 1, n, n, []), { canary: 10, stable: 0 });
  });
});

// ---------------------------------------------------------------------------------------------
// Multi-pass simulation of §6.8 steps 2–3 with the basic math: each pass scales the stable RS if
// its count changed (and ends the pass), else the canary RS. A scale-down removes available pods
// at once; between passes pods become available (all at once, or one per RS per tick).

interface SimState {
  canary: RSCounts;
  stable: RSCounts;
}
interface SimResult {
  passes: number;
  canary: number;
  stable: number;
  maxSpec: number;
  minAvailable: number;
}

function simulate(
  r: number,
  w: number,
  surge: number,
  unavail: number,
  mode: 'instant' | 'slow',
  state: SimState,
): SimResult {
  let maxSpec = 0;
  let minAvailable = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 500; pass++) {
    const want = basicCanaryCounts(r, w, 100, surge, unavail, state.canary, state.stable, []);
    let changed = false;
    const scale = (target: RSCounts, n: number): void => {
      target.specReplicas = n;
      target.availableReplicas = Math.min(target.availableReplicas, n);
      changed = true;
    };
    if (want.stable !== state.stable.specReplicas) scale(state.stable, want.stable);
    else if (want.canary !== state.canary.specReplicas) scale(state.canary, want.canary);
    maxSpec = Math.max(maxSpec, state.canary.specReplicas + state.stable.specReplicas);
    minAvailable = Math.min(
      minAvailable,
      state.canary.availableReplicas + state.stable.availableReplicas,
    );
    let grew = false;
    for (const x of [state.stable, state.canary]) {
      if (x.availableReplicas < x.specReplicas) {
        x.availableReplicas = mode === 'instant' ? x.specReplicas : x.availableReplicas + 1;
        grew = true;
      }
    }
    if (!changed && !grew) {
      return {
        passes: pass,
        canary: state.canary.specReplicas,
        stable: state.stable.specReplicas,
        maxSpec,
        minAvailable,
      };
    }
  }
  throw new Error(`no convergence: R=${r} W=${w}`);
}

const freshState = (r: number): SimState => ({
  canary: rs('canary', 0, 0),
  stable: rs('stable', r, r),
});

describe('basic canary multi-pass simulation: invariants and convergence to approx(R, W)', () => {
  const fenceposts: [IntOrString | undefined, IntOrString | undefined][] = [
    [undefined, undefined], // "25" / "25"
    [1, 0],
    [0, 1],
    [2, 0],
    ['50%', 0],
    [3, 2],
  ];
  for (const [ms, mu] of fenceposts) {
    for (const r of [1, 2, 3, 4, 5, 10]) {
      for (const w of [0, 10, 20, 25, 33, 50, 75, 90, 100]) {
        const { maxSurge: surge, maxUnavailable: unavail } = resolveFenceposts(r, ms, mu);
        it(`maxSurge=${String(ms ?? '25')} maxUnavailable=${String(mu ?? '25')} R=${r} W=${w}`, () => {
          const target = approx(r, w, 100, surge);
          for (const mode of ['instant', 'slow'] as const) {
            const got = simulate(r, w, surge, unavail, mode, freshState(r));
            assert.ok(got.maxSpec <= r + surge, `${mode}: ${got.maxSpec} pods in spec > R+surge`);
            assert.ok(
              got.minAvailable >= r - unavail,
              `${mode}: ${got.minAvailable} available < R−unavail`,
            );
            assert.deepEqual({ canary: got.canary, stable: got.stable }, target, mode);
          }
        });
      }
    }
  }
});

describe('basic canary multi-pass simulation: lowering the weight (abort / step back)', () => {
  for (const [ms, mu] of [
    [undefined, undefined],
    [1, 0],
    [0, 1],
  ] as [IntOrString | undefined, IntOrString | undefined][]) {
    for (const r of [1, 2, 3, 4, 5, 10]) {
      for (const [from, to] of [
        [50, 0],
        [100, 0],
        [75, 25],
        [90, 10],
      ] as const) {
        const { maxSurge: surge, maxUnavailable: unavail } = resolveFenceposts(r, ms, mu);
        it(`maxSurge=${String(ms ?? '25')} maxUnavailable=${String(mu ?? '25')} R=${r} W ${from}→${to}`, () => {
          const start = simulate(r, from, surge, unavail, 'instant', freshState(r));
          for (const mode of ['instant', 'slow'] as const) {
            const got = simulate(r, to, surge, unavail, mode, {
              canary: rs('canary', start.canary, start.canary),
              stable: rs('stable', start.stable, start.stable),
            });
            assert.ok(got.maxSpec <= r + surge, `${mode}: ${got.maxSpec} pods in spec > R+surge`);
            assert.ok(
              got.minAvailable >= r - unavail,
              `${mode}: ${got.minAvailable} available < R−unavail`,
            );
            assert.deepEqual(
              { canary: got.canary, stable: got.stable },
              approx(r, to, 100, surge),
              mode,
            );
          }
        });
      }
    }
  }
});

describe('worked multi-pass sequences', () => {
  it('R=10 W=20 surge 2 unavail 0: canary 2 first, then stable 8', () => {
    const s: SimState = freshState(10);
    const seq: [number, number][] = [];
    for (let i = 0; i < 4; i++) {
      const c = basicCanaryCounts(10, 20, 100, 2, 0, s.canary, s.stable, []);
      seq.push([c.canary, c.stable]);
      s.canary = rs('canary', c.canary, c.canary);
      s.stable = rs('stable', c.stable, Math.min(s.stable.availableReplicas, c.stable));
    }
    assert.deepEqual(seq, [
      [2, 10],
      [2, 8],
      [2, 8],
      [2, 8],
    ]);
  });
  it('R=1 W=51 surge 0 (unavail 1): stable drops to 0, then canary 1', () => {
    const got = simulate(1, 51, 0, 1, 'instant', freshState(1));
    assert.deepEqual([got.canary, got.stable], [1, 0]);
    assert.equal(got.minAvailable, 0);
    assert.equal(got.maxSpec, 1);
  });
  it('R=4 abort (W=0) surge 1 unavail 0 from canary 4/4: stable 1 → canary 3 → … → (0, 4)', () => {
    const s: SimState = { canary: rs('canary', 4, 4), stable: rs('stable', 0, 0) };
    const seen: [number, number][] = [];
    for (let i = 0; i < 20; i++) {
      const c = basicCanaryCounts(4, 0, 100, 1, 0, s.canary, s.stable, []);
      if (c.stable !== s.stable.specReplicas)
        s.stable = rs('stable', c.stable, s.stable.availableReplicas);
      else if (c.canary !== s.canary.specReplicas)
        s.canary = rs('canary', c.canary, Math.min(c.canary, s.canary.availableReplicas));
      else if (s.stable.availableReplicas === s.stable.specReplicas) break;
      seen.push([s.canary.specReplicas, s.stable.specReplicas]);
      s.stable.availableReplicas = s.stable.specReplicas; // pods become available
    }
    assert.deepEqual(seen, [
      [4, 1],
      [3, 1],
      [3, 2],
      [2, 2],
      [2, 3],
      [1, 3],
      [1, 4],
      [0, 4],
    ]);
  });
});

describe('scaling event (§6.10): basic canary held at a 25% step', () => {
  // Upstream e2e TestRolloutScalingWhenPaused uses rollout-basic.yaml, which has no
  // spec.replicas (⇒ 1): R 1→8→4 gives (1,1)→(2,6)→(1,3) with the default 25%/25% fenceposts.
  const converge = (r: number, s: SimState): [number, number] => {
    const { maxSurge, maxUnavailable } = resolveFenceposts(r, undefined, undefined);
    const before = s.canary.specReplicas + s.stable.specReplicas;
    const got = simulate(r, 25, maxSurge, maxUnavailable, 'instant', s);
    assert.ok(got.maxSpec <= Math.max(r + maxSurge, before), `R=${r}: ${got.maxSpec} pods in spec`);
    return [got.canary, got.stable];
  };
  it('R 1→8→4: (1,1) → (2,6) → (1,3)', () => {
    const s = freshState(1);
    assert.deepEqual(converge(1, s), [1, 1]);
    assert.deepEqual(converge(8, s), [2, 6]);
    assert.deepEqual(converge(4, s), [1, 3]);
  });
  it('R 8→4 first pass scales the canary down to 1 and keeps stable 4 within surge', () => {
    const { maxSurge, maxUnavailable } = resolveFenceposts(4, undefined, undefined);
    assert.deepEqual(
      basicCanaryCounts(
        4,
        25,
        100,
        maxSurge,
        maxUnavailable,
        rs('canary', 2, 2),
        rs('stable', 6, 6),
        [],
      ),
      { canary: 1, stable: 4 },
    );
  });
  it('R=2 (the spec table’s starting size) settles at (1,2), not (1,1): surge 1 allows 1 of 3', () => {
    assert.deepEqual(converge(2, freshState(2)), [1, 2]);
  });
});

describe('trafficRoutedCounts (§6.5.1)', () => {
  const base = { maxTrafficWeight: 100 };
  const rows: {
    name: string;
    input: TrafficRoutedInput;
    want: [canary: number, stable: number];
  }[] = [
    {
      name: 'go: R=10 W=10 ⇒ canary 1, stable always R',
      input: { ...base, replicas: 10, weight: 10 },
      want: [1, 10],
    },
    { name: 'ceil: R=10 W=25 ⇒ 3', input: { ...base, replicas: 10, weight: 25 }, want: [3, 10] },
    { name: 'W=0 ⇒ canary 0', input: { ...base, replicas: 10, weight: 0 }, want: [0, 10] },
    {
      name: 'go: setCanaryScale replicas 9 with R=1',
      input: { ...base, replicas: 1, weight: 0, explicitReplicas: 9 },
      want: [9, 1],
    },
    {
      name: 'go/spec: setCanaryScale weight 200 with R=4 ⇒ 8',
      input: { ...base, replicas: 4, weight: 200 },
      want: [8, 4],
    },
    {
      name: 'go: minPodsPerReplicaSet 2 raises 1 to 2',
      input: { ...base, replicas: 10, weight: 5, minPodsPerReplicaSet: 2 },
      want: [2, 10],
    },
    {
      name: 'minPods capped at R',
      input: { ...base, replicas: 3, weight: 10, minPodsPerReplicaSet: 5 },
      want: [3, 3],
    },
    {
      name: 'minPods leaves 0 at 0',
      input: { ...base, replicas: 10, weight: 0, minPodsPerReplicaSet: 3 },
      want: [0, 10],
    },
    {
      name: 'explicit replicas not raised by minPods without dynamic scaling',
      input: { ...base, replicas: 10, weight: 0, explicitReplicas: 1, minPodsPerReplicaSet: 3 },
      want: [1, 10],
    },
    {
      name: 'explicit replicas raised by minPods with dynamic scaling',
      input: {
        ...base,
        replicas: 10,
        weight: 0,
        explicitReplicas: 1,
        minPodsPerReplicaSet: 3,
        dynamicStableScale: true,
      },
      want: [3, 10],
    },
    {
      name: 'dynamic, no recorded weights: stable = ceil(R·(M−W)/M)',
      input: { ...base, replicas: 10, weight: 25, dynamicStableScale: true },
      want: [3, 8],
    },
    {
      name: 'go: dynamic with weights 10/90 at W=10 ⇒ (1, 9)',
      input: {
        ...base,
        replicas: 10,
        weight: 10,
        dynamicStableScale: true,
        recordedWeights: { canary: 10, stable: 90 },
      },
      want: [1, 9],
    },
    {
      name: 'go: dynamic, desired canary 20 > actual 10 ⇒ (2, 9)',
      input: {
        ...base,
        replicas: 10,
        weight: 20,
        dynamicStableScale: true,
        recordedWeights: { canary: 10, stable: 90 },
      },
      want: [2, 9],
    },
    {
      name: 'go: dynamic abort keeps canary while traffic is 20 ⇒ (2, 10)',
      input: {
        ...base,
        replicas: 10,
        weight: 0,
        dynamicStableScale: true,
        aborted: true,
        recordedWeights: { canary: 20, stable: 80 },
      },
      want: [2, 10],
    },
    {
      name: 'go: dynamic abort reduces canary with traffic 10 ⇒ (1, 10)',
      input: {
        ...base,
        replicas: 10,
        weight: 0,
        dynamicStableScale: true,
        aborted: true,
        recordedWeights: { canary: 10, stable: 90 },
      },
      want: [1, 10],
    },
    {
      name: 'recorded canary weight ignored when not aborted',
      input: {
        ...base,
        replicas: 10,
        weight: 0,
        dynamicStableScale: true,
        recordedWeights: { canary: 50, stable: 50 },
      },
      want: [0, 10],
    },
    {
      name: 'dynamic with minPods on both',
      input: {
        ...base,
        replicas: 10,
        weight: 95,
        dynamicStableScale: true,
        minPodsPerReplicaSet: 2,
      },
      want: [10, 2],
    },
    {
      name: 'dynamic stable never negative (setCanaryScale weight > M)',
      input: { ...base, replicas: 4, weight: 200, dynamicStableScale: true },
      want: [8, 0],
    },
    {
      name: 'M=1000: R=10 W=250 ⇒ canary 3, dynamic stable 8',
      input: { replicas: 10, weight: 250, maxTrafficWeight: 1000, dynamicStableScale: true },
      want: [3, 8],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(trafficRoutedCounts(row.input), {
        canary: row.want[0],
        stable: row.want[1],
      });
    });
  }
  it('weightToReplicas matches Go trafficWeightToReplicas', () => {
    assert.deepEqual(
      [0, 20, 25, 33, 99, 100].map((w) => weightToReplicas(10, w, 100)),
      [0, 2, 3, 4, 10, 10],
    );
  });
});
