// The blue-green strategy's decisions as pure functions (rollout-semantics §7, traffic-routing
// §1.4): how big the new ReplicaSet is, when the Rollout pauses and when that pause is over,
// where the active Service points, when the new ReplicaSet becomes stable, and how the old ones
// are scaled down. Go: rollout/bluegreen.go, replicaset.go, pause.go, service.go.
import {
  DEFAULT_SCALE_DOWN_DELAY_SECONDS,
  formatRFC3339,
  parseRFC3339,
} from './old-replicasets.ts';

/** What the decisions read of one ReplicaSet. */
export interface BgReplicaSet {
  name: string;
  hash: string;
  revision: number;
  specReplicas: number;
  availableReplicas: number;
  /** The `desired-replicas` annotation. */
  desiredAnnotation?: number | undefined;
  /** The `scale-down-deadline` annotation; present ⇔ defined. */
  scaleDownDeadline?: string | undefined;
}

export interface PreviewSizing {
  replicas: number;
  previewReplicaCount?: number | undefined;
  /** The ReplicaSet the active Service selects, if any. */
  activeRS?: BgReplicaSet | undefined;
  newRS: BgReplicaSet;
  promoteFull: boolean;
  /** spec.paused or any pause condition. */
  paused: boolean;
  scaleUpPreviewCheckPoint: boolean;
}

/**
 * §7.2: R, or previewReplicaCount while another ReplicaSet is active and the preview has not been
 * released (promote full, or the scale-up checkpoint reached while not paused).
 */
export function newReplicaSetSize(i: PreviewSizing): number {
  if (i.previewReplicaCount === undefined) return i.replicas;
  if (!i.activeRS || i.activeRS.name === i.newRS.name) return i.replicas;
  if (!i.paused && i.scaleUpPreviewCheckPoint) return i.replicas;
  if (i.promoteFull) return i.replicas;
  return i.previewReplicaCount;
}

/** "Ready for pause": the new ReplicaSet has its desired size, all available. */
export function readyForPause(newRS: BgReplicaSet, desired: number): boolean {
  return newRS.specReplicas === desired && newRS.availableReplicas === desired;
}

/** "Saturated": sized for R (annotation included) and all R available. */
export function isSaturated(rs: BgReplicaSet, replicas: number): boolean {
  return (
    rs.specReplicas === replicas &&
    rs.desiredAnnotation === replicas &&
    rs.availableReplicas === replicas
  );
}

/**
 * Go isBlueGreenFastTracked: nothing to wait for — promote full, an active Service without a hash
 * (initial deploy, or a Service we have not managed yet), or one already on the new ReplicaSet.
 */
export function isFastTracked(i: {
  promoteFull: boolean;
  activeServiceHash: string;
  newHash: string;
  /** Back to a revision within spec.rollbackWindow: nothing to wait for either (§6.10). */
  rollbackWithinWindow?: boolean;
}): boolean {
  if (i.promoteFull || i.rollbackWithinWindow === true) return true;
  if (i.activeServiceHash === '') return true;
  return i.activeServiceHash === i.newHash;
}

export interface PauseInput {
  autoPromotionEnabled: boolean;
  autoPromotionSeconds: number;
  controllerPause: boolean;
  /** startTime of the BlueGreenPause condition, when there is one. */
  pauseStartedAt?: string | undefined;
  scaleUpPreviewCheckPoint: boolean;
  now: Date;
}

/**
 * §7.3 step 3: the pause is over — the checkpoint was reached; auto promotion without delay;
 * the delay elapsed; or a user removed the condition the controller had added.
 */
export function completedBlueGreenPause(i: PauseInput): boolean {
  if (i.scaleUpPreviewCheckPoint) return true;
  // Checked before the condition (as Go does): a pause left from autoPromotionEnabled: false
  // must not block once auto promotion without delay is turned on.
  if (i.autoPromotionEnabled && i.autoPromotionSeconds <= 0) return true;
  if (i.pauseStartedAt === undefined) return i.controllerPause;
  if (i.autoPromotionEnabled && i.autoPromotionSeconds > 0) {
    const start = Date.parse(i.pauseStartedAt);
    return i.now.getTime() > start + i.autoPromotionSeconds * 1000;
  }
  return false;
}

export type PauseAction =
  | { kind: 'none' }
  | { kind: 'add' }
  /** The autoPromotionSeconds deadline passed: remove the condition (the switch follows). */
  | { kind: 'remove' }
  /** Paused with a deadline: look again then. */
  | { kind: 'wait'; until: Date };

/**
 * §7.3 step 2 (Go reconcileBlueGreenPause), for a Rollout that is not aborted, not halted, not
 * fast-tracked, with the new ReplicaSet ready for pause and pre-promotion analysis done.
 */
