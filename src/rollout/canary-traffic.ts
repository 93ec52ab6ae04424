// The traffic-routed half of a canary pass (rollout-semantics §6.5, §6.8; traffic-routing §3.6,
// §6.1): replica counts, the router weight chosen this pass, the stable-capacity gate, the
// router calls and the `status.canary.weights` they leave. CanaryPass uses this only when
// `spec.strategy.canary.trafficRouting` is set; the basic canary never reaches it.
import type { KubeObject } from '../api/kube-object.ts';
import type { CanaryStrategy, RolloutStatus } from '../api/rollout.ts';
import type { Rollout } from '../api/rollout.ts';
import type { RecordedEvent } from '../kube/event-recorder.ts';
import { newTrafficRouters } from '../traffic/routers.ts';
import type { IngressOps } from '../traffic/router.ts';
import {
  type ChangeMemo,
  UNSUPPORTED_ROUTER_REASON,
  unsupportedRouterNotices,
  unsupportedRoutersNotice,
} from '../traffic/unsupported.ts';
import {
  computeTrafficWeights,
  nextTrafficWeights,
  trafficWeightUpdatedMessage,
  type TrafficWeights,
} from '../traffic/weights.ts';
import {
  canaryReached,
  canaryReplicasOrWeight,
  currentStep,
  dynamicAbortWeight,
  maxTrafficWeight,
  setWeightAtOrBefore,
} from './canary-weight.ts';
import { trafficRoutedCounts, type CanaryStableCounts } from './replica-math.ts';
import type { RsView } from './replicasets.ts';

/** Requeue after an unverified weight (rollout-semantics §6.1). */
export const UNVERIFIED_WEIGHT_REQUEUE_MS = 10_000;
/** Requeue after a router error. */
export const TRAFFIC_ERROR_REQUEUE_MS = 10_000;

type Status = RolloutStatus;

export interface TrafficState {
  canary: CanaryStrategy;
  /** The status the pass works from (abort as decided so far in this pass). */
  status: Status;
  replicas: number;
  newRS: RsView | undefined;
  stableRS: RsView | undefined;
}

function recorded(status: Status): { canary: number; stable: number } | undefined {
  const w = status.canary?.weights;
  return w ? { canary: w.canary.weight, stable: w.stable.weight } : undefined;
}

/** §6.5.1 counts for this pass (weights as given: previous status for stable sizing). */
export function routedCounts(s: TrafficState, weights = recorded(s.status)): CanaryStableCounts {
  const rw = canaryReplicasOrWeight({
    canary: s.canary,
    status: s.status,
    replicas: s.replicas,
    stableRS: s.stableRS,
    canaryRS: s.newRS,
  });
  return trafficRoutedCounts({
    replicas: s.replicas,
    weight: rw.weight,
    explicitReplicas: rw.replicas,
    maxTrafficWeight: maxTrafficWeight(s.canary),
    minPodsPerReplicaSet: s.canary.minPodsPerReplicaSet,
    dynamicStableScale: s.canary.dynamicStableScale,
    recordedWeights: weights,
    aborted: s.status.abort === true,
  });
}

/** AtDesiredReplicaCountsForCanary with traffic routing (§6.2 setWeight completion). */
export function routedAtDesiredCounts(s: TrafficState, weights = recorded(s.status)): boolean {
  const counts = routedCounts(s, weights);
  if (!canaryReached(s.newRS, counts.canary, s.canary.replicaProgressThreshold)) return false;
  if (!s.canary.dynamicStableScale && s.stableRS && s.stableRS !== s.newRS) {
    if (s.stableRS.specReplicas !== counts.stable || s.stableRS.replicas !== counts.stable)
      return false;
  }
  return true;
}

/**
 * §6.8 step 3 abort delay: aborted, a separate stable RS, abortScaleDownDelaySeconds ≠ 0
 * (default 30), and not dynamicStableScale unless the delay was set explicitly.
 */
export function abortDelayActive(s: TrafficState): boolean {
  if (!s.status.abort || !s.stableRS || s.stableRS === s.newRS) return false;
  const d = s.canary.abortScaleDownDelaySeconds;
  if (d === 0) return false;
  if (s.canary.dynamicStableScale && d === undefined) return false;
  return true;
}

export function abortDelaySeconds(canary: CanaryStrategy): number {
  return canary.abortScaleDownDelaySeconds ?? 30;
}

