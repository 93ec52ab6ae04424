// Rollout spec validation: the InvalidSpec condition (rollout-semantics.md §9, traffic-routing.md
// §1.2 and §3.2). A port of Argo Rollouts' pkg/apis/rollouts/validation/validation.go
// (ValidateRollout) and validation_references.go (ValidateRolloutReferencedResources), with the
// lookups of rollout/controller.go (getRolloutReferencedResources) in between, in that order. Like
// the controller, only the FIRST error is reported, as a Kubernetes field error
// (k8s.io/apimachinery/pkg/util/validation/field): `<field>: <ErrorBody>`.
//
// Field paths are Argo's, quirks included: ValidateRolloutStrategy is handed `spec.strategy` and
// appends the strategy's own field names to it without `canary`/`blueGreen`, so a bad step reads
// `spec.strategy.steps[2].setWeight` and a missing strategy `spec.strategy.strategy`; the
// referenced-resource checks use full paths (`spec.strategy.canary.stableService`).
//
// Values are printed the way ErrorBody prints them: integers and booleans bare, strings Go-quoted,
// nil as "null", other Go values with %#v. Go prints a nested pointer as its address; where such
// a value appears (step structs, argument lists) its contents are printed instead.
//
// Pure: the caller looks up the referenced objects and passes them in ValidationRefs.

import type { IntOrString } from '../api/common.ts';
import type { Rollout } from '../api/rollout.ts';
import { parseDuration } from '../analysis/duration.ts';

// ---------------------------------------------------------------------------------------------
// Public types

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueForbidden'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'InternalError';

export interface ValidationError {
  /** Field path, e.g. `spec.strategy.steps[2].setWeight`. */
  field: string;
  /** Kubernetes ErrorBody: `Invalid value: 120: SetWeight needs to be between 0 and 100`. */
  message: string;
  type: FieldErrorType;
  /** The bare detail: `SetWeight needs to be between 0 and 100`. */
  detail: string;
}

/** What validation reads of a Service. */
export interface ServiceLike {
  metadata: { name?: string; annotations?: Record<string, string> };
  spec?: { selector?: Record<string, string> };
}

/** What validation reads of an Ingress (networking.k8s.io/v1 or extensions/v1beta1). */
export interface IngressLike {
  metadata: { name?: string };
  spec?: {
    rules?: {
      http?: {
        paths?: { backend?: { service?: { name?: string }; serviceName?: string } }[];
      };
    }[];
  };
}

/**
 * Objects the Rollout references, looked up by the caller in the Rollout's namespace. In every
 * map, a name mapped to `undefined` was looked up and does not exist (NotFound); a name absent
 * from the map was not looked up, and nothing about it is checked. An absent map checks nothing
 * of that kind.
 */
export interface ValidationRefs {
  services: ReadonlyMap<string, ServiceLike | undefined>;
  /** Namespaced AnalysisTemplates by name; only existence is checked here. */
  analysisTemplates?: ReadonlyMap<string, unknown>;
  /** ClusterAnalysisTemplates by name (`clusterScope: true`); only existence is checked here. */
  clusterAnalysisTemplates?: ReadonlyMap<string, unknown>;
  /** Ingresses named by trafficRouting.alb / trafficRouting.nginx. */
  ingresses?: ReadonlyMap<string, IngressLike | undefined>;
}

export interface ValidateOptions {
  /**
   * The controller has already copied the template (and selector) of spec.workloadRef into the
   * Rollout (Argo's TemplateResolvedFromRef): validate that template, and do not require
   * spec.template to be empty.
   */
  templateResolvedFromRef?: boolean;
}

/** The InvalidSpec condition message: `The Rollout "<name>" is invalid: <field>: <message>`. */
export function formatInvalidSpec(name: string, err: ValidationError): string {
  // rollout/controller.go createInvalidRolloutCondition: fmt.Sprintf("...\"%s\"...", r.Name, err)
  return `The Rollout "${name}" is invalid: ${err.field}: ${err.message}`;
}

/**
 * The first reason the Rollout is invalid, or undefined: the spec checks of validation.go first,
 * then the referenced objects (lookups, then their contents), as the controller orders them.
 */
export function validateRollout(
  rollout: Rollout,
  refs: ValidationRefs,
  opts: ValidateOptions = {},
): ValidationError | undefined {
  const specErrors = validateRolloutSpec(rollout, opts);
  if (specErrors.length > 0) return specErrors[0];
  return validateReferences(rollout, refs);
}

// ---------------------------------------------------------------------------------------------
// Messages, verbatim from validation.go (and, where master moved on, the master text quoted by
// rollout-semantics.md / traffic-routing.md).

export const MESSAGES = {
  missingField: (f: string) => `Rollout has missing field '${f}'`,
  invalidSetWeight: (max: number) => `SetWeight needs to be between 0 and ${max}`,
  experimentWeightWithoutTrafficRouting:
    'Experiment template weight cannot be set unless TrafficRouting is enabled',
  experimentWeightUnsupported:
    'Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time',
  setCanaryScaleTrafficPolicy: 'SetCanaryScale requires TrafficRouting to be set',
  setHeaderRouteTrafficPolicy:
    'SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix',
  setMirrorRouteTrafficPolicy: 'SetMirrorRoute requires TrafficRouting, supports Istio only',
  stringMatchMultipleValues:
    'StringMatch match value must have exactly one of the following: exact, regex, prefix',
  stringMatchMissedValue:
    'StringMatch value missed, match value must have one of the following: exact, regex, prefix',
  setHeaderRouteALBValue: "SetHeaderRoute match value invalid. ALB supports 'exact' value only",
  invalidDuration: 'Duration needs to be greater than 0',
  maxSurgeMaxUnavailable: 'MaxSurge and MaxUnavailable both can not be zero',
  // Master's text (rollout-semantics.md §2.3); the validation.go we could read predates step
  // plugins ("... setCanaryScale or pause"), and so does its errVal (we append step.Plugin).
  invalidStep:
    'Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause',
  invalidStrategy: 'Multiple Strategies can not be listed',
  duplicatedServicesBlueGreen:
    'This rollout uses the same service for the active and preview services, but two different services are required.',
  duplicatedServicesCanary:
    'This rollout uses the same service for the stable and canary services, but two different services are required.',
  antiAffinityStrategy: 'AntiAffinity must have exactly one strategy listed',
  antiAffinityWeight: 'AntiAffinity weight must be between 1-100',
  scaleDownLimitLargerThanRevisionLimit:
    "This rollout's revision history limit can not be smaller than the rollout's scale down limit",
  trafficRoutingServices: 'Canary service and Stable service must to be set to use Traffic Routing',
  analysisArgs: 'Analyses arguments must refer to valid object metadata supported by downwardAPI',
  canaryScaleDownDelay: 'Canary scaleDownDelaySeconds can only be used with traffic routing',
  canaryDynamicStableScale: 'Canary dynamicStableScale can only be used with traffic routing',
  canaryDynamicStableScaleWithScaleDownDelay:
    'Canary dynamicStableScale cannot be used with scaleDownDelaySeconds',
  maxTrafficWeightOnlyNginxAndPlugins:
    'Canary maxTrafficWeight in traffic routing only support in Nginx and Plugins',
  // Upstream PR #4924 (Jul 2026) rejects values below 1; its wording is not in the sources we
  // could read, so this text is ours.
  maxTrafficWeightBelowOne: 'Canary maxTrafficWeight in traffic routing must be greater than 0',
  pingPongServices: 'Ping service and Pong service must to be set to use Ping-Pong feature',
  duplicatedPingPongServices:
    'This rollout uses the same service for the ping and pong services, but two different services are required.',
  missedAlbRootService:
    'Root service field is required for the configuration with ALB and ping-pong feature enabled',
  // PingPongWithRouterOnlyMessage: the constant's text is not in the sources we could read (the
  // older PingPongWithAlbOnlyMessage said "... with the ALB traffic routing only").
  pingPongWithRouterOnly: 'Ping-pong feature works with the ALB and Istio traffic routing only',
  stepRouteNotInManagedRoutes:
    'Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes',
  serviceUnmatchLabel: (svc: string, key: string) =>
    `Service ${goQuote(svc)} has unmatch label ${goQuote(key)} in rollout`,
  serviceManagedByAnotherRollout: (svc: string) =>
    `Service ${goQuote(svc)} is managed by another Rollout`,
} as const;

