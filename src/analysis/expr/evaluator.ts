// Tree-walking evaluator (analysis.md §6.4–6.7) with expr-lang v1.17's runtime semantics
// (vm/runtime: Fetch, Equal, Less, Add, …) and panic texts. No JS code is generated or run: every
// operator and builtin is interpreted here over the value model of values.ts.
//
// Safety: identifiers resolve only through the variables/functions given (a Map), member access
// on provider data reads own data properties only, and evaluation is bounded by a step budget
// and expr's memory budget (1e6 units for ranges, array/map construction and builtin results).
import type { Node, PredicateNode } from './ast.ts';
import { BUILTINS, type FunctionSpec, type RuntimeCtx, toInt } from './builtins.ts';
import { Failure, panic } from './errors.ts';
import { goQuote, wrapInt } from './gofmt.ts';
import { PREDICATE_BUILTINS } from './names.ts';
import { compileRegexp, type Regexp } from './regexp.ts';
import { clampDuration, ExprDuration, ExprTime } from './time.ts';
import {
  asTime,
  compare,
  equal,
  ExprFunc,
  formatValue,
  goKindOf,
  goTypeOf,
  isNil,
  mapGet,
  mapKeys,
  type MapLike,
  tagOf,
  withGoType,
} from './values.ts';

/** Default limits. */
export const DEFAULT_MAX_STEPS = 1_000_000;
export const DEFAULT_MEMORY_BUDGET = 1_000_000;

export interface EvalEnv {
  /** Variables (`result`), looked up by exact name only. */
  readonly vars: ReadonlyMap<string, unknown>;
  /** Environment functions (asInt, asFloat, …). */
  readonly functions: ReadonlyMap<string, FunctionSpec>;
  /** The whole provider result (for isNil/default). */
  readonly root: unknown;
  readonly now: () => ExprTime;
  readonly maxSteps?: number;
  readonly memoryBudget?: number;
}

const CHAIN_NIL = Symbol('chain-nil');

interface Scope {
  item: unknown;
  index: number;
  acc: unknown;
}

function ifaceName(v: unknown): string {
  return isNil(v) ? 'nil' : goTypeOf(v);
}

function asBool(v: unknown): boolean {
  if (typeof v !== 'boolean')
    panic(`interface conversion: interface {} is ${ifaceName(v)}, not bool`);
  return v;
}

