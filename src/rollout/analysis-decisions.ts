// Pure decisions the Rollout reconciler makes about its AnalysisRuns (analysis.md §7.5–§7.9,
// rollout-semantics §4.2, §6.2). The reconciler does the I/O; everything here only looks at
// objects it is handed, so every branch is unit-testable without a cluster.
import { isCompleted, timeMs } from '../analysis/phase.ts';
import type { RunStatus } from '../api/analysis-refs.ts';
import { PauseReason, POD_TEMPLATE_HASH_LABEL, STEP_INDEX_LABEL } from './labels.ts';

/** The slice of an AnalysisRun these decisions read; a parsed AnalysisRun satisfies it. */
export type AnalysisRunLike = {
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    ownerReferences?: { uid: string; controller?: boolean }[];
  };
  spec?: { terminate?: boolean };
  status?: { phase?: string; message?: string };
};

/** The `rollout-type` label values (§7.4); also the `<Type>` word of the status-change event. */
export type AnalysisRunKind = 'Step' | 'Background' | 'PrePromotion' | 'PostPromotion';

/** Merge patch that cancels a run (rollout-semantics §5.6). */
export const terminatePatch = { spec: { terminate: true } } as const;

const DEFAULT_SUCCESSFUL_LIMIT = 5;
const DEFAULT_UNSUCCESSFUL_LIMIT = 5;

/** Go's metav1.GetControllerOf: only the first `controller: true` reference counts. */
export function isControlledBy(run: AnalysisRunLike, rolloutUid: string): boolean {
  const ref = (run.metadata.ownerReferences ?? []).find((r) => r.controller === true);
  return ref !== undefined && ref.uid === rolloutUid;
}

/**
 * Splits owned runs into those named in Rollout status (§7.9) and the rest. Runs already being
 * deleted are left out of both: they are on their way out and must neither be reused as the
 * current run nor be patched or deleted again.
 */
export function classifyRuns(
  owned: readonly AnalysisRunLike[],
  currentNames: readonly string[],
): { current: Map<string, AnalysisRunLike>; others: AnalysisRunLike[] } {
  // An absent status entry yields "" upstream; no run can be named "", so it must never match.
  const names = new Set(currentNames.filter((n) => n !== ''));
  const current = new Map<string, AnalysisRunLike>();
  const others: AnalysisRunLike[] = [];
  for (const run of owned) {
    if (run.metadata.deletionTimestamp) continue;
    const name = run.metadata.name ?? '';
    if (names.has(name)) current.set(name, run);
    else others.push(run);
  }
  return { current, others };
}

/**
 * §7.5 global cancellation: every current run is cancelled and none is created. Fully promoted
 * only counts once a stable RS exists; with no stable RS it is the initial deploy anyway.
 * `fastRollback` is upstream's "new RS carries a scale-down-deadline"; `rollbackWithinWindow` is
 * the rollbackWindow skip (rollout-semantics §6.10), which upstream also treats this way.
 */
export function shouldCancelAll(input: {
  stableRS?: string;
  currentPodHash?: string;
  abort?: boolean;
  promoteFull?: boolean;
  fastRollback?: boolean;
  rollbackWithinWindow?: boolean;
}): boolean {
  const stable = input.stableRS ?? '';
  const initialDeploy = stable === '';
  const fullyPromoted = !initialDeploy && stable === (input.currentPodHash ?? '');
  return (
    initialDeploy ||
    fullyPromoted ||
    input.abort === true ||
    input.promoteFull === true ||
    input.fastRollback === true ||
    input.rollbackWithinWindow === true
  );
}

/**
 * §7.5 needsNew. While the controller holds a pause that is not a step/blue-green pause (i.e. an
 * InconclusiveAnalysisRun pause a user has just cleared), only an Inconclusive run is replaced;
 * otherwise the pause has not been processed yet and replacing the run would lose its verdict.
 * A set `abortedAt` means the user retried after an abort, which always starts fresh runs.
 */
export function needsNewRun(
  current: AnalysisRunLike | undefined,
  rolloutStatus: {
    controllerPause?: boolean;
    pauseConditions?: readonly { reason: string }[];
    abortedAt?: string;
  },
): boolean {
  if (current === undefined) return true;
  const reasons = (rolloutStatus.pauseConditions ?? []).map((p) => p.reason);
  if (
    rolloutStatus.controllerPause === true &&
    !reasons.includes(PauseReason.CanaryPauseStep) &&
    !reasons.includes(PauseReason.BlueGreenPause)
  ) {
    return current.status?.phase === 'Inconclusive';
  }
  return rolloutStatus.abortedAt !== undefined && rolloutStatus.abortedAt !== '';
}

/**
 * A step run recorded for another step (the user skipped or promoted past it) must be
 * cancelled (§7.5). A run without the label is stale too: Go compares the missing label as "".
 */
export function isStepRunStale(run: AnalysisRunLike | undefined, stepIndex: number): boolean {
  return run !== undefined && run.metadata.labels?.[STEP_INDEX_LABEL] !== String(stepIndex);
}

/** Cancelling a finished run or re-sending the patch would only cost a write. */
export function needsCancel(run: AnalysisRunLike | undefined): boolean {
  return run !== undefined && run.spec?.terminate !== true && !isCompleted(run.status?.phase);
}

export type RunPhaseEffect = 'wait' | 'continue' | 'pause' | 'abort';