const MANAGED_BY_ANNOTATION = 'argo-rollouts.argoproj.io/managed-by-rollouts';
const POD_TEMPLATE_HASH_LABEL = 'rollouts-pod-template-hash';

// ---------------------------------------------------------------------------------------------
// Field errors (k8s.io/apimachinery/pkg/util/validation/field)

function mk(field: string, type: FieldErrorType, head: string, detail: string): ValidationError {
  return { field, type, detail, message: detail === '' ? head : `${head}: ${detail}` };
}
function required(field: string, detail = ''): ValidationError {
  return mk(field, 'FieldValueRequired', 'Required value', detail);
}
/** `value` is already rendered (see goQuote / goInt / NULL). */
function invalid(field: string, value: string, detail: string): ValidationError {
  return mk(field, 'FieldValueInvalid', `Invalid value: ${value}`, detail);
}
function forbidden(field: string, detail: string): ValidationError {
  return mk(field, 'FieldValueForbidden', 'Forbidden', detail);
}
function notSupported(field: string, value: string, valid: string[]): ValidationError {
  const detail = `supported values: ${valid.map(goQuote).join(', ')}`;
  return mk(field, 'FieldValueNotSupported', `Unsupported value: ${value}`, detail);
}
function duplicate(field: string, value: string): ValidationError {
  return mk(field, 'FieldValueDuplicate', `Duplicate value: ${value}`, '');
}
function internal(field: string, detail: string): ValidationError {
  return mk(field, 'InternalError', 'Internal error', detail);
}

/** ErrorBody's rendering of a nil value. */
const NULL = '"null"';

/** Go's %q for a string. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function goInt(n: number): string {
  return String(Math.trunc(n));
}

/** %#v of a map[string]string: keys sorted, `map[string]string{"a":"1", "b":"2"}`. */
function goStringMap(m: Record<string, string> | undefined | null): string {
  if (m === undefined || m === null) return 'map[string]string(nil)';
  const entries = Object.keys(m)
    .sort(byteOrder)
    .map((k) => `${goQuote(k)}:${goQuote(m[k] ?? '')}`);
  return `map[string]string{${entries.join(', ')}}`;
}

function goStringSlice(a: readonly string[] | undefined): string {
  if (a === undefined) return '[]string(nil)';
  return `[]string{${a.map(goQuote).join(', ')}}`;
}

/** %#v of a struct, fields already rendered. */
function goStruct(type: string, fields: [string, string][]): string {
  return `${type}{${fields.map(([k, v]) => `${k}:${v}`).join(', ')}}`;
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Loose access to the parts of the spec zod keeps opaque

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
/** Go's "pointer is non-nil": present and not null. */
function has(x: unknown): boolean {
  return x !== undefined && x !== null;
}
function obj(x: unknown): Obj | undefined {
  return isObj(x) ? x : undefined;
}
function str(x: unknown): string {
  return typeof x === 'string' ? x : '';
}
function arr(x: unknown): unknown[] | undefined {
  return Array.isArray(x) ? x : undefined;
}
function num(x: unknown): number | undefined {
  return typeof x === 'number' ? x : undefined;
}
function strMap(x: unknown): Record<string, string> | undefined {
  if (!isObj(x)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(x)) out[k] = typeof v === 'string' ? v : String(v);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Durations and int-or-string values, as Go parses them

/** Go's strconv.ParseInt(s, 10, bits); undefined on a syntax or range error. */
function parseGoInt(s: string, bits: 32 | 64): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  const limit = 2 ** (bits - 1);
  if (n < -limit || n > limit - 1) return undefined;
  return n;
}

/** Go's strconv.Atoi with the error ignored: 0 when s is not an integer. */
function atoi(s: string): number {
  return parseGoInt(s, 64) ?? 0;
}

/**
 * RolloutPause.DurationSeconds(): absent ⇒ 0; an int as is; a numeric string as seconds; else a Go
 * duration truncated to whole seconds (`500ms` ⇒ 0); unparsable ⇒ -1.
 */
export function pauseDurationSeconds(duration: IntOrString | null | undefined): number {
  if (duration === undefined || duration === null) return 0;
  if (typeof duration === 'number') return Math.trunc(duration);
  const secs = parseGoInt(duration, 32);
  if (secs !== undefined) return secs;
  const d = parseDuration(duration);
  if (!d.ok) return -1;
  return Number(d.ns / 1_000_000_000n);
}

/** validation.go getIntOrPercentValue: "N%" ⇒ N, other strings through Atoi, ints as is. */
function intOrPercentValue(v: IntOrString): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (/^[0-9]+%$/.test(v)) return atoi(v.slice(0, -1));
  return atoi(v);
}

/** %#v of an intstr.IntOrString (its String() has a pointer receiver, so ErrorBody uses %#v). */
function goIntOrString(v: IntOrString): string {
  return typeof v === 'number'
    ? `intstr.IntOrString{Type:0, IntVal:${goInt(v)}, StrVal:""}`
    : `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`;
}

// ---------------------------------------------------------------------------------------------
// apimachinery name/label validation (k8s.io/apimachinery/pkg/util/validation)

const QNAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QNAME_RE = new RegExp(`^${QNAME_FMT}$`);
const QNAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QNAME_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  // The double space after each comma is apimachinery's.
  let out = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) out += ' or ';
    out += `'${e}', `;
  });
  return `${out}regex used for validation is '${fmt}')`;
}

const maxLenError = (n: number) => `must be no more than ${n} characters`;

function isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN_RE.test(v))
    errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenError(63));
  if (!DNS1123_LABEL_RE.test(v))
    errs.push(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  return errs;
}

