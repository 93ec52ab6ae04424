// Builtins of expr-lang v1.17 (analysis.md §6.6) and the functions Argo Rollouts adds to the
// environment (§6.1: asInt, asFloat, isNaN, isInf, isNil, default). Each has a static part (the
// checker's `Validate` rule or typed overloads, with expr's messages) and a runtime part with
// Go's semantics and panic texts. Predicate builtins (all, any, filter, map, …) need the
// evaluator and live there; their static rules are in the checker.
import { panic } from './errors.ts';
import { floatToInt, parseGoFloat, parseGoInt, wrapInt } from './gofmt.ts';
import {
  DEFAULT_LAYOUTS,
  ExprDuration,
  ExprLocation,
  ExprTime,
  loadLocation,
  parseDuration,
  parseTime,
  UTC,
} from './time.ts';
import {
  ANY,
  ARRAY_ANY,
  arrayOf,
  BOOL,
  DURATION,
  elemOf,
  FLOAT,
  funcTy,
  INT,
  INT64,
  isUnknown,
  LOCATION,
  mapOf,
  reflectString,
  STRING,
  TIME,
  type Ty,
} from './types.ts';
import {
  asTime,
  compare,
  equal,
  formatValue,
  goKindOf,
  goTypeOf,
  isNil,
  mapGet,
  mapKeys,
  type MapLike,
  MAX_VALUE_DEPTH,
  sortKeys,
  tagOf,
  withGoType,
} from './values.ts';

/** What builtins may ask of the running evaluation. */
export interface RuntimeCtx {
  /** The current time (injectable for tests). */
  now(): ExprTime;
  /** Account `n` units against the memory budget (expr's MemoryBudget). */
  alloc(n: number): void;
  /** The whole provider result, for `isNil` and `default`. */
  readonly root: unknown;
}

export type Validate = (args: readonly Ty[]) => Ty | { error: string };

export interface FunctionSpec {
  /** Static rule with expr's message (builtins with a Validate function). */
  readonly validate?: Validate;
  /** Typed overloads (builtins declared with Types, and the environment functions). */
  readonly overloads?: readonly Ty[];
  readonly run: (args: unknown[], ctx: RuntimeCtx) => unknown;
}

// ---- helpers ----------------------------------------------------------------------------------

/** reflect.Kind of a static type, as the validators switch on it. */
function kind(t: Ty): string {
  if (isUnknown(t)) return 'interface';
  switch (t.kind) {
    case 'nil':
      return 'invalid';
    case 'duration':
      return 'int';
    case 'time':
      return 'struct';
    case 'location':
      return 'ptr';
    default:
      return t.kind;
  }
}

const NUMERIC = ['int', 'float'];

function arity(args: readonly Ty[], n: number): { error: string } | undefined {
  return args.length === n
    ? undefined
    : { error: `invalid number of arguments (expected ${n}, got ${args.length})` };
}

function ifaceName(v: unknown): string {
  return isNil(v) ? 'nil' : goTypeOf(v);
}

/** Go type assertion `v.(string)`. */
function str(v: unknown): string {
  if (typeof v !== 'string')
    panic(`interface conversion: interface {} is ${ifaceName(v)}, not string`);
  return v;
}

/** runtime.ToInt. */
export function toInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return floatToInt(v);
  return panic(`invalid operation: int(${goTypeOf(v)})`);
}

function toSmallInt(v: unknown): number {
  return Number(toInt(v));
}

