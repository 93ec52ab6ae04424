// One reconcile pass of a canary Rollout without a traffic router (rollout-semantics §6.1):
// create the new ReplicaSet, reset on a new revision, point the Services, scale, handle pause
// steps, then recompute and write the status. Any write may end the pass early; the next
// pass starts again from what the caches say.
import { rfc3339 } from '../util/time.ts';
import type { CanaryStrategy, RolloutStatus } from '../api/rollout.ts';
import { labelSelectorToString } from '../../sim/selectors/labels.ts';
import {
  canaryReached,
  canaryReplicasOrWeight,
  currentStep,
  maxTrafficWeight,
  parsePauseDuration,
  stepLabel,
} from './canary-weight.ts';
import { type ReconcileResult, type RolloutContext } from './context.ts';
import { resolveFenceposts } from './fenceposts.ts';
import { stepsHash } from './hash.ts';
import { EventReason, PauseReason, WORKLOAD_GENERATION_ANNOTATION } from './labels.ts';
import { RolloutPass } from './pass.ts';
import { reconcileCanaryAnalysis, type CanaryAnalysisResult } from './canary-analysis.ts';
import {
  abortDelayActive,
  abortDelaySeconds,
  reconcileTrafficRouting,
  referencedHashes,
  routedAtDesiredCounts,
  routedCounts,
  TRAFFIC_ERROR_REQUEUE_MS,
  UNVERIFIED_WEIGHT_REQUEUE_MS,
  type TrafficPassResult,
  type TrafficState,
} from './canary-traffic.ts';
import { isConflict } from '../kube/raw-client.ts';
import { decideOtherReplicaSets, formatRFC3339, parseRFC3339 } from './old-replicasets.ts';
import { computePhase } from './phase.ts';
import { computeProgress } from './progress.ts';
import { basicCanaryCounts } from './replica-math.ts';
import type { RsView } from './replicasets.ts';
import { canSwitch, selectorPatch, serviceSelectorHash } from './service-selector.ts';

import { ConditionType, newCondition, Reason, setCondition } from './conditions.ts';

export class CanaryPass extends RolloutPass {
  private readonly canary: CanaryStrategy;
  private readonly steps;
  /** The step and background runs as this pass left them; undefined = not reconciled. */
  private analysis: CanaryAnalysisResult | undefined;
  /** spec.strategy.canary.trafficRouting is set (canary-traffic.ts decides the routed parts). */
  private readonly routed: boolean;
  /** What the routers did this pass; undefined = not called. */
  private traffic: TrafficPassResult | undefined;

  constructor(ctx: RolloutContext) {
    super(ctx);
    this.canary = ctx.ro.spec.strategy?.canary ?? {};
    this.steps = this.canary.steps ?? [];
    this.routed = !!this.canary.trafficRouting;
  }

  protected restartMaxUnavailable(): number {
    return resolveFenceposts(this.R, this.canary.maxSurge, this.canary.maxUnavailable)
      .maxUnavailable;
  }

