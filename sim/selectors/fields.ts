// Field selectors as the apiserver implements them, in its two independent layers:
//  1. k8s.io/apimachinery/pkg/fields parses the string, then each kind's field-label conversion
//     func (pkg/apis/<group>/<version>/conversion.go) accepts, renames or rejects every field;
//     a rejection is the 400 message clients see.
//  2. The registry strategy's ToSelectableFields projects an object into the field set a
//     selector is matched against.
// The two lists differ upstream (pods accept status.podIPs but never set it; replicasets set
// status.replicas but apps/v1 registers no conversion that accepts it), and the emulator keeps
// both quirks by keeping the layers apart: validateFieldSelector is layer 1, fieldsOf layer 2.

import type { KubeObject } from '../registry/types.ts';
import { goQuote, SelectorError } from './labels.ts';

export { SelectorError } from './labels.ts';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  /** Unescaped. */
  readonly value: string;
}

export interface FieldSelector {
  /** ANDed, in the order apimachinery evaluates (and reports errors for) them. */
  readonly requirements: readonly FieldRequirement[];
}

/** How a resource that has no built-in table entry is served. */
export interface FieldSelectorScope {
  /**
   * A built-in kind without a conversion func falls back to DefaultMetaV1FieldSelectorConversion;
   * a custom resource gets the apiextensions converter, whose message differs. Defaults to
   * built-in for the core group, groups without a dot and *.k8s.io groups (a CRD group must
   * contain a dot).
   */
  builtin?: boolean;
  /** Cluster-scoped custom resources reject metadata.namespace. Defaults to true. */
  namespaced?: boolean;
  /** CRD spec.versions[].selectableFields[].jsonPath values, e.g. ".spec.color". */
  selectableFields?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Parsing (fields.ParseSelector)

/**
 * splitTerms: commas split terms unless backslash-escaped; the escape is kept for
 * unescapeValue to consume.
 */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

// "==" before "=" so that "a==b" does not leave "=b" as the value.
const TERM_OPERATORS: readonly FieldOperator[] = ['!=', '==', '='];

/** splitTerm: the field name has no escaping, so the first operator anywhere splits the term. */
function splitTerm(term: string): { lhs: string; op: FieldOperator; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) {
        return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
      }
    }
  }
  return undefined;
}

/** fields.UnescapeValue. */
function unescapeValue(s: string): string {
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new SelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Go formats the offending rune with %v, which prints its code point (61 for '=').
      throw new SelectorError(
        `invalid field selector: unescaped character in value: ${c.codePointAt(0) ?? 0}`,
      );
    } else {
      out += c;
    }
  }
  if (inSlash) throw new SelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.EscapeValue: the inverse of the unescaping parseFieldSelector applies. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * fields.ParseSelector. The empty string selects everything; "=", "==" and "!=" only; no
 * whitespace trimming (upstream treats "a = b" as field "a " and value " b").
 */
export function parseFieldSelector(s: string): FieldSelector {
  // Upstream sorts the raw terms, which fixes both evaluation order and which error wins.
  const parts = splitTerms(s).sort(compareStrings);
  const requirements: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const term = splitTerm(part);
    if (term === undefined) {
      throw new SelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
    }
    requirements.push({ field: term.lhs, operator: term.op, value: unescapeValue(term.rhs) });
  }
  return { requirements };
}

/** Selector.Matches: a field the object does not offer reads as "". */
export function matchesFields(sel: FieldSelector, fields: Record<string, string>): boolean {
  return sel.requirements.every((r) => {
    const actual = Object.hasOwn(fields, r.field) ? (fields[r.field] ?? '') : '';
    return r.operator === '!=' ? actual !== r.value : actual === r.value;
  });
}

