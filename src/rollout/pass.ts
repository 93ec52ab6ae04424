// What every strategy's reconcile pass shares (rollout-semantics §6.1, §7.1): the new
// ReplicaSet and the revision annotation, the pause pre-pass, workloadRef, restarts, revision
// history, scaling one ReplicaSet, and the status patch that releases the held events. Canary
// and blue-green passes extend it with their own pipeline.
import { rfc3339 } from '../util/time.ts';
import type { KubeObject } from '../api/kube-object.ts';
import type { RolloutStatus } from '../api/rollout.ts';
import { earliest, type ReconcileResult, type RolloutContext } from './context.ts';
import {
  DESIRED_REPLICAS_ANNOTATION,
  EventReason,
  REVISION_ANNOTATION,
  SCALE_DOWN_DEADLINE_ANNOTATION,
  WORKLOAD_GENERATION_ANNOTATION,
} from './labels.ts';
import { replicaSetsToDelete } from './history.ts';
import { PauseState } from './pause-state.ts';
import { decideRestart } from './restart.ts';
import {
  buildReplicaSet,
  bumpedRevisionAnnotations,
  maxRevision,
  rsView,
  type RsView,
} from './replicasets.ts';
import {
  findNewReplicaSet,
  parseEphemeralMetadataAnnotation,
  replicaSetMatchesTemplate,
  type AntiAffinityConfig,
  type FindNewReplicaSetOptions,
} from './template-equality.ts';
import { replicaSetAffinityUpdate, withInjectedAntiAffinity } from './anti-affinity.ts';
import {
  ephemeralStrategy,
  ephemeralTargets,
  newReplicaSetMetadata,
  podMetadataPatch,
  replicaSetWithEphemeralMetadata,
} from './ephemeral-metadata.ts';
import { isRollbackWithinWindow } from './rollback-window.ts';
import { podTemplateHash } from './hash.ts';
import { mergePatchDiff } from '../kube/merge-diff.ts';
import type { EventSink, RecordedEvent } from '../kube/event-recorder.ts';
import { ConditionType, newCondition, Reason, setCondition } from './conditions.ts';

const STATUS_EVENT_REASONS: ReadonlySet<string> = new Set([
  EventReason.RolloutStepCompleted,
  EventReason.RolloutCompleted,
  EventReason.RolloutNotCompleted,
  EventReason.RolloutAborted,
  EventReason.RolloutPaused,
  EventReason.RolloutResumed,
  EventReason.SkipSteps,
  EventReason.ProgressDeadlineExceeded,
]);

export abstract class RolloutPass {
  protected readonly R: number;
  protected readonly old: RolloutStatus;
  protected readonly pause: PauseState;
  protected requeueMs: number | undefined;
  protected views: RsView[];
  protected newRS: RsView | undefined;
  protected stableRS: RsView | undefined;
  protected others: RsView[] = [];
  /** The Rollout's resourceVersion after our own writes in this pass (precondition for the next). */
  protected rolloutRv: string | undefined;

  /**
   * Events about a write go out once that write succeeded; events about a status transition
   * (step completed, paused, aborted …) wait until the status patch that records it succeeds,
   * so a pass retried after a conflict neither loses nor repeats them.
   */
  protected readonly events: EventSink;
  private readonly statusEvents: { obj: KubeObject; e: RecordedEvent }[] = [];

  constructor(protected readonly ctx: RolloutContext) {
    this.events = {
      emit: (obj, e) => {
        // AnalysisRun<Phase> events report a phase recorded by the status patch: same rule.
        if (STATUS_EVENT_REASONS.has(e.reason) || e.reason.startsWith('AnalysisRun'))
          this.statusEvents.push({ obj, e });
        else ctx.events.emit(obj, e);
      },
    };
    this.R = ctx.ro.spec.replicas ?? 1;
    this.old = ctx.ro.status ?? {};
    this.pause = new PauseState(this.old);
    this.views = ctx.replicaSets.map(rsView);
    this.rolloutRv = ctx.raw.metadata.resourceVersion;
  }

  abstract run(): Promise<ReconcileResult>;