  override async run(): Promise<ReconcileResult> {
    const { ctx } = this;
    if (!(await this.findReplicaSets()) || !this.newRS) return this.result();

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

    const stepHash = stepsHash(this.canary.steps);
    const templateOrStepsChanged =
      this.old.currentStepHash !== stepHash ||
      (this.old.currentPodHash !== undefined &&
        this.old.currentPodHash !== '' &&
        this.old.currentPodHash !== this.newRS.hash);
    if (await this.syncWorkloadGeneration()) return this.result();
    if (!templateOrStepsChanged && this.isScalingEvent()) {
      // Only the replica count changed (kubectl scale, an HPA): resize, touch nothing else.
      await this.reconcileReplicaSets();
      await this.writeStatus({ reset: false });
      return this.result();
    }
    if (await this.syncNewReplicaSet()) return this.result();
    if (templateOrStepsChanged) {
      await this.writeStatus({ reset: true });
      return this.result();
    }
    if (this.old.abort && this.newRS.hash === this.old.stableRS) this.pause.removeAbort();
    if (await this.restartPods()) {
      await this.writeStatus({ reset: false });
      return this.result();
    }

    await this.reconcileEphemeralMetadata();
    await this.cleanUpHistory();
    await this.reconcileServices();
    if (this.routed && (await this.reconcileTraffic())) return this.result();
    const abortedBeforeAnalysis = this.pause.isAborted();
    // Before scaling, as in Go: a failed run aborts, and this very pass scales the canary down.
    this.analysis = await reconcileCanaryAnalysis({
      raw: ctx.raw,
      ro: ctx.ro,
      canary: this.canary,
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
      rollbackWithinWindow: this.rollbackWithinWindow(),
    });
    if (this.routed && !abortedBeforeAnalysis && this.pause.isAborted()) {
      // The routers ran before analysis (upstream order) and sent this step's weight. Go would
      // leave it there until the next pass; an abort means traffic goes back to stable first,
      // so the Services and routers are run again now as an aborted pass runs them. A router
      // error only requeues here: the abort itself must still be written below.
      await this.reconcileServices();
      await this.reconcileTraffic();
    }
    const scaled = await this.reconcileReplicaSets();
    if (!scaled) this.reconcilePauseStep();
    await this.writeStatus({ reset: false });
    return this.result();
  }

  // ---- traffic routing (§6.5.3) ----

  private trafficState(): TrafficState {
    return {
      canary: this.canary,
      status: { ...this.old, abort: this.pause.isAborted() },
      replicas: this.R,
      newRS: this.newRS,
      stableRS: this.stableRS,
    };
  }

  /** The router weights after this pass's router calls (the recorded ones when not called). */
  private currentWeights(): { canary: number; stable: number } | undefined {
    const w = this.traffic?.weights ?? this.old.canary?.weights;
    return w ? { canary: w.canary.weight, stable: w.stable.weight } : undefined;
  }

  /**
   * True when the pass must end (router error). A second call in one pass (after an abort by
   * analysis) starts from the weights the first one recorded and keeps them if it fails.
   */
  private async reconcileTraffic(): Promise<boolean> {
    const { ctx } = this;
    const earlier = this.traffic?.weights;
    const state = this.trafficState();
    if (earlier)
      state.status = { ...state.status, canary: { ...state.status.canary, weights: earlier } };
    this.traffic = await reconcileTrafficRouting({
      ...state,
      rollout: ctx.ro,
      ops: ctx.ops,
      emit: (e) => this.events.emit(ctx.raw, e),
      warn: (msg) => ctx.log.warn(msg),
      debug: (msg) => ctx.log.debug(msg),
    });
    if (earlier && this.traffic.weights === undefined)
      this.traffic = { ...this.traffic, weights: earlier };
    const err = this.traffic.error;
    if (err !== undefined) {
      // A stale Ingress (409): retry at once like any other conflict.
      if (isConflict(err.cause)) throw err.cause as Error;
      ctx.log.warn('traffic routing failed', { error: err.message });
      this.requeueAt(new Date(ctx.now.getTime() + TRAFFIC_ERROR_REQUEUE_MS));
      return true;
    }
    if (this.traffic.verified === false)
      this.requeueAt(new Date(ctx.now.getTime() + UNVERIFIED_WEIGHT_REQUEUE_MS));
    return false;
  }

  // ---- Services (§6.6) ----

