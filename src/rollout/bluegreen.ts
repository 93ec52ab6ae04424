// One reconcile pass of a blue-green Rollout (rollout-semantics §7, traffic-routing §1.4): the
// preview Service follows the new ReplicaSet at once; the new ReplicaSet is scaled up (to
// previewReplicaCount first, if set); the Rollout pauses before the switch when asked to; the
// active Service switches only to a saturated, fully available ReplicaSet, after pre-promotion
// analysis; post-promotion analysis decides when the new ReplicaSet becomes stable; the old
// active ReplicaSet is kept for scaleDownDelaySeconds. An abort points the active Service back
// at the stable ReplicaSet.
import { rfc3339 } from '../util/time.ts';
import type { BlueGreenStrategy, RolloutStatus } from '../api/rollout.ts';
import type { RunStatus } from '../api/analysis-refs.ts';
import { labelSelectorToString } from '../../sim/selectors/labels.ts';
import { reconcileBlueGreenAnalysis, type BlueGreenAnalysisResult } from './bluegreen-analysis.ts';
import {
  activeServiceTarget,
  blueGreenPauseAction,
  blueGreenPromotionReason,
  completedBlueGreenPause,
  decideBlueGreenOldReplicaSets,
  isFastTracked,
  isSaturated,
  newReplicaSetSize,
  readyForPause,
  scaleUpPreviewCheckPoint,
} from './bluegreen-decisions.ts';
import type { ReconcileResult, RolloutContext } from './context.ts';
import { resolveFenceposts } from './fenceposts.ts';

import { EventReason, PauseReason } from './labels.ts';
import { formatRFC3339, parseRFC3339 } from './old-replicasets.ts';
import { RolloutPass } from './pass.ts';
import { computePhase } from './phase.ts';
import { computeProgress } from './progress.ts';
import type { RsView } from './replicasets.ts';
import { selectorPatch, serviceSelectorHash } from './service-selector.ts';

/** Default abortScaleDownDelaySeconds (rollout-semantics §2.5). */
const DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS = 30;

export class BlueGreenPass extends RolloutPass {
  private readonly bg: BlueGreenStrategy;
  private analysis: BlueGreenAnalysisResult | undefined;
  /** The hash each Service selects after this pass's switches. */
  private activeSelector = '';
  private previewSelector = '';
  /** The new ReplicaSet carried a scale-down deadline when the pass began (a rollback to it). */
  private newHadDeadline = false;
  /** A rollback to a revision within spec.rollbackWindow: fast-tracked (§6.10). */
  private window = false;

  constructor(ctx: RolloutContext) {
    super(ctx);
    this.bg = ctx.ro.spec.strategy?.blueGreen ?? { activeService: '' };
  }

  protected restartMaxUnavailable(): number {
    return resolveFenceposts(this.R, 0, this.bg.maxUnavailable ?? '25%').maxUnavailable;
  }

  protected phaseOf(s: RolloutStatus) {
    return computePhase({
      conditions: s.conditions,
      specPaused: this.ctx.ro.spec.paused === true,
      specRestartAt: this.ctx.ro.spec.restartAt,
      specReplicas: this.R,
      status: s,
      strategy: 'blueGreen',
      trafficRouting: false,
      postPromotionPending:
        this.bg.postPromotionAnalysis !== undefined &&
        !['Successful', 'Failed', 'Error', 'Inconclusive'].includes(
          s.blueGreen?.postPromotionAnalysisRunStatus?.status ?? '',
        ),
    });
  }

