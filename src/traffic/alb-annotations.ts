// What the ALB router writes on an Ingress (traffic-routing §3), as pure functions: the
// `<prefix>/actions.<svc>` forward action, the `<prefix>/conditions.<route>` header condition,
// the `rollouts.argoproj.io/managed-alb-annotations` bookkeeping, the header-route path, the
// ingress watcher's reset, and the checks of an Ingress against the Rollout.
//
// Byte compatibility: values are compact JSON in Go's field order and with Go's string escaping
// (`<>&` → \u003c…), so what we write equals what Argo Rollouts already left on the cluster and
// the first reconcile after a migration patches nothing.
import type { KubeObject } from '../api/kube-object.ts';
import type { Rollout } from '../api/rollout.ts';
import { goJsonAny, goJsonString } from '../rollout/go-json.ts';
import { goQuote } from '../rollout/validate.ts';
import {
  annotationBasedPath,
  backendServiceName,
  backendServicePort,
  hasRuleWithService,
  ingressMergePatch,
  ingressSpec,
  isLegacyIngress,
  pathsWithService,
  USE_ANNOTATION_PORT,
  type IngressPath,
  type IngressProblem,
  type IngressSpec,
} from './ingress.ts';

export { formatIngressProblem, type IngressProblem } from './ingress.ts';
import {
  ingressNotFoundMessage,
  TrafficRoutingError,
  type HeaderRoute,
  type WeightDestination,
} from './router.ts';

export const ALB_DEFAULT_ANNOTATION_PREFIX = 'alb.ingress.kubernetes.io';
export const ALB_ACTION_PREFIX = '/actions.';
export const ALB_CONDITION_PREFIX = '/conditions.';
/** Rollout name → annotation keys it owns (v1.4+). Its key never takes annotationPrefix. */
export const MANAGED_ALB_ANNOTATIONS = 'rollouts.argoproj.io/managed-alb-annotations';
/** Pre-1.4 bookkeeping (`rollout:key,rollout:key`); never written, deleted on cleanup. */
export const LEGACY_MANAGED_ALB_ACTIONS = 'rollouts.argoproj.io/managed-alb-actions';
export const STICKINESS_MIN_SECONDS = 1;
export const STICKINESS_MAX_SECONDS = 604800;
export const STICKINESS_RANGE_MESSAGE =
  "TargetGroupStickinessConfig's duration must be between 1 and 604800 seconds (7 days)!";
/** ALB weights are percentages (maxTrafficWeight is rejected for ALB). */
export const ALB_MAX_WEIGHT = 100;

type Annotations = Record<string, string>;

export interface AlbStickiness {
  enabled: boolean;
  durationSeconds: number;
}

/** Everything the ALB functions read from a Rollout, resolved once. */
export interface AlbConfig {
  rolloutName: string;
  namespace: string;
  /** annotationPrefix, or alb.ingress.kubernetes.io. */
  prefix: string;
  /** The Service named in the Ingress rule, whose action we own: rootService, else stableService. */
  actionService: string;
  /** Target-group Services: ping/pong by status.canary.stablePingPong, else stable/canary. */
  stableService: string;
  canaryService: string;
  servicePort: number;
  stickiness?: AlbStickiness | undefined;
  /** `ingress` then `ingresses`, without duplicates, each with the field path errors name. */
  ingresses: { name: string; field: string }[];
  /** trafficRouting.managedRoutes names, in order (= precedence). */
  managedRoutes: string[];
}

const ALB_FIELD = 'spec.strategy.canary.trafficRouting.alb';