function asString(v: unknown): string {
  if (typeof v !== 'string')
    panic(`interface conversion: interface {} is ${ifaceName(v)}, not string`);
  return v;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

function isNum(v: unknown): v is bigint | number {
  return typeof v === 'bigint' || typeof v === 'number';
}

function num(v: bigint | number): number {
  return typeof v === 'bigint' ? Number(v) : v;
}

/** runtime.Fetch. */
export function fetchMember(from: unknown, key: unknown): unknown {
  const tag = tagOf(from);
  switch (tag) {
    case 'nil':
      return panic(`cannot fetch ${fmtKey(key)} from <nil>`);
    case 'array':
    case 'string': {
      const bytes = tag === 'string' ? utf8.encode(from as string) : undefined;
      const len = bytes ? bytes.length : (from as unknown[]).length;
      let index = toInt(key);
      if (index < 0n) index += BigInt(len);
      if (index < 0n || index >= BigInt(len)) {
        panic(`index out of range: ${index} (array length is ${len})`);
      }
      if (bytes) return BigInt(bytes[Number(index)]!);
      return (from as unknown[])[Number(index)] ?? null;
    }
    case 'map': {
      const r = mapGet(from as MapLike, key);
      return r.found ? (r.value ?? null) : null;
    }
    default:
      return panic(`cannot fetch ${fmtKey(key)} from ${goTypeOf(from)}`);
  }
}

function fmtKey(k: unknown): string {
  return formatValue(k);
}

/** runtime.Slice (negative bounds count from the end; bounds are clamped). */
function slice(array: unknown, from: unknown, to: unknown): unknown {
  const tag = tagOf(array);
  if (tag !== 'array' && tag !== 'string') return panic(`cannot slice ${fmtKey(from)}`);
  const bytes = tag === 'string' ? utf8.encode(array as string) : undefined;
  const length = bytes ? bytes.length : (array as unknown[]).length;
  let a = Number(toInt(from));
  let b = Number(toInt(to));
  if (a < 0) a = Math.max(length + a, 0);
  if (b < 0) b = Math.max(length + b, 0);
  if (b > length) b = length;
  if (a > b) a = b;
  if (bytes) return utf8Decoder.decode(bytes.slice(a, b));
  return withGoType((array as unknown[]).slice(a, b), goTypeOf(array));
}

/** runtime.Len as used by OpLen. */
function length(v: unknown): bigint {
  switch (tagOf(v)) {
    case 'array':
      return BigInt((v as unknown[]).length);
    case 'map':
      return BigInt(mapKeys(v as MapLike).length);
    case 'string':
      return BigInt(utf8.encode(v as string).length);
    default:
      return panic(`invalid argument for len (type ${goTypeOf(v)})`);
  }
}

function durationNs(v: unknown): bigint {
  return (v as ExprDuration).ns;
}

/** runtime.Add. */
function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'bigint' && typeof b === 'bigint') return wrapInt(a + b);
  if (isNum(a) && isNum(b)) return num(a) + num(b);
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  const ta = tagOf(a);
  const tb = tagOf(b);
  if (ta === 'time' && tb === 'duration')
    return new ExprTime(asTime(a).ns + durationNs(b), asTime(a).loc);
  if (ta === 'duration' && tb === 'time')
    return new ExprTime(asTime(b).ns + durationNs(a), asTime(b).loc);
  if (ta === 'duration' && tb === 'duration')
    return new ExprDuration(wrapInt(durationNs(a) + durationNs(b)));
  return panic(`invalid operation: ${goTypeOf(a)} + ${goTypeOf(b)}`);
}

/** runtime.Subtract. */
function subtract(a: unknown, b: unknown): unknown {
  if (typeof a === 'bigint' && typeof b === 'bigint') return wrapInt(a - b);
  if (isNum(a) && isNum(b)) return num(a) - num(b);
  const ta = tagOf(a);
  const tb = tagOf(b);
  if (ta === 'time' && tb === 'time')
    return new ExprDuration(clampDuration(asTime(a).ns - asTime(b).ns));
  if (ta === 'time' && tb === 'duration')
    return new ExprTime(asTime(a).ns - durationNs(b), asTime(a).loc);
  if (ta === 'duration' && tb === 'duration')
    return new ExprDuration(wrapInt(durationNs(a) - durationNs(b)));
  return panic(`invalid operation: ${goTypeOf(a)} - ${goTypeOf(b)}`);
}

/** runtime.Multiply (durations combine with ints as durations, with floats as float64). */
function multiply(a: unknown, b: unknown): unknown {
  if (typeof a === 'bigint' && typeof b === 'bigint') return wrapInt(a * b);
  if (isNum(a) && isNum(b)) return num(a) * num(b);
  const ta = tagOf(a);
  const tb = tagOf(b);
  const isDur = (t: string): boolean => t === 'duration';
  if (
    (isDur(ta) || ta === 'int' || ta === 'float') &&
    (isDur(tb) || tb === 'int' || tb === 'float')
  ) {
    if (ta === 'float' || tb === 'float') {
      const x = isDur(ta) ? Number(durationNs(a)) : num(a as number);
      const y = isDur(tb) ? Number(durationNs(b)) : num(b as number);
      return x * y;
    }
    const x = isDur(ta) ? durationNs(a) : (a as bigint);
    const y = isDur(tb) ? durationNs(b) : (b as bigint);
    return new ExprDuration(wrapInt(x * y));
  }
  return panic(`invalid operation: ${goTypeOf(a)} * ${goTypeOf(b)}`);
}