  private async reconcileServices(): Promise<void> {
    let aborted = this.pause.isAborted();
    if (aborted && this.routed && this.canary.dynamicStableScale) {
      // Dynamic: the canary Service follows the stable RS once no traffic goes to the canary.
      aborted = (this.old.canary?.weights?.canary.weight ?? 0) === 0;
    }
    const targets: [string | undefined, RsView | undefined][] = [
      [this.canary.stableService, this.stableRS],
      [this.canary.canaryService, aborted ? this.stableRS : this.newRS],
    ];
    for (const [svcName, rs] of targets) {
      if (!svcName || !rs) continue;
      const svc = this.ctx.service(svcName);
      if (!svc) continue; // validation reports missing Services
      if (serviceSelectorHash(svc) === rs.hash) {
        const patch = selectorPatch(svc, rs.hash, this.name);
        if (patch) await this.ctx.ops.patchService(this.ns, svcName, patch);
        continue;
      }
      if (!canSwitch(svc, rs)) continue;
      const from = serviceSelectorHash(svc);
      const patch = selectorPatch(svc, rs.hash, this.name);
      if (!patch) continue;
      await this.ctx.ops.patchService(this.ns, svcName, patch);
      this.events.emit(this.ctx.raw, {
        type: 'Normal',
        reason: EventReason.SwitchService,
        message: `Switched selector for service '${svcName}' from '${from}' to '${rs.hash}'`,
      });
    }
  }

  // ---- ReplicaSet scaling (§6.8) ----

  private halted(): boolean {
    return (
      this.ctx.ro.spec.paused === true || this.pause.hasPause(PauseReason.InconclusiveAnalysisRun)
    );
  }

  private async reconcileReplicaSets(): Promise<boolean> {
    if (this.routed) return this.reconcileRoutedReplicaSets();
    if (this.halted()) return false;
    for (const rs of [this.newRS, this.stableRS]) {
      if (rs?.scaleDownDeadline !== undefined)
        await this.scale(rs, rs.specReplicas, { removeDeadline: true });
    }
    const M = maxTrafficWeight(this.canary);
    const { maxSurge, maxUnavailable } = resolveFenceposts(
      this.R,
      this.canary.maxSurge,
      this.canary.maxUnavailable,
    );
    const weight = canaryReplicasOrWeight({
      canary: this.canary,
      status: { ...this.old, abort: this.pause.isAborted() },
      replicas: this.R,
      stableRS: this.stableRS,
      canaryRS: this.newRS,
    }).weight;
    const counts = basicCanaryCounts(
      this.R,
      weight,
      M,
      maxSurge,
      maxUnavailable,
      this.newRS,
      this.stableRS,
      this.others.filter((o) => o !== this.newRS),
    );
    const separateStable = this.stableRS && this.stableRS !== this.newRS;
    if (separateStable && (await this.scale(this.stableRS!, counts.stable))) return true;
    if (await this.scale(this.newRS!, counts.canary)) return true;

    const decision = decideOtherReplicaSets({
      replicas: this.R,
      maxUnavailable,
      replicaSets: this.views.map((v) => ({
        name: v.name,
        podTemplateHash: v.hash,
        revision: v.revision,
        specReplicas: v.specReplicas,
        availableReplicas: v.availableReplicas,
        ...(v.scaleDownDeadline !== undefined ? { scaleDownDeadline: v.scaleDownDeadline } : {}),
        creationTimestamp: v.creationTimestamp,
      })),
      newRSName: this.newRS!.name,
      ...(this.stableRS ? { stableRSName: this.stableRS.name } : {}),
      trafficRouted: false,
      referencedHashes: [],
      fullyPromoted: this.old.stableRS === this.newRS!.hash,
      now: this.ctx.now,
    });
    if (decision.requeueAt) this.requeueAt(decision.requeueAt);
    let any = false;
    for (const a of decision.actions) {
      const rs = this.views.find((v) => v.name === a.rs);
      if (!rs) continue;
      const changed = await this.scale(rs, a.replicas ?? rs.specReplicas, {
        ...(a.setDeadline ? { setDeadline: a.setDeadline } : {}),
        ...(a.removeDeadline ? { removeDeadline: true } : {}),
      });
      any ||= changed;
    }
    return any || decision.scaledDown > 0;
  }

