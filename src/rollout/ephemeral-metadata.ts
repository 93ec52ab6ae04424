// Ephemeral pod metadata (rollout-semantics §5.5; argo-rollouts rollout/ephemeralmetadata.go and
// utils/replicaset SyncEphemeralPodMetadata / SyncReplicaSetEphemeralPodMetadata).
//
// canaryMetadata/stableMetadata (canary) and previewMetadata/activeMetadata (blue-green) are labels
// and annotations that belong to a *role*, not to a revision: they are written into the pod template
// of the ReplicaSet that plays the role and onto its running pods in place (no restart), and move
// when the role moves. What the controller injected into a ReplicaSet is recorded in its
// `rollout.argoproj.io/ephemeral-metadata` annotation, so exactly those keys — never labels
// someone else put there (an Istio injector, a user) — are removed when no longer wanted.
// Everything here is pure; pass.ts applies the results.
import type { KubeObject } from '../api/kube-object.ts';
import { EPHEMERAL_METADATA_ANNOTATION } from './labels.ts';
import { goJsonString, compareGoStrings } from './go-json.ts';
import { parseEphemeralMetadataAnnotation, type EphemeralMetadata } from './template-equality.ts';

export type { EphemeralMetadata };

type StringMap = Record<string, string>;

export interface ObjectMetaLike {
  labels?: StringMap | undefined;
  annotations?: StringMap | undefined;
}

/**
 * Go SyncEphemeralPodMetadata: `meta` with `desired` injected and the keys of `existing` that
 * `desired` no longer lists removed. `modified` follows Go exactly: a removal counts whenever the
 * map exists, even if the key was already gone.
 */
export function syncEphemeralPodMetadata(
  meta: ObjectMetaLike,
  existing: EphemeralMetadata | undefined,
  desired: EphemeralMetadata | undefined,
): { labels: StringMap | undefined; annotations: StringMap | undefined; modified: boolean } {
  let labels = meta.labels ? { ...meta.labels } : undefined;
  let annotations = meta.annotations ? { ...meta.annotations } : undefined;
  let modified = false;
  for (const [k, v] of Object.entries(desired?.annotations ?? {})) {
    annotations ??= {};
    if (annotations[k] !== v) {
      annotations[k] = v;
      modified = true;
    }
  }
  for (const [k, v] of Object.entries(desired?.labels ?? {})) {
    labels ??= {};
    if (labels[k] !== v) {
      labels[k] = v;
      modified = true;
    }
  }
  for (const k of Object.keys(existing?.annotations ?? {})) {
    if (desired?.annotations && k in desired.annotations) continue;
    if (annotations) {
      delete annotations[k];
      modified = true;
    }
  }
  for (const k of Object.keys(existing?.labels ?? {})) {
    if (desired?.labels && k in desired.labels) continue;
    if (labels) {
      delete labels[k];
      modified = true;
    }
  }
  return { labels, annotations, modified };
}

function goJsonStringMap(m: StringMap): string {
  const keys = Object.keys(m).sort(compareGoStrings);
  return '{' + keys.map((k) => `${goJsonString(k)}:${goJsonString(m[k]!)}`).join(',') + '}';
}

/**
 * The bookkeeping annotation's value: Go `json.Marshal` of a PodTemplateMetadata (labels first,
 * empty maps omitted, keys sorted, HTML-escaped), byte for byte, so a ReplicaSet Argo annotated
 * is not rewritten after a takeover.
 */
export function ephemeralMetadataAnnotationValue(md: EphemeralMetadata): string {
  const parts: string[] = [];
  if (md.labels && Object.keys(md.labels).length > 0)
    parts.push(`"labels":${goJsonStringMap(md.labels)}`);
  if (md.annotations && Object.keys(md.annotations).length > 0)
    parts.push(`"annotations":${goJsonStringMap(md.annotations)}`);
  return `{${parts.join(',')}}`;
}

/**
 * Go SyncReplicaSetEphemeralPodMetadata: the ReplicaSet with `desired` in its pod template and
 * the annotation recording it (removed when `desired` is undefined), or undefined when nothing
 * changes. Returns a copy.
 */
export function replicaSetWithEphemeralMetadata(
  rs: KubeObject,
  desired: EphemeralMetadata | undefined,
): KubeObject | undefined {
  const existing = parseEphemeralMetadataAnnotation(rs.metadata.annotations);
  const spec = (rs.spec ?? {}) as { template?: { metadata?: ObjectMetaLike } };
  const tplMeta = spec.template?.metadata ?? {};
  const synced = syncEphemeralPodMetadata(tplMeta, existing, desired);
  if (!synced.modified) return undefined;
  const next = structuredClone(rs);
  const nextSpec = (next.spec ?? {}) as { template?: { metadata?: ObjectMetaLike } };
  next.spec = nextSpec;
  nextSpec.template ??= {};
  const meta: ObjectMetaLike = { ...(nextSpec.template.metadata ?? {}) };
  if (synced.labels) meta.labels = synced.labels;
  else delete meta.labels;
  if (synced.annotations) meta.annotations = synced.annotations;
  else delete meta.annotations;
  nextSpec.template.metadata = meta;
  const ann = { ...(next.metadata.annotations ?? {}) };
  if (desired) ann[EPHEMERAL_METADATA_ANNOTATION] = ephemeralMetadataAnnotationValue(desired);
  else delete ann[EPHEMERAL_METADATA_ANNOTATION];
  next.metadata.annotations = ann;
  return next;
}

