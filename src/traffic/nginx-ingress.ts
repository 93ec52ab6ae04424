// The NGINX canary Ingress (traffic-routing §4), as pure functions: one Ingress per stable
// Ingress, named `<rollout>-<stableIngress>-canary`, owned by the Rollout, carrying the stable
// Ingress's rules rewritten to the canary Service plus ingress-nginx's canary annotations. The
// user's stable Ingress is never modified.
import type { KubeObject, OwnerReference } from '../api/kube-object.ts';
import { API_VERSION, type Rollout } from '../api/rollout.ts';
import { goQuote } from '../rollout/validate.ts';
import {
  backendServiceName,
  INGRESS_CLASS_ANNOTATION,
  ingressMergePatch,
  ingressSpec,
  isLegacyIngress,
  withBackendServiceName,
  type IngressProblem,
  type IngressRule,
  type IngressSpec,
} from './ingress.ts';
import { ingressNotFoundMessage, TrafficRoutingError } from './router.ts';

export const NGINX_DEFAULT_ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io';
export const CANARY_INGRESS_SUFFIX = '-canary';
/** Kubernetes object names are at most 253 characters. */
const MAX_NAME = 253;

type Annotations = Record<string, string>;

export interface NginxConfig {
  rolloutName: string;
  namespace: string;
  rolloutUid: string;
  /** annotationPrefix, or nginx.ingress.kubernetes.io. */
  prefix: string;
  stableService: string;
  canaryService: string;
  /** `stableIngresses` when given, else `stableIngress`; with the field path errors name. */
  stableIngresses: { name: string; field: string }[];
  additionalIngressAnnotations: Annotations;
  canaryIngressAnnotations: Annotations;
  /** trafficRouting.maxTrafficWeight when set (then canary-weight-total is written). */
  maxTrafficWeight?: number | undefined;
}

const NGINX_FIELD = 'spec.strategy.canary.trafficRouting.nginx';

export function nginxConfig(rollout: Rollout): NginxConfig {
  const canary = rollout.spec.strategy?.canary;
  const nginx = canary?.trafficRouting?.nginx;
  if (!canary || !nginx) throw new TrafficRoutingError('rollout has no NGINX traffic routing');
  const stableIngresses =
    nginx.stableIngresses !== undefined
      ? nginx.stableIngresses.map((name) => ({ name, field: `${NGINX_FIELD}.stableIngresses` }))
      : [{ name: nginx.stableIngress ?? '', field: `${NGINX_FIELD}.stableIngress` }];
  return {
    rolloutName: rollout.metadata.name ?? '',
    namespace: rollout.metadata.namespace ?? '',
    rolloutUid: rollout.metadata.uid ?? '',
    prefix: nginx.annotationPrefix || NGINX_DEFAULT_ANNOTATION_PREFIX,
    stableService: canary.stableService ?? '',
    canaryService: canary.canaryService ?? '',
    stableIngresses,
    additionalIngressAnnotations: nginx.additionalIngressAnnotations ?? {},
    canaryIngressAnnotations: nginx.canaryIngressAnnotations ?? {},
    maxTrafficWeight: canary.trafficRouting?.maxTrafficWeight,
  };
}

/** `<rollout>-<stableIngress>`, cut to 246 characters, then `-canary` (253 at most). */
export function canaryIngressName(rolloutName: string, stableIngressName: string): string {
  let prefix = `${rolloutName}-${stableIngressName}`;
  if (prefix.length > MAX_NAME - CANARY_INGRESS_SUFFIX.length) {
    prefix = prefix.slice(0, MAX_NAME - CANARY_INGRESS_SUFFIX.length);
  }
  return `${prefix}${CANARY_INGRESS_SUFFIX}`;
}

/** metav1.NewControllerRef(rollout, Rollout kind). */
export function rolloutControllerRef(rollout: Rollout): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: 'Rollout',
    name: rollout.metadata.name ?? '',
    uid: rollout.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** metav1.IsControlledBy: the controller ownerReference has this uid. */
export function isControlledBy(obj: KubeObject, uid: string): boolean {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller === true);
  return ref !== undefined && ref.uid === uid;
}

/**
 * The annotations of the canary Ingress, later ones winning: the stable Ingress's
 * `kubernetes.io/ingress.class`; `additionalIngressAnnotations` (a key that does not start with
 * the prefix gets `<prefix>/` put in front); `canaryIngressAnnotations` as they are;
 * `<prefix>/canary: "true"`; `<prefix>/canary-weight`; `<prefix>/canary-weight-total` only
 * with maxTrafficWeight.
 */
export function canaryIngressAnnotations(
  cfg: NginxConfig,
  stableIngress: KubeObject,
  desiredWeight: number,
): Annotations {
  const out: Annotations = {};
  const cls = stableIngress.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (cls !== undefined) out[INGRESS_CLASS_ANNOTATION] = cls;
  // Go ranges over the map in random order; sorted keys make a collision between `x` and
  // `<prefix>/x` deterministic (the prefixed spelling, sorted later, wins).
  for (const k of Object.keys(cfg.additionalIngressAnnotations).sort()) {
    const key = k.startsWith(cfg.prefix) ? k : `${cfg.prefix}/${k}`;
    out[key] = cfg.additionalIngressAnnotations[k]!;
  }
  for (const k of Object.keys(cfg.canaryIngressAnnotations).sort()) {
    out[k] = cfg.canaryIngressAnnotations[k]!;
  }
  out[`${cfg.prefix}/canary`] = 'true';
  out[`${cfg.prefix}/canary-weight`] = String(Math.trunc(desiredWeight));
  if (cfg.maxTrafficWeight !== undefined) {
    out[`${cfg.prefix}/canary-weight-total`] = String(Math.trunc(cfg.maxTrafficWeight));
  }
  return out;
}