/** Resolves the ALB settings of a Rollout; throws when it has no `trafficRouting.alb`. */
export function albConfig(rollout: Rollout): AlbConfig {
  const canary = rollout.spec.strategy?.canary;
  const alb = canary?.trafficRouting?.alb;
  if (!canary || !alb) throw new TrafficRoutingError('rollout has no ALB traffic routing');
  const stable = canary.stableService ?? '';
  let stableService = stable;
  let canaryService = canary.canaryService ?? '';
  if (canary.pingPong) {
    // ALB prefers ping/pong over canary/stable (GetStableAndCanaryServices(ro, true)).
    const stableIsPing = rollout.status?.canary?.stablePingPong === 'ping';
    stableService = stableIsPing ? canary.pingPong.pingService : canary.pingPong.pongService;
    canaryService = stableIsPing ? canary.pingPong.pongService : canary.pingPong.pingService;
  }
  const ingresses: { name: string; field: string }[] = [];
  if (alb.ingress) ingresses.push({ name: alb.ingress, field: `${ALB_FIELD}.ingress` });
  for (const name of alb.ingresses ?? []) {
    if (name !== '' && !ingresses.some((i) => i.name === name)) {
      ingresses.push({ name, field: `${ALB_FIELD}.ingresses` });
    }
  }
  return {
    rolloutName: rollout.metadata.name ?? '',
    namespace: rollout.metadata.namespace ?? '',
    prefix: alb.annotationPrefix || ALB_DEFAULT_ANNOTATION_PREFIX,
    actionService: alb.rootService || stable,
    stableService,
    canaryService,
    servicePort: alb.servicePort,
    stickiness: alb.stickinessConfig,
    ingresses,
    managedRoutes: (canary.trafficRouting?.managedRoutes ?? []).map((r) => r.name),
  };
}

export function albActionKey(prefix: string, name: string): string {
  return `${prefix}${ALB_ACTION_PREFIX}${name}`;
}

export function albConditionKey(prefix: string, name: string): string {
  return `${prefix}${ALB_CONDITION_PREFIX}${name}`;
}

// ---------------------------------------------------------------------------------------------
// Action and condition values

export interface AlbTargetGroup {
  serviceName: string;
  /** Decimal string, as Argo writes it (the LBC turns numeric strings back into numbers). */
  servicePort: string;
  weight: number;
}

/**
 * `json.Marshal(ingressutil.ALBAction)`: fields in declaration order, `ServiceName` and
 * `ServicePort` omitted when empty, `Weight` (a pointer) always written, even 0.
 */
export function forwardActionJson(
  targetGroups: readonly AlbTargetGroup[],
  stickiness?: AlbStickiness,
): string {
  const tgs = targetGroups.map((tg) => {
    const parts: string[] = [];
    if (tg.serviceName !== '') parts.push(`"ServiceName":${goJsonString(tg.serviceName)}`);
    if (tg.servicePort !== '') parts.push(`"ServicePort":${goJsonString(tg.servicePort)}`);
    parts.push(`"Weight":${Math.trunc(tg.weight)}`);
    return `{${parts.join(',')}}`;
  });
  const sticky =
    stickiness === undefined
      ? ''
      : `,"TargetGroupStickinessConfig":{"Enabled":${stickiness.enabled},"DurationSeconds":${Math.trunc(stickiness.durationSeconds)}}`;
  return `{"Type":"forward","ForwardConfig":{"TargetGroups":[${tgs.join(',')}]${sticky}}}`;
}

/**
 * The stickiness block to write: only when enabled, and then the duration must be within the
 * AWS range (1..604800) or SetWeight fails. Disabled means no block and no range check.
 */
export function albStickiness(cfg: Pick<AlbConfig, 'stickiness'>): AlbStickiness | undefined {
  const s = cfg.stickiness;
  if (!s?.enabled) return undefined;
  if (s.durationSeconds < STICKINESS_MIN_SECONDS || s.durationSeconds > STICKINESS_MAX_SECONDS) {
    throw new TrafficRoutingError(STICKINESS_RANGE_MESSAGE);
  }
  return { enabled: true, durationSeconds: s.durationSeconds };
}