  /** Phase and message of a status (rollout-semantics §4.1) for this strategy. */
  protected abstract phaseOf(s: RolloutStatus): { phase: string; message: string };

  /** maxUnavailable that paces pod restarts (§6.10). */
  protected abstract restartMaxUnavailable(): number;

  protected get name(): string {
    return this.ctx.raw.metadata.name ?? '';
  }

  protected get ns(): string {
    return this.ctx.raw.metadata.namespace ?? 'default';
  }

  /** Go GetRolloutAffinity: the strategy's antiAffinity (§5.4). */
  protected get antiAffinity(): AntiAffinityConfig | undefined {
    const strategy = this.ctx.ro.spec.strategy;
    return strategy?.canary?.antiAffinity ?? strategy?.blueGreen?.antiAffinity;
  }

  /** How controller additions are recognised in a stored template (template-equality.ts). */
  protected templateMatchOptions(): FindNewReplicaSetOptions {
    return {
      ...(this.antiAffinity ? { antiAffinity: this.antiAffinity } : {}),
      ...(this.old.stableRS ? { stableHashForAntiAffinity: this.old.stableRS } : {}),
    };
  }

  /**
   * spec.rollbackWindow: the new ReplicaSet is an older revision than the stable one, at most
   * `revisions` back (rollback-window.ts). Such an update is fast-tracked like a rollback to stable.
   */
  protected rollbackWithinWindow(): boolean {
    const toWindow = (v: RsView | undefined) =>
      v && {
        name: v.name,
        creationTimestamp: v.creationTimestamp,
        annotations: v.obj.metadata.annotations,
      };
    return isRollbackWithinWindow({
      revisions: this.ctx.ro.spec.rollbackWindow?.revisions,
      newRS: toWindow(this.newRS),
      stableRS: toWindow(this.stableRS),
      all: this.views.map((v) => toWindow(v)!),
    });
  }

  protected requeueAt(at: Date): void {
    this.requeueMs = earliest(this.requeueMs, Math.max(0, at.getTime() - this.ctx.now.getTime()));
  }

  protected result(): ReconcileResult {
    return this.requeueMs === undefined ? {} : { requeueAfterMs: this.requeueMs };
  }

  /**
   * Finds the ReplicaSet of the current template (creating it when missing: the pass then ends,
   * false) and sorts the others into stable and the rest.
   */
  protected async findReplicaSets(): Promise<boolean> {
    const { ctx } = this;
    const hash = podTemplateHash(ctx.template, this.old.collisionCount);
    const found = findNewReplicaSet(
      this.views.map((v) => v.obj),
      ctx.template,
      hash,
      {
        ...this.templateMatchOptions(),
        ...(this.old.currentPodHash ? { currentPodHash: this.old.currentPodHash } : {}),
      },
    );
    if (!found) {
      await this.createNewReplicaSet(hash);
      return false;
    }
    this.newRS = this.views.find((v) => v.obj === found)!;
    this.stableRS = this.old.stableRS
      ? this.views.find((v) => v.hash === this.old.stableRS)
      : undefined;
    this.others = this.views.filter((v) => v !== this.newRS && v !== this.stableRS);
    return true;
  }

  // ---- new ReplicaSet ----