  /** §6.8 with a traffic router: counts applied directly, abort delay, delayed old RSs. */
  private async reconcileRoutedReplicaSets(): Promise<boolean> {
    if (this.halted()) return false;
    const state = this.trafficState();
    const delayActive = abortDelayActive(state);
    const stable = this.stableRS;
    if (stable?.scaleDownDeadline !== undefined)
      await this.scale(stable, stable.specReplicas, { removeDeadline: true });
    const fresh = this.newRS!;
    if (!delayActive && fresh !== this.stableRS && fresh.scaleDownDeadline !== undefined)
      await this.scale(fresh, fresh.specReplicas, { removeDeadline: true });
    const { maxUnavailable } = resolveFenceposts(
      this.R,
      this.canary.maxSurge,
      this.canary.maxUnavailable,
    );
    // Stable sized with the weights of the previous status, the new RS with this pass's.
    const stableCount = routedCounts(this.trafficState()).stable;
    const separateStable = this.stableRS && this.stableRS !== this.newRS;
    if (separateStable && (await this.scale(this.stableRS!, stableCount))) return true;
    if (delayActive) {
      if (await this.abortDelayScale()) return true;
    } else {
      const canaryCount = routedCounts(this.trafficState(), this.currentWeights()).canary;
      if (await this.scale(this.newRS!, canaryCount)) return true;
    }

    const svc = (n: string | undefined) => (n ? this.ctx.service(n) : undefined);
    const decision = decideOtherReplicaSets({
      replicas: this.R,
      maxUnavailable,
      replicaSets: this.views.map((v) => ({
        name: v.name,
        podTemplateHash: v.hash,
        revision: v.revision,
        specReplicas: v.specReplicas,
        availableReplicas: v.availableReplicas,
        ...(v.scaleDownDeadline !== undefined ? { scaleDownDeadline: v.scaleDownDeadline } : {}),
        creationTimestamp: v.creationTimestamp,
      })),
      newRSName: this.newRS!.name,
      ...(this.stableRS ? { stableRSName: this.stableRS.name } : {}),
      trafficRouted: true,
      referencedHashes: referencedHashes(
        this.old,
        this.newRS,
        [svc(this.canary.canaryService), svc(this.canary.stableService)],
        serviceSelectorHash,
      ),
      fullyPromoted: this.old.stableRS === this.newRS!.hash,
      dynamicStableScale: this.canary.dynamicStableScale,
      scaleDownDelaySeconds: this.canary.scaleDownDelaySeconds,
      scaleDownDelayRevisionLimit: this.canary.scaleDownDelayRevisionLimit,
      abortDelayActive: delayActive,
      now: this.ctx.now,
    });
    if (decision.requeueAt) this.requeueAt(decision.requeueAt);
    let any = false;
    for (const a of decision.actions) {
      const rs = this.views.find((v) => v.name === a.rs);
      if (!rs) continue;
      const changed = await this.scale(rs, a.replicas ?? rs.specReplicas, {
        ...(a.setDeadline ? { setDeadline: a.setDeadline } : {}),
        ...(a.removeDeadline ? { removeDeadline: true } : {}),
      });
      any ||= changed;
    }
    return any || decision.scaledDown > 0;
  }

  /**
   * §6.8 step 3 abort delay: the new RS keeps its size until the stable RS is fully available,
   * then gets `scale-down-deadline`, and goes to 0 once the deadline has passed.
   */
  private async abortDelayScale(): Promise<boolean> {
    const rs = this.newRS!;
    const now = this.ctx.now;
    const dl = rs.scaleDownDeadline;
    if (dl === undefined || dl === '') {
      if ((this.stableRS?.availableReplicas ?? 0) >= this.R) {
        const deadline = formatRFC3339(
          new Date(now.getTime() + abortDelaySeconds(this.canary) * 1000),
        );
        this.requeueAt(parseRFC3339(deadline) ?? now);
        return this.scale(rs, rs.specReplicas, { setDeadline: deadline });
      }
      return this.scale(rs, rs.specReplicas);
    }
    const at = parseRFC3339(dl);
    if (at !== undefined && at.getTime() > now.getTime()) {
      this.requeueAt(at);
      return this.scale(rs, rs.specReplicas);
    }
    return this.scale(rs, 0, { setDeadline: dl });
  }

  // ---- pause steps (§6.2) ----

