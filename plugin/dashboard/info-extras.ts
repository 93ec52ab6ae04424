// Our additions to the single-rollout info (`GET …/{name}/info` and its watch; not the list):
// Argo's RolloutInfo carries neither the Rollout's conditions nor when a timed pause ends, and
// the rollout page needs both. Only fields are added, never changed, so Argo's clients (which
// ignore unknown fields) keep working.
//
// `pauseEndsAt` is computed with the controller's own helpers, so the page counts down to the
// moment the controller will move on: the CanaryPauseStep's startTime plus the current step's
// pause duration (the controller completes the step once `now` is past that instant). Pure.
import type { CanaryStep } from '../../src/api/rollout.ts';
import type { KubeObject } from '../../src/kube/raw-client.ts';
import { currentStep, parsePauseDuration } from '../../src/rollout/canary-weight.ts';
import { PauseReason } from '../../src/rollout/labels.ts';
import { rfc3339 } from '../../src/util/time.ts';

export interface InfoExtras {
  /** `status.conditions`, verbatim Kubernetes JSON. */
  conditions?: unknown[];
  /** `status.pauseConditions` (`{reason, startTime}`), verbatim. */
  pauseConditions?: unknown[];
  /** RFC3339: when the current timed canary pause step ends. */
  pauseEndsAt?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function record(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

function nonEmptyArray(v: unknown): unknown[] | undefined {
  return Array.isArray(v) && v.length > 0 ? v : undefined;
}

/**
 * When the current canary pause step ends, or undefined when nothing will end it on its own:
 * no CanaryPauseStep condition yet, an indefinite or invalid duration, or a manual pause or an
 * abort holding the rollout (the controller completes no step then).
 */
export function pauseEndsAt(rollout: KubeObject): string | undefined {
  const spec = record(rollout.spec);
  const status = record(rollout.status);
  if (spec.paused === true || status.abort === true) return undefined;
  const steps = record(record(spec.strategy).canary).steps;
  if (!Array.isArray(steps)) return undefined;
  const index = status.currentStepIndex;
  const cur = currentStep(steps as CanaryStep[], {
    ...(typeof index === 'number' ? { currentStepIndex: index } : {}),
  });
  const pause: unknown = cur?.step?.pause;
  if (!isRecord(pause)) return undefined;
  const duration = pause.duration;
  if (typeof duration !== 'number' && typeof duration !== 'string') return undefined;
  const seconds = parsePauseDuration(duration);
  if (typeof seconds !== 'number') return undefined;
  const pauses: unknown[] = Array.isArray(status.pauseConditions) ? status.pauseConditions : [];
  const cond = pauses.find((p) => isRecord(p) && p.reason === PauseReason.CanaryPauseStep);
  const start = isRecord(cond) && typeof cond.startTime === 'string' ? cond.startTime : undefined;
  const startMs = start === undefined ? NaN : Date.parse(start);
  if (!Number.isFinite(startMs)) return undefined;
  return rfc3339(new Date(startMs + seconds * 1000));
}

/** The additions for one Rollout; absent fields are left out, as the rest of the payload does. */
export function infoExtras(rollout: KubeObject): InfoExtras {
  const status = record(rollout.status);
  const conditions = nonEmptyArray(status.conditions);
  const pauseConditions = nonEmptyArray(status.pauseConditions);
  const endsAt = pauseEndsAt(rollout);
  return {
    ...(conditions ? { conditions } : {}),
    ...(pauseConditions ? { pauseConditions } : {}),
    ...(endsAt ? { pauseEndsAt: endsAt } : {}),
  };
}

/** The encoded RolloutInfo with the additions after Argo's fields. */
export function withExtras(encoded: unknown, extras: InfoExtras): unknown {
  return isRecord(encoded) ? { ...encoded, ...extras } : encoded;
}