/** The abort/rollback formula of §6.5.3. */
function abortWeight(s: TrafficState): number {
  const { canary, stableRS, newRS, replicas: r } = s;
  if (!canary.dynamicStableScale || !stableRS || !newRS || r === 0) return 0;
  const m = maxTrafficWeight(canary);
  const d = dynamicAbortWeight(
    canary.steps ?? [],
    r,
    m,
    stableRS.availableReplicas,
    newRS.availableReplicas,
    canary.abortScaleDownDelaySeconds,
  );
  const stableShare = Math.floor((m * stableRS.availableReplicas) / r);
  const e = Math.max(0, m - stableShare);
  const rec = s.status.canary?.weights;
  if (!rec) return Math.max(e, d);
  const cur = rec.canary.weight;
  if (d <= 0) return Math.min(e, cur);
  if (stableShare < m - d) return cur;
  return Math.min(d, cur);
}

export interface RouterWeight {
  weight: number;
  /** Hash recorded as the canary's (the previous one during a dynamic rollback). */
  canaryHash: string;
  removeManagedRoutes: boolean;
}

/** §6.5.3: the weight every router gets in this pass (first matching rule). */
export function routerWeight(s: TrafficState): RouterWeight {
  const { canary, status, newRS, replicas: r } = s;
  const m = maxTrafficWeight(canary);
  const newHash = newRS?.hash ?? '';
  const fullyPromoted = (status.stableRS ?? '') !== '' && status.stableRS === newHash;
  const prevCanaryHash = status.canary?.weights?.canary.podTemplateHash;
  if (
    fullyPromoted &&
    canary.dynamicStableScale &&
    prevCanaryHash !== undefined &&
    prevCanaryHash !== newHash &&
    (newRS?.availableReplicas ?? 0) < r
  ) {
    return { weight: abortWeight(s), canaryHash: prevCanaryHash, removeManagedRoutes: false };
  }
  if (fullyPromoted) return { weight: 0, canaryHash: newHash, removeManagedRoutes: true };
  if (status.abort)
    return { weight: abortWeight(s), canaryHash: newHash, removeManagedRoutes: true };
  if (!newRS || newRS.availableReplicas === 0)
    return { weight: 0, canaryHash: newHash, removeManagedRoutes: true };
  if (status.promoteFull) {
    const weight = canary.dynamicStableScale
      ? Math.floor((m * newRS.availableReplicas) / Math.max(r, 1))
      : (status.canary?.weights?.canary.weight ?? 0);
    return { weight, canaryHash: newHash, removeManagedRoutes: true };
  }
  const steps = canary.steps ?? [];
  const cur = currentStep(steps, status);
  if (cur) {
    let weight: number;
    if (!routedAtDesiredCounts(s))
      weight = cur.index > 0 ? setWeightAtOrBefore(steps, cur.index - 1) : 0;
    else if (cur.index < steps.length) weight = setWeightAtOrBefore(steps, cur.index);
    else weight = m;
    return { weight, canaryHash: newHash, removeManagedRoutes: false };
  }
  return { weight: 0, canaryHash: newHash, removeManagedRoutes: false };
}

/** Stable-capacity gate: true when the routers may be touched this pass. */
export function stableGateOpen(s: TrafficState, weight: number): boolean {
  const { stableRS, canary, replicas: r } = s;
  if (!stableRS) return false;
  const m = maxTrafficWeight(canary);
  const need = Math.floor(((m - weight) * r) / m);
  if (stableRS.availableReplicas >= need) return true;
  const t = canary.replicaProgressThreshold;
  return t !== undefined && canaryReached(stableRS, need, t);
}

export interface TrafficPassInput extends TrafficState {
  rollout: Rollout;
  ops: IngressOps;
  emit: (e: RecordedEvent) => void;
  warn: (msg: string) => void;
  /** Repeated notices (an unsupported router already reported); defaults to dropping them. */
  debug?: (msg: string) => void;
  /** What was reported already, per Rollout uid (tests give their own). */
  notices?: ChangeMemo;
}

/**
 * Unsupported routers: a Warning event and a warn line when the set changes for this Rollout,
 * a debug line on the passes after (unsupported.ts says why).
 */
