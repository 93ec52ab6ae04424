// Runtime value model (analysis.md §6.4): nil (null/undefined), bool, int (bigint, 64-bit
// wrapping), float (number), string, array (JS array), map (Map, or a plain JSON object read
// through own data properties only), time/duration/location, and function references.
//
// Provider results are read lazily and defensively: plain objects are accessed only through
// their own data properties (never the prototype, never getters), so `__proto__`, `constructor`
// or `toString` are ordinary, usually missing, keys. Other JS values (class instances, functions,
// symbols) are opaque and every operation on them fails.
import { panic } from './errors.ts';
import { formatFloatV } from './gofmt.ts';
import { durationString, ExprDuration, ExprLocation, ExprTime, formatTime } from './time.ts';

export { ExprDuration, ExprLocation, ExprTime };

/** A bare reference to a function (`asInt` without a call). */
export class ExprFunc {
  constructor(
    readonly name: string,
    readonly goType: string,
  ) {}
}

export type Tag =
  | 'nil'
  | 'bool'
  | 'int'
  | 'float'
  | 'string'
  | 'array'
  | 'map'
  | 'time'
  | 'duration'
  | 'location'
  | 'func'
  | 'other';

export type MapLike = Map<unknown, unknown> | Record<string, unknown>;

/** Maximum nesting walked by recursive helpers (equality, formatting, flatten…). */
export const MAX_VALUE_DEPTH = 1000;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function tagOf(v: unknown): Tag {
  switch (typeof v) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
    case 'object':
      if (v === null) return 'nil';
      if (Array.isArray(v)) return 'array';
      if (v instanceof Map || isPlainObject(v)) return 'map';
      if (v instanceof ExprTime || v instanceof Date) return 'time';
      if (v instanceof ExprDuration) return 'duration';
      if (v instanceof ExprLocation) return 'location';
      if (v instanceof ExprFunc) return 'func';
      return 'other';
    default:
      return 'other';
  }
}

export function isNil(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/** A Date from a provider is a time.Time. */
export function asTime(v: unknown): ExprTime {
  return v instanceof Date ? ExprTime.fromDate(v) : (v as ExprTime);
}

// ---- maps -----------------------------------------------------------------------------------

/** Own data property of a plain object, or a Map entry; `undefined` when missing. */
export function mapGet(m: MapLike, key: unknown): { found: boolean; value: unknown } {
  if (m instanceof Map) {
    return m.has(key) ? { found: true, value: m.get(key) } : { found: false, value: null };
  }
  if (typeof key !== 'string') return { found: false, value: null };
  const d = Object.getOwnPropertyDescriptor(m, key);
  if (d === undefined || !('value' in d)) return { found: false, value: null };
  return { found: true, value: d.value as unknown };
}

export function mapKeys(m: MapLike): unknown[] {
  if (m instanceof Map) return [...m.keys()];
  return Object.keys(m).filter((k) => {
    const d = Object.getOwnPropertyDescriptor(m, k);
    return d !== undefined && 'value' in d;
  });
}

export function mapSize(m: MapLike): number {
  return m instanceof Map ? m.size : mapKeys(m).length;
}

// ---- Go type names --------------------------------------------------------------------------

const GO_TYPES = new WeakMap<object, string>();

/** Remember the Go type of an array or map created by a builtin (`[]int` for ranges…). */
export function withGoType<T extends object>(v: T, goType: string): T {
  GO_TYPES.set(v, goType);
  return v;
}

/** Set (or clear) the Go type recorded for a provider's array or map (e.g. `[]float64`). */
export function setGoType(v: object, goType: string | undefined): void {
  if (goType === undefined) GO_TYPES.delete(v);
  else GO_TYPES.set(v, goType);
}

/** Go `%T` of a runtime value. */
export function goTypeOf(v: unknown): string {
  switch (tagOf(v)) {
    case 'nil':
      return '<nil>';
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'float':
      return 'float64';
    case 'string':
      return 'string';
    case 'array':
      return GO_TYPES.get(v as object) ?? '[]interface {}';
    case 'map':
      return GO_TYPES.get(v as object) ?? 'map[string]interface {}';
    case 'time':
      return 'time.Time';
    case 'duration':
      return 'time.Duration';
    case 'location':
      return '*time.Location';
    case 'func':
      return (v as ExprFunc).goType;
    default:
      return typeof v === 'object' ? 'struct {}' : typeof v;
  }
}

/** Go reflect Kind name of a runtime value (used in reflect-style panics). */
export function goKindOf(v: unknown): string {
  switch (tagOf(v)) {
    case 'nil':
      return 'invalid';
    case 'array':
      return 'slice';
    case 'map':
      return 'map';
    case 'time':
      return 'struct';
    case 'duration':
      return 'int64';
    case 'location':
      return 'ptr';
    case 'func':
      return 'func';
    default:
      return goTypeOf(v);
  }
}

// ---- equality and ordering --------------------------------------------------------------------

function num(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

/** runtime.Equal: numbers across int/float, strings, times, durations, else reflect.DeepEqual. */
export function equal(a: unknown, b: unknown): boolean {
  const ta = tagOf(a);
  const tb = tagOf(b);
  if ((ta === 'int' || ta === 'float') && (tb === 'int' || tb === 'float')) {
    if (ta === 'int' && tb === 'int') return a === b;
    return num(a) === num(b);
  }
  if (ta === 'string' && tb === 'string') return a === b;
  if (ta === 'time' && tb === 'time') return asTime(a).ns === asTime(b).ns;
  if (ta === 'duration' && tb === 'duration')
    return (a as ExprDuration).ns === (b as ExprDuration).ns;
  if (ta === 'nil' && tb === 'nil') return true;
  return deepEqual(a, b, 0);
}

/** reflect.DeepEqual on interface values: identical dynamic types, then structural equality. */
export function deepEqual(a: unknown, b: unknown, depth: number): boolean {
  if (depth > MAX_VALUE_DEPTH) panic('recursion depth exceeded');
  const ta = tagOf(a);
  if (goTypeOf(a) !== goTypeOf(b)) return false;
  switch (ta) {
    case 'nil':
      return true;
    case 'bool':
    case 'int':
    case 'string':
      return a === b;
    case 'float':
      return (a as number) === (b as number);
    case 'array': {
      const x = a as unknown[];
      const y = b as unknown[];
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i], depth + 1)) return false;
      return true;
    }
    case 'map': {
      const x = a as MapLike;
      const y = b as MapLike;
      const keys = mapKeys(x);
      if (keys.length !== mapSize(y)) return false;
      for (const k of keys) {
        const other = mapGet(y, k);
        if (!other.found || !deepEqual(mapGet(x, k).value, other.value, depth + 1)) return false;
      }
      return true;
    }
    case 'time':
      return asTime(a).ns === asTime(b).ns && asTime(a).loc.name === asTime(b).loc.name;
    case 'duration':
      return (a as ExprDuration).ns === (b as ExprDuration).ns;
    default:
      return a === b;
  }
}

