// Inputs to the canary replica math: current step, desired weight / explicit canary count,
// "canary reached" test, step labels and pause durations
// (../shared/spec/rollout-semantics.md §2.3, §4.4, §6.3). Pure functions.
import type { IntOrString } from '../api/common.ts';
import type { CanaryStep, CanaryStrategy, RolloutStatus } from '../api/rollout.ts';
import { parseDuration } from '../analysis/duration.ts';

/** The position in `steps` the status points at. */
export interface CurrentStep {
  /** `status.currentStepIndex` (absent ⇒ 0). May be ≥ steps.length (all steps done). */
  index: number;
  /** The step at `index`; undefined when index ≥ steps.length ("no current step"). */
  step: CanaryStep | undefined;
}

/**
 * §6.3.1. Returns undefined when there are no steps at all (then there is no index either).
 * A negative index (not producible by the controller) is treated as 0.
 */
export function currentStep(
  steps: readonly CanaryStep[] | undefined,
  status: Pick<RolloutStatus, 'currentStepIndex'> | undefined,
): CurrentStep | undefined {
  if (!steps || steps.length === 0) return undefined;
  const index = Math.max(0, status?.currentStepIndex ?? 0);
  return { index, step: index < steps.length ? steps[index] : undefined };
}

/** M: `trafficRouting.maxTrafficWeight`, default 100 (also 100 without trafficRouting). */
export function maxTrafficWeight(canary: CanaryStrategy | undefined): number {
  return canary?.trafficRouting?.maxTrafficWeight ?? 100;
}

/** Nearest `setWeight` at or before `index` (none ⇒ 0). */
export function setWeightAtOrBefore(steps: readonly CanaryStep[], index: number): number {
  for (let i = Math.min(index, steps.length - 1); i >= 0; i--) {
    const w = steps[i]?.setWeight;
    if (w !== undefined) return w;
  }
  return 0;
}

export interface DesiredWeightInput {
  /** `spec.strategy.canary`. */
  canary: CanaryStrategy;
  /** The Rollout status the pass works from (promoteFull, stableRS, currentPodHash, abort, index). */
  status: Pick<
    RolloutStatus,
    'promoteFull' | 'stableRS' | 'currentPodHash' | 'abort' | 'currentStepIndex'
  >;
  /** R = spec.replicas. Only needed for the dynamic abort weight. */
  replicas: number;
  /** Stable RS (the one whose hash is status.stableRS), if it exists. */
  stableRS?: { availableReplicas: number } | undefined;
  /** New (canary) RS, if it exists. */
  canaryRS?: { availableReplicas: number } | undefined;
}

export interface ReplicasOrWeight {
  /** Explicit canary count from a sticky setCanaryScale `replicas`; `weight` is then 0. */
  replicas?: number;
  weight: number;
}

/** §6.3.2 step 2: the sticky setCanaryScale that applies, if any (trafficRouting only). */
function setCanaryScaleOverride(input: DesiredWeightInput): CanaryStep['setCanaryScale'] {
  const { canary, status } = input;
  if (!canary.trafficRouting) return undefined;
  // Aborted: the override only survives an explicit abortScaleDownDelaySeconds: 0.
  if (status.abort && canary.abortScaleDownDelaySeconds !== 0) return undefined;
  const cur = currentStep(canary.steps, status);
  if (!cur?.step || !canary.steps) return undefined;
  for (let i = cur.index; i >= 0; i--) {
    const scs = canary.steps[i]?.setCanaryScale;
    if (!scs) continue;
    if (scs.matchTrafficWeight) return undefined;
    return scs;
  }
  return undefined;
}

/**
 * §6.3.2 step 3, the dynamic abort weight: need = R − stable.available; c = max(need,
 * canary.available), or c = need when abortScaleDownDelaySeconds is explicitly non-zero; the
 * last setWeight (walking backwards) whose ceil(R·w/M) < c; none ⇒ 0.
 */
export function dynamicAbortWeight(
  steps: readonly CanaryStep[],
  replicas: number,
  m: number,
  stableAvailable: number,
  canaryAvailable: number,
  abortScaleDownDelaySeconds: number | undefined,
): number {
  const need = replicas - stableAvailable;
  const explicitDelay =
    abortScaleDownDelaySeconds !== undefined && abortScaleDownDelaySeconds !== 0;
  const c = explicitDelay ? need : Math.max(need, canaryAvailable);
  for (let i = steps.length - 1; i >= 0; i--) {
    const w = steps[i]?.setWeight;
    if (w === undefined) continue;
    if (Math.ceil((replicas * w) / m) < c) return w;
  }
  return 0;
}