  protected async createNewReplicaSet(hash: string): Promise<void> {
    const { ctx } = this;
    const revision = maxRevision(this.views) + 1;
    const body = buildReplicaSet({
      rollout: ctx.raw,
      template: ctx.template,
      selector: ctx.selector,
      hash,
      revision,
      replicas: this.R,
      minReadySeconds: ctx.ro.spec.minReadySeconds,
    });
    // The controller's additions to the template (§5.3): the anti-affinity term against the
    // stable ReplicaSet (§5.4) and the ephemeral metadata of the role it starts in (§5.5).
    const tplSpec = (body.spec as { template: { spec?: Record<string, unknown> } }).template;
    const affinity = withInjectedAntiAffinity({
      affinity: tplSpec.spec?.affinity,
      antiAffinity: this.antiAffinity,
      stableHash: this.old.stableRS,
      podHash: hash,
      namespace: this.ns,
    });
    if (affinity !== undefined) tplSpec.spec = { ...(tplSpec.spec ?? {}), affinity };
    const stableExists =
      !!this.old.stableRS && this.views.some((v) => v.hash === this.old.stableRS);
    const withMetadata = replicaSetWithEphemeralMetadata(
      body,
      newReplicaSetMetadata(ephemeralStrategy(ctx.ro.spec.strategy), stableExists),
    );
    let created: KubeObject;
    try {
      created = await ctx.ops.createReplicaSet(this.ns, withMetadata ?? body);
    } catch (e) {
      const code = (e as { code?: number }).code;
      if (code === 409) {
        const existing = await ctx.ops.getReplicaSet(this.ns, body.metadata.name ?? '');
        const ours = existing?.metadata.ownerReferences?.some(
          (r) => r.controller && r.uid === ctx.raw.metadata.uid,
        );
        if (
          existing &&
          ours &&
          replicaSetMatchesTemplate(existing, ctx.template, this.templateMatchOptions())
        ) {
          // Our own ReplicaSet, not yet in the cache: the next pass will find it.
          this.requeueAt(new Date(ctx.now.getTime() + 100));
          return;
        }
        // Someone else's ReplicaSet, or another template, under that name: a hash collision.
        // Bump collisionCount so the next pass computes a different name (rollout-semantics §5.1).
        await this.patchStatus({ ...this.old, collisionCount: (this.old.collisionCount ?? 0) + 1 });
        return;
      }
      const message = `Failed to create new replica set "${body.metadata.name}": ${(e as Error).message}`;
      this.events.emit(ctx.raw, {
        type: 'Warning',
        reason: EventReason.ReplicaSetCreateError,
        message,
      });
      await this.patchStatus({
        ...this.old,
        conditions: setCondition(
          this.old.conditions,
          newCondition(
            ConditionType.Progressing,
            'False',
            Reason.ReplicaSetCreateError,
            message,
            rfc3339(ctx.now),
          ),
        ),
      });
      throw e;
    }
    this.events.emit(ctx.raw, {
      type: 'Normal',
      reason: EventReason.NewReplicaSetCreated,
      message: `Created ReplicaSet ${created.metadata.name} (revision ${revision})`,
    });
    await this.setRolloutRevision(revision);
    const next: RolloutStatus = {
      ...this.old,
      conditions: setCondition(
        this.old.conditions,
        newCondition(
          ConditionType.Progressing,
          'True',
          Reason.NewReplicaSetCreated,
          `Created new replica set "${created.metadata.name}"`,
          rfc3339(ctx.now),
        ),
      ),
    };
    await this.patchStatus(next);
  }

  protected async setRolloutRevision(revision: number): Promise<void> {
    const { ctx } = this;
    const current = ctx.raw.metadata.annotations?.[REVISION_ANNOTATION];
    if (current === String(revision)) return;
    await this.patchRollout({
      metadata: { annotations: { [REVISION_ANNOTATION]: String(revision) } },
    });
    this.events.emit(ctx.raw, {
      type: 'Normal',
      reason: EventReason.RolloutUpdated,
      message: `Rollout updated to revision ${revision}`,
    });
  }