export function blueGreenPauseAction(i: PauseInput): PauseAction {
  if (i.scaleUpPreviewCheckPoint) return { kind: 'none' };
  const wantsPause = !i.autoPromotionEnabled || i.autoPromotionSeconds > 0;
  if (!wantsPause) return { kind: 'none' };
  if (i.pauseStartedAt === undefined) return i.controllerPause ? { kind: 'none' } : { kind: 'add' };
  if (i.autoPromotionEnabled && i.autoPromotionSeconds > 0) {
    const until = new Date(Date.parse(i.pauseStartedAt) + i.autoPromotionSeconds * 1000);
    return i.now.getTime() > until.getTime() ? { kind: 'remove' } : { kind: 'wait', until };
  }
  return { kind: 'none' };
}

/**
 * §7.3 step 5: the hash the active Service should select, or undefined to leave it. Only called
 * when not halted and the new ReplicaSet is ready for pause and saturated.
 */
export function activeServiceTarget(i: {
  current: string;
  newHash: string;
  stableHash: string | undefined;
  fastTracked: boolean;
  pauseCompleted: boolean;
  prePromotionDone: boolean;
  aborted: boolean;
}): string | undefined {
  let target = i.current;
  if (i.fastTracked) target = i.newHash;
  if (i.pauseCompleted && i.prePromotionDone) target = i.newHash;
  if (i.aborted) target = i.stableHash ?? i.current;
  return target === '' || target === i.current ? undefined : target;
}

/** §7.3 step 7: why the new ReplicaSet becomes stable now, or undefined. */
export function blueGreenPromotionReason(i: {
  stableHash: string | undefined;
  activeSelector: string;
  currentHash: string;
  promoteFull: boolean;
  /** Back to a revision within spec.rollbackWindow (§6.10). */
  rollbackWithinWindow?: boolean;
  aborted: boolean;
  postPromotionConfigured: boolean;
  postPromotionSuccessful: boolean;
}): string | undefined {
  if (i.stableHash === i.currentHash) return undefined;
  if (!i.stableHash) return 'Initial deploy';
  if (i.activeSelector === '') return 'Initial deploy';
  if (i.activeSelector !== i.currentHash) return undefined;
  if (i.promoteFull) return 'Full promotion requested';
  if (i.rollbackWithinWindow === true) return 'Rollback within window';
  if (i.aborted) return undefined;
  if (i.postPromotionConfigured && !i.postPromotionSuccessful) return undefined;
  return 'Completed blue-green update';
}

/** §7.3 step 4: the previewReplicaCount checkpoint. */
export function scaleUpPreviewCheckPoint(i: {
  previewReplicaCount?: number | undefined;
  activeSelector: string;
  currentHash: string;
  before: boolean;
  prePromotionDone: boolean;
  pauseCompleted: boolean;
  newRSAvailable: number;
}): boolean {
  if (i.previewReplicaCount === undefined) return false;
  if (i.activeSelector === i.currentHash) return false;
  if (i.before) return true;
  if (!i.prePromotionDone || !i.pauseCompleted) return false;
  return i.newRSAvailable === i.previewReplicaCount;
}

export interface OldScaleAction {
  rs: string;
  replicas?: number;
  setDeadline?: string;
}

/**
 * §7.2 "other ReplicaSets" (Go scaleDownOldReplicaSetsForBlueGreen + ScaleDownDelayHelper):
 * newest revision first, skipping referenced hashes and empty ones; an RS without a deadline
 * gets one (kept up) while under the revision limit, else goes to 0; one with a deadline stays at
 * R until it passes, then goes to 0. An explicit `scaleDownDelaySeconds: 0` scales at once.
 */
export function decideBlueGreenOldReplicaSets(i: {
  replicas: number;
  others: readonly BgReplicaSet[];
  referencedHashes: ReadonlySet<string>;
  scaleDownDelaySeconds?: number | undefined;
  scaleDownDelayRevisionLimit?: number | undefined;
  now: Date;
}): { actions: OldScaleAction[]; requeueAt?: Date } {
  const actions: OldScaleAction[] = [];
  let requeueAt: Date | undefined;
  const note = (d: Date) => {
    if (!requeueAt || d.getTime() < requeueAt.getTime()) requeueAt = d;
  };
  const delay = i.scaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS;
  const limit = i.scaleDownDelayRevisionLimit ?? Number.POSITIVE_INFINITY;
  let annotated = 0;
  const sorted = [...i.others].sort((a, b) => b.revision - a.revision);
  for (const rs of sorted) {
    if (i.referencedHashes.has(rs.hash)) continue;
    if (rs.specReplicas === 0) continue;
    let desired = 0;
    if (rs.scaleDownDeadline === undefined) {
      if (annotated < limit && delay > 0) {
        annotated++;
        desired = rs.specReplicas;
        const deadline = formatRFC3339(new Date(i.now.getTime() + delay * 1000));
        actions.push({ rs: rs.name, setDeadline: deadline });
        note(parseRFC3339(deadline) ?? i.now);
      }
    } else {
      annotated++;
      const deadline = parseRFC3339(rs.scaleDownDeadline);
      if (annotated <= limit && deadline && deadline.getTime() > i.now.getTime()) {
        desired = i.replicas;
        note(deadline);
      }
    }
    if (desired !== rs.specReplicas) actions.push({ rs: rs.name, replicas: desired });
  }
  return requeueAt ? { actions, requeueAt } : { actions };
}