/**
 * The canary Ingress for one stable Ingress at `desiredWeight`. Same apiVersion as the stable
 * Ingress; `ingressClassName` and a deep copy of `tls` carried over (`defaultBackend` is not);
 * only the rules with a path to `stableService` are kept, each such backend renamed to
 * `canaryService`. No labels. Throws when no rule uses the stable Service.
 */
export function desiredCanaryIngress(
  cfg: NginxConfig,
  rollout: Rollout,
  stableIngress: KubeObject,
  desiredWeight: number,
): KubeObject {
  const stableName = stableIngress.metadata.name ?? '';
  const legacy = isLegacyIngress(stableIngress);
  const stableSpec = ingressSpec(stableIngress);
  const rules: IngressRule[] = [];
  for (const rule of stableSpec.rules ?? []) {
    // Upstream dereferences rule.http unconditionally (a host-only rule panics there); such a
    // rule cannot route to the stable Service, so it is simply not copied.
    const paths = rule.http?.paths;
    if (!paths) continue;
    let uses = false;
    const rewritten = paths.map((p) => {
      if (backendServiceName(p, legacy) !== cfg.stableService) return structuredClone(p);
      uses = true;
      return withBackendServiceName(p, legacy, cfg.canaryService);
    });
    if (uses) rules.push({ ...structuredClone(rule), http: { ...rule.http, paths: rewritten } });
  }
  if (rules.length === 0) {
    // Upstream names `nginx.stableIngress` here even in multi-ingress mode (then ""); the
    // Ingress actually checked is named instead.
    throw new TrafficRoutingError(
      `ingress \`${stableName}\` has no rules using service ${cfg.stableService} backend`,
    );
  }
  const spec: IngressSpec = {};
  if (stableSpec.ingressClassName !== undefined)
    spec.ingressClassName = stableSpec.ingressClassName;
  if (Array.isArray(stableSpec.tls) && stableSpec.tls.length > 0) {
    spec.tls = structuredClone(stableSpec.tls);
  }
  spec.rules = rules;
  return {
    apiVersion: stableIngress.apiVersion ?? 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: canaryIngressName(cfg.rolloutName, stableName),
      namespace: cfg.namespace,
      annotations: canaryIngressAnnotations(cfg, stableIngress, desiredWeight),
      ownerReferences: [rolloutControllerRef(rollout)],
    },
    spec,
  };
}

/**
 * The merge patch that brings an existing canary Ingress to `desired` (annotations, labels,
 * spec), with the read resourceVersion; undefined when nothing differs. Q6 kept on purpose:
 * annotations on the canary Ingress that are not in the desired set stay (so an entry removed
 * from additionalIngressAnnotations lingers on the cluster, as upstream). Labels are removed.
 */
export function canaryIngressPatch(current: KubeObject, desired: KubeObject): object | undefined {
  return ingressMergePatch(
    current,
    {
      annotations: { ...current.metadata.annotations, ...desired.metadata.annotations },
      labels: {},
      spec: desired.spec,
    },
    { annotations: true, labels: true, spec: true },
  );
}

/**
 * Canary Ingresses this Rollout created for a stable Ingress it no longer references (the
 * stable Ingress was dropped from `stableIngresses`, or NGINX routing was removed). Upstream
 * never deletes them (they go only with the Rollout, through garbage collection), so they keep
 * sending their last weight to the canary Service. Deleting them is our choice; the caller
 * decides whether to. `ingresses` are the Ingresses in the Rollout's namespace.
 */
export function orphanedCanaryIngresses(rollout: Rollout, ingresses: KubeObject[]): KubeObject[] {
  const uid = rollout.metadata.uid ?? '';
  if (uid === '') return [];
  const wanted = new Set<string>();
  if (rollout.spec.strategy?.canary?.trafficRouting?.nginx) {
    const cfg = nginxConfig(rollout);
    for (const { name } of cfg.stableIngresses) {
      wanted.add(canaryIngressName(cfg.rolloutName, name));
    }
  }
  return ingresses.filter(
    (ing) =>
      isControlledBy(ing, uid) &&
      ing.metadata.ownerReferences?.some((r) => r.controller === true && r.kind === 'Rollout') ===
        true &&
      (ing.metadata.name ?? '').endsWith(CANARY_INGRESS_SUFFIX) &&
      !wanted.has(ing.metadata.name ?? ''),
  );
}

/**
 * Checks the stable Ingresses: each must exist and have a rule using `stableService`
 * (InvalidSpec otherwise, as upstream).
 */
export function validateNginxIngresses(
  rollout: Rollout,
  lookup: (name: string) => KubeObject | undefined,
): IngressProblem[] {
  const cfg = nginxConfig(rollout);
  const problems: IngressProblem[] = [];
  for (const { name, field } of cfg.stableIngresses) {
    const ing = lookup(name);
    if (ing === undefined) {
      problems.push({
        field,
        value: goQuote(name),
        detail: ingressNotFoundMessage(name),
        severity: 'error',
      });
      continue;
    }
    try {
      desiredCanaryIngress(cfg, rollout, ing, 0);
    } catch (e) {
      problems.push({
        field,
        value: goQuote(name),
        detail: e instanceof Error ? e.message : String(e),
        severity: 'error',
      });
    }
  }
  return problems;
}