function fn(name: string, params: Ty[], out: Ty): Ty {
  return funcTy(name, params, out);
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/** Byte offset (UTF-8) of a UTF-16 index. */
function byteIndex(s: string, index: number): number {
  return index < 0 ? -1 : utf8.encode(s.slice(0, index)).length;
}

function isGoSpace(cp: number): boolean {
  return (
    cp === 9 ||
    cp === 10 ||
    cp === 11 ||
    cp === 12 ||
    cp === 13 ||
    cp === 32 ||
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

function trimFunc(s: string, drop: (cp: number) => boolean): string {
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  while (a < b && drop(cps[a]!.codePointAt(0)!)) a++;
  while (b > a && drop(cps[b - 1]!.codePointAt(0)!)) b--;
  return cps.slice(a, b).join('');
}

function mapRunes(s: string, f: (c: string) => string): string {
  let out = '';
  for (const c of s) {
    const m = f(c);
    out += Array.from(m).length === 1 ? m : c;
  }
  return out;
}

/** strings.SplitN / SplitAfterN. */
function splitGo(s: string, sep: string, n: number, after: boolean): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const runes = Array.from(s);
    if (n < 0 || n > runes.length) return runes;
    return [...runes.slice(0, n - 1), runes.slice(n - 1).join('')];
  }
  const out: string[] = [];
  let rest = s;
  while (n < 0 || out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i + (after ? sep.length : 0)));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

/** strings.Replace(s, old, new, n). */
function replaceGo(s: string, old: string, rep: string, n: number): string {
  if (old === rep || n === 0) return s;
  if (old === '') {
    const runes = Array.from(s);
    let out = '';
    let count = 0;
    for (let i = 0; i <= runes.length; i++) {
      if (n < 0 || count < n) {
        out += rep;
        count++;
      }
      if (i < runes.length) out += runes[i];
    }
    return out;
  }
  let out = '';
  let rest = s;
  let count = 0;
  while (n < 0 || count < n) {
    const i = rest.indexOf(old);
    if (i < 0) break;
    out += rest.slice(0, i) + rep;
    rest = rest.slice(i + old.length);
    count++;
  }
  return out + rest;
}

/** Go math.Round: half away from zero. */
export function goRound(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const r = Math.sign(x) * Math.round(Math.abs(x));
  // Math.round rounds .5 up; for |x| that is what "away from zero" means.
  return r === 0 ? (x < 0 ? -0 : 0) : r;
}

function isNumberValue(v: unknown): v is bigint | number {
  return typeof v === 'bigint' || typeof v === 'number';
}

/** builtin minMax: numbers and (nested) arrays; empty arrays are skipped; nothing left is nil. */
function minMax(
  name: string,
  less: (a: unknown, b: unknown) => boolean,
  args: unknown[],
  depth: number,
): unknown {
  if (depth > MAX_VALUE_DEPTH) panic('recursion depth exceeded');
  let val: unknown = undefined;
  for (const arg of args) {
    if (Array.isArray(arg)) {
      for (const e of arg as unknown[]) {
        if (isNumberValue(e)) {
          if (val === undefined || less(val, e)) val = e;
        } else if (Array.isArray(e)) {
          const nested = minMax(name, less, [e], depth + 1);
          if (!isNil(nested) && (val === undefined || less(val, nested))) val = nested;
        } else {
          panic(`invalid argument for ${name} (type ${goTypeOf(e)})`);
        }
      }
    } else if (isNumberValue(arg)) {
      if (val === undefined || less(val, arg)) val = arg;
    } else {
      if (args.length === 1) return arg;
      panic(`invalid argument for ${name} (type ${goTypeOf(arg)})`);
    }
  }
  return val ?? null;
}

function collectNumbers(name: string, args: unknown[], out: number[], depth: number): void {
  if (depth > MAX_VALUE_DEPTH) panic('recursion depth exceeded');
  for (const a of args) {
    if (typeof a === 'bigint') out.push(Number(a));
    else if (typeof a === 'number') out.push(a);
    else if (Array.isArray(a)) collectNumbers(name, a as unknown[], out, depth + 1);
    else panic(`invalid argument for ${name} (type ${goTypeOf(a)})`);
  }
}

/** Aggregate validator (max, min, mean, median). */
function validateAggregate(name: string): Validate {
  return (args) => {
    if (args.length === 0) return { error: `not enough arguments to call ${name}` };
    for (const a of args) {
      const k = kind(a);
      if (k === 'interface' || k === 'array') return ANY;
      if (!NUMERIC.includes(k))
        return { error: `invalid argument for ${name} (type ${reflectString(a)})` };
    }
    return args[0]!;
  };
}

function validateRound(name: string): Validate {
  return (args) => {
    const bad = arity(args, 1);
    if (bad) return bad;
    const k = kind(args[0]!);
    if (k === 'interface' || NUMERIC.includes(k)) return FLOAT;
    return { error: `invalid argument for ${name} (type ${reflectString(args[0]!)})` };
  };
}

function validateUnary(
  pass: (k: string) => boolean,
  out: (t: Ty) => Ty,
  message: (t: Ty) => string,
): Validate {
  return (args) => {
    const bad = arity(args, 1);
    if (bad) return bad;
    const t = args[0]!;
    return pass(kind(t)) ? out(t) : { error: message(t) };
  };
}

function roundFn(name: string, f: (x: number) => number): FunctionSpec {
  return {
    validate: validateRound(name),
    run: ([x]) => {
      if (typeof x === 'number') return f(x);
      if (typeof x === 'bigint') return Number(x);
      return panic(`invalid argument for ${name} (type ${goTypeOf(x)})`);
    },
  };
}

/** runtime.Fetch-like lookup that returns nil instead of failing (`get`, `first`, `last`). */
export function safeGet(from: unknown, key: unknown): unknown {
  if (isNil(from)) return null;
  if (Array.isArray(from) || typeof from === 'string') {
    if (!isNumberValue(key)) return null;
    const len = typeof from === 'string' ? utf8.encode(from).length : from.length;
    let i = Number(toInt(key));
    if (i < 0) i += len;
    if (i < 0 || i >= len) return null;
    return typeof from === 'string'
      ? BigInt(utf8.encode(from)[i]!)
      : ((from as unknown[])[i] ?? null);
  }
  if (tagOf(from) === 'map') {
    const r = mapGet(from as MapLike, key);
    return r.found ? (r.value ?? null) : null;
  }
  return null;
}

// ---- JSON ---------------------------------------------------------------------------------------

function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (
      cp < 0x20 ||
      ch === '<' ||
      ch === '>' ||
      ch === '&' ||
      cp === 0x2028 ||
      cp === 0x2029
    ) {
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    } else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** encoding/json MarshalIndent(v, "", "  "). */
function toJSON(v: unknown, indent: string, depth: number): string {
  if (depth > MAX_VALUE_DEPTH)
    panic('json: unsupported value: encountered a cycle or too deep value');
  const inner = indent + '  ';
  switch (tagOf(v)) {
    case 'nil':
      return 'null';
    case 'bool':
      return v ? 'true' : 'false';
    case 'int':
      return (v as bigint).toString();
    case 'float': {
      const f = v as number;
      if (!Number.isFinite(f)) panic(`json: unsupported value: ${formatValue(f)}`);
      return Object.is(f, -0) ? '-0' : String(f);
    }
    case 'string':
      return jsonString(v as string);
    case 'array': {
      const a = v as unknown[];
      if (a.length === 0) return '[]';
      return `[\n${a.map((x) => inner + toJSON(x, inner, depth + 1)).join(',\n')}\n${indent}]`;
    }
    case 'map': {
      const m = v as MapLike;
      const keys = sortKeys(mapKeys(m));
      if (keys.length === 0) return '{}';
      const parts = keys.map(
        (k) =>
          `${inner}${jsonString(formatValue(k))}: ${toJSON(mapGet(m, k).value, inner, depth + 1)}`,
      );
      return `{\n${parts.join(',\n')}\n${indent}}`;
    }
    case 'time':
      return jsonString(asTime(v).toRFC3339());
    case 'duration':
      return (v as ExprDuration).ns.toString();
    default:
      return '{}';
  }
}

function fromJSON(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    if (s.trim() === '') return panic('unexpected end of JSON input');
    const bad = /[^\s]/.exec(s)?.[0] ?? '';
    return panic(`invalid character '${bad}' looking for beginning of value`);
  }
}

