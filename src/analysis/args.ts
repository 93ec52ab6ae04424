// Arguments and `{{args.<name>}}` substitution (analysis.md §3.3, §3.2 steps 2 and 6, §7.3).
//
// Go serialises each metric to JSON, replaces the placeholders in the JSON text with
// valyala/fasttemplate, and parses the result back; we do the same, so placeholders work in
// every string position (int-or-string fields, headers, URLs, jsonBody values and keys, plugin
// config, condition expressions) and the error for several unresolved tags names the last one
// in serialisation order.
//
// Pure: secrets come from a caller-supplied lookup, fieldRefs from a caller-supplied object.
import type { AnalysisArgument, Metric } from '../api/analysis.ts';
import { PROVIDER_KEYS } from '../api/analysis.ts';
import { goJsonAny, goJsonString } from '../rollout/go-json.ts';
import { goQuote } from '../rollout/validate.ts';

export type Resolution<T> = { ok: true; value: T } | { ok: false; error: string };

/** The value every secretKeyRef arg gets when args are resolved without secrets (§3.2 step 2). */
export const SECRET_PLACEHOLDER = 'temp-for-secret';

/** What secret values are replaced by in measurement messages and logs. */
export const REDACTED = '*****';

/**
 * Reads a Secret of the run's namespace: its `data` with values already decoded to text (see
 * decodeSecretData), or undefined when the Secret does not exist. It may throw; the error's
 * message becomes the resolution error.
 */
export type SecretLookup = (name: string) => Readonly<Record<string, string>> | undefined;

/** An argument as the run (or a Rollout building one) declares it. Both Argument shapes fit. */
export type ArgSpec = Pick<AnalysisArgument, 'name' | 'value'> & {
  valueFrom?:
    | {
        secretKeyRef?: { name: string; key: string } | undefined;
        fieldRef?: { fieldPath: string } | undefined;
      }
    | undefined;
};

export interface ArgSources {
  /**
   * Reads secretKeyRef args (§3.3). Absent ⇒ every secretKeyRef arg gets SECRET_PLACEHOLDER, as
   * in the preparation pass that validates the spec without reading secrets.
   */
  secrets?: SecretLookup | undefined;
  /**
   * The object fieldRef args are read from (Rollout-side args, §7.3). Absent ⇒ fieldRefs are not
   * resolved: in a run an arg whose only source is a fieldRef stays unsupplied (§1.5).
   */
  fieldRefObject?: unknown;
}

/** A name and its value; undefined = not supplied. */
export interface ArgValue {
  name: string;
  value: string | undefined;
}

export interface ResolvedArgs {
  args: ArgValue[];
  /** Every secret value read, for redaction (REDACTED). */
  secretValues: Set<string>;
}

export interface ResolvedMetrics {
  metrics: Metric[];
  secretValues: Set<string>;
}

// ---------------------------------------------------------------------------------------------
// Argument values

/** A Secret's `data` (base64 on the wire) decoded to text, as Go's string(secret.Data[k]). */
export function decodeSecretData(secret: {
  data?: Readonly<Record<string, string>> | null | undefined;
}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) {
    out[k] = Buffer.from(v, 'base64').toString('utf8');
  }
  return out;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Every arg's value: a secretKeyRef wins over `value` (or becomes SECRET_PLACEHOLDER without a
 * lookup), then a fieldRef when `fieldRefObject` is given, then `value`. Errors, for the first
 * failing arg in spec order: `secrets "<name>" not found`, `key '<k>' does not exist in secret
 * '<s>'`, a lookup's own error, or a fieldRef error (resolveFieldRef).
 */
