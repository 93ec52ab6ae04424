// revisionHistoryLimit (rollout-semantics §2.1): old ReplicaSets that are fully scaled down are
// deleted, oldest first, keeping the newest `limit` of them. The new and stable ReplicaSets
// never count and are never deleted.
import type { RsView } from './replicasets.ts';

export function replicaSetsToDelete(
  others: readonly RsView[],
  limit: number | undefined,
): RsView[] {
  const keep = limit ?? 10;
  const idle = others
    .filter((v) => v.specReplicas === 0 && v.replicas === 0 && !v.obj.metadata.deletionTimestamp)
    .sort((a, b) =>
      a.creationTimestamp === b.creationTimestamp
        ? a.revision - b.revision
        : a.creationTimestamp < b.creationTimestamp
          ? -1
          : 1,
    );
  return idle.slice(0, Math.max(0, idle.length - keep));
}