  override async run(): Promise<ReconcileResult> {
    const { ctx } = this;
    if (!(await this.findReplicaSets()) || !this.newRS) return this.result();
    this.newHadDeadline = this.newRS.scaleDownDeadline !== undefined;
    this.window = this.rollbackWithinWindow();
    this.activeSelector = serviceSelectorHash(ctx.service(this.bg.activeService));
    this.previewSelector = this.bg.previewService
      ? serviceSelectorHash(ctx.service(this.bg.previewService))
      : '';

    if (ctx.ro.spec.replicas === undefined) {
      await this.patchRollout({ spec: { replicas: 1 } });
      return this.result();
    }
    if (
      this.old.observedGeneration === String(ctx.raw.metadata.generation) &&
      (await this.pausePrePass())
    ) {
      return this.result();
    }
    if (await this.syncWorkloadGeneration()) return this.result();
    if (await this.syncNewReplicaSet()) return this.result();
    // This must follow the new ReplicaSet at once (Go reconcilePreviewService).
    await this.reconcilePreviewService();
    const templateChanged =
      !!this.old.currentPodHash && this.old.currentPodHash !== this.newRS.hash;
    if (templateChanged) {
      await this.writeStatus({ reset: true });
      return this.result();
    }
    if (this.old.abort && this.newRS.hash === this.old.stableRS) this.pause.removeAbort();
    if (await this.restartPods()) {
      await this.writeStatus({ reset: false });
      return this.result();
    }
    await this.cleanUpHistory();
    await this.reconcileReplicaSets();
    this.reconcilePause();
    await this.reconcileActiveService();
    this.analysis = await reconcileBlueGreenAnalysis({
      raw: ctx.raw,
      ro: ctx.ro,
      old: this.old,
      runs: ctx.analysisRuns,
      templates: ctx.templates,
      newRS: this.newRS,
      stableRS: this.stableRS,
      replicaSets: this.views,
      pause: this.pause,
      ops: ctx.ops,
      events: this.events,
      log: ctx.log,
      blueGreen: this.bg,
      activeSelector: this.activeSelector,
      saturatedForPre:
        isSaturated(this.newRS, this.R) ||
        (this.bg.previewReplicaCount !== undefined &&
          readyForPause(this.newRS, this.bg.previewReplicaCount)),
      saturated: isSaturated(this.newRS, this.R),
      rollbackWithinWindow: this.window,
    });
    // After the Services and analysis, as in Go: the labels follow the roles as they now stand.
    await this.reconcileEphemeralMetadata();
    await this.writeStatus({ reset: false });
    return this.result();
  }

  private halted(): boolean {
    return (
      this.ctx.ro.spec.paused === true || this.pause.hasPause(PauseReason.InconclusiveAnalysisRun)
    );
  }

  private desiredNewReplicas(): number {
    return newReplicaSetSize({
      replicas: this.R,
      previewReplicaCount: this.bg.previewReplicaCount,
      activeRS: this.views.find((v) => v.hash === this.activeSelector && v.hash !== ''),
      newRS: this.newRS!,
      // A rollback within the window goes straight to full size, like promote full.
      promoteFull: this.old.promoteFull === true || this.window,
      paused: this.ctx.ro.spec.paused === true || (this.old.pauseConditions?.length ?? 0) > 0,
      scaleUpPreviewCheckPoint: this.old.blueGreen?.scaleUpPreviewCheckPoint === true,
    });
  }

  // ---- Services (traffic-routing §1.4) ----

  private async switchService(name: string | undefined, rs: RsView | undefined): Promise<boolean> {
    if (!name || !rs || rs.hash === '') return false;
    const svc = this.ctx.service(name);
    if (!svc) return false;
    const from = serviceSelectorHash(svc);
    const patch = selectorPatch(svc, rs.hash, this.name);
    if (!patch) return false;
    await this.ctx.ops.patchService(this.ns, name, patch);
    if (from !== rs.hash) {
      this.events.emit(this.ctx.raw, {
        type: 'Normal',
        reason: EventReason.SwitchService,
        message: `Switched selector for service '${name}' from '${from}' to '${rs.hash}'`,
      });
    }
    return true;
  }

  private async reconcilePreviewService(): Promise<void> {
    if (!this.bg.previewService || this.halted()) return;
    // The preview follows the new ReplicaSet as soon as it exists: Endpoints only list ready
    // pods anyway (traffic-routing §1.4).
    if (await this.switchService(this.bg.previewService, this.newRS))
      this.previewSelector = this.newRS!.hash;
  }