// ---- the table ----------------------------------------------------------------------------------

const STRING_FN = (name: string, f: (s: string) => string): FunctionSpec => ({
  overloads: [fn(name, [STRING], STRING)],
  run: ([s]) => f(str(s)),
});

const BIT = (name: string, f: (x: bigint, y: bigint) => bigint): FunctionSpec => ({
  overloads: [fn(name, [INT, INT], INT)],
  run: ([x, y]) => wrapInt(f(toInt(x), toInt(y))),
});

function shiftCount(y: bigint): bigint {
  if (y < 0n) panic(`invalid operation: negative shift count ${y} (type int)`);
  return y > 64n ? 64n : y;
}

export const BUILTINS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  [
    'len',
    {
      validate: validateUnary(
        (k) => ['array', 'map', 'string', 'interface'].includes(k),
        () => INT,
        (t) => `invalid argument for len (type ${reflectString(t)})`,
      ),
      run: ([x]) => {
        switch (tagOf(x)) {
          case 'array':
            return BigInt((x as unknown[]).length);
          case 'map':
            return BigInt(mapKeys(x as MapLike).length);
          case 'string':
            return BigInt(Array.from(x as string).length);
          default:
            return panic(`invalid argument for len (type ${goTypeOf(x)})`);
        }
      },
    },
  ],
  [
    'type',
    {
      overloads: [fn('type', [ANY], STRING)],
      run: ([x]) => {
        switch (tagOf(x)) {
          case 'nil':
            return 'nil';
          case 'bool':
            return 'bool';
          case 'int':
            return 'int';
          case 'float':
            return 'float';
          case 'string':
            return 'string';
          case 'array':
            return 'array';
          case 'map':
            return 'map';
          case 'time':
            return 'time.Time';
          case 'duration':
            return 'time.Duration';
          case 'func':
            return 'func';
          default:
            return 'unknown';
        }
      },
    },
  ],
  [
    'abs',
    {
      validate: validateUnary(
        (k) => k === 'interface' || NUMERIC.includes(k),
        (t) => t,
        (t) => `invalid argument for abs (type ${reflectString(t)})`,
      ),
      run: ([x]) => {
        if (typeof x === 'bigint') return x < 0n ? wrapInt(-x) : x;
        if (typeof x === 'number') return x < 0 ? -x : x;
        return panic(`invalid argument for abs (type ${goTypeOf(x)})`);
      },
    },
  ],
  ['ceil', roundFn('ceil', Math.ceil)],
  ['floor', roundFn('floor', Math.floor)],
  ['round', roundFn('round', goRound)],
  [
    'int',
    {
      validate: validateUnary(
        (k) => k === 'interface' || k === 'string' || NUMERIC.includes(k),
        () => INT,
        (t) => `invalid argument for int (type ${reflectString(t)})`,
      ),
      run: ([x]) => {
        if (typeof x === 'bigint') return x;
        if (typeof x === 'number') return floatToInt(x);
        if (typeof x === 'string') {
          const r = parseGoInt(x, 10);
          return r.ok ? r.value : panic(`invalid operation: int(${x})`);
        }
        if (x instanceof ExprDuration) return x.ns;
        return panic(`invalid operation: int(${goTypeOf(x)})`);
      },
    },
  ],
  [
    'float',
    {
      validate: validateUnary(
        (k) => k === 'interface' || k === 'string' || NUMERIC.includes(k),
        () => FLOAT,
        (t) => `invalid argument for float (type ${reflectString(t)})`,
      ),
      run: ([x]) => {
        if (typeof x === 'number') return x;
        if (typeof x === 'bigint') return Number(x);
        if (typeof x === 'string') {
          const r = parseGoFloat(x);
          return r.ok ? r.value : panic(`invalid operation: float(${x})`);
        }
        return panic(`invalid operation: float(${goTypeOf(x)})`);
      },
    },
  ],
  ['string', { overloads: [fn('string', [ANY], STRING)], run: ([x]) => formatValue(x) }],
  [
    'trim',
    {
      overloads: [fn('trim', [STRING], STRING), fn('trim', [STRING, STRING], STRING)],
      run: (args) => {
        const s = str(args[0]);
        if (args.length === 1) return trimFunc(s, isGoSpace);
        const cut = new Set(Array.from(str(args[1]), (c) => c.codePointAt(0)!));
        return trimFunc(s, (cp) => cut.has(cp));
      },
    },
  ],
  [
    'trimPrefix',
    {
      overloads: [fn('trimPrefix', [STRING, STRING], STRING), fn('trimPrefix', [STRING], STRING)],
      run: (args) => {
        const s = str(args[0]);
        const p = args.length === 2 ? str(args[1]) : ' ';
        return s.startsWith(p) ? s.slice(p.length) : s;
      },
    },
  ],
  [
    'trimSuffix',
    {
      overloads: [fn('trimSuffix', [STRING, STRING], STRING), fn('trimSuffix', [STRING], STRING)],
      run: (args) => {
        const s = str(args[0]);
        const p = args.length === 2 ? str(args[1]) : ' ';
        return p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
      },
    },
  ],
  ['upper', STRING_FN('upper', (s) => mapRunes(s, (c) => c.toUpperCase()))],
  ['lower', STRING_FN('lower', (s) => mapRunes(s, (c) => c.toLowerCase()))],
  [
    'split',
    {
      overloads: [
        fn('split', [STRING, STRING], arrayOf(STRING, '[]string')),
        fn('split', [STRING, STRING, INT], arrayOf(STRING, '[]string')),
      ],
      run: (args, ctx) => {
        const n = args.length === 3 ? toSmallInt(args[2]) : -1;
        const out = splitGo(str(args[0]), str(args[1]), n, false);
        ctx.alloc(out.length);
        return withGoType(out, '[]string');
      },
    },
  ],
  [
    'splitAfter',
    {
      overloads: [
        fn('splitAfter', [STRING, STRING], arrayOf(STRING, '[]string')),
        fn('splitAfter', [STRING, STRING, INT], arrayOf(STRING, '[]string')),
      ],
      run: (args, ctx) => {
        const n = args.length === 3 ? toSmallInt(args[2]) : -1;
        const out = splitGo(str(args[0]), str(args[1]), n, true);
        ctx.alloc(out.length);
        return withGoType(out, '[]string');
      },
    },
  ],
  [
    'replace',
    {
      overloads: [
        fn('replace', [STRING, STRING, STRING, INT], STRING),
        fn('replace', [STRING, STRING, STRING], STRING),
      ],
      run: (args, ctx) => {
        const n = args.length === 4 ? toSmallInt(args[3]) : -1;
        const out = replaceGo(str(args[0]), str(args[1]), str(args[2]), n);
        ctx.alloc(out.length);
        return out;
      },
    },
  ],
  [
    'repeat',
    {
      overloads: [fn('repeat', [STRING, INT], STRING)],
      run: ([s, n], ctx) => {
        const text = str(s);
        const count = toInt(n);
        if (count < 0n)
          panic(`invalid argument for repeat (expected positive integer, got ${count})`);
        if (count > 1_000_000n) panic('memory budget exceeded');
        ctx.alloc(text.length * Number(count));
        return text.repeat(Number(count));
      },
    },
  ],
  [
    'join',
    {
      overloads: [
        fn('join', [arrayOf(STRING, '[]string'), STRING], STRING),
        fn('join', [ARRAY_ANY, STRING], STRING),
        fn('join', [ARRAY_ANY], STRING),
        fn('join', [arrayOf(STRING, '[]string'), STRING], STRING),
        fn('join', [arrayOf(STRING, '[]string')], STRING),
      ],
      run: (args) => {
        const glue = args.length === 2 ? str(args[1]) : '';
        if (!Array.isArray(args[0])) panic(`invalid argument for join (type ${goTypeOf(args[0])})`);
        return (args[0] as unknown[]).map(str).join(glue);
      },
    },
  ],
  [
    'indexOf',
    {
      overloads: [fn('indexOf', [STRING, STRING], INT)],
      run: ([s, sub]) => BigInt(byteIndex(str(s), str(s).indexOf(str(sub)))),
    },
  ],
  [
    'lastIndexOf',
    {
      overloads: [fn('lastIndexOf', [STRING, STRING], INT)],
      run: ([s, sub]) => BigInt(byteIndex(str(s), str(s).lastIndexOf(str(sub)))),
    },
  ],
  [
    'hasPrefix',
    {
      overloads: [fn('hasPrefix', [STRING, STRING], BOOL)],
      run: ([s, p]) => str(s).startsWith(str(p)),
    },
  ],
  [
    'hasSuffix',
    {
      overloads: [fn('hasSuffix', [STRING, STRING], BOOL)],
      run: ([s, p]) => str(s).endsWith(str(p)),
    },
  ],
  [
    'max',
    {
      validate: validateAggregate('max'),
      run: (args) => minMax('max', (a, b) => compare('<', a, b), args, 0),
    },
  ],
  [
    'min',
    {
      validate: validateAggregate('min'),
      run: (args) => minMax('min', (a, b) => compare('>', a, b), args, 0),
    },
  ],
  [
    'mean',
    {
      validate: validateAggregate('mean'),
      run: (args) => {
        const values: number[] = [];
        collectNumbers('mean', args, values, 0);
        if (values.length === 0) return 0;
        return values.reduce((a, b) => a + b, 0) / values.length;
      },
    },
  ],
  [
    'median',
    {
      validate: validateAggregate('median'),
      run: (args) => {
        const values: number[] = [];
        collectNumbers('median', args, values, 0);
        const n = values.length;
        if (n === 0) return 0;
        values.sort((a, b) => (Number.isNaN(a) ? -1 : Number.isNaN(b) ? 1 : a - b));
        return n % 2 === 1 ? values[(n - 1) / 2]! : (values[n / 2 - 1]! + values[n / 2]!) / 2;
      },
    },
  ],
  ['toJSON', { overloads: [fn('toJSON', [ANY], STRING)], run: ([x]) => toJSON(x, '', 0) }],
  ['fromJSON', { overloads: [fn('fromJSON', [STRING], ANY)], run: ([s]) => fromJSON(str(s)) }],
  [
    'toBase64',
    {
      overloads: [fn('toBase64', [STRING], STRING)],
      run: ([s]) => Buffer.from(str(s), 'utf8').toString('base64'),
    },
  ],
  [
    'fromBase64',
    {
      overloads: [fn('fromBase64', [STRING], STRING)],
      run: ([s]) => {
        const text = str(s);
        const m = /^[A-Za-z0-9+/]*={0,2}$/.exec(text);
        if (!m || text.length % 4 !== 0) {
          const bad = text.search(/[^A-Za-z0-9+/=]/);
          panic(
            `illegal base64 data at input byte ${bad < 0 ? text.length - (text.length % 4) : bad}`,
          );
        }
        return utf8Decoder.decode(Buffer.from(text, 'base64'));
      },
    },
  ],
  [
    'now',
    {
      validate: (args) => {
        if (args.length === 0) return TIME;
        if (args.length === 1 && args[0]!.kind === 'location') return TIME;
        return { error: `invalid number of arguments (expected 0, got ${args.length})` };
      },
      run: (args, ctx) => {
        const t = ctx.now();
        if (args.length === 1 && args[0] instanceof ExprLocation)
          return new ExprTime(t.ns, args[0]);
        if (args.length === 0) return t;
        return panic(`invalid number of arguments (expected 0, got ${args.length})`);
      },
    },
  ],
  [
    'duration',
    { overloads: [fn('duration', [STRING], DURATION)], run: ([s]) => parseDuration(str(s)) },
  ],
  [
    'date',
    {
      validate: (args) => {
        if (args.length < 1) {
          return { error: `invalid number of arguments (expected at least 1, got ${args.length})` };
        }
        const rest = args[0]!.kind === 'location' ? args.slice(1) : args;
        if (rest.length > 3) {
          return { error: `invalid number of arguments (expected at most 3, got ${rest.length})` };
        }
        return TIME;
      },
      run: (args) => {
        let tz: ExprLocation | undefined;
        if (args[0] instanceof ExprLocation) {
          tz = args[0];
          args = args.slice(1);
        }
        const date = str(args[0]);
        if (args.length === 2) return parseTime(str(args[1]), date, tz ?? UTC);
        if (args.length === 3) return parseTime(str(args[1]), date, loadLocation(str(args[2])));
        for (const layout of DEFAULT_LAYOUTS) {
          try {
            return parseTime(layout, date, tz ?? UTC);
          } catch {
            // try the next layout
          }
        }
        return panic(`invalid date ${date}`);
      },
    },
  ],
  [
    'timezone',
    { overloads: [fn('timezone', [STRING], LOCATION)], run: ([s]) => loadLocation(str(s)) },
  ],
  [
    'first',
    {
      validate: validateUnary(
        (k) => k === 'interface' || k === 'array',
        (t) => (isUnknown(t) ? ANY : elemOf(t)),
        (t) => `cannot get first element from ${reflectString(t)}`,
      ),
      run: ([x]) => safeGet(x, 0n),
    },
  ],
  [
    'last',
    {
      validate: validateUnary(
        (k) => k === 'interface' || k === 'array',
        (t) => (isUnknown(t) ? ANY : elemOf(t)),
        (t) => `cannot get last element from ${reflectString(t)}`,
      ),
      run: ([x]) => safeGet(x, -1n),
    },
  ],
  ['get', { run: ([x, k]) => safeGet(x, k) }],
  [
    'take',
    {
      validate: (args) => {
        const bad = arity(args, 2);
        if (bad) return bad;
        const [a, n] = args as [Ty, Ty];
        if (!['interface', 'array'].includes(kind(a)))
          return { error: `cannot take from ${reflectString(a)}` };
        if (!['interface', 'int'].includes(kind(n)))
          return { error: `cannot take ${reflectString(n)} elements` };
        return a;
      },
      run: ([a, n]) => {
        if (!Array.isArray(a)) return panic(`cannot take from ${goKindOf(a)}`);
        if (typeof n !== 'bigint') return panic(`cannot take ${goKindOf(n)} elements`);
        if (n < 0n) return panic('reflect: slice index out of range');
        return withGoType(
          (a as unknown[]).slice(0, Number(n > BigInt(a.length) ? a.length : n)),
          goTypeOf(a),
        );
      },
    },
  ],
  [
    'keys',
    {
      validate: validateUnary(
        (k) => k === 'interface' || k === 'map',
        () => ARRAY_ANY,
        (t) => `cannot get keys from ${reflectString(t)}`,
      ),
      run: ([m], ctx) => {
        if (tagOf(m) !== 'map') return panic(`cannot get keys from ${goKindOf(m)}`);
        const keys = mapKeys(m as MapLike);
        ctx.alloc(keys.length);
        return keys;
      },
    },
  ],
  [
    'values',
    {
      validate: validateUnary(
        (k) => k === 'interface' || k === 'map',
        () => ARRAY_ANY,
        (t) => `cannot get values from ${reflectString(t)}`,
      ),
      run: ([m], ctx) => {
        if (tagOf(m) !== 'map') return panic(`cannot get values from ${goKindOf(m)}`);
        const keys = mapKeys(m as MapLike);
        ctx.alloc(keys.length);
        return keys.map((k) => mapGet(m as MapLike, k).value ?? null);
      },
    },
  ],
  [
    'toPairs',
    {
      validate: validateUnary(
        (k) => k === 'interface' || k === 'map',
        () => ARRAY_ANY,
        (t) => `cannot transform ${reflectString(t)} to pairs`,
      ),
      run: ([m], ctx) => {
        if (tagOf(m) !== 'map') return panic(`cannot transform ${goKindOf(m)} to pairs`);
        const keys = mapKeys(m as MapLike);
        ctx.alloc(keys.length);
        return withGoType(
          keys.map((k) => [k, mapGet(m as MapLike, k).value ?? null]),
          '[][2]interface {}',
        );
      },
    },
  ],
  [
    'fromPairs',
    {
      validate: validateUnary(
        (k) => k === 'interface' || k === 'array',
        () => mapOf(ANY, 'map[interface {}]interface {}'),
        (t) => `cannot transform ${reflectString(t)} from pairs`,
      ),
      run: ([a], ctx) => {
        if (!Array.isArray(a)) return panic(`cannot transform ${formatValue(a)} from pairs`);
        const out = new Map<unknown, unknown>();
        for (const pair of a as unknown[]) {
          if (!Array.isArray(pair)) return panic(`invalid pair ${formatValue(pair)}`);
          if (pair.length !== 2) return panic(`invalid pair length ${formatValue(pair)}`);
          out.set(pair[0], pair[1]);
        }
        ctx.alloc(out.size);
        return withGoType(out, 'map[interface {}]interface {}');
      },
    },
  ],
  [
    'reverse',
    {
      validate: validateUnary(
        (k) => k === 'interface' || k === 'array',
        () => ARRAY_ANY,
        (t) => `cannot reverse ${reflectString(t)}`,
      ),
      run: ([a], ctx) => {
        if (!Array.isArray(a)) return panic(`cannot reverse ${goKindOf(a)}`);
        ctx.alloc(a.length);
        return [...(a as unknown[])].reverse();
      },
    },
  ],
  [
    'uniq',
    {
      validate: validateUnary(
        (k) => k === 'interface' || k === 'array',
        () => ARRAY_ANY,
        (t) => `cannot uniq ${reflectString(t)}`,
      ),
      run: ([a], ctx) => {
        if (!Array.isArray(a)) return panic(`cannot uniq ${goKindOf(a)}`);
        const out: unknown[] = [];
        for (const x of a as unknown[]) if (!out.some((y) => equal(x, y))) out.push(x);
        ctx.alloc(out.length);
        return out;
      },
    },
  ],
  [
    'concat',
    {
      validate: (args) => {
        if (args.length === 0)
          return { error: 'invalid number of arguments (expected at least 1, got 0)' };
        for (const a of args) {
          if (!['interface', 'array'].includes(kind(a)))
            return { error: `cannot concat ${reflectString(a)}` };
        }
        return ARRAY_ANY;
      },
      run: (args, ctx) => {
        const out: unknown[] = [];
        for (const a of args) {
          if (!Array.isArray(a)) return panic(`cannot concat ${goKindOf(a)}`);
          ctx.alloc(a.length);
          out.push(...(a as unknown[]));
        }
        return out;
      },
    },
  ],
  [
    'flatten',
    {
      validate: validateUnary(
        (k) => k === 'interface' || k === 'array',
        () => ARRAY_ANY,
        (t) => `cannot flatten ${reflectString(t)}`,
      ),
      run: ([a], ctx) => {
        if (!Array.isArray(a)) return panic(`cannot flatten ${goKindOf(a)}`);
        const out: unknown[] = [];
        const walk = (xs: unknown[], depth: number): void => {
          if (depth > MAX_VALUE_DEPTH) panic('recursion depth exceeded');
          for (const x of xs) {
            if (Array.isArray(x)) walk(x as unknown[], depth + 1);
            else out.push(x);
          }
        };
        walk(a as unknown[], 0);
        ctx.alloc(out.length);
        return out;
      },
    },
  ],
  [
    'sort',
    {
      overloads: [
        fn('sort', [ARRAY_ANY, STRING], ARRAY_ANY),
        fn('sort', [arrayOf(INT, '[]int'), STRING], ARRAY_ANY),
        fn('sort', [arrayOf(FLOAT, '[]float64'), STRING], ARRAY_ANY),
        fn('sort', [arrayOf(STRING, '[]string'), STRING], ARRAY_ANY),
        fn('sort', [ARRAY_ANY], ARRAY_ANY),
        fn('sort', [arrayOf(FLOAT, '[]float64')], ARRAY_ANY),
        fn('sort', [arrayOf(STRING, '[]string')], ARRAY_ANY),
        fn('sort', [arrayOf(INT, '[]int')], ARRAY_ANY),
      ],
      run: (args, ctx) => {
        const array = Array.isArray(args[0]) ? [...(args[0] as unknown[])] : [];
        let desc = false;
        if (args.length === 2) {
          const order = str(args[1]);
          if (order === 'desc') desc = true;
          else if (order !== 'asc') panic(`invalid order ${order}, expected asc or desc`);
        }
        ctx.alloc(array.length);
        return sortValues(array, desc);
      },
    },
  ],
  ['bitand', BIT('bitand', (x, y) => x & y)],
  ['bitor', BIT('bitor', (x, y) => x | y)],
  ['bitxor', BIT('bitxor', (x, y) => x ^ y)],
  ['bitnand', BIT('bitnand', (x, y) => x & ~y)],
  ['bitshl', BIT('bitshl', (x, y) => x << shiftCount(y))],
  ['bitshr', BIT('bitshr', (x, y) => x >> shiftCount(y))],
  ['bitushr', BIT('bitushr', (x, y) => BigInt.asUintN(64, x) >> shiftCount(y))],
  ['bitnot', { overloads: [fn('bitnot', [INT], INT)], run: ([x]) => wrapInt(~toInt(x)) }],
]);