  /**
   * Revision bump on rollback, minReadySeconds and the injected anti-affinity term (§5.4: it
   * follows status.stableRS, and goes once this ReplicaSet is the stable one) kept in sync. True
   * when it wrote.
   */
  protected async syncNewReplicaSet(): Promise<boolean> {
    const rs = this.newRS!;
    const others = this.views.filter((v) => v !== rs);
    const wantRevision = Math.max(rs.revision, maxRevision(others) + 1);
    const bumped =
      rs.revision < wantRevision ? bumpedRevisionAnnotations(rs, wantRevision) : undefined;
    const minReady = this.ctx.ro.spec.minReadySeconds ?? 0;
    const spec = rs.obj.spec as {
      minReadySeconds?: number;
      template?: { spec?: Record<string, unknown> };
    };
    const affinity = replicaSetAffinityUpdate({
      affinity: spec.template?.spec?.affinity,
      antiAffinity: this.antiAffinity,
      stableHash: this.old.stableRS,
      podHash: rs.hash,
      namespace: this.ns,
    });
    if (!bumped && !affinity && (spec.minReadySeconds ?? 0) === minReady) {
      await this.setRolloutRevision(rs.revision);
      return false;
    }
    const next = structuredClone(rs.obj);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...(bumped ?? {}) };
    (next.spec as { minReadySeconds?: number }).minReadySeconds = minReady;
    if (affinity) {
      const tpl = ((next.spec as { template?: { spec?: Record<string, unknown> } }).template ??=
        {});
      tpl.spec ??= {};
      if (affinity.affinity === undefined) delete tpl.spec.affinity;
      else tpl.spec.affinity = affinity.affinity;
    }
    await this.ctx.ops.updateReplicaSet(next);
    await this.setRolloutRevision(wantRevision);
    return true;
  }

  // ---- pause pre-pass (§4.3 step 1) ----

  protected async pausePrePass(): Promise<boolean> {
    const { ctx, old } = this;
    const conds = old.conditions ?? [];
    const prog = conds.find((c) => c.type === ConditionType.Progressing);
    const isPaused = (old.pauseConditions?.length ?? 0) > 0 || ctx.ro.spec.paused === true;
    const progPaused = prog?.reason === Reason.RolloutPaused;
    const abortCond = prog?.reason === Reason.RolloutAborted;
    const completed = conds.some((c) => c.type === ConditionType.Completed && c.status === 'True');
    const now = rfc3339(ctx.now);
    let next = conds;
    if (isPaused !== progPaused && !abortCond && !(isPaused && completed)) {
      next = setCondition(
        next,
        isPaused
          ? newCondition(
              ConditionType.Progressing,
              'Unknown',
              Reason.RolloutPaused,
              'Rollout is paused',
              now,
            )
          : newCondition(
              ConditionType.Progressing,
              'Unknown',
              Reason.RolloutResumed,
              'Rollout is resumed',
              now,
            ),
      );
    }
    if (!old.abort && abortCond) {
      next = setCondition(
        next,
        newCondition(
          ConditionType.Progressing,
          'Unknown',
          Reason.RolloutRetry,
          'Retrying Rollout after abort',
          now,
        ),
      );
    }
    const pausedTrue = conds.some((c) => c.type === ConditionType.Paused && c.status === 'True');
    if (isPaused !== pausedTrue && !abortCond) {
      next = setCondition(
        next,
        newCondition(
          ConditionType.Paused,
          isPaused ? 'True' : 'False',
          Reason.RolloutPaused,
          'Rollout is paused',
          now,
        ),
      );
    }
    if (next === conds || JSON.stringify(next) === JSON.stringify(conds)) return false;
    if (isPaused && !progPaused && !abortCond) {
      const reason = ctx.ro.spec.paused
        ? 'manually paused'
        : (old.pauseConditions?.[0]?.reason ?? '');
      this.events.emit(ctx.raw, {
        type: 'Normal',
        reason: EventReason.RolloutPaused,
        message: `Rollout is paused (${reason})`,
      });
    } else if (!isPaused && progPaused) {
      this.events.emit(ctx.raw, {
        type: 'Normal',
        reason: EventReason.RolloutResumed,
        message: 'Rollout is resumed',
      });
    }
    const status = { ...old, conditions: next };
    Object.assign(status, this.phaseOf(status));
    status.observedGeneration = String(ctx.raw.metadata.generation);
    await this.patchStatus(status);
    return true;
  }

  /** An active ReplicaSet was last sized for another spec.replicas (rollout-semantics §6.10). */
  protected isScalingEvent(): boolean {
    return this.views.some(
      (v) =>
        v.specReplicas > 0 &&
        v.desiredAnnotation !== undefined &&
        v.desiredAnnotation !== this.R &&
        v.replicas === v.specReplicas,
    );
  }

  /**
   * workloadRef: the referenced object's generation is recorded on the Rollout, so Argo CD can
   * tell when a Deployment change has been seen; and the Deployment is scaled down as
   * `scaleDown` asks once the Rollout has taken over.
   */
  protected async syncWorkloadGeneration(): Promise<boolean> {
    const { ctx } = this;
    const w = ctx.workload;
    const ref = ctx.ro.spec.workloadRef;
    if (!w || !ref) return false;
    const gen = String(w.metadata.generation ?? '');
    if (ctx.raw.metadata.annotations?.[WORKLOAD_GENERATION_ANNOTATION] !== gen) {
      await this.patchRollout({
        metadata: { annotations: { [WORKLOAD_GENERATION_ANNOTATION]: gen } },
      });
      return true;
    }
    const mode = ref.scaleDown ?? 'never';
    if (mode === 'never' || !ctx.ops.patchWorkload || this.newRS!.revision !== 1) return false;
    const replicas = (w.spec as { replicas?: number } | undefined)?.replicas ?? 1;
    const healthy = this.old.phase === 'Healthy' && this.old.stableRS === this.newRS!.hash;
    let want: number | undefined;
    if (mode === 'onsuccess' && healthy) want = 0;
    if (mode === 'progressively')
      want = healthy ? 0 : Math.max(0, this.R - (this.old.readyReplicas ?? 0));
    if (want === undefined || want === replicas) return false;
    await ctx.ops.patchWorkload(
      w.apiVersion ?? 'apps/v1',
      w.kind ?? 'Deployment',
      this.ns,
      w.metadata.name ?? '',
      {
        spec: { replicas: want },
      },
    );
    return false;
  }

  // ---- restarts (§6.10) ----

  protected restartedAt: string | undefined;

  /** True when pods were evicted: the pass ends after the status write. */
  protected async restartPods(): Promise<boolean> {
    const { ctx } = this;
    const maxUnavailable = this.restartMaxUnavailable();
    const order = [this.newRS, this.stableRS, ...this.others].filter((v): v is RsView => !!v);
    const d = decideRestart({
      restartAt: ctx.ro.spec.restartAt,
      restartedAt: this.old.restartedAt,
      now: ctx.now,
      replicas: this.R,
      maxUnavailable,
      replicaSets: [...new Set(order)],
      podsOf: (rs) => ctx.podsOf(rs.obj.metadata.uid ?? ''),
    });
    if (!d) return false;
    if (d.notBefore) {
      this.requeueAt(d.notBefore);
      return false;
    }
    if (d.done) {
      this.restartedAt = ctx.ro.spec.restartAt;
      return false;
    }
    for (const pod of d.evict) {
      try {
        await ctx.ops.evictPod(this.ns, pod.metadata.name ?? '');
      } catch (e) {
        // 429: a PodDisruptionBudget says not now; 404: already gone. Try again later.
        const code = (e as { code?: number }).code;
        if (code !== 429 && code !== 404) throw e;
      }
    }
    this.requeueAt(new Date(ctx.now.getTime() + 30_000));
    // A restart waiting for availability budget must not hold up the rest of the pass (an
    // abort, a scale-up that frees the budget): only an eviction ends it (rollout-semantics §6.1).
    return d.evict.length > 0;
  }

  // ---- revision history (§2.1) ----

  protected async cleanUpHistory(): Promise<void> {
    for (const rs of replicaSetsToDelete(this.others, this.ctx.ro.spec.revisionHistoryLimit)) {
      await this.ctx.ops.deleteReplicaSet(this.ns, rs.name, rs.obj.metadata.uid ?? '');
      this.views = this.views.filter((v) => v !== rs);
      this.others = this.others.filter((v) => v !== rs);
    }
  }

  /** Scales one ReplicaSet; true when spec.replicas changed. */
  protected async scale(
    rs: RsView,
    replicas: number,
    o: { setDeadline?: string; removeDeadline?: boolean } = {},
  ): Promise<boolean> {
    const ann = rs.obj.metadata.annotations ?? {};
    const desired = String(this.R);
    const sizeChanged = rs.specReplicas !== replicas;
    const wantDeadline =
      o.setDeadline ??
      (o.removeDeadline || replicas === 0 ? undefined : ann[SCALE_DOWN_DEADLINE_ANNOTATION]);
    const annChanged =
      ann[DESIRED_REPLICAS_ANNOTATION] !== desired ||
      ann[SCALE_DOWN_DEADLINE_ANNOTATION] !== wantDeadline;
    if (!sizeChanged && !annChanged) return false;
    const next = structuredClone(rs.obj);
    const nextAnn: Record<string, string> = {
      ...(next.metadata.annotations ?? {}),
      [DESIRED_REPLICAS_ANNOTATION]: desired,
    };
    if (wantDeadline === undefined) delete nextAnn[SCALE_DOWN_DEADLINE_ANNOTATION];
    else nextAnn[SCALE_DOWN_DEADLINE_ANNOTATION] = wantDeadline;
    next.metadata.annotations = nextAnn;
    (next.spec as { replicas: number }).replicas = replicas;
    this.replaceView(rs, await this.ctx.ops.updateReplicaSet(next));
    if (sizeChanged) {
      this.events.emit(this.ctx.raw, {
        type: 'Normal',
        reason: EventReason.ScalingReplicaSet,
        message: `Scaled ${replicas > rs.specReplicas ? 'up' : 'down'} ReplicaSet ${rs.name} (revision ${rs.revision}) from ${rs.specReplicas} to ${replicas}`,
      });
    }
    return sizeChanged;
  }

  /** Swaps in the object a write returned, so later writes in this pass carry its resourceVersion. */
  protected replaceView(rs: RsView, updated: KubeObject): RsView {
    const view = rsView(updated);
    this.views = this.views.map((v) => (v === rs ? view : v));
    if (this.newRS === rs) this.newRS = view;
    if (this.stableRS === rs) this.stableRS = view;
    this.others = this.others.map((v) => (v === rs ? view : v));
    return view;
  }

  // ---- ephemeral metadata (§5.5) ----

  /**
   * Each ReplicaSet's pod template gets the metadata of the role it plays (ephemeral-metadata.ts),
   * then its running pods are patched in place. The ReplicaSet goes first, so a pod it creates in
   * between already has the new metadata. Pods are looked at when the ReplicaSet changed or
   * carries injected metadata: that also repairs pods a previous pass did not get to.
   */
  protected async reconcileEphemeralMetadata(): Promise<void> {
    const targets = ephemeralTargets({
      strategy: ephemeralStrategy(this.ctx.ro.spec.strategy),
      stableHash: this.old.stableRS,
      newRS: this.newRS!,
      stableRS: this.stableRS,
      others: this.others,
    });
    for (const { rs, desired } of targets) {
      const existing = parseEphemeralMetadataAnnotation(rs.obj.metadata.annotations);
      const next = replicaSetWithEphemeralMetadata(rs.obj, desired);
      let view = rs;
      if (next) view = this.replaceView(rs, await this.ctx.ops.updateReplicaSet(next));
      if (view.specReplicas === 0 || (!next && existing === undefined)) continue;
      for (const pod of this.ctx.podsOf(view.obj.metadata.uid ?? '')) {
        if (pod.metadata.deletionTimestamp) continue;
        const patch = podMetadataPatch(pod, existing, desired);
        if (!patch) continue;
        try {
          await this.ctx.ops.patchPod(this.ns, pod.metadata.name ?? '', patch);
        } catch (e) {
          // Gone in the meantime: its replacement is created from the updated template.
          if ((e as { code?: number }).code !== 404) throw e;
        }
      }
    }
  }

  protected async patchStatus(next: RolloutStatus): Promise<void> {
    const diff = mergePatchDiff(this.old, next);
    if (diff === undefined) {
      this.flushStatusEvents();
      return;
    }
    const updated = await this.ctx.ops.patchRolloutStatus(this.ns, this.name, {
      metadata: { resourceVersion: this.rolloutRv },
      status: diff,
    });
    this.rolloutRv = updated.metadata.resourceVersion;
    this.flushStatusEvents();
  }

  protected flushStatusEvents(): void {
    for (const { obj, e } of this.statusEvents.splice(0)) this.ctx.events.emit(obj, e);
  }

  protected async patchRollout(patch: { metadata?: object; spec?: object }): Promise<void> {
    const updated = await this.ctx.ops.patchRollout(this.ns, this.name, {
      ...patch,
      metadata: { ...(patch.metadata ?? {}), resourceVersion: this.rolloutRv },
    });
    this.rolloutRv = updated.metadata.resourceVersion;
  }
}
