// Reading and rewriting Ingress objects of either shape: networking.k8s.io/v1
// (`backend.service.{name,port{name|number}}`) and the legacy extensions/v1beta1 or
// networking.k8s.io/v1beta1 (`backend.{serviceName,servicePort}`). Pure; never mutates inputs.
import type { KubeObject } from '../api/kube-object.ts';
import { mergePatchDiff } from '../kube/merge-diff.ts';

export const USE_ANNOTATION_PORT = 'use-annotation';
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface IngressPath {
  path?: string;
  pathType?: string;
  backend?: Obj;
  [k: string]: unknown;
}

export interface IngressRule {
  host?: string;
  http?: { paths?: IngressPath[]; [k: string]: unknown };
  [k: string]: unknown;
}

export interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: unknown;
  tls?: unknown[];
  rules?: IngressRule[];
  [k: string]: unknown;
}

export function ingressSpec(ing: KubeObject): IngressSpec {
  return isObj(ing.spec) ? ing.spec : {};
}

/** extensions/v1beta1 and networking.k8s.io/v1beta1 use `serviceName`/`servicePort`. */
export function isLegacyIngress(ing: KubeObject): boolean {
  if (ing.apiVersion !== undefined) return ing.apiVersion.endsWith('/v1beta1');
  // No apiVersion (a cache entry stripped of it): look at the backends.
  for (const rule of ingressSpec(ing).rules ?? []) {
    for (const p of rule.http?.paths ?? []) {
      if (isObj(p.backend) && 'serviceName' in p.backend) return true;
    }
  }
  return false;
}

export function backendServiceName(path: IngressPath, legacy: boolean): string | undefined {
  const b = path.backend;
  if (!isObj(b)) return undefined;
  if (legacy) return typeof b.serviceName === 'string' ? b.serviceName : undefined;
  const svc = b.service;
  return isObj(svc) && typeof svc.name === 'string' ? svc.name : undefined;
}

/** The backend port as written: a name (`use-annotation`, `http`) or a number. */
export function backendServicePort(
  path: IngressPath,
  legacy: boolean,
): string | number | undefined {
  const b = path.backend;
  if (!isObj(b)) return undefined;
  if (legacy) {
    const p = b.servicePort;
    return typeof p === 'string' || typeof p === 'number' ? p : undefined;
  }
  const port = isObj(b.service) ? b.service.port : undefined;
  if (!isObj(port)) return undefined;
  if (typeof port.name === 'string' && port.name !== '') return port.name;
  return typeof port.number === 'number' ? port.number : undefined;
}

/** A copy of `path` whose backend Service is `name` (port and everything else unchanged). */
export function withBackendServiceName(
  path: IngressPath,
  legacy: boolean,
  name: string,
): IngressPath {
  const copy = structuredClone(path);
  const b = isObj(copy.backend) ? copy.backend : {};
  copy.backend = b;
  if (legacy) b.serviceName = name;
  else b.service = { ...(isObj(b.service) ? b.service : {}), name };
  return copy;
}

/** Every HTTP path of every rule whose backend Service is `svc`. */
export function pathsWithService(
  ing: KubeObject,
  svc: string,
): { rule: number; path: number; value: IngressPath }[] {
  const legacy = isLegacyIngress(ing);
  const out: { rule: number; path: number; value: IngressPath }[] = [];
  (ingressSpec(ing).rules ?? []).forEach((rule, i) => {
    (rule.http?.paths ?? []).forEach((p, j) => {
      if (backendServiceName(p, legacy) === svc) out.push({ rule: i, path: j, value: p });
    });
  });
  return out;
}

/** utils/ingress HasRuleWithService: some HTTP path has a backend named `svc`. */
export function hasRuleWithService(ing: KubeObject, svc: string): boolean {
  return pathsWithService(ing, svc).length > 0;
}

/** The path an ALB header route adds: `/*`, ImplementationSpecific, port `use-annotation`. */
export function annotationBasedPath(name: string, legacy: boolean): IngressPath {
  return {
    path: '/*',
    pathType: 'ImplementationSpecific',
    backend: legacy
      ? { serviceName: name, servicePort: USE_ANNOTATION_PORT }
      : { service: { name, port: { name: USE_ANNOTATION_PORT } } },
  };
}

/** The class: the `kubernetes.io/ingress.class` annotation first, then spec.ingressClassName. */
export function ingressClass(ing: KubeObject): string {
  const a = ing.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (a !== undefined && a !== '') return a;
  return ingressSpec(ing).ingressClassName ?? '';
}

/**
 * JSON merge patch turning `current` into `desired` over the chosen parts (annotations, labels,
 * spec), with `metadata.resourceVersion` of `current` as the optimistic-concurrency guard.
 * Undefined when nothing differs (no API call must be made then).
 */
export function ingressMergePatch(
  current: KubeObject,
  desired: {
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    spec?: unknown;
  },
  parts: { annotations?: boolean; labels?: boolean; spec?: boolean },
): object | undefined {
  const meta: Obj = {};
  const patch: Obj = {};
  if (parts.annotations) {
    const d = mergePatchDiff(current.metadata.annotations ?? {}, desired.annotations ?? {});
    if (d !== undefined) meta.annotations = d;
  }
  if (parts.labels) {
    const d = mergePatchDiff(current.metadata.labels ?? {}, desired.labels ?? {});
    if (d !== undefined) meta.labels = d;
  }
  if (parts.spec) {
    const d = mergePatchDiff(current.spec ?? {}, desired.spec ?? {});
    if (d !== undefined) patch.spec = d;
  }
  if (Object.keys(meta).length === 0 && patch.spec === undefined) return undefined;
  if (current.metadata.resourceVersion !== undefined) {
    meta.resourceVersion = current.metadata.resourceVersion;
  }
  if (Object.keys(meta).length > 0) patch.metadata = meta;
  return patch;
}

export interface IngressProblem {
  /** Field path of the Ingress reference, e.g. spec.strategy.canary.trafficRouting.alb.ingress. */
  field: string;
  /** The offending value, Go-quoted as field.Invalid prints it. */
  value: string;
  detail: string;
  /**
   * `error`: the Rollout is invalid (InvalidSpec, as upstream). `warning`: upstream accepts it,
   * but the split cannot work (say so in an event or log; do not fail the Rollout).
   */
  severity: 'error' | 'warning';
}

/** `<field>: Invalid value: <value>: <detail>`, the text inside the InvalidSpec condition. */
export function formatIngressProblem(p: IngressProblem): string {
  return `${p.field}: Invalid value: ${p.value}: ${p.detail}`;
}