/** The weighted split: canary first, then each additional destination in order, stable last. */
export function albWeightTargetGroups(
  cfg: Pick<AlbConfig, 'canaryService' | 'stableService' | 'servicePort'>,
  desiredWeight: number,
  additional: readonly WeightDestination[] = [],
): AlbTargetGroup[] {
  const port = String(cfg.servicePort);
  let stableWeight = ALB_MAX_WEIGHT - desiredWeight;
  const tgs: AlbTargetGroup[] = [
    { serviceName: cfg.canaryService, servicePort: port, weight: desiredWeight },
  ];
  for (const d of additional) {
    tgs.push({ serviceName: d.serviceName, servicePort: port, weight: d.weight });
    stableWeight -= d.weight;
  }
  tgs.push({ serviceName: cfg.stableService, servicePort: port, weight: stableWeight });
  return tgs;
}

/** `<prefix>/actions.<actionService>` value for a weight (§3.4). Throws on a bad stickiness. */
export function albWeightActionValue(
  cfg: AlbConfig,
  desiredWeight: number,
  additional: readonly WeightDestination[] = [],
): string {
  return forwardActionJson(
    albWeightTargetGroups(cfg, desiredWeight, additional),
    albStickiness(cfg),
  );
}

/** `<prefix>/actions.<route>` value of a header route: 100 % to the canary (§3.10). */
export function albHeaderActionValue(cfg: AlbConfig): string {
  return forwardActionJson(
    [{ serviceName: cfg.canaryService, servicePort: String(cfg.servicePort), weight: 100 }],
    albStickiness(cfg),
  );
}

/**
 * `<prefix>/conditions.<route>` value: one `http-header` condition per distinct header name, in
 * first-appearance order; exact values for the same header are merged into one list (ALB ORs
 * the values of one condition and ANDs conditions, so two conditions on one header with
 * different values could never match). Only `exact` is supported by ALB (validation rejects
 * the rest); a missing exact value is written as "" as Go's zero value would be.
 */
export function albConditionsValue(match: NonNullable<HeaderRoute['match']>): string {
  const byHeader = new Map<string, string[]>();
  for (const m of match) {
    const values = byHeader.get(m.headerName) ?? [];
    const v = m.headerValue.exact ?? '';
    if (!values.includes(v)) values.push(v);
    byHeader.set(m.headerName, values);
  }
  const conditions = [...byHeader].map(
    ([name, values]) =>
      `{"field":"http-header","httpHeaderConfig":{"httpHeaderName":${goJsonString(name)},"values":[${values.map(goJsonString).join(',')}]}}`,
  );
  return `[${conditions.join(',')}]`;
}

// ---------------------------------------------------------------------------------------------
// managed-alb-annotations bookkeeping

/** Rollout name → keys. `null` (a Go nil slice) is kept as it was read. */
export type ManagedAlbAnnotations = Record<string, string[] | null>;

/**
 * Parses the bookkeeping annotation like Go's json.Unmarshal into
 * `map[string][]string`: absent/empty → {}, `null` → {}, anything else malformed → an error
 * (SetWeight then fails and nothing is written).
 */