/** runtime.Divide: always float64. */
function divide(a: unknown, b: unknown): number {
  if (isNum(a) && isNum(b)) return num(a) / num(b);
  return panic(`invalid operation: ${goTypeOf(a)} / ${goTypeOf(b)}`);
}

/** runtime.Modulo: integers only. */
function modulo(a: unknown, b: unknown): bigint {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) panic('runtime error: integer divide by zero');
    return wrapInt(a % b);
  }
  return panic(`invalid operation: ${goTypeOf(a)} % ${goTypeOf(b)}`);
}

function toFloat(v: unknown): number {
  if (isNum(v)) return num(v);
  return panic(`invalid operation: float(${goTypeOf(v)})`);
}

/** math.Pow with Go's special cases where they differ from IEEE/JS. */
export function goPow(x: number, y: number): number {
  if (y === 0) return 1;
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return x ** y;
}

function negate(v: unknown): unknown {
  if (typeof v === 'bigint') return wrapInt(-v);
  if (typeof v === 'number') return -v;
  return panic(`invalid operation: - ${goTypeOf(v)}`);
}

/** runtime.In. */
function inOp(needle: unknown, haystack: unknown): boolean {
  switch (tagOf(haystack)) {
    case 'nil':
      return false;
    case 'array':
      return (haystack as unknown[]).some((x) => equal(x, needle));
    case 'map': {
      const stringKeys = goTypeOf(haystack).startsWith('map[string]');
      if (stringKeys && !isNil(needle) && typeof needle !== 'string') {
        panic(
          `reflect.Value.MapIndex: value of type ${goTypeOf(needle)} is not assignable to type string`,
        );
      }
      return mapGet(haystack as MapLike, isNil(needle) && stringKeys ? '' : needle).found;
    }
    default:
      return panic(`operator "in" not defined on ${goTypeOf(haystack)}`);
  }
}

/** Go regexp.MustCompile's quoting of a pattern in its panic. */
function quotePattern(s: string): string {
  const backquotable = Array.from(s).every((c) => {
    const cp = c.codePointAt(0)!;
    return c !== '`' && cp !== 0xfeff && cp !== 0x7f && (cp >= 0x20 || cp === 9);
  });
  return backquotable ? `\`${s}\`` : goQuote(s);
}

class Evaluator implements RuntimeCtx {
  private steps = 0;
  private memory = 0;
  private readonly maxSteps: number;
  private readonly memoryBudget: number;
  private readonly scopes: Scope[] = [];
  private readonly locals: { name: string; value: unknown }[] = [];
  private readonly regexps = new Map<string, Regexp>();
  readonly root: unknown;

  constructor(private readonly env: EvalEnv) {
    this.maxSteps = env.maxSteps ?? DEFAULT_MAX_STEPS;
    this.memoryBudget = env.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
    this.root = env.root;
  }

  now(): ExprTime {
    return this.env.now();
  }

  alloc(n: number): void {
    this.memory += n;
    if (this.memory > this.memoryBudget) panic('memory budget exceeded');
  }

  private charge(n: number): void {
    this.steps += n;
    if (this.steps > this.maxSteps) {
      panic(`evaluation exceeded the step budget (${this.maxSteps} steps)`);
    }
  }

  run(node: Node): unknown {
    const v = this.evalNode(node);
    return v === CHAIN_NIL ? null : v;
  }

  private evalNode(node: Node): unknown {
    this.charge(1);
    try {
      return this.evalInner(node);
    } catch (e) {
      if (e instanceof Failure && e.loc === undefined)
        throw new Failure(e.kind, e.reason, node.loc);
      throw e;
    }
  }