/** §6.3.2 in order: full weight, setCanaryScale override, dynamic abort weight, step weight. */
export function canaryReplicasOrWeight(input: DesiredWeightInput): ReplicasOrWeight {
  const { canary, status } = input;
  const m = maxTrafficWeight(canary);
  const stableRS = status.stableRS ?? '';
  if (status.promoteFull || stableRS === '' || (status.currentPodHash ?? '') === stableRS) {
    return { weight: m };
  }
  const scs = setCanaryScaleOverride(input);
  if (scs?.replicas !== undefined) return { replicas: scs.replicas, weight: 0 };
  if (scs?.weight !== undefined) return { weight: scs.weight };

  const steps = canary.steps ?? [];
  if (status.abort && canary.dynamicStableScale && input.stableRS && input.canaryRS) {
    return {
      weight: dynamicAbortWeight(
        steps,
        input.replicas,
        m,
        input.stableRS.availableReplicas,
        input.canaryRS.availableReplicas,
        canary.abortScaleDownDelaySeconds,
      ),
    };
  }
  if (status.abort) return { weight: 0 };
  const cur = currentStep(steps, status);
  if (!cur?.step) return { weight: m };
  return { weight: setWeightAtOrBefore(steps, cur.index) };
}

/** §6.3.2 weight (0 when an explicit setCanaryScale replica count applies, as in Go). */
export function desiredWeight(input: DesiredWeightInput): number {
  return canaryReplicasOrWeight(input).weight;
}

/** §6.3.2 explicit canary count from setCanaryScale `replicas`, if one applies. */
export function explicitCanaryReplicas(input: DesiredWeightInput): number | undefined {
  return canaryReplicasOrWeight(input).replicas;
}

export interface ReplicaProgressThreshold {
  type: 'Percent' | 'Pods';
  value: number;
}

/**
 * §6.3.3. Without a threshold (or with a negative value) the RS must exist with
 * spec == desired and available == desired. `Percent`: desired 0 ⇒ met, else
 * available/desired·100 ≥ value (1e-10 tolerance). `Pods`: available ≥ value.
 * A missing RS counts as 0 available for the threshold forms.
 */
export function canaryReached(
  rs: { specReplicas: number; availableReplicas: number } | undefined,
  desired: number,
  threshold?: ReplicaProgressThreshold,
): boolean {
  if (!threshold || threshold.value < 0) {
    return rs !== undefined && rs.specReplicas === desired && rs.availableReplicas === desired;
  }
  const available = rs?.availableReplicas ?? 0;
  if (threshold.type === 'Pods') return available >= threshold.value;
  if (desired === 0) return true;
  return (available / desired) * 100 >= threshold.value - 1e-10;
}

/** Go `IntOrString.String()`: ints in decimal, strings verbatim. */
function intOrStringText(v: IntOrString): string {
  return typeof v === 'number' ? String(v) : v;
}

/**
 * Step text used in `RolloutStepCompleted` events (§4.4), exactly as Go's CanaryStepString:
 * `setWeight: 20`, `pause`, `pause: 1h` (duration as written), `experiment`, `analysis`,
 * `setCanaryScale{weight: 25}`, `setCanaryScale{matchTrafficWeight: true}`,
 * `setCanaryScale{replicas: 3}`; anything else (header/mirror route, plugin) is `invalid`.
 */
export function stepLabel(step: CanaryStep): string {
  if (step.setWeight !== undefined) return `setWeight: ${step.setWeight}`;
  if (step.pause) {
    const d = step.pause.duration;
    return d === undefined ? 'pause' : `pause: ${intOrStringText(d)}`;
  }
  if (step.experiment) return 'experiment';
  if (step.analysis) return 'analysis';
  const scs = step.setCanaryScale;
  if (scs) {
    if (scs.weight !== undefined) return `setCanaryScale{weight: ${scs.weight}}`;
    if (scs.matchTrafficWeight) return 'setCanaryScale{matchTrafficWeight: true}';
    if (scs.replicas !== undefined) return `setCanaryScale{replicas: ${scs.replicas}}`;
  }
  return 'invalid';
}

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

/** Go `time.ParseDuration` in nanoseconds; undefined on any error (the caller says "invalid"). */
export function parseGoDuration(input: string): bigint | undefined {
  const d = parseDuration(input);
  return d.ok ? d.ns : undefined;
}

/**
 * Pause step duration in whole seconds (§2.3), as Go's `RolloutPause.DurationSeconds()`:
 * absent ⇒ undefined (indefinite pause); an int is seconds; a string that parses as a base-10
 * int32 is seconds; otherwise Go duration syntax (`10s`, `5m`, `1h30m`, `500ms` → 0), truncated
 * toward zero. Unparsable, negative, or outside int32 ⇒ 'invalid' (validation reports
 * "Duration needs to be greater than 0").
 */
export function parsePauseDuration(d: number | string | undefined): number | undefined | 'invalid' {
  if (d === undefined) return undefined;
  let seconds: number;
  if (typeof d === 'number') {
    if (!Number.isInteger(d)) return 'invalid';
    seconds = d;
  } else if (/^[+-]?\d+$/.test(d) && Number(d) >= INT32_MIN && Number(d) <= INT32_MAX) {
    seconds = Number(d);
  } else {
    const ns = parseGoDuration(d);
    if (ns === undefined) return 'invalid';
    seconds = Number(ns / 1_000_000_000n); // BigInt division truncates toward zero
  }
  if (seconds < 0 || seconds > INT32_MAX) return 'invalid';
  return seconds === 0 ? 0 : seconds; // normalise -0
}