  private async reconcileActiveService(): Promise<void> {
    if (this.halted()) return;
    const newRS = this.newRS!;
    if (!readyForPause(newRS, this.desiredNewReplicas()) || !isSaturated(newRS, this.R)) return;
    const target = activeServiceTarget({
      current: this.activeSelector,
      newHash: newRS.hash,
      stableHash: this.old.stableRS,
      fastTracked: this.fastTracked(),
      pauseCompleted: this.pauseCompleted(),
      prePromotionDone: this.prePromotionDone(),
      aborted: this.pause.isAborted(),
    });
    if (target === undefined) return;
    const rs = this.views.find((v) => v.hash === target);
    if (await this.switchService(this.bg.activeService, rs)) this.activeSelector = target;
  }

  private fastTracked(): boolean {
    return isFastTracked({
      promoteFull: this.old.promoteFull === true,
      activeServiceHash: this.activeSelector,
      newHash: this.newRS!.hash,
      rollbackWithinWindow: this.window,
    });
  }

  /** Pre-promotion analysis is absent or its current run is Successful. */
  private prePromotionDone(): boolean {
    if (!this.bg.prePromotionAnalysis) return true;
    if (this.analysis) return this.analysis.pre?.status === 'Successful';
    // Before this pass reconciled its runs: the run itself is fresher than our status.
    const name = this.old.blueGreen?.prePromotionAnalysisRunStatus?.name;
    const run = name ? this.ctx.analysisRuns.find((r) => r.metadata.name === name) : undefined;
    return (run?.status as { phase?: string } | undefined)?.phase === 'Successful';
  }

  private pauseInput() {
    const cond = this.old.pauseConditions?.find((p) => p.reason === PauseReason.BlueGreenPause);
    return {
      autoPromotionEnabled: this.bg.autoPromotionEnabled ?? true,
      autoPromotionSeconds: this.bg.autoPromotionSeconds ?? 0,
      controllerPause: this.old.controllerPause === true,
      pauseStartedAt: this.pause.hasPause(PauseReason.BlueGreenPause) ? cond?.startTime : undefined,
      scaleUpPreviewCheckPoint: this.old.blueGreen?.scaleUpPreviewCheckPoint === true,
      now: this.ctx.now,
    };
  }

  private pauseCompleted(): boolean {
    return completedBlueGreenPause(this.pauseInput());
  }

  // ---- pause (§7.3 steps 2–3) ----

  private reconcilePause(): void {
    if (this.pause.isAborted() || this.halted()) return;
    if (!readyForPause(this.newRS!, this.desiredNewReplicas())) return;
    // Rolling back to a ReplicaSet still inside its scale-down delay skips the pause.
    if (this.newHadDeadline || this.fastTracked()) return;
    if (!this.prePromotionDone()) return;
    const action = blueGreenPauseAction(this.pauseInput());
    if (action.kind === 'add') this.pause.addPause(PauseReason.BlueGreenPause);
    else if (action.kind === 'remove') this.pause.removePause(PauseReason.BlueGreenPause);
    else if (action.kind === 'wait') this.requeueAt(new Date(action.until.getTime() + 1));
  }

  // ---- ReplicaSets (§7.2, §7.3 step 8) ----

