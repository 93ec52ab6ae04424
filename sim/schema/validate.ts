// OpenAPI v3 validation of a custom resource against its CRD version's schema, as kube-apiserver
// does it on create and update. The checks are a port of k8s.io/kube-openapi's validator (the
// go-openapi fork the apiserver uses) and the errors go through the apiserver's conversion to
// field errors (apiextensions-apiserver pkg/apiserver/validation), so that field paths, messages,
// their order and their duplicates match what kubectl prints against a real cluster.
//
// Values are classified the way the apiserver's JSON decoder classifies them: a number without a
// fraction is an int64, anything else a float64. `format: int32` is not range-checked because the
// apiserver does not check it either. Left out: string formats such as date-time, multipleOf,
// uniqueItems, x-kubernetes-validations (CEL) and x-kubernetes-list-type uniqueness.

import type { JSONSchemaProps } from '../registry/types.ts';
import { getOwn, hasOwn, isPlainObject } from '../patch/merge.ts';

export interface FieldError {
  field: string;
  type:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueNotSupported'
    | 'FieldValueTypeInvalid'
    | 'FieldValueTooLong'
    | 'FieldValueTooMany';
  /** The apiserver's ErrorBody: `Invalid value: -1: spec.replicas in body should be …`. */
  message: string;
}

/**
 * Validates `obj` against `schema`. `root`, when given, prefixes every field path the way the
 * apiserver's fldPath argument does; the text of the messages never includes it. Errors that
 * name no field (the anyOf/oneOf/allOf summaries) get `root`, or `<nil>` without one, exactly as
 * the apiserver reports them.
 */
export function validateAgainstSchema(
  obj: unknown,
  schema: JSONSchemaProps,
  root?: string,
): FieldError[] {
  const result = validateNode(schema, '', obj);
  return result.errors.map((e) => toFieldError(e, root));
}

/**
 * The apiserver's Invalid status message: `Rollout.argoproj.io "demo" is invalid: spec.replicas:
 * Invalid value: …`, with several distinct errors as `[a, b]`. `kind` is the qualified kind
 * (GroupKind.String()), e.g. `Rollout.argoproj.io`.
 */
