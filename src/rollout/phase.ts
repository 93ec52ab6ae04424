// status.phase and status.message, recomputed at every status write (rollout-semantics §4.1;
// first match wins). Argo CD's health check and the plugin read exactly these.
import type { Condition } from '../api/common.ts';
import type { RolloutStatus } from '../api/rollout.ts';

export type Phase = 'Healthy' | 'Progressing' | 'Paused' | 'Degraded';

export interface PhaseInput {
  conditions: readonly Condition[] | undefined;
  specPaused: boolean;
  specRestartAt: string | undefined;
  specReplicas: number;
  status: Pick<
    RolloutStatus,
    | 'pauseConditions'
    | 'restartedAt'
    | 'updatedReplicas'
    | 'availableReplicas'
    | 'replicas'
    | 'stableRS'
    | 'currentPodHash'
    | 'blueGreen'
  >;
  strategy: 'canary' | 'blueGreen';
  trafficRouting: boolean;
  /** Blue-green: postPromotionAnalysis is configured and its run has not completed. */
  postPromotionPending?: boolean;
}

export function computePhase(i: PhaseInput): { phase: Phase; message: string } {
  for (const c of i.conditions ?? []) {
    if (c.type === 'InvalidSpec')
      return { phase: 'Degraded', message: `InvalidSpec: ${c.message ?? ''}` };
    if (c.reason === 'RolloutAborted' || c.reason === 'ProgressDeadlineExceeded') {
      return { phase: 'Degraded', message: `${c.reason}: ${c.message ?? ''}` };
    }
  }
  if (i.specPaused) return { phase: 'Paused', message: 'manually paused' };
  const pause = i.status.pauseConditions?.[0];
  if (pause) return { phase: 'Paused', message: pause.reason };
  if (i.specRestartAt && i.specRestartAt !== i.status.restartedAt) {
    return { phase: 'Progressing', message: 'rollout is restarting' };
  }
  const updated = i.status.updatedReplicas ?? 0;
  const available = i.status.availableReplicas ?? 0;
  if (updated < i.specReplicas)
    return { phase: 'Progressing', message: 'more replicas need to be updated' };
  if (available < updated)
    return { phase: 'Progressing', message: 'updated replicas are still becoming available' };
  const current = i.status.currentPodHash ?? '';
  const stable = i.status.stableRS ?? '';
  if (i.strategy === 'blueGreen') {
    const active = i.status.blueGreen?.activeSelector ?? '';
    if (!active || active !== current)
      return { phase: 'Progressing', message: 'active service cutover pending' };
    if (!stable || stable !== current) {
      return {
        phase: 'Progressing',
        message: i.postPromotionPending
          ? 'waiting for analysis to complete'
          : 'waiting for post-promotion verification to complete',
      };
    }
  } else {
    if (!i.trafficRouting && (i.status.replicas ?? 0) > updated) {
      return { phase: 'Progressing', message: 'old replicas are pending termination' };
    }
    if (!stable || stable !== current)
      return { phase: 'Progressing', message: 'waiting for all steps to complete' };
  }
  return { phase: 'Healthy', message: '' };
}
