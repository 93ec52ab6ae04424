// Reading and building the ReplicaSets a Rollout owns (rollout-semantics §5.3).
import type { KubeObject } from '../api/kube-object.ts';
import {
  ANNOTATIONS_NOT_COPIED,
  DESIRED_REPLICAS_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  SCALE_DOWN_DEADLINE_ANNOTATION,
} from './labels.ts';

export type { KubeObject };

/** The numbers a decision needs about one ReplicaSet. */
export interface RsView {
  obj: KubeObject;
  name: string;
  hash: string;
  revision: number;
  specReplicas: number;
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  desiredAnnotation: number | undefined;
  scaleDownDeadline: string | undefined;
  creationTimestamp: string;
}

export function rsView(rs: KubeObject): RsView {
  const spec = (rs.spec ?? {}) as { replicas?: number };
  const st = (rs.status ?? {}) as {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
  };
  const ann = rs.metadata.annotations ?? {};
  const desired = ann[DESIRED_REPLICAS_ANNOTATION];
  return {
    obj: rs,
    name: rs.metadata.name ?? '',
    hash: rs.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '',
    revision: Number(ann[REVISION_ANNOTATION] ?? '0') || 0,
    specReplicas: spec.replicas ?? 1,
    replicas: st.replicas ?? 0,
    readyReplicas: st.readyReplicas ?? 0,
    availableReplicas: st.availableReplicas ?? 0,
    desiredAnnotation: desired === undefined ? undefined : Number(desired),
    scaleDownDeadline: ann[SCALE_DOWN_DEADLINE_ANNOTATION],
    creationTimestamp: rs.metadata.creationTimestamp ?? '',
  };
}

export function maxRevision(rss: readonly RsView[]): number {
  return rss.reduce((m, r) => Math.max(m, r.revision), 0);
}

/** Annotations of the Rollout that travel to its ReplicaSets. */
export function copiedAnnotations(rollout: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rollout.metadata.annotations ?? {})) {
    if (!ANNOTATIONS_NOT_COPIED.has(k)) out[k] = v;
  }
  return out;
}

export interface NewRsInput {
  rollout: KubeObject;
  template: Record<string, unknown>;
  selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  hash: string;
  revision: number;
  replicas: number;
  minReadySeconds: number | undefined;
}

export function buildReplicaSet(i: NewRsInput): KubeObject {
  const tpl = structuredClone(i.template) as { metadata?: { labels?: Record<string, string> } };
  tpl.metadata = {
    ...(tpl.metadata ?? {}),
    labels: { ...(tpl.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: i.hash },
  };
  const ro = i.rollout;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${ro.metadata.name}-${i.hash}`,
      namespace: ro.metadata.namespace,
      labels: { ...(tpl.metadata.labels ?? {}) },
      annotations: {
        ...copiedAnnotations(ro),
        [REVISION_ANNOTATION]: String(i.revision),
        [DESIRED_REPLICAS_ANNOTATION]: String(i.replicas),
      },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: ro.metadata.name ?? '',
          uid: ro.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas: 0,
      ...(i.minReadySeconds ? { minReadySeconds: i.minReadySeconds } : {}),
      selector: {
        ...i.selector,
        matchLabels: { ...(i.selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: i.hash },
      },
      template: tpl,
    },
  };
}

/**
 * An existing ReplicaSet that becomes the new one again (a rollback) gets a fresh revision;
 * the old number is appended to the revision history.
 */
export function bumpedRevisionAnnotations(
  rs: RsView,
  newRevision: number,
): Record<string, string> | undefined {
  if (rs.revision >= newRevision) return undefined;
  const ann = rs.obj.metadata.annotations ?? {};
  const history = ann[REVISION_HISTORY_ANNOTATION];
  const next: Record<string, string> = { [REVISION_ANNOTATION]: String(newRevision) };
  if (rs.revision > 0)
    next[REVISION_HISTORY_ANNOTATION] = history ? `${history},${rs.revision}` : String(rs.revision);
  return next;
}