export function parseManagedAlbAnnotations(value: string | undefined): ManagedAlbAnnotations {
  if (value === undefined || value === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (e) {
    throw new TrafficRoutingError(
      `invalid ${MANAGED_ALB_ANNOTATIONS} annotation: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (parsed === null) return {};
  const typeError = (what: string): TrafficRoutingError =>
    new TrafficRoutingError(
      `invalid ${MANAGED_ALB_ANNOTATIONS} annotation: json: cannot unmarshal ${what} into Go value of type ingress.ManagedALBAnnotations`,
    );
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw typeError(Array.isArray(parsed) ? 'array' : jsonKind(parsed));
  }
  const out: ManagedAlbAnnotations = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (v === null) {
      out[k] = null;
      continue;
    }
    if (!Array.isArray(v)) throw typeError(jsonKind(v));
    out[k] = v.map((e) => {
      if (e === null) return '';
      if (typeof e !== 'string') throw typeError(jsonKind(e));
      return e;
    });
  }
  return out;
}

function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return Array.isArray(v) ? 'array' : 'object';
}

/** Go's json.Marshal of the map: sorted keys, no whitespace. */
export function serializeManagedAlbAnnotations(m: ManagedAlbAnnotations): string {
  return goJsonAny(m);
}

/**
 * modifyManagedAnnotation: adds `keys` to (no duplicates, first-added order) or removes them
 * from the Rollout's entry and rewrites the bookkeeping annotation. Like upstream the entry is
 * always written, so a removal leaves `"<rollout>":[]` behind rather than dropping it.
 */
export function withManagedKeys(
  annotations: Annotations,
  rolloutName: string,
  add: boolean,
  keys: readonly string[],
): Annotations {
  const m = parseManagedAlbAnnotations(annotations[MANAGED_ALB_ANNOTATIONS]);
  let entry = [...(m[rolloutName] ?? [])];
  for (const key of keys) {
    if (add) {
      if (!entry.includes(key)) entry.push(key);
    } else {
      entry = entry.filter((k) => k !== key);
    }
  }
  m[rolloutName] = entry;
  return { ...annotations, [MANAGED_ALB_ANNOTATIONS]: serializeManagedAlbAnnotations(m) };
}

// ---------------------------------------------------------------------------------------------
// Desired Ingress state

/** The action-owning rule must exist, or SetWeight fails (§3.2). */
export function requireActionRule(cfg: AlbConfig, ingress: KubeObject): void {
  if (!hasRuleWithService(ingress, cfg.actionService)) {
    throw new TrafficRoutingError(
      `ingress does not have service \`${cfg.actionService}\` in rules`,
    );
  }
}

/** Annotations after SetWeight: the weighted action plus its bookkeeping entry. */
export function albWeightAnnotations(
  cfg: AlbConfig,
  current: Annotations | undefined,
  desiredWeight: number,
  additional: readonly WeightDestination[] = [],
): Annotations {
  const key = albActionKey(cfg.prefix, cfg.actionService);
  const value = albWeightActionValue(cfg, desiredWeight, additional);
  return withManagedKeys({ ...current, [key]: value }, cfg.rolloutName, true, [key]);
}

/**
 * The merge patch SetWeight sends to one Ingress, or undefined when it already carries the
 * weight (no API call). Throws TrafficRoutingError when the rule is missing, the stickiness is
 * out of range or the bookkeeping annotation does not parse.
 */
export function albWeightPatch(
  cfg: AlbConfig,
  ingress: KubeObject,
  desiredWeight: number,
  additional: readonly WeightDestination[] = [],
): object | undefined {
  requireActionRule(cfg, ingress);
  const annotations = albWeightAnnotations(
    cfg,
    ingress.metadata.annotations,
    desiredWeight,
    additional,
  );
  return ingressMergePatch(ingress, { annotations }, { annotations: true });
}

/** The Ingress as it should look after SetWeight (for callers that want the object itself). */
export function albDesiredIngress(
  cfg: AlbConfig,
  ingress: KubeObject,
  desiredWeight: number,
  additional: readonly WeightDestination[] = [],
): KubeObject {
  requireActionRule(cfg, ingress);
  const annotations = albWeightAnnotations(
    cfg,
    ingress.metadata.annotations,
    desiredWeight,
    additional,
  );
  return { ...structuredClone(ingress), metadata: { ...ingress.metadata, annotations } };
}

function hasMatch(route: HeaderRoute): route is HeaderRoute & { match: unknown[] } {
  // Deviation: upstream treats `match: []` as "add" and writes the condition `null`, which
  // leaves a `/*` path with no condition in front of the user's paths — every request would go
  // to the canary. An empty match is treated as "remove" instead.
  return route.match !== undefined && route.match.length > 0;
}

/** Each rule's paths, stably sorted so the managedRoutes backends come first, in their order. */
export function sortPathsByManagedRoutes(
  spec: IngressSpec,
  legacy: boolean,
  routes: string[],
): void {
  const rank = (p: IngressPath): number => {
    const i = routes.indexOf(backendServiceName(p, legacy) ?? '');
    return i === -1 ? routes.length : i;
  };
  for (const rule of spec.rules ?? []) {
    if (!rule.http?.paths) continue;
    // Array.prototype.sort is stable (ES2019), like sort.SliceStable.
    rule.http.paths = [...rule.http.paths].sort((a, b) => rank(a) - rank(b));
  }
}

/** Drops the first path per rule whose backend is `name` (RemovePathByServiceName). */
function removePathByServiceName(spec: IngressSpec, legacy: boolean, name: string): void {
  for (const rule of spec.rules ?? []) {
    const paths = rule.http?.paths;
    if (!paths) continue;
    const j = paths.findIndex((p) => backendServiceName(p, legacy) === name);
    if (j !== -1) rule.http!.paths = [...paths.slice(0, j), ...paths.slice(j + 1)];
  }
}

/** Puts the `/*` use-annotation path first in every rule (CreateAnnotationBasedPath). */
function createAnnotationBasedPath(spec: IngressSpec, legacy: boolean, name: string): void {
  for (const rule of spec.rules ?? []) {
    // Upstream dereferences rule.http unconditionally; a host-only rule is left alone here.
    if (!rule.http) continue;
    rule.http.paths = [annotationBasedPath(name, legacy), ...(rule.http.paths ?? [])];
  }
}

/** Annotations and spec after a setHeaderRoute step on one Ingress (§3.10). */
export function albHeaderRouteDesired(
  cfg: AlbConfig,
  ingress: KubeObject,
  route: HeaderRoute,
): { annotations: Annotations; spec: IngressSpec } {
  const actionKey = albActionKey(cfg.prefix, route.name);
  const conditionKey = albConditionKey(cfg.prefix, route.name);
  const add = hasMatch(route);
  let annotations: Annotations = { ...ingress.metadata.annotations };
  if (add) {
    annotations[actionKey] = albHeaderActionValue(cfg);
    annotations[conditionKey] = albConditionsValue(route.match ?? []);
  } else {
    delete annotations[actionKey];
    delete annotations[conditionKey];
  }
  annotations = withManagedKeys(annotations, cfg.rolloutName, add, [actionKey, conditionKey]);
  const legacy = isLegacyIngress(ingress);
  const spec = structuredClone(ingressSpec(ingress));
  const hasRule = hasRuleWithService(ingress, route.name);
  if (hasRule && !add) removePathByServiceName(spec, legacy, route.name);
  if (!hasRule && add) createAnnotationBasedPath(spec, legacy, route.name);
  sortPathsByManagedRoutes(spec, legacy, cfg.managedRoutes);
  return { annotations, spec };
}

/** The merge patch of a setHeaderRoute step (annotations + spec), or undefined. */
export function albHeaderRoutePatch(
  cfg: AlbConfig,
  ingress: KubeObject,
  route: HeaderRoute,
): object | undefined {
  const desired = albHeaderRouteDesired(cfg, ingress, route);
  return ingressMergePatch(ingress, desired, { annotations: true, spec: true });
}

/**
 * RemoveManagedRoutes on one Ingress: every managed route's action and condition keys, their
 * bookkeeping, and their paths go. Undefined when there is nothing to do (including when no
 * managedRoutes are configured).
 */
export function albRemoveManagedRoutesPatch(
  cfg: AlbConfig,
  ingress: KubeObject,
): object | undefined {
  if (cfg.managedRoutes.length === 0) return undefined;
  let annotations: Annotations = { ...ingress.metadata.annotations };
  const keys: string[] = [];
  for (const name of cfg.managedRoutes) {
    const actionKey = albActionKey(cfg.prefix, name);
    const conditionKey = albConditionKey(cfg.prefix, name);
    delete annotations[actionKey];
    delete annotations[conditionKey];
    keys.push(actionKey, conditionKey);
  }
  annotations = withManagedKeys(annotations, cfg.rolloutName, false, keys);
  const legacy = isLegacyIngress(ingress);
  const spec = structuredClone(ingressSpec(ingress));
  for (const name of cfg.managedRoutes) removePathByServiceName(spec, legacy, name);
  return ingressMergePatch(ingress, { annotations, spec }, { annotations: true, spec: true });
}

// ---------------------------------------------------------------------------------------------
// Ingress watcher: reset of a Rollout that is gone (§3.11)

export interface AlbResetResult {
  /** Rollouts named in the bookkeeping that still exist and reference the Ingress: enqueue them. */
  enqueue: string[];
  /** The annotations after the reset; undefined when nothing changes. */
  annotations?: Annotations;
  /** The merge patch (with resourceVersion) to apply, when `annotations` is set. */
  patch?: object;
  /** Action keys left as they were because no target group names their Service (Q5). */
  skipped: string[];
}

/** A parsed action value, read the way Go reads ingressutil.ALBAction (field names any case). */
export interface ParsedAction {
  targetGroups: { serviceName?: string; servicePort?: string }[];
  stickiness?: AlbStickiness;
}

function parseActionValue(value: string): ParsedAction | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return undefined;
  }
  const field = (o: unknown, name: string): unknown => {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
    let found: unknown;
    for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === name.toLowerCase()) found = v;
    return found;
  };
  const fc = field(raw, 'ForwardConfig');
  const tgsRaw = field(fc, 'TargetGroups');
  const targetGroups = (Array.isArray(tgsRaw) ? tgsRaw : []).map((tg) => {
    const name = field(tg, 'ServiceName');
    const port = field(tg, 'ServicePort');
    return {
      ...(typeof name === 'string' ? { serviceName: name } : {}),
      ...(typeof port === 'string' ? { servicePort: port } : {}),
    };
  });
  const s = field(fc, 'TargetGroupStickinessConfig');
  let stickiness: AlbStickiness | undefined;
  if (typeof s === 'object' && s !== null) {
    const enabled = field(s, 'Enabled');
    const duration = field(s, 'DurationSeconds');
    stickiness = {
      enabled: enabled === true,
      durationSeconds: typeof duration === 'number' ? duration : 0,
    };
  }
  return { targetGroups, ...(stickiness ? { stickiness } : {}) };
}

