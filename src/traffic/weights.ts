// `status.canary.weights` (traffic-routing §6.1): what the canary reconcile records after a
// successful SetWeight, when it counts as changed, and the TrafficWeightUpdated event text.
import type { RolloutStatus } from '../api/rollout.ts';
import type { WeightDestination } from './router.ts';

export type TrafficWeights = NonNullable<NonNullable<RolloutStatus['canary']>['weights']>;
type Destination = TrafficWeights['canary'];

export interface TrafficWeightsInput {
  /** spec.strategy.canary.canaryService / stableService (also in ping-pong mode). */
  canaryService?: string | undefined;
  stableService?: string | undefined;
  /** Pod-template hash of the new RS and of the stable RS (equal once promoted). */
  canaryHash: string;
  stableHash: string;
  /** The weight just sent to the routers. */
  desiredWeight: number;
  additional?: readonly WeightDestination[];
  /** trafficRouting.maxTrafficWeight, default 100. */
  maxWeight?: number;
}

function destination(weight: number, serviceName?: string, hash?: string): Destination {
  return {
    weight,
    ...(serviceName ? { serviceName } : {}),
    ...(hash ? { podTemplateHash: hash } : {}),
  };
}

/**
 * calculateWeightStatus: canary = desired; each additional destination as given; stable =
 * maxWeight − canary − Σ additional. `serviceName`/`podTemplateHash` are left out when empty,
 * `additional` when there is none. `verified` is not set here (see withVerified).
 */
export function computeTrafficWeights(input: TrafficWeightsInput): TrafficWeights {
  const additional = (input.additional ?? []).map((d) =>
    destination(d.weight, d.serviceName, d.podTemplateHash),
  );
  const stableWeight =
    (input.maxWeight ?? 100) - input.desiredWeight - additional.reduce((s, d) => s + d.weight, 0);
  return {
    canary: destination(input.desiredWeight, input.canaryService, input.canaryHash),
    stable: destination(stableWeight, input.stableService, input.stableHash),
    ...(additional.length > 0 ? { additional } : {}),
  };
}

function sameDestination(a: Destination, b: Destination): boolean {
  return (
    a.weight === b.weight &&
    (a.serviceName ?? '') === (b.serviceName ?? '') &&
    (a.podTemplateHash ?? '') === (b.podTemplateHash ?? '')
  );
}

/** Whether `next` replaces `prev`: canary, stable or additional differ (verified is ignored). */
export function trafficWeightsModified(
  prev: TrafficWeights | undefined,
  next: TrafficWeights,
): boolean {
  if (prev === undefined) return true;
  const pa = prev.additional ?? [];
  const na = next.additional ?? [];
  return (
    !sameDestination(prev.canary, next.canary) ||
    !sameDestination(prev.stable, next.stable) ||
    pa.length !== na.length ||
    pa.some((d, i) => !sameDestination(d, na[i]!))
  );
}

/** Go's `%v` of []WeightDestination: `[{5 svc hash} {3  }]`. */
function goAdditional(a: readonly Destination[] | undefined): string {
  return `[${(a ?? []).map((d) => `{${d.weight} ${d.serviceName ?? ''} ${d.podTemplateHash ?? ''}}`).join(' ')}]`;
}

/**
 * The TrafficWeightUpdated event message, byte for byte as upstream formats it:
 * `Traffic weight updated to 5` (first time), `… from 5 to 20`, plus `additional: [...]` when
 * the additional list changed. A change of hashes only gives `Traffic weight updated ` (sic).
 */
export function trafficWeightUpdatedMessage(
  prev: TrafficWeights | undefined,
  next: TrafficWeights,
): string {
  const details: string[] = [];
  if (prev === undefined) details.push(`to ${next.canary.weight}`);
  else if (prev.canary.weight !== next.canary.weight) {
    details.push(`from ${prev.canary.weight} to ${next.canary.weight}`);
  }
  if (prev !== undefined) {
    const pa = prev.additional ?? [];
    const na = next.additional ?? [];
    const changed = pa.length !== na.length || pa.some((d, i) => !sameDestination(d, na[i]!));
    if (changed) details.push(`additional: ${goAdditional(next.additional)}`);
  }
  return `Traffic weight updated ${details.join(', ')}`;
}

/**
 * The weights to store this pass: `next` if modified, else the previous value; in both cases
 * `verified` overwritten by what VerifyWeight answered (left out when undefined).
 */
export function nextTrafficWeights(
  prev: TrafficWeights | undefined,
  next: TrafficWeights,
  verified: boolean | undefined,
): { weights: TrafficWeights; modified: boolean } {
  const modified = trafficWeightsModified(prev, next);
  const base = modified || prev === undefined ? next : prev;
  const { verified: _drop, ...rest } = base;
  return {
    weights: verified === undefined ? rest : { ...rest, verified },
    modified,
  };
}