  private async reconcileReplicaSets(): Promise<void> {
    const newRS = this.newRS!;
    const aborted = this.pause.isAborted();
    // Deadlines left from an earlier scale-down plan go once the ReplicaSet is wanted again.
    if (!aborted && newRS.scaleDownDeadline !== undefined)
      await this.scale(newRS, newRS.specReplicas, { removeDeadline: true });
    const stable = this.stableRS;
    if (stable && stable !== newRS && stable.scaleDownDeadline !== undefined)
      await this.scale(stable, stable.specReplicas, { removeDeadline: true });
    if (stable && stable !== this.newRS) await this.scale(this.stableRS!, this.R);

    if (aborted && this.newRS!.hash !== this.old.stableRS) await this.scaleDownAborted();
    else await this.scale(this.newRS!, this.desiredNewReplicas());

    // Old ReplicaSets wait while an analysis could still send us back (§7.2).
    if (this.pause.hasPause(PauseReason.InconclusiveAnalysisRun)) return;
    if (
      this.bg.postPromotionAnalysis &&
      this.bg.scaleDownDelaySeconds === undefined &&
      this.old.stableRS !== this.newRS!.hash &&
      (this.old.blueGreen?.postPromotionAnalysisRunStatus?.status ?? '') !== 'Successful'
    ) {
      return;
    }
    const referenced = new Set(
      [this.old.stableRS, this.newRS!.hash, this.activeSelector, this.previewSelector].filter(
        (h): h is string => !!h,
      ),
    );
    const decision = decideBlueGreenOldReplicaSets({
      replicas: this.R,
      others: this.others,
      referencedHashes: referenced,
      scaleDownDelaySeconds: this.bg.scaleDownDelaySeconds,
      scaleDownDelayRevisionLimit: this.bg.scaleDownDelayRevisionLimit,
      now: this.ctx.now,
    });
    if (decision.requeueAt) this.requeueAt(new Date(decision.requeueAt.getTime() + 1000));
    for (const a of decision.actions) {
      const rs = this.views.find((v) => v.name === a.rs);
      if (!rs) continue;
      if (a.setDeadline) await this.scale(rs, rs.specReplicas, { setDeadline: a.setDeadline });
      else if (a.replicas !== undefined) await this.scale(rs, a.replicas);
    }
  }

  /** §7.3 step 8: after an abort the new ReplicaSet goes to 0 once its delay has passed. */
  private async scaleDownAborted(): Promise<void> {
    const newRS = this.newRS!;
    const delay = this.bg.abortScaleDownDelaySeconds ?? DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS;
    if (delay === 0 || newRS.specReplicas === 0) return; // 0 = keep the preview up
    const stable = this.stableRS;
    if (!stable || stable.availableReplicas < this.R) return;
    if (newRS.scaleDownDeadline === undefined) {
      const deadline = formatRFC3339(new Date(this.ctx.now.getTime() + delay * 1000));
      await this.scale(newRS, newRS.specReplicas, { setDeadline: deadline });
      this.requeueAt(new Date(this.ctx.now.getTime() + delay * 1000 + 1000));
      return;
    }
    const deadline = parseRFC3339(newRS.scaleDownDeadline);
    if (deadline && deadline.getTime() > this.ctx.now.getTime()) {
      this.requeueAt(new Date(deadline.getTime() + 1000));
      return;
    }
    await this.scale(newRS, 0);
  }

  // ---- status (§7.3 step 9) ----