export function resolveArgs(
  args: readonly ArgSpec[] | undefined,
  sources: ArgSources = {},
): Resolution<ResolvedArgs> {
  const out: ArgValue[] = [];
  const secretValues = new Set<string>();
  for (const arg of args ?? []) {
    const ref = arg.valueFrom?.secretKeyRef;
    const fieldRef = arg.valueFrom?.fieldRef;
    if (ref) {
      if (!sources.secrets) {
        out.push({ name: arg.name, value: SECRET_PLACEHOLDER });
        continue;
      }
      let data: Readonly<Record<string, string>> | undefined;
      try {
        data = sources.secrets(ref.name);
      } catch (e) {
        return { ok: false, error: message(e) };
      }
      if (data === undefined) return { ok: false, error: `secrets "${ref.name}" not found` };
      if (!Object.hasOwn(data, ref.key)) {
        return { ok: false, error: `key '${ref.key}' does not exist in secret '${ref.name}'` };
      }
      const value = data[ref.key] ?? '';
      secretValues.add(value);
      out.push({ name: arg.name, value });
    } else if (fieldRef && sources.fieldRefObject !== undefined) {
      const r = resolveFieldRef(sources.fieldRefObject, fieldRef.fieldPath);
      if (!r.ok) return r;
      out.push({ name: arg.name, value: r.value });
    } else {
      out.push({ name: arg.name, value: arg.value ?? undefined });
    }
  }
  return { ok: true, value: { args: out, secretValues } };
}