/** Byte-wise (UTF-8) order of two strings, i.e. code-point order. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * runtime.Less / More / LessOrEqual / MoreOrEqual: numbers (ints compared exactly, mixed via
 * float64; NaN compares false), strings, times, durations; anything else panics.
 */
export function compare(op: '<' | '>' | '<=' | '>=', a: unknown, b: unknown): boolean {
  const ta = tagOf(a);
  const tb = tagOf(b);
  let c: number;
  if ((ta === 'int' || ta === 'float') && (tb === 'int' || tb === 'float')) {
    if (ta === 'int' && tb === 'int') {
      const x = a as bigint;
      const y = b as bigint;
      c = x < y ? -1 : x > y ? 1 : 0;
    } else {
      const x = num(a);
      const y = num(b);
      if (Number.isNaN(x) || Number.isNaN(y)) return false;
      c = x < y ? -1 : x > y ? 1 : 0;
    }
  } else if (ta === 'string' && tb === 'string') {
    c = compareStrings(a as string, b as string);
  } else if (ta === 'time' && tb === 'time') {
    const x = asTime(a).ns;
    const y = asTime(b).ns;
    c = x < y ? -1 : x > y ? 1 : 0;
  } else if (ta === 'duration' && tb === 'duration') {
    const x = (a as ExprDuration).ns;
    const y = (b as ExprDuration).ns;
    c = x < y ? -1 : x > y ? 1 : 0;
  } else {
    panic(`invalid operation: ${goTypeOf(a)} ${op} ${goTypeOf(b)}`);
  }
  switch (op) {
    case '<':
      return c < 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    case '>=':
      return c >= 0;
  }
}

// ---- formatting -------------------------------------------------------------------------------

/** Go `%v`. */
export function formatValue(v: unknown, depth = 0): string {
  if (depth > MAX_VALUE_DEPTH) panic('recursion depth exceeded');
  switch (tagOf(v)) {
    case 'nil':
      return '<nil>';
    case 'bool':
      return v ? 'true' : 'false';
    case 'int':
      return (v as bigint).toString();
    case 'float':
      return formatFloatV(v as number);
    case 'string':
      return v as string;
    case 'array':
      return `[${(v as unknown[]).map((x) => formatValue(x, depth + 1)).join(' ')}]`;
    case 'map': {
      const m = v as MapLike;
      const keys = sortKeys(mapKeys(m));
      const parts = keys.map(
        (k) => `${formatValue(k, depth + 1)}:${formatValue(mapGet(m, k).value, depth + 1)}`,
      );
      return `map[${parts.join(' ')}]`;
    }
    case 'time':
      return formatTime(asTime(v));
    case 'duration':
      return durationString(v as ExprDuration);
    case 'location':
      return (v as ExprLocation).name;
    case 'func':
      return '0x0';
    default:
      return `{}`;
  }
}

/** fmt's map key order: numbers numerically, strings byte-wise, mixed kinds grouped. */
export function sortKeys(keys: unknown[]): unknown[] {
  const rank = (k: unknown): number => {
    const t = tagOf(k);
    return t === 'nil'
      ? 0
      : t === 'bool'
        ? 1
        : t === 'int'
          ? 2
          : t === 'float'
            ? 3
            : t === 'string'
              ? 4
              : 5;
  };
  return [...keys].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return ra - rb;
    if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
    if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
    return 0;
  });
}

/** A plain, JSON-friendly rendering of a runtime value (ints become numbers when safe). */
export function toPlain(v: unknown, depth = 0): unknown {
  if (depth > MAX_VALUE_DEPTH) panic('recursion depth exceeded');
  switch (tagOf(v)) {
    case 'nil':
      return null;
    case 'int': {
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : (v as bigint).toString();
    }
    case 'array':
      return (v as unknown[]).map((x) => toPlain(x, depth + 1));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const k of mapKeys(v as MapLike)) {
        Object.defineProperty(out, formatValue(k), {
          value: toPlain(mapGet(v as MapLike, k).value, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'time':
      return asTime(v).toDate();
    case 'duration':
      return durationString(v as ExprDuration);
    default:
      return v;
  }
}
