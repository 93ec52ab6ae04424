// The conditions written at the end of every full reconcile (rollout-semantics §4.3 step 2):
// Progressing (progress, completion, abort, deadline), Available, Healthy, Completed.
// Pure: the caller passes the old and the new status and gets conditions, events and the
// time to look at the progress deadline again.
import { rfc3339 } from '../util/time.ts';
import type { Condition } from '../api/common.ts';
import type { RolloutStatus } from '../api/rollout.ts';
import type { RecordedEvent } from '../kube/event-recorder.ts';
import {
  ConditionType,
  getCondition,
  Message,
  newCondition,
  Reason,
  refreshCondition,
  removeCondition,
  setCondition,
} from './conditions.ts';
import { EventReason } from './labels.ts';

export interface ProgressInput {
  rolloutName: string;
  generation: number;
  /** The old status as read at the start of the pass. */
  old: RolloutStatus;
  /** The new status (counts, hashes, pause/abort fields already computed). */
  next: RolloutStatus;
  replicas: number;
  progressDeadlineSeconds: number;
  newRSName: string | undefined;
  /** Revision of the new ReplicaSet, for the abort message. */
  revision: number;
  strategy: 'canary' | 'blueGreen';
  paused: boolean;
  aborted: boolean;
  /** Extra text after "Rollout aborted update to revision N" (analysis failures, timeouts). */
  abortDetail: string;
  /** All steps done / active service on the new RS: the strategy has nothing left to do. */
  strategyComplete: boolean;
  /** Current step is a pause, analysis or experiment: no deadline while waiting on it. */
  waitingOnStep: boolean;
  /** Some other ReplicaSet is waiting out a scale-down delay. */
  pendingScaleDown: boolean;
  /** Canary: Σ available of all RSs ≥ R. Blue-green: the active RS is saturated. */
  available: boolean;
  now: Date;
}

export interface ProgressResult {
  conditions: Condition[];
  events: RecordedEvent[];
  /** When the progress deadline should be checked again. */
  recheckAt?: Date;
  timedOut: boolean;
}

function progressMade(
  old: RolloutStatus,
  next: RolloutStatus,
  strategy: 'canary' | 'blueGreen',
): boolean {
  const n = (v: number | undefined) => v ?? 0;
  if (n(next.updatedReplicas) !== n(old.updatedReplicas)) return true;
  const oldOthers = n(old.replicas) - n(old.updatedReplicas);
  const newOthers = n(next.replicas) - n(next.updatedReplicas);
  if (newOthers < oldOthers) return true;
  if (n(next.readyReplicas) > n(old.readyReplicas)) return true;
  if (n(next.availableReplicas) > n(old.availableReplicas)) return true;
  if (strategy === 'canary') {
    if ((next.stableRS ?? '') !== (old.stableRS ?? '')) return true;
    if (next.currentStepIndex !== old.currentStepIndex) return true;
    if ((next.currentStepHash ?? '') !== (old.currentStepHash ?? '')) return true;
  } else {
    if (next.blueGreen?.activeSelector !== old.blueGreen?.activeSelector) return true;
    if (next.blueGreen?.previewSelector !== old.blueGreen?.previewSelector) return true;
  }
  return false;
}

