// The pod anti-affinity term a Rollout with `antiAffinity` injects into its new ReplicaSet's pod
// template (rollout-semantics §5.4; argo-rollouts utils/replicaset GenerateReplicaSetAffinity,
// CreateInjectedAntiAffinityRule, HasInjectedAntiAffinityRule, IfInjectedAntiAffinityRuleNeedsUpdate).
//
// While an update is in flight (status.stableRS set and not this ReplicaSet's hash) the new
// ReplicaSet's pods avoid the nodes that run the stable ReplicaSet's pods, so the doubled capacity
// of a blue-green or routed canary lands on fresh nodes that the autoscaler can keep, instead of
// packing the old nodes it will scale down afterwards. The term is against a hash, not the
// template, so it never enters the pod-template hash; template-equality.ts removes it before
// comparing templates.
import { removeInjectedAntiAffinity, type AntiAffinityConfig } from './template-equality.ts';
import { POD_TEMPLATE_HASH_LABEL } from './labels.ts';

export type { AntiAffinityConfig };

const PREFERRED = 'preferredDuringSchedulingIgnoredDuringExecution';
const REQUIRED = 'requiredDuringSchedulingIgnoredDuringExecution';
const HOSTNAME_TOPOLOGY = 'kubernetes.io/hostname';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go GetRolloutAffinity: the strategy's antiAffinity when it names one of the two kinds. */
export function activeAntiAffinity(
  cfg: AntiAffinityConfig | undefined,
): AntiAffinityConfig | undefined {
  if (!cfg) return undefined;
  return isObj(cfg[PREFERRED]) || isObj(cfg[REQUIRED]) ? cfg : undefined;
}

/** Go CreateInjectedAntiAffinityRule: keep off the nodes of the stable ReplicaSet's pods. */
export function injectedAntiAffinityTerm(stableHash: string, namespace: string): Obj {
  return {
    labelSelector: {
      matchExpressions: [{ key: POD_TEMPLATE_HASH_LABEL, operator: 'In', values: [stableHash] }],
    },
    namespaces: [namespace],
    topologyKey: HOSTNAME_TOPOLOGY,
  };
}

/** The list the configured kind appends to, and how a term sits in it. */
function kindOf(cfg: AntiAffinityConfig): { list: string; weight: number | undefined } {
  const preferred = cfg[PREFERRED];
  if (isObj(preferred)) return { list: PREFERRED, weight: preferred.weight };
  return { list: REQUIRED, weight: undefined };
}

function termOf(list: string, entry: unknown): unknown {
  return list === PREFERRED && isObj(entry) ? entry.podAffinityTerm : entry;
}

function hashExpressionValue(term: unknown): string | undefined | null {
  if (!isObj(term) || !isObj(term.labelSelector)) return null;
  const exprs = term.labelSelector.matchExpressions;
  if (!Array.isArray(exprs)) return null;
  for (const e of exprs) {
    if (isObj(e) && e.key === POD_TEMPLATE_HASH_LABEL) {
      const values = Array.isArray(e.values) ? e.values : [];
      return typeof values[0] === 'string' ? values[0] : undefined;
    }
  }
  return null;
}

/**
 * Go HasInjectedAntiAffinityRule: the stable hash the injected term of `affinity` points at
 * (the first term in the configured list with a hash expression); null when there is none.
 */
export function injectedStableHash(
  affinity: unknown,
  cfg: AntiAffinityConfig | undefined,
): string | null {
  const active = activeAntiAffinity(cfg);
  if (!active || !isObj(affinity) || !isObj(affinity.podAntiAffinity)) return null;
  const { list } = kindOf(active);
  const entries = affinity.podAntiAffinity[list];
  if (!Array.isArray(entries)) return null;
  for (const entry of entries) {
    const v = hashExpressionValue(termOf(list, entry));
    if (v !== null) return v ?? '';
  }
  return null;
}

export interface AffinityInput {
  /** `spec.template.spec.affinity` of the ReplicaSet (or of the Rollout, for a new one). */
  affinity: unknown;
  antiAffinity: AntiAffinityConfig | undefined;
  /** `status.stableRS` of the Rollout. */
  stableHash: string | undefined;
  /** The pod-template hash of the ReplicaSet this affinity is for. */
  podHash: string;
  namespace: string;
}

/** Whether a ReplicaSet with this hash should carry the term, and against which hash. */
function wantedStableHash(i: AffinityInput): string | undefined {
  if (!activeAntiAffinity(i.antiAffinity)) return undefined;
  if (!i.stableHash || i.stableHash === i.podHash) return undefined;
  return i.stableHash;
}

/**
 * Go GenerateReplicaSetAffinity: the affinity with the injected term (when wanted) appended to
 * the configured list. `affinity` must not already carry an injected term (pass the Rollout's
 * template affinity, or run it through removeInjectedAntiAffinity first). Returns a copy;
 * undefined when there is no affinity at all.
 */
export function withInjectedAntiAffinity(i: AffinityInput): unknown {
  const want = wantedStableHash(i);
  const copy: unknown = i.affinity === undefined ? undefined : structuredClone(i.affinity);
  if (want === undefined) return copy;
  const affinity: Obj = isObj(copy) ? copy : {};
  if (!isObj(affinity.podAntiAffinity)) affinity.podAntiAffinity = {};
  const anti = affinity.podAntiAffinity as Obj;
  const { list, weight } = kindOf(i.antiAffinity!);
  const term = injectedAntiAffinityTerm(want, i.namespace);
  const entry = list === PREFERRED ? { weight: weight ?? 0, podAffinityTerm: term } : term;
  const current: unknown[] = Array.isArray(anti[list]) ? (anti[list] as unknown[]) : [];
  anti[list] = [...current, entry];
  return affinity;
}

/**
 * The affinity an existing ReplicaSet's template should have, or undefined when it already has
 * it (no write). The term follows `status.stableRS` (a rollback to an older ReplicaSet points it
 * at the current stable one) and goes once this ReplicaSet is the stable one. Only the injected
 * term is touched; the rest of the stored affinity stays as the API server keeps it.
 * `{ affinity: undefined }` means: remove `affinity` altogether.
 */
export function replicaSetAffinityUpdate(i: AffinityInput): { affinity: unknown } | undefined {
  const want = wantedStableHash(i);
  const has = injectedStableHash(i.affinity, i.antiAffinity);
  if (want === undefined ? has === null : has === want) return undefined;
  const stripped = removeInjectedAntiAffinity(i.affinity, { antiAffinity: i.antiAffinity });
  return { affinity: withInjectedAntiAffinity({ ...i, affinity: stripped }) };
}
