// The AnalysisRuns of a canary Rollout (analysis.md §7.5–7.9, Go reconcileAnalysisRuns): create
// the step and background runs when due, react to their phases (Inconclusive → pause, Failed or
// Error → abort), cancel the ones no longer wanted, and delete the ones beyond the history
// limits. Decisions come from analysis-decisions.ts; the run objects from
// analysis-run-builder.ts. The caller folds the returned run statuses into the Rollout status.
import type { AnalysisRun } from '../api/analysis.ts';
import type { RunStatus } from '../api/analysis-refs.ts';
import type { KubeObject } from '../api/kube-object.ts';
import type { RolloutStatus } from '../api/rollout.ts';
import type { EventSink } from '../kube/event-recorder.ts';
import {
  abortDetail,
  analysisRunEvent,
  classifyRuns,
  isControlledBy,
  isStepRunStale,
  needsCancel,
  needsNewRun,
  runEventDue,
  runPhaseEffect,
  runsToDelete,
  runStatusOf,
  shouldCancelAll,
  terminatePatch,
  type AnalysisRunKind,
  type AnalysisRunLike,
} from './analysis-decisions.ts';
import {
  analysisTemplateRefs,
  buildAnalysisRun,
  collisionName,
  isSemanticallyEqualRun,
  type TemplateLookup,
} from './analysis-run-builder.ts';
import { currentStep } from './canary-weight.ts';
import type { Log } from './context.ts';
import { PauseReason, REVISION_ANNOTATION } from './labels.ts';
import type { PauseState } from './pause-state.ts';
import type { RsView } from './replicasets.ts';
import type { CanaryStrategy, Rollout } from '../api/rollout.ts';
import { isCompleted } from '../analysis/phase.ts';

/** The API writes this module makes. */
export interface AnalysisRunOps {
  createAnalysisRun(namespace: string, body: KubeObject): Promise<KubeObject>;
  getAnalysisRun(namespace: string, name: string): Promise<KubeObject | undefined>;
  patchAnalysisRun(namespace: string, name: string, patch: object): Promise<KubeObject>;
  deleteAnalysisRun(namespace: string, name: string): Promise<void>;
}

export interface CanaryAnalysisInput {
  raw: KubeObject;
  ro: Rollout;
  canary: CanaryStrategy;
  old: RolloutStatus;
  /** Runs controlled by this Rollout. */
  runs: readonly KubeObject[];
  templates: TemplateLookup;
  newRS: RsView;
  stableRS: RsView | undefined;
  /** Hashes of this Rollout's ReplicaSets (history deletion). */
  replicaSets: readonly RsView[];
  pause: PauseState;
  ops: AnalysisRunOps;
  events: EventSink;
  log: Log;
}

export interface CanaryAnalysisResult {
  step: RunStatus | undefined;
  background: RunStatus | undefined;
}

/** Go caps the `<name>.<n>` retries; a run name collision past this is an error. */
const MAX_COLLISIONS = 100;

export async function reconcileCanaryAnalysis(
  a: CanaryAnalysisInput,
): Promise<CanaryAnalysisResult> {
  const ns = a.raw.metadata.namespace ?? 'default';
  const uid = a.raw.metadata.uid ?? '';
  const owned = a.runs.filter((r) => isControlledBy(r as AnalysisRunLike, uid)) as AnalysisRun[];
  const currentNames = [
    a.old.canary?.currentStepAnalysisRunStatus?.name,
    a.old.canary?.currentBackgroundAnalysisRunStatus?.name,
  ].filter((n): n is string => !!n);
  const { current, others } = classifyRuns(owned, currentNames);
  const stepRun = current.get(a.old.canary?.currentStepAnalysisRunStatus?.name ?? '') as
    AnalysisRun | undefined;
  const bgRun = current.get(a.old.canary?.currentBackgroundAnalysisRunStatus?.name ?? '') as
    AnalysisRun | undefined;

  const cancel = async (run: AnalysisRunLike | undefined) => {
    if (!run || !needsCancel(run)) return;
    await a.ops.patchAnalysisRun(ns, run.metadata.name ?? '', terminatePatch);
  };

  let result: CanaryAnalysisResult;
  if (
    shouldCancelAll({
      stableRS: a.old.stableRS ?? '',
      currentPodHash: a.newRS.hash,
      abort: a.pause.isAborted(),
      promoteFull: a.old.promoteFull === true,
    })
  ) {
    for (const r of [stepRun, bgRun]) await cancel(r);
    // Canary drops the runs from status once everything is cancelled (§7.5), except after an
    // abort, where the failed run stays visible next to the Degraded status.
    result = a.pause.isAborted()
      ? {
          step: stepRun ? runStatusOf(stepRun) : undefined,
          background: bgRun ? runStatusOf(bgRun) : undefined,
        }
      : { step: undefined, background: undefined };
  } else {
    const step = await reconcileStepRun(a, stepRun, cancel);
    const background = await reconcileBackgroundRun(a, bgRun, cancel);
    result = { step, background };
  }

  const keep = new Set([result.step?.name, result.background?.name]);
  const stale = [...others, ...[stepRun, bgRun].filter((r) => r && !keep.has(r.metadata.name))];
  for (const r of stale) await cancel(r);
  const limits = a.ro.spec.analysis ?? {};
  const doomed = runsToDelete(
    others.filter((r) => !keep.has(r.metadata.name)),
    a.replicaSets.map((v) => ({ hash: v.hash, deleting: !!v.obj.metadata.deletionTimestamp })),
    {
      ...(limits.successfulRunHistoryLimit !== undefined
        ? { successful: limits.successfulRunHistoryLimit }
        : {}),
      ...(limits.unsuccessfulRunHistoryLimit !== undefined
        ? { unsuccessful: limits.unsuccessfulRunHistoryLimit }
        : {}),
    },
  );
  for (const name of doomed) await a.ops.deleteAnalysisRun(ns, name);
  return result;
}