/** Selector.String(), with values re-escaped; "==" prints as "=" as upstream does. */
export function fieldSelectorToString(sel: FieldSelector): string {
  return sel.requirements
    .map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`)
    .join(',');
}

// ---------------------------------------------------------------------------------------------
// Layer 1: field-label conversion per kind

interface ConversionRules {
  /** Field names accepted, mapped to the name the field set uses (usually themselves). */
  readonly accepted: ReadonlyMap<string, string>;
  readonly reject: (field: string) => string;
}

const fieldLabelNotSupported = (field: string): string => `field label not supported: ${field}`;

function rules(
  fields: readonly string[],
  reject: (field: string) => string = fieldLabelNotSupported,
  aliases: Readonly<Record<string, string>> = {},
): ConversionRules {
  const accepted = new Map<string, string>(fields.map((f) => [f, f]));
  for (const [from, to] of Object.entries(aliases)) accepted.set(from, to);
  return { accepted, reject };
}

const EVENT_OBJECT_FIELDS = [
  'kind',
  'namespace',
  'name',
  'uid',
  'apiVersion',
  'resourceVersion',
  'fieldPath',
] as const;

// Keyed "<group>/<resource>". Sources: pkg/apis/core/v1/conversion.go,
// pkg/apis/events/v1/conversion.go, pkg/apis/batch/v1/conversion.go,
// pkg/apis/certificates/v1/conversion.go.
const CONVERSIONS: ReadonlyMap<string, ConversionRules> = new Map([
  [
    '/pods',
    rules(
      [
        'metadata.name',
        'metadata.namespace',
        'spec.nodeName',
        'spec.restartPolicy',
        'spec.schedulerName',
        'spec.serviceAccountName',
        'spec.hostNetwork',
        'status.phase',
        'status.podIP',
        'status.podIPs',
        'status.nominatedNodeName',
      ],
      fieldLabelNotSupported,
      // Kept upstream for pre-1.0 clients.
      { 'spec.host': 'spec.nodeName' },
    ),
  ],
  ['/nodes', rules(['metadata.name', 'spec.unschedulable'])],
  ['/replicationcontrollers', rules(['metadata.name', 'metadata.namespace', 'status.replicas'])],
  [
    '/events',
    rules([
      ...EVENT_OBJECT_FIELDS.map((f) => `involvedObject.${f}`),
      'reason',
      'reportingComponent',
      'source',
      'type',
      'metadata.namespace',
      'metadata.name',
    ]),
  ],
  ['/namespaces', rules(['status.phase', 'metadata.name'])],
  ['/secrets', rules(['type', 'metadata.namespace', 'metadata.name'])],
  ['/services', rules(['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type'])],
  [
    'events.k8s.io/events',
    rules([
      'reason',
      ...EVENT_OBJECT_FIELDS.map((f) => `regarding.${f}`),
      'reportingController',
      'source',
      'type',
      'metadata.namespace',
      'metadata.name',
    ]),
  ],
  [
    'batch/jobs',
    rules(
      ['metadata.name', 'metadata.namespace', 'status.successful'],
      (field) => `field label ${goQuote(field)} not supported for Job`,
    ),
  ],
  ['certificates.k8s.io/certificatesigningrequests', rules(['metadata.name', 'spec.signerName'])],
]);

/** runtime.DefaultMetaV1FieldSelectorConversion: every other built-in kind, apps/v1 included. */
const DEFAULT_CONVERSION = rules(
  ['metadata.name', 'metadata.namespace'],
  (field) =>
    `${goQuote(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
);

function isBuiltinGroup(group: string): boolean {
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io');
}

/** CRD selectableFields are named by their JSONPath without the leading dot. */
function selectableFieldName(jsonPath: string): string {
  return jsonPath.startsWith('.') ? jsonPath.slice(1) : jsonPath;
}

function conversionFor(
  resource: string,
  group: string,
  scope: FieldSelectorScope,
): ConversionRules {
  const builtin = scope.builtin ?? isBuiltinGroup(group);
  if (builtin) return CONVERSIONS.get(`${group}/${resource}`) ?? DEFAULT_CONVERSION;
  // apiextensions-apiserver's crConverter.ConvertFieldLabel.
  const fields = ['metadata.name'];
  if (scope.namespaced ?? true) fields.push('metadata.namespace');
  fields.push(...(scope.selectableFields ?? []).map(selectableFieldName));
  return rules(fields);
}

/**
 * Runs every requirement through the kind's field-label conversion, as the list/watch/
 * deletecollection handlers do before touching storage. Throws SelectorError with the
 * apiserver's message for the first (in evaluation order) field the kind does not accept.
 * Returns the selector with legacy aliases renamed (pods' spec.host -> spec.nodeName), which
 * is what must be matched against fieldsOf().
 */
export function validateFieldSelector(
  resource: string,
  group: string,
  sel: FieldSelector,
  scope: FieldSelectorScope = {},
): FieldSelector {
  const conv = conversionFor(resource, group, scope);
  const requirements = sel.requirements.map((r) => {
    const field = conv.accepted.get(r.field);
    if (field === undefined) throw new SelectorError(conv.reject(r.field));
    return field === r.field ? r : { ...r, field };
  });
  return { requirements };
}

// ---------------------------------------------------------------------------------------------
// Layer 2: the selectable field set per kind

function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = Object.hasOwn(cur, part) ? (cur as Record<string, unknown>)[part] : undefined;
  }
  return cur;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** strconv.Itoa of an int32 status counter that Go would have defaulted to 0. */
function int(v: unknown): string {
  return typeof v === 'number' && Number.isInteger(v) ? String(v) : '0';
}

/** fmt.Sprint of a Go bool that defaults to false. */
function bool(v: unknown): string {
  return v === true ? 'true' : 'false';
}

function firstNonEmpty(...vs: unknown[]): string {
  for (const v of vs) if (typeof v === 'string' && v !== '') return v;
  return '';
}

/** A CRD selectable field's value: only string, integer and boolean fields are selectable. */
function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  return undefined;
}

