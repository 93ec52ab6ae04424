// What every strategy does with its AnalysisRuns (analysis.md §7.4–7.8, Go reconcileAnalysisRuns):
// the current runs named in the Rollout status are reconciled one slot at a time (step and
// background for canary, pre- and post-promotion for blue-green), everything else owned by the
// Rollout is cancelled, and old runs beyond the history limits are deleted. Creating a run
// (with the `<name>.<n>` collision rule) and reacting to its phase live here too.
import type { AnalysisRun } from '../api/analysis.ts';
import type { RunStatus } from '../api/analysis-refs.ts';
import type { KubeObject } from '../api/kube-object.ts';
import type { Rollout, RolloutStatus } from '../api/rollout.ts';
import type { RolloutAnalysis } from '../api/analysis-refs.ts';
import type { EventSink } from '../kube/event-recorder.ts';
import { isCompleted } from '../analysis/phase.ts';
import {
  abortDetail,
  analysisRunEvent,
  classifyRuns,
  isControlledBy,
  needsCancel,
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
  buildAnalysisRun,
  collisionName,
  isSemanticallyEqualRun,
  type TemplateLookup,
} from './analysis-run-builder.ts';
import type { Log } from './context.ts';
import { PauseReason, REVISION_ANNOTATION } from './labels.ts';
import type { PauseState } from './pause-state.ts';
import type { RsView } from './replicasets.ts';

/** The API writes this module makes. */
export interface AnalysisRunOps {
  createAnalysisRun(namespace: string, body: KubeObject): Promise<KubeObject>;
  getAnalysisRun(namespace: string, name: string): Promise<KubeObject | undefined>;
  patchAnalysisRun(namespace: string, name: string, patch: object): Promise<KubeObject>;
  deleteAnalysisRun(namespace: string, name: string): Promise<void>;
}

export interface AnalysisPassInput {
  raw: KubeObject;
  ro: Rollout;
  old: RolloutStatus;
  /** Runs in the namespace (those controlled by this Rollout are used). */
  runs: readonly KubeObject[];
  templates: TemplateLookup;
  newRS: RsView;
  stableRS: RsView | undefined;
  /** This Rollout's ReplicaSets (history deletion). */
  replicaSets: readonly RsView[];
  pause: PauseState;
  ops: AnalysisRunOps;
  events: EventSink;
  log: Log;
  /** A rollback within spec.rollbackWindow: no analysis, current runs cancelled (§6.10). */
  rollbackWithinWindow?: boolean;
}

export type Cancel = (run: AnalysisRunLike | undefined) => Promise<void>;

export interface RunSlot {
  /** The run named in the Rollout status for this slot. */
  currentName: string | undefined;
  reconcile(current: AnalysisRun | undefined, cancel: Cancel): Promise<RunStatus | undefined>;
}

/** Go caps the `<name>.<n>` retries; a run name collision past this is an error. */
const MAX_COLLISIONS = 100;

/**
 * Reconciles the slots in order and returns their run statuses. When everything is to be
 * cancelled (abort, promote full, initial deploy, fully promoted: §7.5) the current runs are
 * cancelled; `keepOnCancelAll` says whether they stay in the status.
 */
export async function reconcileAnalysisSlots(
  a: AnalysisPassInput,
  slots: readonly RunSlot[],
  keepOnCancelAll: boolean,
): Promise<(RunStatus | undefined)[]> {
  const ns = a.raw.metadata.namespace ?? 'default';
  const uid = a.raw.metadata.uid ?? '';
  const owned = a.runs.filter((r) => isControlledBy(r as AnalysisRunLike, uid)) as AnalysisRun[];
  const names = slots.map((s) => s.currentName).filter((n): n is string => !!n);
  const { current, others } = classifyRuns(owned, names);
  const currentRuns = slots.map((s) =>
    s.currentName ? (current.get(s.currentName) as AnalysisRun | undefined) : undefined,
  );
  const cancel: Cancel = async (run) => {
    if (!run || !needsCancel(run)) return;
    await a.ops.patchAnalysisRun(ns, run.metadata.name ?? '', terminatePatch);
  };

  const results: (RunStatus | undefined)[] = [];
  if (
    shouldCancelAll({
      stableRS: a.old.stableRS ?? '',
      currentPodHash: a.newRS.hash,
      abort: a.pause.isAborted(),
      promoteFull: a.old.promoteFull === true,
      rollbackWithinWindow: a.rollbackWithinWindow === true,
    })
  ) {
    for (const r of currentRuns) {
      await cancel(r);
      results.push(keepOnCancelAll && r ? runStatusOf(r) : undefined);
    }
  } else {
    for (const [i, slot] of slots.entries())
      results.push(await slot.reconcile(currentRuns[i], cancel));
  }

  const keep = new Set(results.map((r) => r?.name));
  const stale = [...others, ...currentRuns.filter((r) => r && !keep.has(r.metadata.name))];
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
  return results;
}

/** §7.6: the run's phase acts on the Rollout; its status change is an event. */
export function react(
  a: AnalysisPassInput,
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
export async function createRun(
  a: AnalysisPassInput,
  kind: AnalysisRunKind,
  analysis: RolloutAnalysis,
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