function reportUnsupported(input: TrafficPassInput, unsupported: readonly string[]): void {
  const notice = unsupportedRoutersNotice(unsupported);
  const meta = input.rollout.metadata;
  const key = meta.uid || `${meta.namespace ?? ''}/${meta.name ?? ''}`;
  const memo = input.notices ?? unsupportedRouterNotices;
  if (memo.changed(key, notice) && notice !== undefined) {
    input.emit({ type: 'Warning', reason: UNSUPPORTED_ROUTER_REASON, message: notice });
    input.warn(notice);
  } else if (notice !== undefined) {
    input.debug?.(notice);
  }
}

export interface TrafficPassResult {
  /** The weights to store (undefined: leave status.canary.weights as it was). */
  weights?: TrafficWeights | undefined;
  /** VerifyWeight's answer (undefined when not verified). */
  verified?: boolean | undefined;
  /** A setHeaderRoute/setMirrorRoute step was applied this pass. */
  routeStepApplied: boolean;
  /** The routers failed: the pass should end and requeue. */
  error?: Error;
  /** The routers were not touched (gate closed). */
  skipped: boolean;
  /** The weight sent to the routers. */
  weight?: number;
}

/** One pass of router calls (traffic-routing §3.6). Errors are caught and reported. */
export async function reconcileTrafficRouting(input: TrafficPassInput): Promise<TrafficPassResult> {
  const { routers, unsupported } = newTrafficRouters(input.rollout, {
    ops: input.ops,
    emit: input.emit,
  });
  reportUnsupported(input, unsupported);
  const decision = routerWeight(input);
  if (!stableGateOpen(input, decision.weight)) return { routeStepApplied: false, skipped: true };
  const stableHash = input.stableRS?.hash ?? '';
  const steps = input.canary.steps ?? [];
  const cur = currentStep(steps, input.status);
  let routeStepApplied = false;
  try {
    if (decision.removeManagedRoutes) {
      for (const r of routers) await r.removeManagedRoutes();
    } else if (cur?.step && (input.newRS?.revision ?? 0) > 1 && !input.status.abort) {
      if (cur.step.setHeaderRoute) {
        for (const r of routers) await r.setHeaderRoute(cur.step.setHeaderRoute);
        routeStepApplied = true;
      } else if (cur.step.setMirrorRoute) {
        for (const r of routers) await r.setMirrorRoute(cur.step.setMirrorRoute);
        routeStepApplied = true;
      }
    }
    for (const r of routers) await r.updateHash(decision.canaryHash, stableHash);
    for (const r of routers) await r.setWeight(decision.weight);
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    input.emit({ type: 'Warning', reason: 'TrafficRoutingError', message: error.message });
    return { routeStepApplied, skipped: false, error };
  }
  let verified: boolean | undefined;
  for (const r of routers) {
    try {
      const v = await r.verifyWeight(decision.weight);
      if (v !== undefined) verified = v;
    } catch (e) {
      input.warn(`weight verification failed: ${e instanceof Error ? e.message : String(e)}`);
      verified = false;
    }
  }
  const prev = input.status.canary?.weights;
  const next = computeTrafficWeights({
    canaryService: input.canary.canaryService,
    stableService: input.canary.stableService,
    canaryHash: decision.canaryHash,
    stableHash,
    desiredWeight: decision.weight,
    maxWeight: maxTrafficWeight(input.canary),
  });
  const { weights, modified } = nextTrafficWeights(prev, next, verified);
  if (modified) {
    input.emit({
      type: 'Normal',
      reason: 'TrafficWeightUpdated',
      message: trafficWeightUpdatedMessage(prev, next),
    });
  }
  return { weights, verified, routeStepApplied, skipped: false, weight: decision.weight };
}

/** Hashes old-RS scale-down must leave alone (§6.8 step 4, traffic-routed). */
export function referencedHashes(
  status: Status,
  newRS: RsView | undefined,
  services: (KubeObject | undefined)[],
  selectorHash: (svc: KubeObject | undefined) => string,
): string[] {
  const out = new Set<string>();
  if (status.stableRS) out.add(status.stableRS);
  if (status.currentPodHash) out.add(status.currentPodHash);
  if (newRS) out.add(newRS.hash);
  const w = status.canary?.weights;
  if (w?.canary.podTemplateHash) out.add(w.canary.podTemplateHash);
  if (w?.stable.podTemplateHash) out.add(w.stable.podTemplateHash);
  for (const a of w?.additional ?? []) if (a.podTemplateHash) out.add(a.podTemplateHash);
  for (const svc of services) {
    const h = selectorHash(svc);
    if (h) out.add(h);
  }
  return [...out];
}