  private reconcilePauseStep(): void {
    const { ctx, old } = this;
    if (ctx.ro.spec.paused || this.pause.isAborted()) return;
    const cur = currentStep(this.steps, old);
    const pauseStep = cur?.step?.pause;
    if (!cur?.step || !pauseStep) return;
    const cond = old.pauseConditions?.find((p) => p.reason === PauseReason.CanaryPauseStep);
    if (!cond && !old.controllerPause) {
      this.pause.addPause(PauseReason.CanaryPauseStep);
      const d = parsePauseDuration(pauseStep.duration);
      if (typeof d === 'number') this.requeueAt(new Date(ctx.now.getTime() + d * 1000 + 1));
      return;
    }
    const d = parsePauseDuration(pauseStep.duration);
    if (cond && typeof d === 'number')
      this.requeueAt(new Date(Date.parse(cond.startTime) + d * 1000 + 1));
  }

  private completedCurrentStep(): boolean {
    const { ctx, old } = this;
    if (ctx.ro.spec.paused || this.pause.isAborted()) return false;
    const cur = currentStep(this.steps, old);
    const step = cur?.step;
    if (!step) return false;
    if (step.pause) {
      const cond = old.pauseConditions?.find((p) => p.reason === PauseReason.CanaryPauseStep);
      if (old.controllerPause && !cond) return true;
      const d = parsePauseDuration(step.pause.duration);
      if (cond && typeof d === 'number')
        return ctx.now.getTime() > Date.parse(cond.startTime) + d * 1000;
      return false;
    }
    if (step.setWeight !== undefined || step.setCanaryScale) {
      if (this.routed) {
        if (!routedAtDesiredCounts(this.trafficState(), this.currentWeights())) return false;
        return step.setCanaryScale !== undefined || this.traffic?.verified !== false;
      }
      return this.replicasAtStep();
    }
    if (this.routed && (step.setHeaderRoute || step.setMirrorRoute))
      return this.traffic?.routeStepApplied === true;
    // An analysis step completes when its run is Successful (§7.6).
    if (step.analysis) return this.analysis?.step?.status === 'Successful';
    // Experiment and routing steps arrive with their issues; until then they never complete on
    // their own (a user can still promote past them).
    return false;
  }

  /** setWeight/setCanaryScale completion: the RSs are at this step's counts (§6.2). */
  private replicasAtStep(): boolean {
    const M = maxTrafficWeight(this.canary);
    const { maxSurge, maxUnavailable } = resolveFenceposts(
      this.R,
      this.canary.maxSurge,
      this.canary.maxUnavailable,
    );
    const weight = canaryReplicasOrWeight({
      canary: this.canary,
      status: this.old,
      replicas: this.R,
      stableRS: this.stableRS,
      canaryRS: this.newRS,
    }).weight;
    const counts = basicCanaryCounts(
      this.R,
      weight,
      M,
      maxSurge,
      maxUnavailable,
      this.newRS,
      this.stableRS,
      this.others,
    );
    const threshold = this.canary.replicaProgressThreshold;
    if (!canaryReached(this.newRS, counts.canary, threshold)) return false;
    if (this.stableRS && this.stableRS !== this.newRS) {
      if (this.stableRS.specReplicas !== counts.stable || this.stableRS.replicas !== counts.stable)
        return false;
    }
    return this.others.every((o) => o === this.stableRS || o.availableReplicas === 0);
  }

  // ---- status (§6.3 sync, §3, §4) ----

  protected phaseOf(s: RolloutStatus) {
    return computePhase({
      conditions: s.conditions,
      specPaused: this.ctx.ro.spec.paused === true,
      specRestartAt: this.ctx.ro.spec.restartAt,
      specReplicas: this.R,
      status: s,
      strategy: 'canary',
      trafficRouting: this.routed,
    });
  }

