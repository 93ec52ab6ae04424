// spec.restartAt (rollout-semantics §6.10): pods created before the instant are evicted,
// one ReplicaSet at a time, never more at once than maxUnavailable allows; when none are
// left, status.restartedAt records the instant.
import type { KubeObject } from '../api/kube-object.ts';
import type { RsView } from './replicasets.ts';

export interface RestartDecision {
  /** Pods to evict in this pass. */
  evict: KubeObject[];
  /** Every pod is newer than restartAt: record status.restartedAt. */
  done: boolean;
  /** restartAt is in the future: look again then. */
  notBefore?: Date;
}

function isReady(pod: KubeObject): boolean {
  const conds =
    (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ??
    [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

export function decideRestart(i: {
  restartAt: string | undefined;
  restartedAt: string | undefined;
  now: Date;
  replicas: number;
  maxUnavailable: number;
  /** Owned ReplicaSets in the order they are restarted (new, stable, others). */
  replicaSets: readonly RsView[];
  podsOf(rs: RsView): KubeObject[];
}): RestartDecision | undefined {
  if (!i.restartAt || i.restartAt === i.restartedAt) return undefined;
  const at = Date.parse(i.restartAt);
  if (Number.isNaN(at)) return undefined;
  if (at > i.now.getTime()) return { evict: [], done: false, notBefore: new Date(at) };
  const totalSpec = i.replicaSets.reduce((n, r) => n + r.specReplicas, 0);
  const available = i.replicaSets.reduce((n, r) => n + r.availableReplicas, 0);
  let budget = available - (Math.max(i.replicas, totalSpec) - Math.max(i.maxUnavailable, 1));
  for (const rs of i.replicaSets) {
    if (rs.specReplicas === 0) continue;
    const old = i
      .podsOf(rs)
      .filter(
        (p) => !p.metadata.deletionTimestamp && Date.parse(p.metadata.creationTimestamp ?? '') < at,
      );
    if (old.length === 0) continue;
    // Unready pods go first: evicting them costs no availability.
    const unready = old.filter((p) => !isReady(p));
    const ready = old.filter(isReady);
    const evict = [...unready];
    for (const p of ready) {
      if (budget <= 0) break;
      evict.push(p);
      budget--;
    }
    return { evict, done: false };
  }
  return { evict: [], done: true };
}