/**
 * The port to reset `<prefix>/actions.<svc>` with, or undefined when the key cannot be reset.
 * Upstream takes it from the old value's target group named `<svc>`, which exists only when the
 * action is keyed by the stable Service. An action keyed by `rootService` (with or without
 * ping-pong) names canary and stable target groups only, and upstream then gives up on the whole
 * Ingress (Q5). Every target group of a weighted action carries the Rollout's one
 * `alb.servicePort`, which the root Service must expose too (§3.12), so that common port is
 * used. A header-route action (`actions.<route>`, 100 % to the canary, with its
 * `conditions.<route>` in the same entry) names no Service at all: resetting it would point the
 * LBC at a Service called `<route>`, so it stays unresolvable.
 */
export function albResetPort(
  svc: string,
  parsed: ParsedAction | undefined,
  isHeaderRoute: boolean,
): string | undefined {
  if (parsed === undefined) return undefined;
  const tgs = parsed.targetGroups;
  const own = tgs.find((tg) => tg.serviceName === svc)?.servicePort;
  if (own !== undefined) return own;
  if (isHeaderRoute || tgs.length < 2) return undefined;
  const ports = new Set(tgs.map((tg) => tg.servicePort));
  const [port] = ports;
  return ports.size === 1 ? port : undefined;
}