/** runtime.Sort: a stable sort with runtime.Less (mixed kinds fail). */
export function sortValues(array: unknown[], desc: boolean): unknown[] {
  return array.sort((a, b) => {
    if (compare('<', a, b)) return desc ? 1 : -1;
    if (compare('<', b, a)) return desc ? -1 : 1;
    return 0;
  });
}

// ---- the Argo Rollouts environment ----------------------------------------------------------------

/** Go isNil as Argo defines it: nil value, nil pointer/map/slice (never an empty array). */
export function isNilResult(v: unknown): boolean {
  return isNil(v);
}

function reflectCallFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  // An integer literal argument is converted to float64 by expr's checker.
  if (typeof v === 'bigint') return Number(v);
  return panic(`reflect: Call using ${isNil(v) ? 'interface {}' : goTypeOf(v)} as type float64`);
}

function notSupported(name: string, v: unknown): never {
  return panic(`${name}() not supported on ${goTypeOf(v)} ${formatValue(v)}`);
}

export const CONDITION_FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>(
  [
    [
      'asInt',
      {
        overloads: [fn('asInt', [ANY], INT64)],
        run: ([v]) => {
          if (typeof v === 'bigint') return v;
          if (typeof v === 'number') return floatToInt(v);
          if (typeof v === 'string') {
            const r = parseGoInt(v, 10);
            return r.ok ? r.value : panic(r.err);
          }
          return notSupported('asInt', v);
        },
      },
    ],
    [
      'asFloat',
      {
        overloads: [fn('asFloat', [ANY], FLOAT)],
        run: ([v]) => {
          if (typeof v === 'number') return v;
          if (typeof v === 'bigint') return Number(v);
          if (typeof v === 'string') {
            const r = parseGoFloat(v);
            return r.ok ? r.value : panic(r.err);
          }
          return notSupported('asFloat', v);
        },
      },
    ],
    [
      'isNaN',
      { overloads: [fn('isNaN', [FLOAT], BOOL)], run: ([v]) => Number.isNaN(reflectCallFloat(v)) },
    ],
    [
      'isInf',
      {
        overloads: [fn('isInf', [FLOAT], BOOL)],
        run: ([v]) => {
          const f = reflectCallFloat(v);
          return f === Infinity || f === -Infinity;
        },
      },
    ],
    [
      'isNil',
      { overloads: [fn('isNil', [ANY], BOOL)], run: (_args, ctx) => isNilResult(ctx.root) },
    ],
    [
      'default',
      {
        overloads: [fn('default', [ANY, ANY], ANY)],
        run: (args, ctx) => (isNilResult(ctx.root) ? (args[1] ?? null) : ctx.root),
      },
    ],
  ],
);

/** The time-expression environment (§6.10) has only isNaN and isInf besides the builtins. */
export const TIME_FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map(
  [...CONDITION_FUNCTIONS].filter(([name]) => name === 'isNaN' || name === 'isInf'),
);
