// Reading the raw Kubernetes JSON the informers hand us. Objects arrive unvalidated (a stale
// CRD, a hand-edited status), so every read tolerates a missing or mistyped field instead of
// trusting a static type.
import type { KubeMeta, KubeObject } from '../../src/api/kube-object.ts';
import type { InfoMeta } from './types.ts';

export const REVISION_ANNOTATION = 'rollout.argoproj.io/revision';
export const POD_TEMPLATE_HASH_LABEL = 'rollouts-pod-template-hash';
export const EXPERIMENT_TEMPLATE_NAME_ANNOTATION = 'experiment.argoproj.io/template-name';
export const SCALE_DOWN_DEADLINE_ANNOTATION = 'scale-down-deadline';
export const WORKLOAD_GENERATION_ANNOTATION = 'rollout.argoproj.io/workload-generation';

export type Json = Record<string, unknown>;

export function obj(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Integers only: a Go int field holding anything else would not have decoded at all. */
export function int(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
}

export function bool(v: unknown): boolean {
  return v === true;
}

/** Go's strconv.Atoi: optional sign, decimal digits, nothing else. */
export function atoi(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number.parseInt(s, 10) : undefined;
}

export function annotation(meta: KubeMeta, key: string): string {
  return str(obj(meta.annotations)[key]);
}

/** The revision annotation as an int; missing or unparsable counts as 0. */
export function revisionOf(meta: KubeMeta): number {
  return atoi(annotation(meta, REVISION_ANNOTATION)) ?? 0;
}

/** Ownership as the original tests it: any ownerRef (controller or not) with that UID. */
export function ownedBy(o: KubeObject, uid: string): boolean {
  if (!uid) return false;
  return arr(o.metadata.ownerReferences).some((r) => str(obj(r).uid) === uid);
}

/** The ownerRef UID among `uids`, if any (pods are matched to one of several ReplicaSets). */
export function ownerAmong(o: KubeObject, uids: ReadonlySet<string>): string | undefined {
  for (const r of arr(o.metadata.ownerReferences)) {
    const uid = str(obj(r).uid);
    if (uids.has(uid)) return uid;
  }
  return undefined;
}

/** The short metadata the child infos carry (name, namespace, creation time, uid). */
export function shortMeta(o: KubeObject): InfoMeta {
  const m = o.metadata;
  return {
    name: str(m.name),
    namespace: str(m.namespace),
    uid: str(m.uid),
    creationTimestamp: str(m.creationTimestamp),
  };
}

/** Milliseconds since the epoch, or undefined when absent or unparsable. */
export function timeMs(ts: string): number | undefined {
  if (!ts) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Order by timestamp the way metav1.Time compares: an absent time is Go's zero time, earlier
 * than any real one.
 */
export function compareTime(a: string, b: string): number {
  const x = timeMs(a) ?? Number.NEGATIVE_INFINITY;
  const y = timeMs(b) ?? Number.NEGATIVE_INFINITY;
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Byte-wise string order (Go's `<` on strings), not locale order. */
export function compareStrings(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** `{name, image}` of each container entry, in order. */
export function containersOf(podSpec: unknown, key: 'containers' | 'initContainers') {
  return arr(obj(podSpec)[key]).map((c) => ({ name: str(obj(c).name), image: str(obj(c).image) }));
}