export function formatInvalidMessage(kind: string, name: string, errors: FieldError[]): string {
  const head = `${kind} ${goQuote(name)} is invalid`;
  // ToAggregate drops repeated messages, and the aggregate brackets only a list of several.
  const msgs = [...new Set(errors.map((e) => `${e.field}: ${e.message}`))];
  if (msgs.length === 0) return head;
  if (msgs.length === 1) return `${head}: ${msgs[0]}`;
  return `${head}: [${msgs.join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------
// kube-openapi's validator

type Code =
  | 'invalidType'
  | 'required'
  | 'tooLong'
  | 'tooShort'
  | 'pattern'
  | 'enum'
  | 'max'
  | 'min'
  | 'maxItems'
  | 'minItems'
  | 'tooFewProperties'
  | 'tooManyProperties'
  | 'unallowedProperty'
  | 'composite';

/** A kube-openapi error. `name` undefined is Go's empty Name; `value` undefined is Go's nil. */
interface OpenAPIError {
  code: Code;
  name?: string;
  value?: unknown;
  valid?: number;
  values?: unknown[];
  message: string;
}

/**
 * A kube-openapi Result. matchCount decides which failing anyOf/oneOf branch gets reported, so it
 * is counted where kube-openapi counts it.
 */
class Result {
  errors: OpenAPIError[] = [];
  matchCount = 0;

  addErrors(...errs: OpenAPIError[]): void {
    for (const e of errs) {
      // kube-openapi keeps one error per message.
      if (!this.errors.some((x) => x.message === e.message)) this.errors.push(e);
    }
  }

  merge(...others: (Result | undefined)[]): this {
    for (const o of others) {
      if (o === undefined) continue;
      this.addErrors(...o.errors);
      this.matchCount += o.matchCount;
    }
    return this;
  }

  inc(): void {
    this.matchCount++;
  }

  isValid(): boolean {
    return this.errors.length === 0;
  }
}

function fail(err: OpenAPIError): Result {
  const r = new Result();
  r.errors.push(err);
  return r;
}

const IN = 'body';

/** Go's reflect kind of a decoded JSON value, as far as the validator cares. */
type Kind = 'nil' | 'bool' | 'string' | 'int64' | 'float64' | 'slice' | 'map';

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return isInt64(v) ? 'int64' : 'float64';
  if (Array.isArray(v)) return 'slice';
  return 'map';
}

// The apiserver's JSON decoder yields int64 for integral numbers that fit, float64 otherwise.
function isInt64(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63;
}

function typesOf(s: JSONSchemaProps): string[] {
  // The apiserver rewrites int-or-string nodes to the type list [integer, string].
  if (s['x-kubernetes-int-or-string'] === true) return ['integer', 'string'];
  return s.type ? [s.type] : [];
}

function numberProp(s: JSONSchemaProps, key: string): number | undefined {
  const v = s[key];
  return typeof v === 'number' ? v : undefined;
}

/** SchemaValidator.Validate. */
function validateNode(s: JSONSchemaProps, path: string, data: unknown): Result {
  const result = new Result();
  const kind = kindOf(data);
  if (kind === 'nil') {
    result.merge(validateType(s, path, null));
    result.merge(validateEnum(s, path, null));
    return result;
  }
  const types = typesOf(s);
  const steps: [boolean, () => Result | undefined][] = [
    [types.length > 0 || (s.format ?? '') !== '', () => validateType(s, path, data)],
    [true, () => validateCombinators(s, path, data)],
    [kind === 'string', () => validateString(s, path, data as string)],
    // The format validator only knows string formats, which are out of scope here.
    [kind === 'int64' || kind === 'float64', () => validateNumber(s, path, data as number)],
    [kind === 'slice', () => validateSlice(s, path, data as unknown[])],
    [true, () => validateEnum(s, path, data)],
    [kind === 'map', () => validateObject(s, path, data as Record<string, unknown>)],
  ];
  for (const [applies, run] of steps) {
    if (!applies) continue;
    result.merge(run());
    result.inc();
  }
  result.inc();
  return result;
}

function invalidType(path: string, typeName: string, value: string): OpenAPIError {
  return {
    code: 'invalidType',
    name: path,
    value,
    message: `${path} in ${IN} must be of type ${typeName}: ${goQuote(value)}`,
  };
}

/** The type validator: what the decoded value is against what the schema says. */
function validateType(s: JSONSchemaProps, path: string, data: unknown): Result {
  const result = new Result();
  result.inc();
  const types = typesOf(s);
  const format = s.format ?? '';
  if (data === null) {
    if (types.length > 0 && !types.includes('null') && s.nullable !== true) {
      return fail(invalidType(path, types.join(','), 'null'));
    }
    return result;
  }
  const kind = kindOf(data);
  const [schType, dataFormat] = schemaInfo(kind);
  const isFloatInt =
    schType === 'number' && isJSONInteger(data as number) && types.includes('integer');
  const isIntFloat = schType === 'integer' && types.includes('number');

  if (
    kind !== 'string' &&
    kind !== 'slice' &&
    format !== '' &&
    !(types.includes(schType) || dataFormat === format || isFloatInt || isIntFloat)
  ) {
    return fail(invalidType(path, format, dataFormat));
  }
  if (
    !(types.includes('number') || types.includes('integer')) &&
    format !== '' &&
    (kind === 'string' || kind === 'slice')
  ) {
    return result;
  }
  if (!(types.includes(schType) || isFloatInt || isIntFloat)) {
    return fail(invalidType(path, types.join(','), schType));
  }
  return result;
}

function schemaInfo(kind: Kind): [string, string] {
  switch (kind) {
    case 'bool':
      return ['boolean', ''];
    case 'string':
      return ['string', ''];
    case 'int64':
      return ['integer', 'int64'];
    case 'float64':
      return ['number', 'float64'];
    case 'slice':
      return ['array', ''];
    default:
      return ['object', ''];
  }
}

// go-openapi's IsFloat64AJSONInteger: only integers JSON numbers can hold exactly (|f| ≤ 2^53).
function isJSONInteger(f: number): boolean {
  return Number.isInteger(f) && Math.abs(f) <= 2 ** 53;
}

/** anyOf, oneOf, allOf and not. */
function validateCombinators(s: JSONSchemaProps, path: string, data: unknown): Result {
  const main = new Result();

  if (s.anyOf && s.anyOf.length > 0) {
    let best: Result | undefined;
    let firstSuccess: Result | undefined;
    let succeeded = false;
    for (const sub of s.anyOf) {
      const r = validateNode(sub, path, data);
      if (r.isValid()) {
        best = undefined;
        succeeded = true;
        firstSuccess ??= r;
        break;
      }
      if (best === undefined || r.matchCount > best.matchCount) best = r;
    }
    if (!succeeded) {
      main.addErrors(composite(`${goQuote(path)} must validate at least one schema (anyOf)`));
    }
    if (best !== undefined) main.merge(best);
    else if (firstSuccess !== undefined) main.merge(firstSuccess);
  }

  if (s.oneOf && s.oneOf.length > 0) {
    let best: Result | undefined;
    let firstSuccess: Result | undefined;
    let validated = 0;
    for (const sub of s.oneOf) {
      const r = validateNode(sub, path, data);
      if (r.isValid()) {
        validated++;
        best = undefined;
        firstSuccess ??= r;
        continue;
      }
      if (validated === 0 && (best === undefined || r.matchCount > best.matchCount)) best = r;
    }
    if (validated !== 1) {
      const extra = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
      main.addErrors(
        composite(`${goQuote(path)} must validate one and only one schema (oneOf). ${extra}`),
      );
      if (best !== undefined) main.merge(best);
    } else if (firstSuccess !== undefined) {
      main.merge(firstSuccess);
    }
  }

  if (s.allOf && s.allOf.length > 0) {
    let validated = 0;
    for (const sub of s.allOf) {
      const r = validateNode(sub, path, data);
      if (r.isValid()) validated++;
      main.merge(r);
    }
    if (validated !== s.allOf.length) {
      const extra = validated === 0 ? '. None validated' : '';
      main.addErrors(composite(`${goQuote(path)} must validate all the schemas (allOf)${extra}`));
    }
  }

  const not = s['not'];
  if (isPlainObject(not) && validateNode(not, path, data).isValid()) {
    main.addErrors(composite(`${goQuote(path)} must not validate the schema (not)`));
  }

  main.inc();
  return main;
}

function composite(message: string): OpenAPIError {
  return { code: 'composite', message };
}

/** maxLength, minLength, pattern: the first failing one only. */
function validateString(s: JSONSchemaProps, path: string, data: string): Result | undefined {
  // Go counts runes, not UTF-16 units.
  const length = [...data].length;
  if (s.maxLength !== undefined && length > s.maxLength) {
    return fail({
      code: 'tooLong',
      name: path,
      value: data,
      valid: s.maxLength,
      message: `${path} in ${IN} should be at most ${s.maxLength} chars long`,
    });
  }
  if (s.minLength !== undefined && length < s.minLength) {
    return fail({
      code: 'tooShort',
      name: path,
      value: data,
      message: `${path} in ${IN} should be at least ${s.minLength} chars long`,
    });
  }
  if (s.pattern !== undefined && s.pattern !== '') {
    const re = compilePattern(s.pattern);
    if (re instanceof Error) {
      return fail({
        code: 'pattern',
        name: path,
        value: data,
        message: `${path} in ${IN} should match '${s.pattern}, but pattern is invalid: ${re.message}'`,
      });
    }
    if (!re.test(data)) {
      return fail({
        code: 'pattern',
        name: path,
        value: data,
        message: `${path} in ${IN} should match '${s.pattern}'`,
      });
    }
  }
  return undefined;
}

const patternCache = new Map<string, RegExp | Error>();

function compilePattern(pattern: string): RegExp | Error {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    try {
      // Unicode mode counts code points as Go's RE2 does; it rejects some escapes RE2 accepts,
      // so those patterns fall back to the legacy syntax.
      re = new RegExp(pattern, 'u');
    } catch {
      try {
        re = new RegExp(pattern);
      } catch (err) {
        re = err instanceof Error ? err : new Error(String(err));
      }
    }
    patternCache.set(pattern, re);
  }
  return re;
}

/** minimum and maximum, compared as integers when the value is one (bounds truncated, as in Go). */
function validateNumber(s: JSONSchemaProps, path: string, data: number): Result {
  const res = new Result();
  const resMin = new Result();
  const resMax = new Result();
  const asInt = kindOf(data) === 'int64';
  if (s.maximum !== undefined) {
    const max = asInt ? Math.trunc(s.maximum) : s.maximum;
    const excl = s.exclusiveMaximum === true;
    if ((!excl && data > max) || (excl && data >= max)) {
      const bound = asInt ? String(max) : goFloat(max);
      resMax.addErrors({
        code: 'max',
        name: path,
        value: data,
        message: `${path} in ${IN} should be less than ${excl ? '' : 'or equal to '}${bound}`,
      });
    }
  }
  if (s.minimum !== undefined) {
    const min = asInt ? Math.trunc(s.minimum) : s.minimum;
    const excl = s.exclusiveMinimum === true;
    if ((!excl && data < min) || (excl && data <= min)) {
      const bound = asInt ? String(min) : goFloat(min);
      resMin.addErrors({
        code: 'min',
        name: path,
        value: data,
        message: `${path} in ${IN} should be greater than ${excl ? '' : 'or equal to '}${bound}`,
      });
    }
  }
  res.merge(resMin, resMax);
  res.inc();
  return res;
}

function validateSlice(s: JSONSchemaProps, path: string, data: unknown[]): Result {
  const result = new Result();
  if (s.items !== undefined) {
    const items = s.items;
    data.forEach((v, i) => result.merge(validateNode(items, `${path}[${i}]`, v)));
  }
  const size = data.length;
  if (s.minItems !== undefined && size < s.minItems) {
    result.addErrors({
      code: 'minItems',
      name: path,
      value: size,
      message: `${path} in ${IN} should have at least ${s.minItems} items`,
    });
  }
  if (s.maxItems !== undefined && size > s.maxItems) {
    result.addErrors({
      code: 'maxItems',
      name: path,
      value: size,
      valid: s.maxItems,
      message: `${path} in ${IN} should have at most ${s.maxItems} items`,
    });
  }
  result.inc();
  return result;
}

function validateEnum(s: JSONSchemaProps, path: string, data: unknown): Result | undefined {
  const values = s.enum;
  if (values === undefined || values.length === 0) return undefined;
  // A null value matches nothing, not even a null in the enum (reflect finds no type for it).
  if (data !== null && values.some((v) => v !== null && jsonEqual(data, v))) return undefined;
  return fail({
    code: 'enum',
    name: path,
    value: data ?? undefined,
    values,
    message: `${path} in ${IN} should be one of ${goPlain(values)}`,
  });
}

function validateObject(
  s: JSONSchemaProps,
  path: string,
  data: Record<string, unknown>,
): Result | undefined {
  const numKeys = Object.keys(data).length;
  const minProps = numberProp(s, 'minProperties');
  if (minProps !== undefined && numKeys < minProps) {
    return fail({
      code: 'tooFewProperties',
      name: path,
      value: numKeys,
      message: `${path} in ${IN} should have at least ${minProps} properties`,
    });
  }
  const maxProps = numberProp(s, 'maxProperties');
  if (maxProps !== undefined && numKeys > maxProps) {
    return fail({
      code: 'tooManyProperties',
      name: path,
      value: numKeys,
      valid: maxProps,
      message: `${path} in ${IN} should have at most ${maxProps} properties`,
    });
  }

  const res = new Result();
  const props = s.properties ?? {};
  const ap = s.additionalProperties;
  if (ap === false) {
    for (const k of Object.keys(data)) {
      if (!hasOwn(props, k)) {
        res.addErrors({
          code: 'unallowedProperty',
          name: path,
          value: k,
          message: `${path}.${k} in ${IN} is a forbidden property`,
        });
      }
    }
  } else if (typeof ap === 'object' && ap !== null) {
    for (const [k, v] of Object.entries(data)) {
      if (!hasOwn(props, k)) res.merge(validateNode(ap, `${path}.${k}`, v));
    }
  }

  for (const [name, sub] of Object.entries(props)) {
    if (!hasOwn(data, name)) continue;
    const child = path === '' ? name : `${path}.${name}`;
    res.merge(validateNode(sub, child, getOwn(data, name)));
  }

  for (const k of s.required ?? []) {
    if (!hasOwn(data, k)) {
      res.addErrors({
        code: 'required',
        name: `${path}.${k}`,
        message: `${path}.${k} in ${IN} is required`,
      });
    }
  }
  return res;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length && ka.every((k) => hasOwn(b, k) && jsonEqual(a[k], b[k]))
    );
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The apiserver's conversion to field errors (kubeOpenAPIResultToFieldErrors) and
// apimachinery's field.Error.ErrorBody.

function toFieldError(e: OpenAPIError, root: string | undefined): FieldError {
  const base = root !== undefined && root !== '' ? root : undefined;
  let field = base ?? '<nil>';
  if (e.code !== 'composite' && e.name !== undefined && e.name !== '' && e.name !== '.') {
    const name = e.name.startsWith('.') ? e.name.slice(1) : e.name;
    field = base !== undefined ? `${base}.${name}` : name;
  }
  const orEmpty = e.value === undefined ? '' : e.value;
  switch (e.code) {
    case 'required':
      return { field, type: 'FieldValueRequired', message: 'Required value' };
    case 'enum': {
      const values = (e.values ?? []).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      const detail =
        values.length > 0 ? `supported values: ${values.map((v) => goQuote(v)).join(', ')}` : '';
      return {
        field,
        type: 'FieldValueNotSupported',
        message: errorBody('Unsupported value', e.value, detail),
      };
    }
    case 'tooLong': {
      const max = e.valid ?? -1;
      const detail =
        max >= 0
          ? `may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}`
          : 'value is too long';
      return { field, type: 'FieldValueTooLong', message: `Too long: ${detail}` };
    }
    case 'maxItems':
    case 'tooManyProperties': {
      const actual = typeof e.value === 'number' ? e.value : -1;
      const max = e.valid ?? -1;
      const detail =
        max >= 0
          ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}`
          : 'has too many items';
      const message = actual >= 0 ? errorBody('Too many', actual, detail) : `Too many: ${detail}`;
      return { field, type: 'FieldValueTooMany', message };
    }
    case 'invalidType':
      return {
        field,
        type: 'FieldValueTypeInvalid',
        message: errorBody('Invalid value', orEmpty, e.message),
      };
    default:
      return {
        field,
        type: 'FieldValueInvalid',
        message: errorBody('Invalid value', orEmpty, e.message),
      };
  }
}