function eventFields(obj: KubeObject, group: string): Record<string, string> {
  // Both Event APIs share one storage, so accept either shape whichever group is asked for.
  const ref = get(obj, 'regarding') ?? get(obj, 'involvedObject');
  const involved = group === 'events.k8s.io' ? ref : (get(obj, 'involvedObject') ?? ref);
  const reporting = firstNonEmpty(get(obj, 'reportingComponent'), get(obj, 'reportingController'));
  const sourceComponent = firstNonEmpty(
    get(obj, 'source.component'),
    get(obj, 'deprecatedSource.component'),
  );
  const prefix = group === 'events.k8s.io' ? 'regarding' : 'involvedObject';
  const out: Record<string, string> = {};
  for (const f of EVENT_OBJECT_FIELDS) out[`${prefix}.${f}`] = str(get(involved, f));
  out['reason'] = str(get(obj, 'reason'));
  out[group === 'events.k8s.io' ? 'reportingController' : 'reportingComponent'] = reporting;
  // event.Source.Component, or the reporting controller for events that only carry that.
  out['source'] = sourceComponent || reporting;
  out['type'] = str(get(obj, 'type'));
  return out;
}

/**
 * The fields a selector can match on for this kind (ToSelectableFields), as strings the way
 * the apiserver renders them. Every kind offers metadata.name and metadata.namespace. Field
 * names follow the requested group's API: events.k8s.io events use regarding.* and
 * reportingController.
 */
export function fieldsOf(
  resource: string,
  group: string,
  obj: KubeObject,
  scope: FieldSelectorScope = {},
): Record<string, string> {
  const out: Record<string, string> = {
    'metadata.name': str(obj.metadata.name),
    'metadata.namespace': str(obj.metadata.namespace),
  };
  const builtin = scope.builtin ?? isBuiltinGroup(group);
  if (!builtin) {
    for (const path of scope.selectableFields ?? []) {
      const name = selectableFieldName(path);
      const v = scalar(get(obj, name));
      if (v !== undefined) out[name] = v;
    }
    return out;
  }
  switch (`${group}/${resource}`) {
    case '/pods': {
      const podIPs = get(obj, 'status.podIPs');
      const firstIP = Array.isArray(podIPs) ? str(get(podIPs[0], 'ip')) : '';
      Object.assign(out, {
        'spec.nodeName': str(get(obj, 'spec.nodeName')),
        'spec.restartPolicy': str(get(obj, 'spec.restartPolicy')),
        'spec.schedulerName': str(get(obj, 'spec.schedulerName')),
        'spec.serviceAccountName': str(get(obj, 'spec.serviceAccountName')),
        'spec.hostNetwork': bool(get(obj, 'spec.hostNetwork')),
        'status.phase': str(get(obj, 'status.phase')),
        // Upstream reads status.podIPs[0]; v1 clients may have set only the singular field.
        'status.podIP': firstIP || str(get(obj, 'status.podIP')),
        'status.nominatedNodeName': str(get(obj, 'status.nominatedNodeName')),
      });
      break;
    }
    case '/nodes':
      out['spec.unschedulable'] = bool(get(obj, 'spec.unschedulable'));
      break;
    case '/namespaces':
      out['status.phase'] = str(get(obj, 'status.phase'));
      break;
    case '/secrets':
      out['type'] = str(get(obj, 'type'));
      break;
    case '/services':
      out['spec.clusterIP'] = str(get(obj, 'spec.clusterIP'));
      out['spec.type'] = str(get(obj, 'spec.type'));
      break;
    case '/replicationcontrollers':
    case 'apps/replicasets':
      out['status.replicas'] = int(get(obj, 'status.replicas'));
      break;
    case 'batch/jobs':
      // The selector says "successful"; the field it reads is status.succeeded.
      out['status.successful'] = int(get(obj, 'status.succeeded'));
      break;
    case 'certificates.k8s.io/certificatesigningrequests':
      out['spec.signerName'] = str(get(obj, 'spec.signerName'));
      break;
    case '/events':
    case 'events.k8s.io/events':
      Object.assign(out, eventFields(obj, group));
      break;
  }
  return out;
}