/** Replaces every non-empty secret value in `text` by REDACTED. */
export function redactSecrets(text: string, secretValues: ReadonlySet<string>): string {
  let out = text;
  for (const s of secretValues) if (s !== '') out = out.split(s).join(REDACTED);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Templates (valyala/fasttemplate with `{{` `}}`, argo-rollouts utils/template)

/**
 * Renders `{{args.<name>}}` tags in `text`. The tag is trimmed before lookup; unknown tags give
 * `failed to resolve {{<tag as written>}}` (the last one wins), an arg without a value
 * `argument "<name>" was not supplied` (checked for every arg first), an unterminated tag
 * fasttemplate's `Cannot find end tag="}}" in the template=<%q> starting from <%q>`. `quoted`
 * inserts values JSON-escaped, for text that is itself JSON.
 */
export function renderArgsTemplate(
  text: string,
  args: readonly ArgValue[],
  quoted: boolean,
): Resolution<string> {
  const values = new Map<string, string>();
  for (const a of args) {
    if (a.value === undefined) return { ok: false, error: `argument "${a.name}" was not supplied` };
    values.set(`args.${a.name}`, a.value);
  }
  // Parse first: fasttemplate rejects the whole template before executing anything.
  const texts: string[] = [];
  const tags: string[] = [];
  let s = text;
  for (;;) {
    const n = s.indexOf('{{');
    if (n < 0) {
      texts.push(s);
      break;
    }
    texts.push(s.slice(0, n));
    s = s.slice(n + 2);
    const e = s.indexOf('}}');
    if (e < 0) {
      return {
        ok: false,
        error: `Cannot find end tag="}}" in the template=${goQuote(text)} starting from ${goQuote(s)}`,
      };
    }
    tags.push(s.slice(0, e));
    s = s.slice(e + 2);
  }
  let out = texts[0] ?? '';
  let unresolved: string | undefined;
  for (const [i, tag] of tags.entries()) {
    const v = values.get(tag.trim());
    if (v === undefined) unresolved = `failed to resolve {{${tag}}}`;
    else out += quoted ? JSON.stringify(v).slice(1, -1) : v;
    out += texts[i + 1] ?? '';
  }
  if (unresolved !== undefined) return { ok: false, error: unresolved };
  return { ok: true, value: out };
}

/** Go's field order of v1alpha1.Metric (its JSON serialisation order). */
const METRIC_KEYS = [
  'name',
  'interval',
  'initialDelay',
  'count',
  'successCondition',
  'failureCondition',
  'failureLimit',
  'inconclusiveLimit',
  'consecutiveErrorLimit',
  'provider',
  'consecutiveSuccessLimit',
] as const;
/** `omitempty` strings Go leaves out when empty. */
const OMIT_EMPTY = new Set(['interval', 'initialDelay', 'successCondition', 'failureCondition']);

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function providerJson(p: unknown): string {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return '{}';
  const obj = p as Record<string, unknown>;
  const known: readonly string[] = PROVIDER_KEYS;
  const keys = [
    ...PROVIDER_KEYS.filter((k) => Object.hasOwn(obj, k)),
    ...Object.keys(obj)
      .filter((k) => !known.includes(k))
      .sort(compareBytes),
  ].filter((k) => obj[k] !== undefined && obj[k] !== null);
  return `{${keys.map((k) => `${goJsonString(k)}:${goJsonAny(obj[k])}`).join(',')}}`;
}

/**
 * The metric as Go's json.Marshal writes it: Metric fields in Go order, provider keys in
 * MetricProvider order, nested provider configuration as sorted-key JSON (the API server's order),
 * fields we do not know last. This decides which unresolved tag an error names.
 */
export function metricJson(metric: Metric): string {
  const obj = metric as Record<string, unknown>;
  const known: readonly string[] = METRIC_KEYS;
  const parts: string[] = [];
  const keys = [
    ...METRIC_KEYS,
    ...Object.keys(obj)
      .filter((k) => !known.includes(k))
      .sort(compareBytes),
  ];
  for (const k of keys) {
    const v = obj[k];
    if (k === 'name') parts.push(`"name":${goJsonString(typeof v === 'string' ? v : '')}`);
    else if (k === 'provider') parts.push(`"provider":${providerJson(v)}`);
    else if (v === undefined || v === null) continue;
    else if (OMIT_EMPTY.has(k) && v === '') continue;
    else parts.push(`${goJsonString(k)}:${goJsonAny(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/** One metric with its placeholders replaced (argo-rollouts ResolveMetricArgs). */
export function substituteMetricArgs(
  metric: Metric,
  args: readonly ArgValue[],
): Resolution<Metric> {
  const r = renderArgsTemplate(metricJson(metric), args, true);
  if (!r.ok) return r;
  return { ok: true, value: JSON.parse(r.value) as Metric };
}

/**
 * resolveArgs, then substituteMetricArgs for each metric in order; the first error wins. The
 * run controller calls it twice per reconcile: without `secrets` to validate the spec (§3.2
 * step 2), and with them for the metrics it measures (§3.6 step 1). A caller builds the run's
 * message as `Unable to resolve metric arguments: <error>`.
 */
export function resolveMetricArgs(
  metrics: readonly Metric[],
  args: readonly ArgSpec[] | undefined,
  sources: ArgSources = {},
): Resolution<ResolvedMetrics> {
  const resolved = resolveArgs(args, sources);
  if (!resolved.ok) return resolved;
  const out: Metric[] = [];
  for (const m of metrics) {
    const r = substituteMetricArgs(m, resolved.value.args);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: { metrics: out, secretValues: resolved.value.secretValues } };
}

export function unresolvableArgsMessage(err: string): string {
  return `Unable to resolve metric arguments: ${err}`;
}

// ---------------------------------------------------------------------------------------------
// fieldRef (§7.3)

const QNAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const QNAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QNAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  // apimachinery's validation.RegexError, double spaces included.
  const ex = examples.map((e, i) => `${i > 0 ? ' or ' : ''}'${e}', `).join('');
  return `${msg} (e.g. ${ex}regex used for validation is '${fmt}')`;
}

/** apimachinery validation.IsQualifiedName. */
function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0] ?? '';
  else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) errs.push('prefix part must be no more than 253 characters');
      if (!SUBDOMAIN_RE.test(prefix)) {
        errs.push(`prefix part ${regexError(SUBDOMAIN_MSG, SUBDOMAIN_FMT, 'example.com')}`);
      }
    }
  } else {
    return [
      `a qualified name ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (!QNAME_RE.test(name)) {
    errs.push(`name part ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

function stringMap(v: unknown): Record<string, string> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** k8s fieldpath.FormatMap: sorted `key="value"` lines. */
function formatMap(m: Record<string, string>): string {
  return Object.keys(m)
    .sort(compareBytes)
    .map((k) => `${k}=${goQuote(m[k] ?? '')}`)
    .join('\n');
}

/**
 * Go's %v of a float64 (JSON numbers decode to float64): the shortest digits, in exponent form
 * when the decimal exponent is < -4 or >= 6 — `3`, `0.5`, `123456`, `1e+06`, `1.5e-05`.
 */
export function goFormatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mant = '', expStr = '0'] = n.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const abs = Math.abs(exp);
    return `${mant}e${sign}${abs < 10 ? `0${abs}` : abs}`;
  }
  return String(n); // JS prints these magnitudes without an exponent, shortest digits
}

/** Kubernetes downward-API paths (fieldpath.ExtractFieldPathAsString) on `metadata`. */
function metadataFieldPath(obj: Record<string, unknown>, fieldPath: string): Resolution<string> {
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  if (fieldPath.endsWith("']")) {
    const parts = fieldPath.slice(0, -2).split("['");
    const path = parts[0] ?? '';
    if (parts.length >= 2 && path !== '') {
      const subscript = parts.slice(1).join("['");
      if (path === 'metadata.annotations' || path === 'metadata.labels') {
        const errs = isQualifiedName(
          path === 'metadata.annotations' ? subscript.toLowerCase() : subscript,
        );
        if (errs.length) {
          return {
            ok: false,
            error: `invalid key subscript in ${fieldPath}: ${errs.join(';')}`,
          };
        }
        const m = stringMap(path === 'metadata.annotations' ? meta.annotations : meta.labels);
        return { ok: true, value: m[subscript] ?? '' };
      }
      return { ok: false, error: `fieldPath ${goQuote(fieldPath)} does not support subscript` };
    }
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (fieldPath) {
    case 'metadata.annotations':
      return { ok: true, value: formatMap(stringMap(meta.annotations)) };
    case 'metadata.labels':
      return { ok: true, value: formatMap(stringMap(meta.labels)) };
    case 'metadata.name':
      return { ok: true, value: str(meta.name) };
    case 'metadata.namespace':
      return { ok: true, value: str(meta.namespace) };
    case 'metadata.uid':
      return { ok: true, value: str(meta.uid) };
  }
  return { ok: false, error: `unsupported fieldPath: ${fieldPath}` };
}

/** argo-rollouts extractValueFromRollout: walk the object as JSON. */
function jsonFieldPath(obj: unknown, path: string): Resolution<string> {
  let cur: unknown = obj;
  for (const section of path.split(/[.[\]]+/)) {
    if (section === '') continue;
    if (Array.isArray(cur)) {
      if (!/^[+-]?[0-9]+$/.test(section)) return { ok: false, error: `invalid index '${section}'` };
      const i = Number(section);
      if (i >= cur.length || i < 0) return { ok: false, error: `index ${i} out of range` };
      cur = cur[i] as unknown;
    } else if (cur !== null && typeof cur === 'object') {
      const o = cur as Record<string, unknown>;
      cur = Object.hasOwn(o, section) ? o[section] : undefined;
    } else {
      return { ok: false, error: `invalid path ${path} in rollout` };
    }
  }
  if (cur === undefined || cur === null)
    return { ok: false, error: `invalid path ${path} in rollout` };
  if (typeof cur === 'object') {
    return { ok: false, error: `path ${path} in rollout must terminate in a primitive value` };
  }
  if (typeof cur === 'number') return { ok: true, value: goFormatFloat(cur) };
  if (typeof cur === 'boolean') return { ok: true, value: cur ? 'true' : 'false' };
  return { ok: true, value: typeof cur === 'string' ? cur : '' };
}

/**
 * A fieldRef's value (§7.3): paths starting with `metadata` follow the Kubernetes downward API
 * (`metadata.name|namespace|uid|labels|annotations`, `metadata.labels['k']`; anything else
 * `unsupported fieldPath: <p>`), other paths walk the object as JSON (`spec.x.y`, `a[0].b`) and
 * must end in a primitive, printed like Go's %v.
 */
export function resolveFieldRef(obj: unknown, fieldPath: string): Resolution<string> {
  if (fieldPath.startsWith('metadata')) {
    const o = obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>) : {};
    return metadataFieldPath(o, fieldPath);
  }
  return jsonFieldPath(obj, fieldPath);
}