  private evalInner(node: Node): unknown {
    switch (node.kind) {
      case 'nil':
        return null;
      case 'bool':
      case 'int':
      case 'float':
      case 'string':
        return node.value;
      case 'ident':
        return this.identifier(node.name);
      case 'pointer':
        return this.pointer(node.name);
      case 'unary': {
        const v = this.evalNode(node.operand);
        switch (node.op) {
          case '!':
          case 'not':
            return !asBool(v);
          case '-':
            return negate(v);
          default:
            return v;
        }
      }
      case 'binary':
        return this.binary(node);
      case 'chain': {
        const v = this.evalNode(node.node);
        return v === CHAIN_NIL ? null : v;
      }
      case 'member': {
        const obj = this.evalNode(node.object);
        if (obj === CHAIN_NIL) return CHAIN_NIL;
        if (node.optional && isNil(obj)) return CHAIN_NIL;
        return fetchMember(obj, this.evalNode(node.property));
      }
      case 'slice': {
        const obj = this.evalNode(node.object);
        if (obj === CHAIN_NIL) return CHAIN_NIL;
        const to = node.to ? this.evalNode(node.to) : length(obj);
        const from = node.from ? this.evalNode(node.from) : 0n;
        return slice(obj, from, to);
      }
      case 'call':
        return this.call(node);
      case 'builtin':
        return this.builtin(node);
      case 'conditional':
        return asBool(this.evalNode(node.cond))
          ? this.evalNode(node.then)
          : this.evalNode(node.otherwise);
      case 'array': {
        const out = node.elements.map((e) => this.evalNode(e));
        this.alloc(out.length);
        return out;
      }
      case 'map': {
        const out = new Map<unknown, unknown>();
        for (const pair of node.pairs) {
          const key = asString(this.evalNode(pair.key));
          out.set(key, this.evalNode(pair.value));
        }
        this.alloc(out.size);
        return out;
      }
      case 'let': {
        const value = this.evalNode(node.value);
        this.locals.push({ name: node.name, value });
        try {
          return this.evalNode(node.body);
        } finally {
          this.locals.pop();
        }
      }
      case 'sequence': {
        let last: unknown = null;
        for (const n of node.nodes) last = this.evalNode(n);
        return last;
      }
      case 'predicate':
      case 'pair':
        return panic(`unexpected ${node.kind} node`);
    }
  }

  private identifier(name: string): unknown {
    for (let i = this.locals.length - 1; i >= 0; i--) {
      if (this.locals[i]!.name === name) return this.locals[i]!.value;
    }
    if (this.env.vars.has(name)) return this.env.vars.get(name) ?? null;
    if (name === '$env') return new Map(this.env.vars);
    const f = this.env.functions.get(name);
    if (f) return new ExprFunc(name, f.overloads?.[0]?.go ?? 'func');
    if (BUILTINS.has(name) || PREDICATE_BUILTINS.has(name)) {
      return new ExprFunc(name, 'func(...interface {}) (interface {}, error)');
    }
    return panic(`unknown name ${name}`);
  }

  private pointer(name: string): unknown {
    const scope = this.scopes[this.scopes.length - 1];
    if (!scope) return panic('cannot use pointer accessor outside predicate');
    switch (name) {
      case '':
        return scope.item;
      case 'index':
        return BigInt(scope.index);
      case 'acc':
        return scope.acc;
      default:
        return panic(`unknown pointer #${name}`);
    }
  }

  private regexp(pattern: string): Regexp {
    let re = this.regexps.get(pattern);
    if (!re) {
      try {
        re = compileRegexp(pattern);
      } catch (e) {
        if (e instanceof Failure) panic(`regexp: Compile(${quotePattern(pattern)}): ${e.reason}`);
        throw e;
      }
      this.regexps.set(pattern, re);
    }
    return re;
  }