/**
 * The ingress watcher's handling of one ALB-class Ingress. `isLive(name)` must say whether a
 * Rollout of that name exists and still references this Ingress. For every other entry in the
 * bookkeeping, each `…/actions.<svc>` key is reset to 100 % on `<svc>` (port from the old value,
 * see albResetPort; stickiness carried over), the entry is dropped (the whole annotation when
 * empty), and the legacy annotation is removed. With `rootService` this is 100 % to the root
 * Service, the Service of the user's own Ingress rule, exactly as a stable-keyed action goes to
 * 100 % on the stable Service (whose hash selector is removed with the Rollout too).
 *
 * Q5 (fixed on purpose): a key that still cannot be reset (a header-route action, an old value
 * that does not parse) is left as it is instead of aborting the whole sync, and its entry is
 * still dropped: the Rollout that owned it is gone and nothing will manage it again. Its
 * `conditions.*` key and `/*` path stay too: removing a condition while its action and path stay
 * would send every request to the canary Service.
 * A bookkeeping value that does not parse means: do nothing.
 */
export function albResetForDeletedRollouts(
  ingress: KubeObject,
  isLive: (rolloutName: string) => boolean,
): AlbResetResult {
  const current = ingress.metadata.annotations ?? {};
  let managed: ManagedAlbAnnotations;
  try {
    managed = parseManagedAlbAnnotations(current[MANAGED_ALB_ANNOTATIONS]);
  } catch {
    return { enqueue: [], skipped: [] };
  }
  const enqueue: string[] = [];
  const skipped: string[] = [];
  const annotations: Annotations = { ...current };
  let touched = false;
  for (const rolloutName of Object.keys(managed).sort()) {
    if (isLive(rolloutName)) {
      enqueue.push(rolloutName);
      continue;
    }
    touched = true;
    const keys = managed[rolloutName] ?? [];
    for (const key of keys) {
      const at = key.indexOf(ALB_ACTION_PREFIX);
      if (at === -1) continue;
      const svc = key.slice(at + ALB_ACTION_PREFIX.length);
      const old = annotations[key];
      const parsed = old === undefined ? undefined : parseActionValue(old);
      const conditionKey = `${key.slice(0, at)}${ALB_CONDITION_PREFIX}${svc}`;
      const port = albResetPort(svc, parsed, keys.includes(conditionKey));
      if (parsed === undefined || port === undefined) {
        skipped.push(key);
        continue;
      }
      annotations[key] = forwardActionJson(
        [{ serviceName: svc, servicePort: port, weight: 100 }],
        parsed.stickiness,
      );
    }
    delete managed[rolloutName];
  }
  if (!touched) return { enqueue, skipped };
  if (Object.keys(managed).length === 0) delete annotations[MANAGED_ALB_ANNOTATIONS];
  else annotations[MANAGED_ALB_ANNOTATIONS] = serializeManagedAlbAnnotations(managed);
  delete annotations[LEGACY_MANAGED_ALB_ACTIONS];
  const patch = ingressMergePatch(ingress, { annotations }, { annotations: true });
  return patch === undefined ? { enqueue, skipped } : { enqueue, annotations, patch, skipped };
}