  private async writeStatus(o: { reset: boolean }): Promise<void> {
    const { ctx, old } = this;
    const now = rfc3339(ctx.now);
    const all = this.views;
    const sum = (f: (v: RsView) => number) => all.reduce((n, v) => n + f(v), 0);
    const stepCount = this.steps.length;
    const next: RolloutStatus = {
      ...old,
      observedGeneration: String(ctx.raw.metadata.generation),
      currentPodHash: this.newRS!.hash,
      currentStepHash: stepsHash(this.canary.steps),
      replicas: sum((v) => v.replicas),
      updatedReplicas: this.newRS!.replicas,
      readyReplicas: sum((v) => v.readyReplicas),
      availableReplicas: sum((v) => v.availableReplicas),
      HPAReplicas: sum((v) => v.replicas),
      selector: labelSelectorToString(ctx.selector as Parameters<typeof labelSelectorToString>[0]),
    };
    // Own copy: the deletes below must not reach `old`, or the diff against it misses them (a
    // new revision then kept the previous revision's background run when a router was set).
    if (next.canary) next.canary = { ...next.canary };
    for (const k of [
      'replicas',
      'updatedReplicas',
      'readyReplicas',
      'availableReplicas',
      'HPAReplicas',
    ] as const) {
      if (next[k] === 0) delete next[k];
    }
    if (this.analysis) {
      const canary = { ...(next.canary ?? {}) };
      if (this.analysis.step) canary.currentStepAnalysisRunStatus = this.analysis.step;
      else delete canary.currentStepAnalysisRunStatus;
      if (this.analysis.background)
        canary.currentBackgroundAnalysisRunStatus = this.analysis.background;
      else delete canary.currentBackgroundAnalysisRunStatus;
      next.canary = canary;
    }
    if (this.routed) {
      if (this.traffic?.weights)
        next.canary = { ...(next.canary ?? {}), weights: this.traffic.weights };
    } else if (next.canary?.weights) {
      const { weights: _dropped, ...rest } = next.canary;
      next.canary = rest;
    }
    let index = stepCount > 0 ? (old.currentStepIndex ?? 0) : undefined;
    let abortDetail = '';
    if (o.reset) {
      this.pause.clearPauses();
      this.pause.removeAbort();
      delete next.promoteFull;
      if (ctx.ro.spec.restartAt) next.restartedAt = ctx.ro.spec.restartAt;
      if (next.canary) {
        delete next.canary.currentStepAnalysisRunStatus;
        delete next.canary.currentBackgroundAnalysisRunStatus;
        delete next.canary.currentExperiment;
      }
      index = stepCount > 0 ? 0 : undefined;
      if (this.newRS!.hash === old.stableRS && stepCount > 0) {
        index = stepCount;
        this.events.emit(ctx.raw, {
          type: 'Normal',
          reason: EventReason.SkipSteps,
          message: 'Rollback to stable ReplicaSets',
        });
      } else if (stepCount > 0 && this.newRS!.specReplicas > 0 && this.rollbackWithinWindow()) {
        index = stepCount;
        this.events.emit(ctx.raw, {
          type: 'Normal',
          reason: EventReason.SkipSteps,
          message: 'Rollback to active ReplicaSets within RollbackWindow',
        });
      }
    } else {
      // A rollback within spec.rollbackWindow skips what is left of the steps (§6.10).
      if (old.promoteFull || this.rollbackWithinWindow()) {
        this.pause.clearPauses();
        this.pause.removeAbort();
        if (stepCount > 0) index = stepCount;
      }
      const reason = this.promotionReason(index);
      if (reason) {
        this.promote(next, reason);
        if (stepCount > 0) index = stepCount;
      } else if (this.pause.isAborted()) {
        abortDetail = this.pause.abortMessage;
        if (stepCount > 0) index = next.stableRS === next.currentPodHash ? stepCount : 0;
      } else if (index !== undefined && index < stepCount && this.completedCurrentStep()) {
        const step = this.steps[index]!;
        this.events.emit(ctx.raw, {
          type: 'Normal',
          reason: EventReason.RolloutStepCompleted,
          message: `Rollout step ${index + 1}/${stepCount} completed (${stepLabel(step)})`,
        });
        index++;
        this.pause.removePause(PauseReason.CanaryPauseStep);
        if (next.canary) delete next.canary.currentStepAnalysisRunStatus;
      }
    }
    if (this.restartedAt) next.restartedAt = this.restartedAt;
    const workloadGen = ctx.raw.metadata.annotations?.[WORKLOAD_GENERATION_ANNOTATION];
    if (ctx.ro.spec.workloadRef && workloadGen) next.workloadObservedGeneration = workloadGen;
    else delete next.workloadObservedGeneration;
    if (index !== undefined) next.currentStepIndex = index;
    else delete next.currentStepIndex;
    this.pause.apply(next, now);
    if (next.canary && Object.keys(next.canary).length === 0) delete next.canary;

    const cur = currentStep(this.steps, next);
    const progress = computeProgress({
      rolloutName: this.name,
      generation: ctx.raw.metadata.generation ?? 1,
      old,
      next,
      replicas: this.R,
      progressDeadlineSeconds: ctx.ro.spec.progressDeadlineSeconds ?? 600,
      newRSName: this.newRS!.name,
      revision: this.newRS!.revision,
      strategy: 'canary',
      paused: ctx.ro.spec.paused === true || (next.pauseConditions?.length ?? 0) > 0,
      aborted: next.abort === true,
      abortDetail,
      strategyComplete:
        (cur === undefined || cur.step === undefined) && next.stableRS === next.currentPodHash,
      waitingOnStep: !!(cur?.step?.pause || cur?.step?.analysis || cur?.step?.experiment),
      pendingScaleDown: this.others.some((v) => v.scaleDownDeadline !== undefined),
      available: (next.availableReplicas ?? 0) >= this.R,
      now: ctx.now,
    });
    next.conditions = progress.conditions;
    for (const e of progress.events) this.events.emit(ctx.raw, e);
    if (progress.recheckAt) this.requeueAt(progress.recheckAt);
    if (
      progress.timedOut &&
      ctx.ro.spec.progressDeadlineAbort &&
      !next.abort &&
      next.stableRS !== next.currentPodHash
    ) {
      const prog = next.conditions.find((c) => c.type === ConditionType.Progressing);
      next.abort = true;
      next.abortedAt = now;
      delete next.pauseConditions;
      delete next.controllerPause;
      next.conditions = setCondition(
        next.conditions,
        newCondition(
          ConditionType.Progressing,
          'False',
          Reason.RolloutAborted,
          `Rollout aborted update to revision ${this.newRS!.revision}: ${prog?.message ?? ''}`,
          now,
        ),
      );
      this.events.emit(ctx.raw, {
        type: 'Warning',
        reason: EventReason.RolloutAborted,
        message: `Rollout aborted update to revision ${this.newRS!.revision}: ${prog?.message ?? ''}`,
      });
    }
    Object.assign(next, this.phaseOf(next));
    await this.patchStatus(next);
  }