  private binary(node: Extract<Node, { kind: 'binary' }>): unknown {
    switch (node.op) {
      case '&&':
      case 'and':
        return asBool(this.evalNode(node.left)) ? asBool(this.evalNode(node.right)) : false;
      case '||':
      case 'or':
        return asBool(this.evalNode(node.left)) ? true : asBool(this.evalNode(node.right));
      case '??': {
        const l = this.evalNode(node.left);
        return isNil(l) ? this.evalNode(node.right) : l;
      }
    }
    const l = this.evalNode(node.left);
    const r = this.evalNode(node.right);
    switch (node.op) {
      case '==':
        return equal(l, r);
      case '!=':
        return !equal(l, r);
      case '<':
      case '>':
      case '<=':
      case '>=':
        return compare(node.op, l, r);
      case '+':
        return add(l, r);
      case '-':
        return subtract(l, r);
      case '*':
        return multiply(l, r);
      case '/':
        return divide(l, r);
      case '%':
        return modulo(l, r);
      case '**':
      case '^':
        return goPow(toFloat(l), toFloat(r));
      case 'in':
        return inOp(l, r);
      case 'matches': {
        const re = this.regexp(asString(r));
        return re.test(asString(l), (n) => this.charge(Math.ceil(n / 16)));
      }
      case 'contains': {
        const s = asString(l);
        return s.includes(asString(r));
      }
      case 'startsWith': {
        const s = asString(l);
        return s.startsWith(asString(r));
      }
      case 'endsWith': {
        const s = asString(l);
        return s.endsWith(asString(r));
      }
      case '..': {
        const min = toInt(l);
        const max = toInt(r);
        const size = max - min + 1n;
        if (size <= 0n) return withGoType([], '[]int');
        if (size > BigInt(this.memoryBudget)) panic('memory budget exceeded');
        this.alloc(Number(size));
        const out: bigint[] = [];
        for (let i = 0n; i < size; i++) out.push(min + i);
        return withGoType(out, '[]int');
      }
      default:
        return panic(`unknown operator (${node.op})`);
    }
  }

  private call(node: Extract<Node, { kind: 'call' }>): unknown {
    let callee: unknown;
    if (node.callee.kind === 'member') {
      const m = node.callee;
      const obj = this.evalNode(m.object);
      if (obj === CHAIN_NIL) return CHAIN_NIL;
      if (m.optional && isNil(obj)) return CHAIN_NIL;
      callee = fetchMember(obj, this.evalNode(m.property));
    } else {
      callee = this.evalNode(node.callee);
    }
    const args = node.args.map((a) => this.evalNode(a));
    if (callee instanceof ExprFunc) {
      const spec = this.env.functions.get(callee.name) ?? BUILTINS.get(callee.name);
      if (spec) return spec.run(args, this);
    }
    if (isNil(callee)) return panic('reflect: call of reflect.Value.Call on zero Value');
    return panic(`reflect: call of reflect.Value.Call on ${goKindOf(callee)} Value`);
  }

  private builtin(node: Extract<Node, { kind: 'builtin' }>): unknown {
    if (PREDICATE_BUILTINS.has(node.name)) return this.predicateBuiltin(node);
    const spec = BUILTINS.get(node.name);
    if (!spec) return panic(`unknown builtin ${node.name}`);
    const args = node.args.map((a) => this.evalNode(a));
    return spec.run(args, this);
  }

  /** OpBegin: the collection a predicate builtin iterates. */
  private collection(v: unknown): unknown[] {
    if (Array.isArray(v)) return v as unknown[];
    if (isNil(v)) return panic('reflect: call of reflect.Value.Len on zero Value');
    if (tagOf(v) === 'map') return panic('reflect: call of reflect.Value.Index on map Value');
    return panic(`reflect: call of reflect.Value.Len on ${goKindOf(v)} Value`);
  }

  private loop(
    items: unknown[],
    visit: (scope: Scope) => boolean | void,
    backwards = false,
    startAt = 0,
  ): void {
    const scope: Scope = { item: null, index: 0, acc: null };
    this.scopes.push(scope);
    try {
      for (let k = startAt; k < items.length; k++) {
        const i = backwards ? items.length - 1 - k : k;
        scope.index = i;
        scope.item = items[i] ?? null;
        if (visit(scope) === false) return;
      }
    } finally {
      this.scopes.pop();
    }
  }