type Cancel = (run: AnalysisRunLike | undefined) => Promise<void>;

/** Go reconcileStepBasedAnalysisRun. */
async function reconcileStepRun(
  a: CanaryAnalysisInput,
  current: AnalysisRun | undefined,
  cancel: Cancel,
): Promise<RunStatus | undefined> {
  const cur = currentStep(a.canary.steps ?? [], a.old);
  if ((a.old.pauseConditions?.length ?? 0) > 0 || a.old.abort) {
    return current ? runStatusOf(current) : undefined;
  }
  const analysis = cur?.step?.analysis;
  if (!cur || analysis === undefined || analysisTemplateRefs(analysis).length === 0) {
    await cancel(current);
    return undefined;
  }
  let run = current;
  if (run && isStepRunStale(run, cur.index)) {
    await cancel(run);
    run = undefined;
  }
  if (needsNewRun(run, a.old)) {
    const created = await createRun(a, 'Step', analysis, cur.index);
    return runStatusOf(created);
  }
  return react(a, 'Step', run!, a.old.canary?.currentStepAnalysisRunStatus);
}

/** Go reconcileBackgroundAnalysisRun. */
async function reconcileBackgroundRun(
  a: CanaryAnalysisInput,
  current: AnalysisRun | undefined,
  cancel: Cancel,
): Promise<RunStatus | undefined> {
  const analysis = a.canary.analysis;
  if (!analysis || analysisTemplateRefs(analysis).length === 0) {
    await cancel(current);
    return undefined;
  }
  const index = a.old.currentStepIndex;
  const beforeStart =
    analysis.startingStep !== undefined &&
    index !== undefined &&
    (a.canary.steps?.length ?? 0) > 0 &&
    index < analysis.startingStep;
  if (
    a.old.stableRS === a.newRS.hash ||
    !a.old.stableRS ||
    !a.newRS.hash ||
    !a.old.currentPodHash ||
    beforeStart
  ) {
    return undefined;
  }
  if (a.pause.hasPause(PauseReason.InconclusiveAnalysisRun)) {
    return current ? runStatusOf(current) : undefined;
  }
  if (needsNewRun(current, a.old)) {
    const created = await createRun(a, 'Background', analysis);
    return runStatusOf(created);
  }
  return react(a, 'Background', current!, a.old.canary?.currentBackgroundAnalysisRunStatus);
}

/** §7.6: the run's phase acts on the Rollout; its status change is an event. */
function react(
  a: CanaryAnalysisInput,
  kind: AnalysisRunKind,
  run: AnalysisRun,
  previous: RunStatus | undefined,
): RunStatus {
  const like = run as AnalysisRunLike;
  if (runEventDue(like, previous)) {
    const e = analysisRunEvent(kind, like, previous?.status);
    a.events.emit(a.raw, e);
  }
  switch (runPhaseEffect(run.status?.phase)) {
    case 'pause':
      a.pause.addPause(PauseReason.InconclusiveAnalysisRun);
      break;
    case 'abort':
      a.pause.addAbort(abortDetail(kind, run.status?.message));
      break;
    default:
      break;
  }
  return runStatusOf(like);
}

/** Creates the run; on a name collision reuses an equal live run or tries `<name>.<n>` (§7.4). */
async function createRun(
  a: CanaryAnalysisInput,
  kind: AnalysisRunKind,
  analysis: NonNullable<CanaryStrategy['analysis']>,
  stepIndex?: number,
): Promise<KubeObject> {
  const ns = a.raw.metadata.namespace ?? 'default';
  const built = buildAnalysisRun({
    rollout: a.ro,
    analysis,
    type: kind,
    stepIndex,
    podHash: a.newRS.hash,
    stableHash: a.stableRS?.hash,
    revision: a.raw.metadata.annotations?.[REVISION_ANNOTATION] ?? String(a.newRS.revision),
    lookup: a.templates,
    newReplicaSetName: a.newRS.name,
  });
  if (!built.ok) throw new Error(`cannot create the ${kind} AnalysisRun: ${built.error}`);
  const base = built.run.metadata.name ?? '';
  for (let n = 0; n <= MAX_COLLISIONS; n++) {
    const body = structuredClone(built.run) as KubeObject;
    body.metadata.name = n === 0 ? base : collisionName(base, n);
    try {
      const created = await a.ops.createAnalysisRun(ns, body);
      a.log.info(`Created AnalysisRun for ${kind === 'Step' ? 'step' : kind}`, {
        analysisrun: created.metadata.name,
      });
      return created;
    } catch (e) {
      if ((e as { code?: number }).code !== 409) throw e;
      const existing = (await a.ops.getAnalysisRun(ns, body.metadata.name)) as
        AnalysisRun | undefined;
      if (
        existing &&
        !isCompleted(existing.status?.phase) &&
        !existing.spec.terminate &&
        isControlledBy(existing, a.raw.metadata.uid ?? '') &&
        isSemanticallyEqualRun(existing, built.run)
      ) {
        return existing;
      }
    }
  }
  throw new Error(`cannot create the ${kind} AnalysisRun: too many name collisions for ${base}`);
}