/** field.Error.ErrorBody for the types that print their value. */
function errorBody(type: string, value: unknown, detail: string): string {
  let shown: string;
  if (value === undefined || value === null) {
    // A nil value is replaced by the string "null", which then prints quoted.
    shown = goQuote('null');
  } else if (typeof value === 'string') {
    shown = goQuote(value);
  } else if (typeof value === 'number' || typeof value === 'boolean') {
    shown = goScalar(value);
  } else {
    shown = goSharpV(value);
  }
  return detail !== '' ? `${type}: ${shown}: ${detail}` : `${type}: ${shown}`;
}

function goScalar(v: number | boolean): string {
  if (typeof v === 'boolean') return String(v);
  return isInt64(v) ? String(v) : goFloat(v);
}

function sortedKeys(obj: Record<string, unknown>): string[] {
  // fmt prints map keys sorted, in byte order.
  return Object.keys(obj).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Go's %#v of a decoded JSON value (ErrorBody's fallback for maps and slices). */
function goSharpV(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return goScalar(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharpV).join(', ')}}`;
  const obj = v as Record<string, unknown>;
  const entries = sortedKeys(obj).map((k) => `${goQuote(k)}:${goSharpV(obj[k])}`);
  return `map[string]interface {}{${entries.join(', ')}}`;
}

/** Go's %v of a decoded JSON value (the enum message's list of values). */
function goPlain(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return goScalar(v);
  if (Array.isArray(v)) return `[${v.map(goPlain).join(' ')}]`;
  const obj = v as Record<string, unknown>;
  return `map[${sortedKeys(obj)
    .map((k) => `${k}:${goPlain(obj[k])}`)
    .join(' ')}]`;
}

/** Go's %v of a float64: shortest digits, exponent form when the exponent is < -4 or >= 6. */
function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa = '', expText = '0'] = f.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  // In this range JavaScript prints the same shortest digits without an exponent.
  return String(f);
}

/** Go's strconv.Quote. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (isGoPrint(ch)) out += ch;
    else out += goEscape(cp);
  }
  return `${out}"`;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

function isGoPrint(ch: string): boolean {
  return ch === ' ' || PRINTABLE.test(ch);
}

function goEscape(cp: number): string {
  switch (cp) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
    default:
      break;
  }
  if (cp < 0x20 || cp === 0x7f) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}