/**
 * The merge patch that brings one pod's metadata in line (`null` deletes a key), or undefined when
 * it already is. A merge patch touches only the injected keys, so a concurrent change by someone
 * else to any other label or annotation is never overwritten, and a stale pod cache costs at most
 * a repeated no-op patch.
 */
export function podMetadataPatch(
  pod: KubeObject,
  existing: EphemeralMetadata | undefined,
  desired: EphemeralMetadata | undefined,
):
  | {
      metadata: {
        labels?: Record<string, string | null>;
        annotations?: Record<string, string | null>;
      };
    }
  | undefined {
  const before = { labels: pod.metadata.labels, annotations: pod.metadata.annotations };
  const synced = syncEphemeralPodMetadata(before, existing, desired);
  const diff = (
    a: StringMap | undefined,
    b: StringMap | undefined,
  ): Record<string, string | null> | undefined => {
    const out: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(b ?? {})) if (a?.[k] !== v) out[k] = v;
    for (const k of Object.keys(a ?? {})) if (!b || !(k in b)) out[k] = null;
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const labels = diff(before.labels, synced.labels);
  const annotations = diff(before.annotations, synced.annotations);
  if (!labels && !annotations) return undefined;
  return { metadata: { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } };
}

export interface EphemeralStrategy {
  /** canaryMetadata / previewMetadata: the ReplicaSet being rolled out. */
  newMetadata?: EphemeralMetadata | undefined;
  /** stableMetadata / activeMetadata: the ReplicaSet serving as stable. */
  stableMetadata?: EphemeralMetadata | undefined;
}

/** The strategy's two roles (canary or blue-green). */
export function ephemeralStrategy(
  strategy:
    | {
        canary?:
          { canaryMetadata?: EphemeralMetadata; stableMetadata?: EphemeralMetadata } | undefined;
        blueGreen?:
          { previewMetadata?: EphemeralMetadata; activeMetadata?: EphemeralMetadata } | undefined;
      }
    | undefined,
): EphemeralStrategy {
  if (strategy?.canary)
    return {
      newMetadata: strategy.canary.canaryMetadata,
      stableMetadata: strategy.canary.stableMetadata,
    };
  if (strategy?.blueGreen)
    return {
      newMetadata: strategy.blueGreen.previewMetadata,
      stableMetadata: strategy.blueGreen.activeMetadata,
    };
  return {};
}

export interface EphemeralTarget<R> {
  rs: R;
  /** What the ReplicaSet's pods should carry; undefined = nothing injected. */
  desired: EphemeralMetadata | undefined;
}

/**
 * Go reconcileEphemeralMetadata: who gets which role's metadata this pass. Fully rolled out (no
 * stable yet, or the new ReplicaSet is the stable one): the new ReplicaSet gets the stable
 * metadata. Mid-update: the new one gets the canary/preview metadata and the stable one the
 * stable/active metadata. Every other ReplicaSet gets none, so a role's labels leave the pods of
 * the ReplicaSet that no longer plays it (e.g. the old active one after a promotion).
 */
export function ephemeralTargets<R extends { hash: string }>(i: {
  strategy: EphemeralStrategy;
  stableHash: string | undefined;
  newRS: R;
  stableRS: R | undefined;
  others: readonly R[];
}): EphemeralTarget<R>[] {
  const fullyRolledOut = !i.stableHash || i.stableHash === i.newRS.hash;
  const out: EphemeralTarget<R>[] = [];
  if (fullyRolledOut) out.push({ rs: i.newRS, desired: i.strategy.stableMetadata });
  else {
    out.push({ rs: i.newRS, desired: i.strategy.newMetadata });
    if (i.stableRS && i.stableRS !== i.newRS)
      out.push({ rs: i.stableRS, desired: i.strategy.stableMetadata });
  }
  for (const rs of i.others) {
    if (rs !== i.newRS && rs !== i.stableRS) out.push({ rs, desired: undefined });
  }
  return out;
}

/**
 * The metadata a ReplicaSet is created with: the canary/preview role when a stable ReplicaSet
 * exists, otherwise (first deploy) the stable/active role it is about to take.
 */
export function newReplicaSetMetadata(
  strategy: EphemeralStrategy,
  stableExists: boolean,
): EphemeralMetadata | undefined {
  return stableExists ? strategy.newMetadata : strategy.stableMetadata;
}