  private async writeStatus(o: { reset: boolean }): Promise<void> {
    const { ctx, old } = this;
    const now = rfc3339(ctx.now);
    const newRS = this.newRS!;
    const active = this.views.find((v) => v.hash === this.activeSelector && v.hash !== '');
    const sum = (f: (v: RsView) => number) => this.views.reduce((n, v) => n + f(v), 0);
    const next: RolloutStatus = {
      ...old,
      observedGeneration: String(ctx.raw.metadata.generation),
      currentPodHash: newRS.hash,
      replicas: sum((v) => v.replicas),
      updatedReplicas: newRS.replicas,
      readyReplicas: active?.readyReplicas ?? 0,
      availableReplicas: active?.availableReplicas ?? 0,
      HPAReplicas: active?.replicas ?? 0,
      selector: labelSelectorToString(
        (active
          ? {
              ...ctx.selector,
              matchLabels: {
                ...(ctx.selector.matchLabels ?? {}),
                'rollouts-pod-template-hash': active.hash,
              },
            }
          : ctx.selector) as Parameters<typeof labelSelectorToString>[0],
      ),
    };
    delete next.currentStepIndex;
    delete next.currentStepHash;
    for (const k of [
      'replicas',
      'updatedReplicas',
      'readyReplicas',
      'availableReplicas',
      'HPAReplicas',
    ] as const) {
      if (next[k] === 0) delete next[k];
    }
    const blueGreen: NonNullable<RolloutStatus['blueGreen']> = { ...(old.blueGreen ?? {}) };
    if (this.activeSelector) blueGreen.activeSelector = this.activeSelector;
    else delete blueGreen.activeSelector;
    if (this.previewSelector) blueGreen.previewSelector = this.previewSelector;
    else delete blueGreen.previewSelector;
    const setRun = (
      key: 'prePromotionAnalysisRunStatus' | 'postPromotionAnalysisRunStatus',
      r: RunStatus | undefined,
    ) => {
      if (r) blueGreen[key] = r;
      else delete blueGreen[key];
    };
    if (this.analysis) {
      setRun('prePromotionAnalysisRunStatus', this.analysis.pre);
      setRun('postPromotionAnalysisRunStatus', this.analysis.post);
    }

    let abortDetail = '';
    if (o.reset) {
      this.pause.clearPauses();
      this.pause.removeAbort();
      delete next.promoteFull;
      delete blueGreen.scaleUpPreviewCheckPoint;
      delete blueGreen.prePromotionAnalysisRunStatus;
      delete blueGreen.postPromotionAnalysisRunStatus;
      if (ctx.ro.spec.restartAt) next.restartedAt = ctx.ro.spec.restartAt;
    } else {
      if (old.promoteFull || this.window) {
        this.pause.clearPauses();
        this.pause.removeAbort();
      }
      const reason = blueGreenPromotionReason({
        stableHash: old.stableRS,
        activeSelector: this.activeSelector,
        currentHash: newRS.hash,
        promoteFull: old.promoteFull === true,
        rollbackWithinWindow: this.window,
        aborted: this.pause.isAborted(),
        postPromotionConfigured: this.bg.postPromotionAnalysis !== undefined,
        postPromotionSuccessful: blueGreen.postPromotionAnalysisRunStatus?.status === 'Successful',
      });
      if (reason) {
        this.pause.clearPauses();
        this.pause.removeAbort();
        delete next.promoteFull;
        next.stableRS = newRS.hash;
        this.events.emit(ctx.raw, {
          type: 'Normal',
          reason: EventReason.RolloutCompleted,
          message: `Rollout completed update to revision ${newRS.revision} (${newRS.hash}): ${reason}`,
        });
      } else if (this.pause.isAborted()) {
        abortDetail = this.pause.abortMessage;
      }
      const checkpoint = scaleUpPreviewCheckPoint({
        previewReplicaCount: this.bg.previewReplicaCount,
        activeSelector: this.activeSelector,
        currentHash: newRS.hash,
        before: old.blueGreen?.scaleUpPreviewCheckPoint === true,
        prePromotionDone: this.prePromotionDone(),
        pauseCompleted: this.pauseCompleted(),
        newRSAvailable: newRS.availableReplicas,
      });
      if (checkpoint) blueGreen.scaleUpPreviewCheckPoint = true;
      else delete blueGreen.scaleUpPreviewCheckPoint;
    }
    if (this.restartedAt) next.restartedAt = this.restartedAt;
    if (Object.keys(blueGreen).length > 0) next.blueGreen = blueGreen;
    else delete next.blueGreen;
    this.pause.apply(next, now);

    const activeRS = this.views.find((v) => v.hash === next.blueGreen?.activeSelector);
    const progress = computeProgress({
      rolloutName: this.name,
      generation: ctx.raw.metadata.generation ?? 1,
      old,
      next,
      replicas: this.R,
      progressDeadlineSeconds: ctx.ro.spec.progressDeadlineSeconds ?? 600,
      newRSName: newRS.name,
      revision: newRS.revision,
      strategy: 'blueGreen',
      paused: ctx.ro.spec.paused === true || (next.pauseConditions?.length ?? 0) > 0,
      aborted: next.abort === true,
      abortDetail,
      strategyComplete:
        next.blueGreen?.activeSelector === next.currentPodHash &&
        next.stableRS === next.currentPodHash,
      waitingOnStep: false,
      pendingScaleDown: this.others.some((v) => v.scaleDownDeadline !== undefined),
      available: !!activeRS && isSaturated(activeRS, this.R),
      now: ctx.now,
    });
    next.conditions = progress.conditions;
    for (const e of progress.events) this.events.emit(ctx.raw, e);
    if (progress.recheckAt) this.requeueAt(progress.recheckAt);
    Object.assign(next, this.phaseOf(next));
    await this.patchStatus(next);
  }
}
