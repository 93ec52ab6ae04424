// spec.rollbackWindow (rollout-semantics §2.1, §6.9, §6.10; argo-rollouts rollout/sync.go
// isRollbackWithinWindow): going back to one of the last N revisions is a rollback to something
// that already ran in production, so it skips the steps, pause and analysis an update goes through
// and is promoted as soon as it is available — the same fast track as a rollback to the stable
// ReplicaSet itself.

/** What the window test needs of a ReplicaSet. */
export interface WindowReplicaSet {
  name: string;
  /** metadata.creationTimestamp (RFC 3339; Kubernetes keeps whole seconds). */
  creationTimestamp: string;
  annotations?: Record<string, string> | undefined;
}

/** ReplicaSets an Experiment created carry this annotation; they are not revisions. */
export const EXPERIMENT_NAME_ANNOTATION = 'experiment.argoproj.io/name';

function seconds(ts: string): number {
  const ms = Date.parse(ts);
  // metav1.Time compares whole seconds; an unparsable timestamp is Go's zero time.
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : Math.floor(ms / 1000);
}

/**
 * Go isRollbackWithinWindow: the new ReplicaSet was created before the stable one (it is an older
 * revision) and fewer than `revisions` ReplicaSets (Experiment ones not counted) were created
 * strictly between the two. Revision numbers are not used: a rollback bumps the old ReplicaSet's
 * revision, while its creation time stays.
 */
export function isRollbackWithinWindow(i: {
  revisions: number | undefined;
  newRS: WindowReplicaSet | undefined;
  stableRS: WindowReplicaSet | undefined;
  all: readonly WindowReplicaSet[];
}): boolean {
  const { newRS, stableRS } = i;
  if (!newRS || !stableRS || i.revisions === undefined || i.revisions <= 0) return false;
  const newAt = seconds(newRS.creationTimestamp);
  const stableAt = seconds(stableRS.creationTimestamp);
  if (!(newAt < stableAt)) return false;
  let between = 0;
  for (const rs of i.all) {
    if (rs.annotations?.[EXPERIMENT_NAME_ANNOTATION]) continue;
    const at = seconds(rs.creationTimestamp);
    if (at < stableAt && newAt < at) between++;
  }
  return between < i.revisions;
}
