// Canary replica counts: the basic (replica-ratio) canary and the traffic-routed canary
// (../shared/spec/rollout-semantics.md §6.4.2, §6.4.3, §6.5.1). Pure functions.

/** The slice of a ReplicaSet the replica math reads. */
export interface RSCounts {
  name: string;
  specReplicas: number;
  availableReplicas: number;
}

export interface CanaryStableCounts {
  canary: number;
  stable: number;
}

/**
 * Go `floorCeilingTied`: the float64 product `total × (weight / m)` has a fractional part of
 * exactly 0.5. Computed in that order on purpose: e.g. 25 × (14/100) is 3.5000000000000004 in
 * float64, so it does not count as tied although 25·14/100 is exactly 3.5.
 */
export function floorCeilingTied(total: number, weight: number, m: number): boolean {
  const x = total * (weight / m);
  return x - Math.trunc(x) === 0.5;
}

/**
 * §6.4.2 ideal split of R replicas at weight W out of M. Candidates (canary, total) in order:
 * (hi, R) if hi < R or zeroOK; (lo, R) if not tied at R and (lo ≠ 0 or zeroOK); with surge:
 * (hi, R+1), then (lo, R+1) under the same conditions at R+1. The candidate closest to W
 * (|canary·M/total − W|) wins, the earlier one on equal distance. The tie test is the float64
 * expression `T × (W / M)` having a fractional part of exactly 0.5. No candidate at all is
 * reachable (e.g. R=2, W=75 or R=10, W=95 without surge) and yields (0, R), as in Go.
 */
export function approx(
  replicas: number,
  weight: number,
  m: number,
  surge: number,
): CanaryStableCounts {
  if (replicas === 0) return { canary: 0, stable: 0 };
  const hi = Math.ceil((replicas * weight) / m);
  const lo = Math.floor((replicas * weight) / m);
  const tied = (total: number): boolean => floorCeilingTied(total, weight, m);
  const zeroOK = weight === m || weight === 0 || (replicas === 1 && surge === 0);

  const options: [canary: number, total: number][] = [];
  if (hi < replicas || zeroOK) options.push([hi, replicas]);
  if (!tied(replicas) && (lo !== 0 || zeroOK)) options.push([lo, replicas]);
  if (surge > 0) {
    options.push([hi, replicas + 1]);
    if (!tied(replicas + 1) && (lo !== 0 || zeroOK)) options.push([lo, replicas + 1]);
  }
  const first = options[0];
  if (!first) return { canary: 0, stable: replicas };

  const delta = ([c, t]: [number, number]): number => Math.abs((c * m) / t - weight);
  let best = first;
  let bestDelta = delta(first);
  for (const opt of options.slice(1)) {
    const d = delta(opt);
    if (d < bestDelta) {
      best = opt;
      bestDelta = d;
    }
  }
  return { canary: best[0], stable: best[1] - best[0] };
}

/** Go `GetReplicasForScaleDown`. */
function countForScaleDown(rs: RSCounts | undefined, ignoreAvailability: boolean): number {
  if (!rs) return 0;
  if (rs.specReplicas < rs.availableReplicas) return rs.specReplicas;
  if (ignoreAvailability) return rs.specReplicas;
  return rs.availableReplicas;
}

/**
 * §6.4.3 step 9 (Go `adjustReplicaWithinLimits`): brings `adjust` back within maxTotal (surge)
 * while giving back to it what minAvail still needs, and takes any remaining excess from
 * `drain`. Returns [drainCount, adjustCount].
 */
export function limit(
  drainRS: RSCounts | undefined,
  adjustRS: RSCounts | undefined,
  drainCount: number,
  adjustCount: number,
  maxTotal: number,
  minAvail: number,
): [drain: number, adjust: number] {
  let d = drainCount;
  let a = adjustCount;
  let over = Math.max(0, a + d - maxTotal);
  let avail = 0;
  if (drainRS) avail += Math.min(drainRS.availableReplicas, d);
  if (adjustRS) {
    a -= over;
    avail += Math.min(adjustRS.availableReplicas, a);
    const lost = Math.max(0, adjustRS.availableReplicas - a);
    a += Math.min(lost, Math.max(0, minAvail - avail));
    over = Math.max(0, a + d - maxTotal);
    d -= over;
  }
  return [d, a];
}

/**
 * §6.4.3 basic canary counts for this pass (Go `CalculateReplicaCountsForBasicCanary`).
 *
 * `canaryRS` is the new RS, `stableRS` the RS named by status.stableRS (may be the same object
 * as the new RS, or absent), `others` every other RS. `weight` is the §6.3.2 weight (M for
 * promoteFull / no stable / promoted). As in Go, the stable RS is counted in the scale-down
 * total and used as the `limit` adjust side even when it is the canary RS itself; its count is
 * then meaningless (callers only scale a separate stable RS).
 */
