// Rollout conditions with Argo's types, reasons, messages and setting rule
// (rollout-semantics §4.2): same type, status and reason ⇒ nothing changes; otherwise the
// condition is replaced, keeping lastTransitionTime when only the reason changed.
import type { Condition } from '../api/common.ts';

export const ConditionType = {
  Progressing: 'Progressing',
  Available: 'Available',
  Healthy: 'Healthy',
  Completed: 'Completed',
  Paused: 'Paused',
  InvalidSpec: 'InvalidSpec',
  ReplicaFailure: 'ReplicaFailure',
} as const;

export const Reason = {
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  FoundNewReplicaSet: 'FoundNewReplicaSet',
  ReplicaSetCreateError: 'ReplicaSetCreateError',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  ReplicaSetNotAvailable: 'ReplicaSetNotAvailable',
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  RolloutPaused: 'RolloutPaused',
  RolloutResumed: 'RolloutResumed',
  RolloutAborted: 'RolloutAborted',
  RolloutRetry: 'RolloutRetry',
  Available: 'AvailableReason',
  RolloutHealthy: 'RolloutHealthy',
  RolloutCompleted: 'RolloutCompleted',
  InvalidSpec: 'InvalidSpec',
} as const;

export const Message = {
  available: 'Rollout has minimum availability',
  notAvailable: 'Rollout does not have minimum availability',
  healthy: 'Rollout is healthy',
  notHealthy: 'Rollout is not healthy',
  paused: 'Rollout is paused',
  resumed: 'Rollout is resumed',
  retry: 'Retrying Rollout after abort',
  completed: 'RolloutCompleted',
};

export function getCondition(
  conds: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conds?.find((c) => c.type === type);
}

export function newCondition(
  type: string,
  status: 'True' | 'False' | 'Unknown',
  reason: string,
  message: string,
  now: string,
): Condition {
  return { type, status, reason, message, lastUpdateTime: now, lastTransitionTime: now };
}

/** Returns the new list; the same array when nothing changes. */
export function setCondition(conds: readonly Condition[] | undefined, c: Condition): Condition[] {
  const list = [...(conds ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const existing = i >= 0 ? list[i] : undefined;
  if (existing && existing.status === c.status && existing.reason === c.reason) return list;
  const next =
    existing && existing.status === c.status
      ? { ...c, lastTransitionTime: existing.lastTransitionTime }
      : c;
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

/** Progressing/ReplicaSetUpdated is rewritten on every observed progress to move lastUpdateTime. */
export function refreshCondition(
  conds: readonly Condition[] | undefined,
  c: Condition,
): Condition[] {
  const list = [...(conds ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const existing = i >= 0 ? list[i] : undefined;
  const next =
    existing && existing.status === c.status
      ? { ...c, lastTransitionTime: existing.lastTransitionTime }
      : c;
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

export function removeCondition(
  conds: readonly Condition[] | undefined,
  type: string,
): Condition[] {
  return (conds ?? []).filter((c) => c.type !== type);
}