function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!QNAME_RE.test(name))
    errs.push(`name part ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

function isValidLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenError(63));
  if (!LABEL_VALUE_RE.test(v))
    errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** unversionedvalidation.ValidateLabels; Go's map order is random, ours is sorted. */
function validateLabels(labels: Record<string, string> | undefined, path: string) {
  const errs: ValidationError[] = [];
  for (const k of Object.keys(labels ?? {}).sort(byteOrder)) {
    for (const m of isQualifiedName(k)) errs.push(invalid(path, goQuote(k), m));
    const v = labels?.[k] ?? '';
    for (const m of isValidLabelValue(v)) errs.push(invalid(path, goQuote(v), m));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Label selectors

interface SelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

function selectorRequirements(sel: Obj): SelectorRequirement[] {
  return (arr(sel.matchExpressions) ?? []).map((e) => {
    const o = obj(e) ?? {};
    const values = arr(o.values)?.map((v) => str(v));
    return { key: str(o.key), operator: str(o.operator), ...(values ? { values } : {}) };
  });
}

/** unversionedvalidation.ValidateLabelSelector. */
function validateLabelSelector(sel: Obj, path: string): ValidationError[] {
  const errs = validateLabels(strMap(sel.matchLabels), `${path}.matchLabels`);
  selectorRequirements(sel).forEach((r, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const n = r.values?.length ?? 0;
    if (r.operator === 'In' || r.operator === 'NotIn') {
      if (n === 0)
        errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (r.operator === 'Exists' || r.operator === 'DoesNotExist') {
      if (n > 0)
        errs.push(
          forbidden(
            `${p}.values`,
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
    } else {
      errs.push(invalid(`${p}.operator`, goQuote(r.operator), 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(r.key)) errs.push(invalid(`${p}.key`, goQuote(r.key), m));
    (r.values ?? []).forEach((v, j) => {
      for (const m of isValidLabelValue(v)) errs.push(invalid(`${p}.values[${j}]`, goQuote(v), m));
    });
  });
  return errs;
}

function selectorIsEmpty(sel: Obj): boolean {
  return (
    Object.keys(strMap(sel.matchLabels) ?? {}).length === 0 &&
    selectorRequirements(sel).length === 0
  );
}

/** labels.Selector.Matches for a metav1.LabelSelector. */
function selectorMatches(sel: Obj, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(strMap(sel.matchLabels) ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const r of selectorRequirements(sel)) {
    const present = Object.hasOwn(labels, r.key);
    const val = labels[r.key];
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
        if (!present || val === undefined || !values.includes(val)) return false;
        break;
      case 'NotIn':
        if (present && val !== undefined && values.includes(val)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function goLabelSelector(sel: Obj): string {
  const ml = sel.matchLabels;
  const me = sel.matchExpressions;
  const exprs = arr(me);
  const renderedExprs =
    exprs === undefined
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${selectorRequirements(sel)
          .map((r) =>
            goStruct('v1.LabelSelectorRequirement', [
              ['Key', goQuote(r.key)],
              ['Operator', goQuote(r.operator)],
              ['Values', goStringSlice(r.values)],
            ]),
          )
          .join(', ')}}`;
  return goStruct('v1.LabelSelector', [
    ['MatchLabels', goStringMap(isObj(ml) ? strMap(ml) : undefined)],
    ['MatchExpressions', renderedExprs],
  ]);
}

// ---------------------------------------------------------------------------------------------
// ValidateRolloutSpec

/**
 * Every spec error validation.go reports, in its order (Argo's ValidateRollout). The controller
 * reports only the first; `kubectl argo rollouts lint` prints them all.
 */