export function basicCanaryCounts(
  replicas: number,
  weight: number,
  m: number,
  surge: number,
  unavailable: number,
  canaryRS: RSCounts | undefined,
  stableRS: RSCounts | undefined,
  others: readonly RSCounts[],
): CanaryStableCounts {
  let { canary: dC, stable: dS } = approx(replicas, weight, m, surge);
  let nC = canaryRS?.specReplicas ?? 0;
  const separate = stableRS !== undefined && (!canaryRS || canaryRS.name !== stableRS.name);
  let sC = 0;
  if (separate) {
    sC = stableRS.specReplicas;
  } else {
    dC = replicas;
    dS = 0;
  }

  const maxTotal = replicas + surge;
  const othersSpec = others.reduce((n, rs) => n + rs.specReplicas, 0);
  let room =
    maxTotal - othersSpec - (canaryRS?.specReplicas ?? 0) - (separate ? stableRS.specReplicas : 0);

  if (separate && stableRS.specReplicas < dS && room > 0) {
    sC = Math.min(stableRS.specReplicas + room, dS);
    room -= sC - stableRS.specReplicas;
  }
  if (canaryRS && canaryRS.specReplicas < dC && room > 0) {
    nC = Math.min(canaryRS.specReplicas + room, dC);
  }

  // Old ReplicaSets are drained first (§6.8); canary/stable are not scaled down meanwhile.
  if (othersSpec > 0) return { canary: nC, stable: sC };

  const minAvail = replicas - unavailable;
  const increasing = !canaryRS || dC >= canaryRS.specReplicas;
  const total = countForScaleDown(canaryRS, !increasing) + countForScaleDown(stableRS, increasing);
  if (total <= minAvail) return { canary: nC, stable: sC };
  const scaleDown = total - minAvail;

  if (!increasing) {
    // canaryRS is defined here (increasing is true without it).
    if (canaryRS && canaryRS.specReplicas > dC)
      nC = Math.max(dC, canaryRS.specReplicas - scaleDown);
    [nC, sC] = limit(canaryRS, stableRS, nC, sC, maxTotal, minAvail);
  } else if (separate) {
    if (stableRS.specReplicas > dS) sC = Math.max(dS, stableRS.specReplicas - scaleDown);
    [sC, nC] = limit(stableRS, canaryRS, sC, nC, maxTotal, minAvail);
  }
  return { canary: nC, stable: sC };
}

/** ceil(R·w/M) (Go `trafficWeightToReplicas`). */
export function weightToReplicas(replicas: number, weight: number, m: number): number {
  return Math.ceil((weight * replicas) / m);
}

export interface TrafficRoutedInput {
  /** R = spec.replicas. */
  replicas: number;
  /** §6.3.2 weight (0 when an explicit setCanaryScale replica count applies). */
  weight: number;
  /** §6.3.2 explicit setCanaryScale `replicas`, if one applies. */
  explicitReplicas?: number | undefined;
  /** M = maxTrafficWeight. */
  maxTrafficWeight: number;
  minPodsPerReplicaSet?: number | undefined;
  dynamicStableScale?: boolean | undefined;
  /**
   * Router weights recorded in status.canary.weights, if any. For the stable count pass the
   * weights of the *previous* status; for the new RS / step completion the ones just written.
   */
  recordedWeights?: { canary: number; stable: number } | undefined;
  /** status.abort. */
  aborted?: boolean | undefined;
}

/**
 * §6.5.1 traffic-routed counts (applied directly, no surge/unavailable pacing).
 * Canary: explicit replicas (raised by minPods only under dynamicStableScale) else
 * minPods(ceil(R·W/M)); stable: R, or with dynamicStableScale
 * minPods(max(ceil(R·(M−W)/M), ceil(R·weights.stable/M))) and, when aborted, canary =
 * max(ceil(R·weights.canary/M), canary) through minPods.
 * minPods(n) = 0 if n = 0, else max(n, min(minPodsPerReplicaSet, R)).
 * Deviation: a dynamic stable count that would be negative (setCanaryScale weight > M) is 0.
 */
export function trafficRoutedCounts(input: TrafficRoutedInput): CanaryStableCounts {
  const { replicas: r, weight: w, maxTrafficWeight: m } = input;
  const minPods = (n: number): number => {
    if (n === 0 || input.minPodsPerReplicaSet === undefined) return n;
    return Math.max(n, Math.min(input.minPodsPerReplicaSet, r));
  };
  let canary =
    input.explicitReplicas !== undefined
      ? input.explicitReplicas
      : minPods(weightToReplicas(r, w, m));
  if (!input.dynamicStableScale) return { canary, stable: r };

  let stable = Math.max(0, weightToReplicas(r, m - w, m));
  const weights = input.recordedWeights;
  if (weights) {
    stable = Math.max(stable, weightToReplicas(r, weights.stable, m));
    if (input.aborted) canary = Math.max(weightToReplicas(r, weights.canary, m), canary);
  }
  return { canary: minPods(canary), stable: minPods(stable) };
}