  private predicateBuiltin(node: Extract<Node, { kind: 'builtin' }>): unknown {
    const name = node.name;
    const items = this.collection(this.evalNode(node.args[0]!));
    const pred = node.args[1] as PredicateNode | undefined;
    const test = (): boolean => asBool(this.evalNode(pred!.body));
    switch (name) {
      case 'all': {
        let result = true;
        this.loop(items, () => (test() ? undefined : ((result = false), false)));
        return result;
      }
      case 'any': {
        let result = false;
        this.loop(items, () => (test() ? ((result = true), false) : undefined));
        return result;
      }
      case 'none': {
        let result = true;
        this.loop(items, () => (test() ? ((result = false), false) : undefined));
        return result;
      }
      case 'one': {
        let count = 0;
        this.loop(items, () => {
          if (test()) count++;
        });
        return count === 1;
      }
      case 'filter': {
        const out: unknown[] = [];
        this.loop(items, (s) => {
          if (test()) out.push(s.item);
        });
        this.alloc(out.length);
        return out;
      }
      case 'map': {
        const out: unknown[] = [];
        this.loop(items, () => {
          out.push(this.evalNode(pred!.body));
        });
        this.alloc(out.length);
        return out;
      }
      case 'count': {
        let count = 0n;
        this.loop(items, (s) => {
          if (pred ? test() : asBool(s.item)) count++;
        });
        return count;
      }
      case 'sum': {
        let acc: unknown = 0n;
        this.loop(items, (s) => {
          acc = add(pred ? this.evalNode(pred.body) : s.item, acc);
        });
        return acc;
      }
      case 'find':
      case 'findLast': {
        let found: unknown = null;
        this.loop(
          items,
          (s) => (test() ? ((found = s.item), false) : undefined),
          name === 'findLast',
        );
        return found;
      }
      case 'findIndex':
      case 'findLastIndex': {
        let found = -1n;
        this.loop(
          items,
          (s) => (test() ? ((found = BigInt(s.index)), false) : undefined),
          name === 'findLastIndex',
        );
        return found;
      }
      case 'groupBy': {
        const out = new Map<unknown, unknown[]>();
        this.loop(items, (s) => {
          const key = this.evalNode(pred!.body);
          const t = tagOf(key);
          if (t === 'array' || t === 'map')
            panic(`runtime error: hash of unhashable type ${goTypeOf(key)}`);
          const group = out.get(key) ?? [];
          group.push(s.item);
          out.set(key, group);
        });
        this.alloc(out.size);
        return withGoType(out, 'map[interface {}][]interface {}');
      }
      case 'sortBy': {
        const keys: unknown[] = [];
        this.loop(items, () => {
          keys.push(this.evalNode(pred!.body));
        });
        let desc = false;
        if (node.args[2]) {
          const order = asString(this.evalNode(node.args[2]));
          if (order === 'desc') desc = true;
          else if (order !== 'asc') panic(`invalid order ${order}, expected asc or desc`);
        }
        const order = items.map((_, i) => i);
        order.sort((i, j) => {
          if (compare('<', keys[i], keys[j])) return desc ? 1 : -1;
          if (compare('<', keys[j], keys[i])) return desc ? -1 : 1;
          return 0;
        });
        const out = order.map((i) => items[i] ?? null);
        this.alloc(out.length);
        return out;
      }
      case 'reduce': {
        let acc: unknown;
        let start = 0;
        if (node.args[2]) {
          acc = this.evalNode(node.args[2]);
        } else {
          if (items.length === 0) panic('reflect: slice index out of range');
          acc = items[0] ?? null;
          start = 1;
        }
        this.loop(
          items,
          (s) => {
            s.acc = acc;
            acc = this.evalNode(pred!.body);
          },
          false,
          start,
        );
        return acc;
      }
      default:
        return panic(`unknown builtin ${name}`);
    }
  }
}

/** Evaluate a checked program. Throws Failure (positioned at the failing node). */
export function evaluateNode(node: Node, env: EvalEnv): unknown {
  return new Evaluator(env).run(node);
}