// ---------------------------------------------------------------------------------------------
// Validation of the referenced Ingresses (§3.2)

/**
 * Checks every referenced Ingress: it exists, some path routes to the action Service
 * (`rootService`, else `stableService`) — both errors, as upstream — and each such path uses the
 * port name `use-annotation` (a warning: upstream says nothing, but the LBC then ignores our
 * action and no split happens). All problems are returned, in Ingress order; the InvalidSpec
 * condition shows the first error.
 */
export function validateAlbIngresses(
  rollout: Rollout,
  lookup: (name: string) => KubeObject | undefined,
): IngressProblem[] {
  const cfg = albConfig(rollout);
  const problems: IngressProblem[] = [];
  for (const { name, field } of cfg.ingresses) {
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
    const paths = pathsWithService(ing, cfg.actionService);
    if (paths.length === 0) {
      problems.push({
        field,
        value: goQuote(name),
        detail: `ingress \`${name}\` has no rules using service ${cfg.actionService} backend`,
        severity: 'error',
      });
      continue;
    }
    const legacy = isLegacyIngress(ing);
    for (const p of paths) {
      const port = backendServicePort(p.value, legacy);
      if (port === USE_ANNOTATION_PORT) continue;
      problems.push({
        field,
        value: goQuote(name),
        detail:
          `ingress \`${name}\` path ${JSON.stringify(p.value.path ?? '')} sends service ${cfg.actionService} ` +
          `to port ${JSON.stringify(port ?? '')} instead of \`${USE_ANNOTATION_PORT}\`: the AWS Load Balancer ` +
          `Controller ignores the ${albActionKey(cfg.prefix, cfg.actionService)} annotation there and no traffic split happens`,
        severity: 'warning',
      });
    }
  }
  return problems;
}