export function computeProgress(i: ProgressInput): ProgressResult {
  const now = rfc3339(i.now);
  const events: RecordedEvent[] = [];
  let conds = [...(i.old.conditions ?? [])];
  const next = i.next;
  const rsRef = i.newRSName ? `ReplicaSet "${i.newRSName}"` : `Rollout "${i.rolloutName}"`;
  const healthy =
    (next.updatedReplicas ?? 0) === i.replicas &&
    (next.availableReplicas ?? 0) === i.replicas &&
    i.old.observedGeneration === String(i.generation) &&
    i.strategyComplete &&
    (i.strategy === 'blueGreen' || (next.replicas ?? 0) === i.replicas);
  const progressing = getCondition(conds, ConditionType.Progressing);
  let timedOut = false;
  let recheckAt: Date | undefined;

  if (i.aborted) {
    const message = `Rollout aborted update to revision ${i.revision}${i.abortDetail ? `: ${i.abortDetail}` : ''}`;
    const before = progressing;
    conds = setCondition(
      conds,
      newCondition(ConditionType.Progressing, 'False', Reason.RolloutAborted, message, now),
    );
    if (before?.reason !== Reason.RolloutAborted) {
      events.push({ type: 'Warning', reason: EventReason.RolloutAborted, message });
    }
  } else if (healthy) {
    conds = setCondition(
      conds,
      newCondition(
        ConditionType.Progressing,
        'True',
        Reason.NewReplicaSetAvailable,
        `${rsRef} has successfully progressed.`,
        now,
      ),
    );
  } else if (progressMade(i.old, next, i.strategy)) {
    const promoted = (next.stableRS ?? '') !== '' && next.stableRS === next.currentPodHash;
    const becameUnhealthy = promoted && progressing?.reason === Reason.NewReplicaSetAvailable;
    conds = becameUnhealthy
      ? setCondition(
          conds,
          newCondition(
            ConditionType.Progressing,
            'True',
            Reason.ReplicaSetNotAvailable,
            Message.notAvailable,
            now,
          ),
        )
      : refreshCondition(
          conds,
          newCondition(
            ConditionType.Progressing,
            'True',
            Reason.ReplicaSetUpdated,
            `${rsRef} is progressing.`,
            now,
          ),
        );
  } else if (
    progressing &&
    progressing.reason !== Reason.RolloutAborted &&
    progressing.reason !== Reason.RolloutPaused &&
    progressing.reason !== Reason.ProgressDeadlineExceeded &&
    progressing.reason !== Reason.NewReplicaSetAvailable &&
    !i.waitingOnStep &&
    !i.paused &&
    getCondition(conds, ConditionType.Paused)?.status !== 'True' &&
    !i.pendingScaleDown
  ) {
    const last = Date.parse(progressing.lastUpdateTime ?? progressing.lastTransitionTime ?? now);
    const deadline = last + i.progressDeadlineSeconds * 1000;
    if (deadline < i.now.getTime()) {
      timedOut = true;
      const message = `${rsRef} has timed out progressing.`;
      conds = setCondition(
        conds,
        newCondition(
          ConditionType.Progressing,
          'False',
          Reason.ProgressDeadlineExceeded,
          message,
          now,
        ),
      );
      events.push({ type: 'Warning', reason: EventReason.ProgressDeadlineExceeded, message });
    } else {
      recheckAt = new Date(deadline + 1000);
    }
  }
  if (getCondition(conds, ConditionType.Progressing)?.reason === Reason.ProgressDeadlineExceeded)
    timedOut = true;

  conds = setCondition(
    conds,
    i.available
      ? newCondition(ConditionType.Available, 'True', Reason.Available, Message.available, now)
      : newCondition(ConditionType.Available, 'False', Reason.Available, Message.notAvailable, now),
  );

  if (!i.paused && healthy) {
    conds = setCondition(
      conds,
      newCondition(ConditionType.Healthy, 'True', Reason.RolloutHealthy, Message.healthy, now),
    );
  } else if (getCondition(conds, ConditionType.Healthy)) {
    conds = setCondition(
      conds,
      newCondition(ConditionType.Healthy, 'False', Reason.RolloutHealthy, Message.notHealthy, now),
    );
  }

  const completed = (next.stableRS ?? '') !== '' && next.stableRS === next.currentPodHash;
  const wasCompleted = getCondition(conds, ConditionType.Completed)?.status === 'True';
  conds = setCondition(
    conds,
    newCondition(
      ConditionType.Completed,
      completed ? 'True' : 'False',
      Reason.RolloutCompleted,
      Message.completed,
      now,
    ),
  );
  if (wasCompleted && !completed) {
    events.push({
      type: 'Normal',
      reason: EventReason.RolloutNotCompleted,
      message: `Rollout not completed, started update to revision ${i.revision} (${next.currentPodHash ?? ''})`,
    });
  }
  conds = removeCondition(conds, ConditionType.InvalidSpec);
  return { conditions: conds, events, ...(recheckAt ? { recheckAt } : {}), timedOut };
}