export function validateRolloutSpec(
  rollout: Rollout,
  opts: ValidateOptions = {},
): ValidationError[] {
  const spec = rollout.spec;
  const errs: ValidationError[] = [];

  const replicas = spec.replicas ?? 1;
  errs.push(...nonNegative(replicas, 'spec.replicas'));

  const workloadRef = has(spec.workloadRef);
  const selector = obj(spec.selector);
  if (!workloadRef) {
    if (selector === undefined) {
      errs.push(required('spec.selector', MESSAGES.missingField('.spec.selector')));
    } else {
      errs.push(...validateLabelSelector(selector, 'spec.selector'));
      if (selectorIsEmpty(selector)) {
        errs.push(
          invalid(
            'spec.selector',
            goLabelSelector(selector),
            'empty selector is invalid for deployment',
          ),
        );
      }
    }
  }

  const resolved = opts.templateResolvedFromRef === true;
  if (!resolved && workloadRef && !isEmptyValue(spec.template)) {
    errs.push(internal('spec.template', 'template must be empty for workload reference rollout'));
  }

  // metav1.LabelSelectorAsSelector fails where ValidateLabelSelector finds a bad operator, key
  // or value (so after it, whenever it ran); the template is then not validated.
  if (selector !== undefined && validateLabelSelector(selector, 'spec.selector').length > 0) {
    errs.push(invalid('spec.selector', goLabelSelector(selector), 'invalid label selector'));
  } else if (resolved || !workloadRef) {
    errs.push(...validatePodTemplateForReplicaSet(rollout, selector, 'spec.template'));
  }

  const minReadySeconds = spec.minReadySeconds ?? 0;
  errs.push(...nonNegative(minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit ?? 10, 'spec.revisionHistoryLimit'));
  const progressDeadlineSeconds = spec.progressDeadlineSeconds ?? 600;
  errs.push(...nonNegative(progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
  if (progressDeadlineSeconds <= minReadySeconds) {
    errs.push(
      invalid(
        'spec.progressDeadlineSeconds',
        goInt(progressDeadlineSeconds),
        'must be greater than minReadySeconds',
      ),
    );
  }

  errs.push(...validateStrategy(rollout, 'spec.strategy'));
  return errs;
}

function nonNegative(v: number, path: string): ValidationError[] {
  return v < 0 ? [invalid(path, goInt(v), 'must be greater than or equal to 0')] : [];
}

/** Go zero value (RolloutSpec.EmptyTemplate compares the template with an empty one). */
function isEmptyValue(x: unknown): boolean {
  if (x === undefined || x === null || x === '' || x === 0 || x === false) return true;
  if (Array.isArray(x)) return x.length === 0;
  if (isObj(x)) return Object.values(x).every(isEmptyValue);
  return false;
}

/**
 * k8s.io/kubernetes/pkg/apis/apps/validation ValidatePodTemplateSpecForReplicaSet, with the parts
 * of core ValidatePodTemplateSpec a Rollout template plausibly gets wrong: labels, containers
 * (present, named, unique, with an image), restartPolicy, activeDeadlineSeconds and ephemeral
 * containers. The rest of the pod spec is left to the API server, which validates the
 * ReplicaSet the controller creates.
 */
function validatePodTemplateForReplicaSet(
  rollout: Rollout,
  selector: Obj | undefined,
  path: string,
): ValidationError[] {
  const errs: ValidationError[] = [];
  const template = obj(rollout.spec.template) ?? {};
  const meta = obj(template.metadata) ?? {};
  const labels = strMap(meta.labels);
  const podSpec = obj(template.spec) ?? {};

  // A nil selector converts to labels.Nothing(), which matches nothing; an empty one to
  // labels.Everything(), which is not checked.
  if (selector === undefined || !selectorIsEmpty(selector)) {
    if (selector === undefined || !selectorMatches(selector, labels ?? {})) {
      errs.push(
        invalid(
          `${path}.metadata.labels`,
          goStringMap(labels),
          '`selector` does not match template `labels`',
        ),
      );
    }
  }
  // ValidatePodTemplateSpec validates the labels at `<path>.labels` (sic).
  errs.push(...validateLabels(labels, `${path}.labels`));

  const containersPath = `${path}.spec.containers`;
  const containers = arr(podSpec.containers) ?? [];
  if (containers.length === 0) errs.push(required(containersPath));
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const ctr = obj(c) ?? {};
    const p = `${containersPath}[${i}]`;
    const name = str(ctr.name);
    if (name === '') errs.push(required(`${p}.name`));
    else {
      for (const m of isDNS1123Label(name)) errs.push(invalid(`${p}.name`, goQuote(name), m));
      if (names.has(name)) errs.push(duplicate(`${p}.name`, goQuote(name)));
      names.add(name);
    }
    if (str(ctr.image) === '') errs.push(required(`${p}.image`));
  });

  // Defaulting sets restartPolicy to Always, and a ReplicaSet allows nothing else.
  const restartPolicy = podSpec.restartPolicy;
  if (has(restartPolicy) && restartPolicy !== 'Always') {
    errs.push(notSupported(`${path}.spec.restartPolicy`, goQuote(str(restartPolicy)), ['Always']));
  }
  if (has(podSpec.activeDeadlineSeconds)) {
    errs.push(
      forbidden(
        `${path}.spec.activeDeadlineSeconds`,
        'activeDeadlineSeconds in ReplicaSet is not Supported',
      ),
    );
  }
  if ((arr(podSpec.ephemeralContainers) ?? []).length > 0) {
    errs.push(
      forbidden(
        `${path}.spec.ephemeralContainers`,
        'ephemeral containers not allowed in pod template',
      ),
    );
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Strategies

function validateStrategy(rollout: Rollout, path: string): ValidationError[] {
  const strategy = rollout.spec.strategy;
  const canary = has(strategy?.canary);
  const blueGreen = has(strategy?.blueGreen);
  if (!canary && !blueGreen) {
    return [
      required(
        `${path}.strategy`,
        MESSAGES.missingField('.spec.strategy.canary or .spec.strategy.blueGreen'),
      ),
    ];
  }
  if (canary && blueGreen) {
    return [
      invalid(
        `${path}.strategy`,
        goQuote(`blueGreen: ${blueGreen} canary: ${canary}`),
        MESSAGES.invalidStrategy,
      ),
    ];
  }
  return blueGreen ? validateBlueGreen(rollout, path) : validateCanary(rollout, path);
}

function validateBlueGreen(rollout: Rollout, path: string): ValidationError[] {
  const bg = rollout.spec.strategy?.blueGreen;
  if (!bg) return [];
  const errs: ValidationError[] = [];
  const active = str(bg.activeService);
  if (active === str(bg.previewService)) {
    errs.push(
      invalid(`${path}.activeService`, goQuote(active), MESSAGES.duplicatedServicesBlueGreen),
    );
  }
  const limit = bg.scaleDownDelayRevisionLimit;
  if (has(limit) && limit !== undefined && (rollout.spec.revisionHistoryLimit ?? 10) < limit) {
    errs.push(
      invalid(
        `${path}.scaleDownDelayRevisionLimit`,
        goInt(limit),
        MESSAGES.scaleDownLimitLargerThanRevisionLimit,
      ),
    );
  }
  errs.push(...validateAntiAffinity(bg.antiAffinity, `${path}.antiAffinity`));
  return errs;
}

function validateAntiAffinity(aa: unknown, path: string): ValidationError[] {
  const a = obj(aa);
  if (a === undefined) return [];
  const errs: ValidationError[] = [];
  const preferred = obj(a.preferredDuringSchedulingIgnoredDuringExecution);
  const requiredRule = has(a.requiredDuringSchedulingIgnoredDuringExecution);
  if ((preferred === undefined) === !requiredRule) {
    errs.push(
      invalid(
        path,
        goQuote(
          `antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: ${preferred !== undefined} antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: ${requiredRule}`,
        ),
        MESSAGES.antiAffinityStrategy,
      ),
    );
  }
  if (preferred !== undefined) {
    const weight = num(preferred.weight) ?? 0;
    if (weight < 1 || weight > 100) {
      errs.push(invalid(`${path}.weight`, goInt(weight), MESSAGES.antiAffinityWeight));
    }
  }
  return errs;
}

type TrafficRoutingView = Obj;

function hasPlugins(tr: TrafficRoutingView): boolean {
  const p = obj(tr.plugins);
  return p !== undefined && Object.keys(p).length > 0;
}

/** requireCanaryStableServices: routers that address the canary/stable Services. */
function requiresCanaryStableServices(tr: TrafficRoutingView | undefined, pingPong: boolean) {
  if (tr === undefined) return false;
  const istio = obj(tr.istio);
  return (
    (has(tr.alb) && !pingPong) ||
    (istio !== undefined && !has(istio.destinationRule)) ||
    has(tr.smi) ||
    has(tr.apisix) ||
    has(tr.ambassador) ||
    has(tr.nginx) ||
    has(tr.appMesh) ||
    has(tr.traefik)
  );
}

/** weightutil.MaxTrafficWeight. */
function maxTrafficWeight(rollout: Rollout): number {
  return rollout.spec.strategy?.canary?.trafficRouting?.maxTrafficWeight ?? 100;
}

function validateCanary(rollout: Rollout, path: string): ValidationError[] {
  const canary = rollout.spec.strategy?.canary;
  if (!canary) return [];
  const errs: ValidationError[] = [];

  // invalidMaxSurgeMaxUnavailable; both default to "25".
  const maxSurge = canary.maxSurge ?? '25';
  const maxUnavailable = canary.maxUnavailable ?? '25';
  if (intOrPercentValue(maxSurge) === 0 && intOrPercentValue(maxUnavailable) === 0) {
    errs.push(
      invalid(`${path}.maxSurge`, goIntOrString(maxSurge), MESSAGES.maxSurgeMaxUnavailable),
    );
  }

  const canaryService = str(canary.canaryService);
  const stableService = str(canary.stableService);
  if (canaryService !== '' && stableService !== '' && canaryService === stableService) {
    errs.push(
      invalid(`${path}.stableService`, goQuote(stableService), MESSAGES.duplicatedServicesCanary),
    );
  }

  const tr = obj(canary.trafficRouting);
  const pingPong = obj(canary.pingPong);
  if (pingPong !== undefined) {
    // Master allows ALB, Istio and (since upstream PR #4740) plugins.
    if (tr !== undefined && !has(tr.alb) && !has(tr.istio) && !hasPlugins(tr)) {
      errs.push(invalid(`${path}.trafficRouting.alb`, NULL, MESSAGES.pingPongWithRouterOnly));
    }
    const ping = str(pingPong.pingService);
    const pong = str(pingPong.pongService);
    if (ping === '')
      errs.push(invalid(`${path}.pingPong.pingService`, goQuote(ping), MESSAGES.pingPongServices));
    if (pong === '')
      errs.push(invalid(`${path}.pingPong.pongService`, goQuote(pong), MESSAGES.pingPongServices));
    if (ping === pong) {
      errs.push(
        invalid(`${path}.pingPong.pingService`, goQuote(ping), MESSAGES.duplicatedPingPongServices),
      );
    }
    const alb = obj(tr?.alb);
    if (alb !== undefined && str(alb.rootService) === '') {
      errs.push(
        invalid(
          `${path}.trafficRouting.alb.rootService`,
          goQuote(''),
          MESSAGES.missedAlbRootService,
        ),
      );
    }
  }

  if (requiresCanaryStableServices(tr, pingPong !== undefined)) {
    if (stableService === '')
      errs.push(invalid(`${path}.stableService`, goQuote(''), MESSAGES.trafficRoutingServices));
    if (canaryService === '')
      errs.push(invalid(`${path}.canaryService`, goQuote(''), MESSAGES.trafficRoutingServices));
  }

  const scaleDownDelaySeconds = canary.scaleDownDelaySeconds;
  const dynamicStableScale = canary.dynamicStableScale === true;
  if (tr === undefined) {
    if (has(scaleDownDelaySeconds) && scaleDownDelaySeconds !== undefined) {
      errs.push(
        invalid(
          `${path}.scaleDownDelaySeconds`,
          goInt(scaleDownDelaySeconds),
          MESSAGES.canaryScaleDownDelay,
        ),
      );
    }
    if (dynamicStableScale) {
      errs.push(invalid(`${path}.dynamicStableScale`, 'true', MESSAGES.canaryDynamicStableScale));
    }
  } else {
    if (has(scaleDownDelaySeconds) && dynamicStableScale) {
      errs.push(
        invalid(
          `${path}.dynamicStableScale`,
          'true',
          MESSAGES.canaryDynamicStableScaleWithScaleDownDelay,
        ),
      );
    }
    const mtw = num(tr.maxTrafficWeight);
    if (mtw !== undefined) {
      if (!has(tr.nginx) && !hasPlugins(tr)) {
        errs.push(
          invalid(
            `${path}.trafficRouting.maxTrafficWeight`,
            goInt(mtw),
            MESSAGES.maxTrafficWeightOnlyNginxAndPlugins,
          ),
        );
      }
      if (mtw < 1) {
        errs.push(
          invalid(
            `${path}.trafficRouting.maxTrafficWeight`,
            goInt(mtw),
            MESSAGES.maxTrafficWeightBelowOne,
          ),
        );
      }
    }
  }

  const maxWeight = maxTrafficWeight(rollout);
  (canary.steps ?? []).forEach((step, i) => {
    errs.push(...validateStep(rollout, step, i, path, tr, maxWeight));
  });

  errs.push(...validateAntiAffinity(canary.antiAffinity, `${path}.antiAffinity`));
  return errs;
}

function validateStep(
  rollout: Rollout,
  step: Obj,
  i: number,
  path: string,
  tr: TrafficRoutingView | undefined,
  maxWeight: number,
): ValidationError[] {
  const errs: ValidationError[] = [];
  const stepPath = `${path}.steps[${i}]`;
  const set = {
    experiment: has(step.experiment),
    pause: has(step.pause),
    setWeight: has(step.setWeight),
    analysis: has(step.analysis),
    setCanaryScale: has(step.setCanaryScale),
    setHeaderRoute: has(step.setHeaderRoute),
    setMirrorRoute: has(step.setMirrorRoute),
    plugin: has(step.plugin),
  };

  // hasMultipleStepsType: at most one of setWeight, pause, experiment, analysis.
  if ([set.setWeight, set.pause, set.experiment, set.analysis].filter(Boolean).length > 1) {
    errs.push(
      invalid(
        stepPath,
        goQuote(
          `step.Experiment: ${set.experiment} step.Pause: ${set.pause} step.SetWeight: ${set.setWeight} step.Analysis: ${set.analysis}`,
        ),
        MESSAGES.invalidStep,
      ),
    );
  }
  if (!Object.values(set).some(Boolean)) {
    // All `== nil`, hence all true.
    errs.push(
      invalid(
        stepPath,
        goQuote(
          'step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoutes: true step.Plugin: true',
        ),
        MESSAGES.invalidStep,
      ),
    );
  }

  const setWeight = num(step.setWeight);
  if (setWeight !== undefined && (setWeight < 0 || setWeight > maxWeight)) {
    errs.push(
      invalid(`${stepPath}.setWeight`, goInt(setWeight), MESSAGES.invalidSetWeight(maxWeight)),
    );
  }

  const pause = obj(step.pause);
  if (pause !== undefined) {
    const d = pause.duration;
    const secs = pauseDurationSeconds(
      typeof d === 'number' || typeof d === 'string' ? d : undefined,
    );
    if (secs < 0) {
      errs.push(invalid(`${stepPath}.pause.duration`, goInt(secs), MESSAGES.invalidDuration));
    }
  }

  if (set.setCanaryScale && tr === undefined) {
    errs.push(required(`${path}.trafficRouting`, MESSAGES.setCanaryScaleTrafficPolicy));
  }

  const headerRoute = obj(step.setHeaderRoute);
  if (headerRoute !== undefined) {
    const supported =
      tr !== undefined && (has(tr.istio) || has(tr.alb) || has(tr.apisix) || hasPlugins(tr));
    if (!supported) {
      errs.push(
        invalid(
          `${stepPath}.setHeaderRoute`,
          goSetHeaderRoute(headerRoute),
          MESSAGES.setHeaderRouteTrafficPolicy,
        ),
      );
    } else {
      (arr(headerRoute.match) ?? []).forEach((m, j) => {
        const matchPath = `${stepPath}.setHeaderRoute.match[${j}]`;
        const value = obj(obj(m)?.headerValue);
        errs.push(
          ...(has(tr.alb)
            ? albStringMatchErrors(value, matchPath)
            : multipleMatchValueErrors(value, matchPath)),
        );
      });
    }
  }

  const mirrorRoute = obj(step.setMirrorRoute);
  if (mirrorRoute !== undefined) {
    // Master (upstream PR #4643) also lets plugins mirror traffic; the message still says Istio.
    if (tr === undefined || (!has(tr.istio) && !hasPlugins(tr))) {
      errs.push(
        invalid(
          `${stepPath}.setMirrorRoute`,
          goSetMirrorRoute(mirrorRoute),
          MESSAGES.setMirrorRouteTrafficPolicy,
        ),
      );
    }
    (arr(mirrorRoute.match) ?? []).forEach((m, j) => {
      const matchPath = `${stepPath}.setMirrorRoute.match[${j}]`;
      const match = obj(m) ?? {};
      // validation.go checks Method, Path, then Method again.
      if (has(match.method)) errs.push(...multipleMatchValueErrors(obj(match.method), matchPath));
      if (has(match.path)) errs.push(...multipleMatchValueErrors(obj(match.path), matchPath));
      if (has(match.method)) errs.push(...multipleMatchValueErrors(obj(match.method), matchPath));
    });
  }

  if (tr !== undefined && (headerRoute !== undefined || mirrorRoute !== undefined)) {
    if (!has(tr.managedRoutes)) {
      errs.push(
        required(
          `${path}.trafficRouting.managedRoutes`,
          MESSAGES.missingField('spec.strategy.canary.trafficRouting.managedRoutes'),
        ),
      );
    }
  }
  if (tr !== undefined && has(tr.managedRoutes)) {
    const names = (arr(tr.managedRoutes) ?? []).map((r) => str(obj(r)?.name));
    for (const [route, key] of [
      [headerRoute, 'setHeaderRoute'],
      [mirrorRoute, 'setMirrorRoute'],
    ] as const) {
      if (route === undefined) continue;
      const name = str(route.name);
      if (!names.includes(name)) {
        errs.push(
          invalid(`${stepPath}.${key}`, goQuote(name), MESSAGES.stepRouteNotInManagedRoutes),
        );
      }
    }
  }

  const args: Obj[] = [];
  const experiment = obj(step.experiment);
  if (experiment !== undefined) {
    (arr(experiment.templates) ?? []).forEach((t, j) => {
      const weight = num(obj(t)?.weight);
      if (weight === undefined) return;
      const p = `${stepPath}.experiment.templates[${j}].weight`;
      if (tr === undefined) {
        errs.push(invalid(p, goInt(weight), MESSAGES.experimentWeightWithoutTrafficRouting));
      } else if (!has(tr.alb) && !has(tr.smi) && !has(tr.istio) && !hasPlugins(tr)) {
        errs.push(invalid(p, goInt(weight), MESSAGES.experimentWeightUnsupported));
      }
    });
    for (const a of arr(experiment.analyses) ?? []) {
      for (const arg of arr(obj(a)?.args) ?? []) args.push(obj(arg) ?? {});
    }
  }
  const analysis = obj(step.analysis);
  if (analysis !== undefined) {
    for (const arg of arr(analysis.args) ?? []) args.push(obj(arg) ?? {});
  }
  for (const arg of args) {
    const fieldPath = obj(obj(arg.valueFrom)?.fieldRef)?.fieldPath;
    if (typeof fieldPath !== 'string' || !fieldPath.startsWith('metadata')) continue;
    if (!fieldPathResolves(fieldPath)) {
      errs.push(invalid(`${stepPath}.analyses`, goAnalysisRunArgs(args), MESSAGES.analysisArgs));
    }
  }
  return errs;
}

/** hasALBInvalidValues. */
function albStringMatchErrors(m: Obj | undefined, path: string): ValidationError[] {
  if (m === undefined) return [invalid(path, NULL, MESSAGES.stringMatchMissedValue)];
  if (str(m.exact) === '' || str(m.regex) !== '' || str(m.prefix) !== '') {
    return [invalid(path, goStringMatch(m), MESSAGES.setHeaderRouteALBValue)];
  }
  return [];
}

/** hasMultipleMatchValues. */
function multipleMatchValueErrors(m: Obj | undefined, path: string): ValidationError[] {
  if (m === undefined) return [invalid(path, NULL, MESSAGES.stringMatchMissedValue)];
  const n = [m.exact, m.regex, m.prefix].filter((v) => str(v) !== '').length;
  if (n > 1) return [invalid(path, goStringMatch(m), MESSAGES.stringMatchMultipleValues)];
  if (n === 0) return [invalid(path, goStringMatch(m), MESSAGES.stringMatchMissedValue)];
  return [];
}

function goStringMatch(m: Obj): string {
  return goStruct('v1alpha1.StringMatch', [
    ['Exact', goQuote(str(m.exact))],
    ['Prefix', goQuote(str(m.prefix))],
    ['Regex', goQuote(str(m.regex))],
  ]);
}

function goStringMatchPtr(m: unknown): string {
  const o = obj(m);
  return o === undefined ? '(*v1alpha1.StringMatch)(nil)' : `&${goStringMatch(o)}`;
}

function goSetHeaderRoute(r: Obj): string {
  const match = arr(r.match);
  const rendered =
    match === undefined
      ? '[]v1alpha1.HeaderRoutingMatch(nil)'
      : `[]v1alpha1.HeaderRoutingMatch{${match
          .map((m) =>
            goStruct('v1alpha1.HeaderRoutingMatch', [
              ['HeaderName', goQuote(str(obj(m)?.headerName))],
              ['HeaderValue', goStringMatchPtr(obj(m)?.headerValue)],
            ]),
          )
          .join(', ')}}`;
  return goStruct('v1alpha1.SetHeaderRoute', [
    ['Name', goQuote(str(r.name))],
    ['Match', rendered],
  ]);
}

function goSetMirrorRoute(r: Obj): string {
  const match = arr(r.match);
  const rendered =
    match === undefined
      ? '[]v1alpha1.RouteMatch(nil)'
      : `[]v1alpha1.RouteMatch{${match
          .map((m) => {
            const o = obj(m) ?? {};
            const headers = obj(o.headers);
            return goStruct('v1alpha1.RouteMatch', [
              ['Method', goStringMatchPtr(o.method)],
              ['Path', goStringMatchPtr(o.path)],
              [
                'Headers',
                headers === undefined
                  ? 'map[string]v1alpha1.StringMatch(nil)'
                  : `map[string]v1alpha1.StringMatch{${Object.keys(headers)
                      .sort(byteOrder)
                      .map((k) => `${goQuote(k)}:${goStringMatch(obj(headers[k]) ?? {})}`)
                      .join(', ')}}`,
              ],
            ]);
          })
          .join(', ')}}`;
  const pct = num(r.percentage);
  return goStruct('v1alpha1.SetMirrorRoute', [
    ['Name', goQuote(str(r.name))],
    ['Match', rendered],
    ['Percentage', pct === undefined ? '(*int32)(nil)' : `&${goInt(pct)}`],
  ]);
}

function goAnalysisRunArgs(args: Obj[]): string {
  const items = args.map((a) => {
    const vf = obj(a.valueFrom);
    let valueFrom = '(*v1alpha1.ArgumentValueFrom)(nil)';
    if (vf !== undefined) {
      const hash = vf.podTemplateHashValue;
      const fieldRef = obj(vf.fieldRef);
      valueFrom = `&${goStruct('v1alpha1.ArgumentValueFrom', [
        [
          'PodTemplateHashValue',
          typeof hash === 'string'
            ? `&${goQuote(hash)}`
            : '(*v1alpha1.ValueFromPodTemplateHash)(nil)',
        ],
        [
          'FieldRef',
          fieldRef === undefined
            ? '(*v1alpha1.FieldRef)(nil)'
            : `&${goStruct('v1alpha1.FieldRef', [['FieldPath', goQuote(str(fieldRef.fieldPath))]])}`,
        ],
      ])}`;
    }
    return goStruct('v1alpha1.AnalysisRunArgument', [
      ['Name', goQuote(str(a.name))],
      ['Value', goQuote(str(a.value))],
      ['ValueFrom', valueFrom],
    ]);
  });
  return `[]v1alpha1.AnalysisRunArgument{${items.join(', ')}}`;
}

/** k8s.io/kubernetes/pkg/fieldpath ExtractFieldPathAsString succeeds on the Rollout. */
function fieldPathResolves(fieldPath: string): boolean {
  // For the metadata paths it supports, only the path's shape can make it fail.
  if (fieldPath.endsWith("']")) {
    const parts = fieldPath.slice(0, -2).split("['");
    const path = parts[0] ?? '';
    if (parts.length >= 2 && path !== '') {
      const subscript = parts.slice(1).join("['");
      if (path === 'metadata.annotations')
        return isQualifiedName(subscript.toLowerCase()).length === 0;
      if (path === 'metadata.labels') return isQualifiedName(subscript).length === 0;
      return false; // "fieldPath %q does not support subscript"
    }
  }
  return [
    'metadata.annotations',
    'metadata.labels',
    'metadata.name',
    'metadata.namespace',
    'metadata.uid',
  ].includes(fieldPath);
}

// ---------------------------------------------------------------------------------------------
// Referenced resources: the lookups of getRolloutReferencedResources (each NotFound is returned
// at once), then ValidateRolloutReferencedResources on what was found.

type ServiceType =
  | 'ActiveService'
  | 'PreviewService'
  | 'StableService'
  | 'CanaryService'
  | 'PingService'
  | 'PongService';

const SERVICE_FIELD: Record<ServiceType, string> = {
  ActiveService: 'spec.strategy.blueGreen.activeService',
  PreviewService: 'spec.strategy.blueGreen.previewService',
  StableService: 'spec.strategy.canary.stableService',
  CanaryService: 'spec.strategy.canary.canaryService',
  PingService: 'spec.strategy.canary.pingPong.pingService',
  PongService: 'spec.strategy.canary.pingPong.pongService',
};

function referencedServiceNames(rollout: Rollout): [string, ServiceType][] {
  const bg = rollout.spec.strategy?.blueGreen;
  const canary = rollout.spec.strategy?.canary;
  const out: [string, ServiceType][] = [];
  if (bg) {
    out.push([str(bg.activeService), 'ActiveService'], [str(bg.previewService), 'PreviewService']);
  } else if (canary) {
    out.push(
      [str(canary.stableService), 'StableService'],
      [str(canary.canaryService), 'CanaryService'],
    );
    if (canary.pingPong) {
      out.push(
        [str(canary.pingPong.pingService), 'PingService'],
        [str(canary.pingPong.pongService), 'PongService'],
      );
    }
  }
  return out.filter(([name]) => name !== '');
}

interface TemplateRefGroup {
  field: string;
  refs: { name: string; clusterScope: boolean }[];
}

function analysisTemplateGroups(rollout: Rollout): TemplateRefGroup[] {
  const groups: TemplateRefGroup[] = [];
  const refsOf = (a: unknown) => {
    const o = obj(a) ?? {};
    const refs = (arr(o.templates) ?? []).map((t) => ({
      name: str(obj(t)?.templateName),
      clusterScope: obj(t)?.clusterScope === true,
    }));
    // The pre-1.0 single templateName our CRD still accepts (crds/rollout-crd.yaml).
    if (typeof o.templateName === 'string' && o.templateName !== '')
      refs.push({ name: o.templateName, clusterScope: false });
    return refs;
  };
  const bg = rollout.spec.strategy?.blueGreen;
  const canary = rollout.spec.strategy?.canary;
  if (bg) {
    if (has(bg.prePromotionAnalysis))
      groups.push({
        field: 'spec.strategy.blueGreen.prePromotionAnalysis.templates',
        refs: refsOf(bg.prePromotionAnalysis),
      });
    if (has(bg.postPromotionAnalysis))
      groups.push({
        field: 'spec.strategy.blueGreen.postPromotionAnalysis.templates',
        refs: refsOf(bg.postPromotionAnalysis),
      });
  } else if (canary) {
    (canary.steps ?? []).forEach((s, i) => {
      if (has(s.analysis))
        groups.push({
          field: `spec.strategy.canary.steps[${i}].analysis.templates`,
          refs: refsOf(s.analysis),
        });
    });
    if (has(canary.analysis))
      groups.push({
        field: 'spec.strategy.canary.analysis.templates',
        refs: refsOf(canary.analysis),
      });
  }
  return groups;
}

function validateReferences(rollout: Rollout, refs: ValidationRefs): ValidationError | undefined {
  // 1. Services: a NotFound ends validation (the lister's error text: resource "service").
  const services: [ServiceLike, ServiceType][] = [];
  for (const [name, type] of referencedServiceNames(rollout)) {
    if (!refs.services.has(name)) continue;
    const svc = refs.services.get(name);
    if (svc === undefined) {
      return invalid(SERVICE_FIELD[type], goQuote(name), `service ${goQuote(name)} not found`);
    }
    services.push([svc, type]);
  }

  // 2. AnalysisTemplates / ClusterAnalysisTemplates.
  for (const group of analysisTemplateGroups(rollout)) {
    for (const ref of group.refs) {
      const map = ref.clusterScope ? refs.clusterAnalysisTemplates : refs.analysisTemplates;
      if (map === undefined || !map.has(ref.name) || map.get(ref.name) !== undefined) continue;
      const kind = ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
      return invalid(group.field, goQuote(ref.name), `${kind} '${ref.name}' not found`);
    }
  }

  // 3. Ingress configuration (InternalErrors), then the Ingresses themselves.
  const canary = rollout.spec.strategy?.canary;
  const tr = obj(canary?.trafficRouting);
  const nginx = obj(tr?.nginx);
  const alb = obj(tr?.alb);
  const trPath = 'spec.strategy.canary.trafficRouting';
  if (nginx !== undefined) {
    const err = oneOfConfigured(
      (arr(nginx.stableIngresses) ?? []).length > 0,
      str(nginx.stableIngress) !== '',
      'StableIngress or StableIngresses',
    );
    if (err !== undefined) return internal(`${trPath}.nginx`, err);
  }
  if (alb !== undefined) {
    const err = oneOfConfigured(
      (arr(alb.ingresses) ?? []).length > 0,
      str(alb.ingress) !== '',
      'Ingress or Ingresses',
    );
    if (err !== undefined) return internal(`${trPath}.alb`, err);
  }
  const ingresses: IngressLike[] = [];
  if (refs.ingresses !== undefined && (alb !== undefined || nginx !== undefined)) {
    // getReferencedIngresses looks at ALB first, then NGINX.
    const cfg = alb ?? nginx ?? {};
    const router = alb !== undefined ? 'alb' : 'nginx';
    const many = arr(alb !== undefined ? cfg.ingresses : cfg.stableIngresses)?.map((x) => str(x));
    const one = str(alb !== undefined ? cfg.ingress : cfg.stableIngress);
    // The NGINX list's field name is capitalised in Argo's code ("StableIngresses").
    const listField = alb !== undefined ? 'ingresses' : 'StableIngresses';
    const names = many ?? [one];
    for (const name of names) {
      if (!refs.ingresses.has(name)) continue;
      const ing = refs.ingresses.get(name);
      if (ing === undefined) {
        const notFound = `ingress.networking.k8s.io ${goQuote(name)} not found`;
        return many !== undefined
          ? invalid(`${trPath}.${router}.${listField}`, goStringSlice(many), notFound)
          : invalid(
              `${trPath}.${router}.${alb !== undefined ? 'ingress' : 'stableIngress'}`,
              goQuote(one),
              notFound,
            );
      }
      ingresses.push(ing);
    }
  }

  // 4. Istio VirtualService configuration; Ambassador and AppMesh need something to look up.
  const istio = obj(tr?.istio);
  if (istio !== undefined) {
    const multiple = (arr(istio.virtualServices) ?? []).length > 0;
    if (multiple === has(istio.virtualService)) {
      return internal(
        `${trPath}.istio`,
        'either VirtualService or VirtualServices must be configured',
      );
    }
  }
  const ambassador = obj(tr?.ambassador);
  if (ambassador !== undefined && (arr(ambassador.mappings) ?? []).length === 0) {
    return invalid(`${trPath}.ambassador.mappings`, NULL, 'must provide at least one mapping');
  }
  const appMesh = obj(tr?.appMesh);
  if (appMesh !== undefined && !has(appMesh.virtualService)) {
    return invalid(`${trPath}.appmesh.virtualService`, NULL, 'must provide virtual-service');
  }

  // 5. ValidateRolloutReferencedResources: Services, then Ingresses. (AnalysisTemplate contents
  // are the analysis module's: required args, indefinite metrics.)
  for (const [svc, type] of services) {
    const err = validateService(rollout, svc, type);
    if (err !== undefined) return err;
  }
  for (const ing of ingresses) {
    const err = validateIngress(rollout, ing);
    if (err !== undefined) return err;
  }
  return undefined;
}

function oneOfConfigured(many: boolean, single: boolean, what: string): string | undefined {
  if (many && single) return `Either ${what} must be configured. Both are configured.`;
  if (!many && !single) return `Either ${what} must be configured. Neither are configured.`;
  return undefined;
}

/** validation_references.go ValidateService. */
function validateService(
  rollout: Rollout,
  svc: ServiceLike,
  type: ServiceType,
): ValidationError | undefined {
  const field = SERVICE_FIELD[type];
  const name = svc.metadata.name ?? '';
  const templateLabels = strMap(obj(rollout.spec.template?.metadata)?.labels) ?? {};
  const selector = svc.spec?.selector ?? {};
  for (const key of Object.keys(selector).sort(byteOrder)) {
    if (key === POD_TEMPLATE_HASH_LABEL) continue;
    const value = selector[key];
    if (templateLabels[key] === value) continue;
    if (value !== undefined && selectorMatchesEphemeral(rollout, type, name, key, value)) continue;
    return invalid(field, goQuote(name), MESSAGES.serviceUnmatchLabel(name, key));
  }
  const managedBy = svc.metadata.annotations?.[MANAGED_BY_ANNOTATION];
  if (managedBy !== undefined && managedBy !== (rollout.metadata.name ?? '')) {
    return invalid(field, goQuote(name), MESSAGES.serviceManagedByAnotherRollout(name));
  }
  return undefined;
}

/**
 * validSvcSelectorForType: the key is one of the ephemeral labels the controller adds for that
 * Service's role (stable/canary/active/preview metadata). Upstream's blue-green branches test
 * `BlueGreen == nil && ActiveMetadata == nil`, which panics on a nil ActiveMetadata; we read it
 * as the `||` it means.
 */
function selectorMatchesEphemeral(
  rollout: Rollout,
  type: ServiceType,
  svcName: string,
  key: string,
  value: string,
): boolean {
  const canary = rollout.spec.strategy?.canary;
  const bg = rollout.spec.strategy?.blueGreen;
  let service: string | undefined;
  let labels: Record<string, string> | undefined;
  switch (type) {
    case 'StableService':
      service = canary?.stableService;
      labels = canary?.stableMetadata?.labels;
      break;
    case 'CanaryService':
      service = canary?.canaryService;
      labels = canary?.canaryMetadata?.labels;
      break;
    case 'ActiveService':
      service = bg?.activeService;
      labels = bg?.activeMetadata?.labels;
      break;
    case 'PreviewService':
      service = bg?.previewService;
      labels = bg?.previewMetadata?.labels;
      break;
    default:
      return false;
  }
  return labels !== undefined && svcName === service && labels[key] === value;
}

/** validation_references.go ValidateIngress: NGINX first, then ALB. */
function validateIngress(rollout: Rollout, ing: IngressLike): ValidationError | undefined {
  const canary = rollout.spec.strategy?.canary;
  const tr = obj(canary?.trafficRouting);
  const nginx = obj(tr?.nginx);
  const alb = obj(tr?.alb);
  const ingName = ing.metadata.name ?? '';
  const trPath = 'spec.strategy.canary.trafficRouting';
  let field: string;
  let service: string;
  let reportedName: string;
  if (nginx !== undefined) {
    const list = arr(nginx.stableIngresses)?.map((x) => str(x));
    service = str(canary?.stableService);
    if (list !== undefined && list.includes(ingName)) {
      field = `${trPath}.nginx.stableIngresses`;
      reportedName = ingName;
    } else {
      field = `${trPath}.nginx.stableIngress`;
      reportedName = str(nginx.stableIngress);
    }
  } else if (alb !== undefined) {
    const list = arr(alb.ingresses)?.map((x) => str(x));
    service = str(alb.rootService) !== '' ? str(alb.rootService) : str(canary?.stableService);
    if (list !== undefined && list.includes(ingName)) {
      field = `${trPath}.alb.ingresses`;
      reportedName = ingName;
    } else {
      field = `${trPath}.alb.ingress`;
      reportedName = str(alb.ingress);
    }
  } else {
    return undefined;
  }
  if (ingressHasRuleWithService(ing, service)) return undefined;
  return invalid(
    field,
    goQuote(reportedName),
    `ingress \`${ingName}\` has no rules using service ${service} backend`,
  );
}

/** utils/ingress HasRuleWithService: any HTTP path whose backend is the Service. */
function ingressHasRuleWithService(ing: IngressLike, svc: string): boolean {
  for (const rule of ing.spec?.rules ?? []) {
    for (const p of rule.http?.paths ?? []) {
      const backend = p.backend;
      if (backend?.service?.name === svc || backend?.serviceName === svc) return true;
    }
  }
  return false;
}