  /** §6.7: why the new ReplicaSet becomes stable in this pass, if it does. */
  private promotionReason(index: number | undefined): string | undefined {
    const { old } = this;
    const newRS = this.newRS!;
    if (old.stableRS === newRS.hash) return undefined;
    if (!this.stableRS) return 'Initial deploy';
    if (this.pause.isAborted()) return undefined;
    const threshold = this.canary.replicaProgressThreshold;
    if (newRS.availableReplicas < this.R && !(threshold && canaryReached(newRS, this.R, threshold)))
      return undefined;
    if (old.promoteFull) return 'Full promotion requested';
    if (this.rollbackWithinWindow()) return 'Rollback within window';
    const stepCount = this.steps.length;
    if (stepCount === 0 || index === stepCount) return `Completed all ${stepCount} canary steps`;
    return undefined;
  }

  private promote(next: RolloutStatus, reason: string): void {
    this.pause.clearPauses();
    this.pause.removeAbort();
    delete next.promoteFull;
    next.stableRS = this.newRS!.hash;
    this.events.emit(this.ctx.raw, {
      type: 'Normal',
      reason: EventReason.RolloutCompleted,
      message: `Rollout completed update to revision ${this.newRS!.revision} (${this.newRS!.hash}): ${reason}`,
    });
  }
}