/** §7.6. Unknown phases wait: only Successful lets a step or promotion proceed. */
export function runPhaseEffect(phase: string | undefined): RunPhaseEffect {
  switch (phase) {
    case 'Successful':
      return 'continue';
    case 'Inconclusive':
      return 'pause';
    case 'Failed':
    case 'Error':
      return 'abort';
    default:
      return 'wait';
  }
}

const ABORT_PREFIX: Record<AnalysisRunKind, string> = {
  Step: 'Step-based analysis phase error/failed',
  Background: 'Background analysis phase error/failed',
  PrePromotion: 'Blue/green pre-promotion analysis phase error/failed',
  PostPromotion: 'Blue/green post-promotion analysis phase error/failed',
};

/**
 * The detail after "Rollout aborted update to revision N: " — what the reconciler hands to
 * PauseState.addAbort. Upstream writes the literal "error/failed" whichever of the two it was.
 */
export function abortDetail(kind: AnalysisRunKind, runMessage?: string): string {
  const prefix = ABORT_PREFIX[kind];
  return runMessage ? `${prefix}: ${runMessage}` : prefix;
}

/** The full Progressing/RolloutAborted condition message (§7.6). */
export function abortMessage(
  kind: AnalysisRunKind,
  _phase: 'Failed' | 'Error',
  revision: string,
  runMessage?: string,
): string {
  return `Rollout aborted update to revision ${revision}: ${abortDetail(kind, runMessage)}`;
}

/** §7.9 status entry; Go's `message` is omitempty. */
export function runStatusOf(run: AnalysisRunLike): RunStatus {
  const out: RunStatus = { name: run.metadata.name ?? '', status: run.status?.phase ?? '' };
  if (run.status?.message) out.message = run.status.message;
  return out;
}

export type AnalysisRunEvent = {
  reason: string;
  type: 'Normal' | 'Warning';
  message: string;
};

/**
 * Whether the status-change event is due, given the entry recorded in the Rollout status
 * *before* this reconcile. A run still without a phase says nothing yet; when the entry names a
 * different run (a replacement was just created) upstream stays silent for that pass too.
 */
export function runEventDue(run: AnalysisRunLike, previous: RunStatus | undefined): boolean {
  const phase = run.status?.phase ?? '';
  if (phase === '') return false;
  if (previous === undefined) return true;
  return previous.name === (run.metadata.name ?? '') && previous.status !== phase;
}

/** §7.6 last line. `previousPhase` undefined means no status entry was recorded. */
export function analysisRunEvent(
  kind: AnalysisRunKind,
  run: AnalysisRunLike,
  previousPhase: string | undefined,
): AnalysisRunEvent {
  const phase = run.status?.phase ?? '';
  return {
    reason: `AnalysisRun${phase}`,
    type: phase === 'Failed' || phase === 'Error' ? 'Warning' : 'Normal',
    message: `${kind} Analysis Run '${run.metadata.name ?? ''}' Status New: '${phase}' Previous: '${previousPhase ?? 'NoPreviousStatus'}'`,
  };
}

/** Missing or unparsable creation time sorts like Go's zero time: oldest. */
function createdMs(run: AnalysisRunLike): number {
  const t = timeMs(run.metadata.creationTimestamp);
  return Number.isNaN(t) ? -Infinity : t;
}

/**
 * §7.8 (Go FilterAnalysisRunsToDelete), over the non-current runs. Runs already being deleted
 * still occupy a retention slot, as upstream counts them, but are not returned: deleting them
 * again is a wasted call. Names come back newest first.
 */
export function runsToDelete(
  others: readonly AnalysisRunLike[],
  replicaSetHashes: readonly { hash: string; deleting: boolean }[],
  limits: { successful?: number; unsuccessful?: number },
): string[] {
  // A later RS with the same hash overwrites an earlier one, as the Go map does.
  const rsDeleting = new Map<string, boolean>();
  for (const rs of replicaSetHashes) rsDeleting.set(rs.hash, rs.deleting);

  const limitSuccessful = limits.successful ?? DEFAULT_SUCCESSFUL_LIMIT;
  const limitUnsuccessful = limits.unsuccessful ?? DEFAULT_UNSUCCESSFUL_LIMIT;
  let keptSuccessful = 0;
  let keptUnsuccessful = 0;

  // Stable sort: equal timestamps keep input order (Go's sort.Sort leaves them unspecified).
  const newestFirst = [...others].sort((a, b) => createdMs(b) - createdMs(a) || 0);
  const doomed: AnalysisRunLike[] = [];
  for (const run of newestFirst) {
    const hash = run.metadata.labels?.[POD_TEMPLATE_HASH_LABEL];
    if (hash === undefined) {
      doomed.push(run);
      continue;
    }
    const deleting = rsDeleting.get(hash);
    if (deleting === undefined || deleting) {
      doomed.push(run);
      continue;
    }
    const phase = run.status?.phase;
    if (phase === 'Successful') {
      if (keptSuccessful < limitSuccessful) keptSuccessful++;
      else doomed.push(run);
    } else if (phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive') {
      if (keptUnsuccessful < limitUnsuccessful) keptUnsuccessful++;
      else doomed.push(run);
    }
  }
  return doomed
    .filter((r) => !r.metadata.deletionTimestamp && r.metadata.name)
    .map((r) => r.metadata.name ?? '');
}
