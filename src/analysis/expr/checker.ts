// Static checker (analysis.md §6.4), a port of expr-lang v1.17 checker/checker.go over the kinds
// of types.ts. It runs before evaluation with the type of the actual `result`, so e.g.
// `"1" < 2`, `asFloat(result) == "1.1"`, `result < 0.05` with a nil result, unknown names and
// wrong builtin arity are errors before anything is evaluated. Only operands whose types are
// both known are rejected; `unknown` operands are left to the runtime. Messages and positions
// are expr's.
import type { Node, PredicateNode } from './ast.ts';
import { BUILTINS, type FunctionSpec } from './builtins.ts';
import { Failure } from './errors.ts';
import { PREDICATE_BUILTINS } from './names.ts';
import { compileRegexp } from './regexp.ts';
import {
  ANY,
  ARRAY_ANY,
  arrayOf,
  assignable,
  BOOL,
  comparable,
  DURATION,
  elemOf,
  FLOAT,
  funcTy,
  INT,
  isNumber,
  isUnknown,
  MAP_ANY,
  mapOf,
  maybeCompatible,
  natureString,
  NIL,
  promote,
  STRING,
  TIME,
  type Ty,
  UNKNOWN,
} from './types.ts';

export interface CheckEnv {
  /** Variables (`result`) and their static types. */
  readonly vars: ReadonlyMap<string, Ty>;
  /** Functions of the environment (asInt, asFloat, …). */
  readonly functions: ReadonlyMap<string, FunctionSpec>;
}

interface PredicateScope {
  collection: Ty;
  vars: ReadonlyMap<string, Ty>;
}

const PREDICATE_TY = (out: Ty | null): Ty => ({
  kind: 'predicate',
  go: 'func(interface {}) interface {}',
  out,
});

function mapKey(t: Ty): Ty {
  return t.go?.startsWith('map[string]') ? STRING : ANY;
}

class Checker {
  private readonly predicateScopes: PredicateScope[] = [];
  private readonly varScopes: { name: string; ty: Ty }[] = [];
  private readonly memo = new Map<Node, Ty>();

  constructor(private readonly env: CheckEnv) {}

  private error(node: Node, reason: string): never {
    throw new Failure('type', reason, node.loc);
  }

  visit(node: Node): Ty {
    const cached = this.memo.get(node);
    if (cached) return cached;
    const ty = this.visitInner(node);
    this.memo.set(node, ty);
    return ty;
  }

  private visitInner(node: Node): Ty {
    switch (node.kind) {
      case 'nil':
        return NIL;
      case 'bool':
        return BOOL;
      case 'int':
        return INT;
      case 'float':
        return FLOAT;
      case 'string':
        return STRING;
      case 'ident':
        return this.identifier(node.name, node);
      case 'pointer':
        return this.pointer(node);
      case 'unary':
        return this.unary(node);
      case 'binary':
        return this.binary(node);
      case 'chain':
        return this.visit(node.node);
      case 'member':
        return this.member(node);
      case 'slice':
        return this.slice(node);
      case 'call':
        return this.call(node);
      case 'builtin':
        return this.builtin(node);
      case 'predicate':
        return this.predicate(node);
      case 'conditional':
        return this.conditional(node);
      case 'array':
        return this.array(node);
      case 'map':
        for (const p of node.pairs) this.visit(p);
        return MAP_ANY;
      case 'pair':
        this.visit(node.key);
        this.visit(node.value);
        return NIL;
      case 'let':
        return this.let(node);
      case 'sequence': {
        let last: Ty = UNKNOWN;
        for (const n of node.nodes) last = this.visit(n);
        return last;
      }
    }
  }

  private identifier(name: string, node: Node): Ty {
    for (let i = this.varScopes.length - 1; i >= 0; i--) {
      if (this.varScopes[i]!.name === name) return this.varScopes[i]!.ty;
    }
    if (name === '$env') return UNKNOWN;
    return this.ident(node, name, true, true);
  }

  private ident(node: Node, name: string, strict: boolean, builtins: boolean): Ty {
    const v = this.env.vars.get(name);
    if (v) return v;
    if (builtins) {
      const f = this.env.functions.get(name);
      if (f?.overloads?.[0]) return f.overloads[0];
      if (BUILTINS.has(name) || PREDICATE_BUILTINS.has(name)) {
        return { ...funcTy(name, [], ANY), go: 'func(...interface {}) (interface {}, error)' };
      }
    }
    if (strict) this.error(node, `unknown name ${name}`);
    return UNKNOWN;
  }

  private unary(node: Extract<Node, { kind: 'unary' }>): Ty {
    const t = this.visit(node.operand);
    switch (node.op) {
      case '!':
      case 'not':
        if (t.kind === 'bool' || isUnknown(t)) return BOOL;
        break;
      case '+':
      case '-':
        if (isNumber(t)) return t;
        if (isUnknown(t)) return UNKNOWN;
        break;
      default:
        this.error(node, `unknown operator (${node.op})`);
    }
    return this.error(node, `invalid operation: ${node.op} (mismatched type ${natureString(t)})`);
  }

  private binary(node: Extract<Node, { kind: 'binary' }>): Ty {
    const l = this.visit(node.left);
    const r = this.visit(node.right);
    switch (node.op) {
      case '==':
      case '!=':
        if (comparable(l, r)) return BOOL;
        break;
      case 'or':
      case '||':
      case 'and':
      case '&&':
        if (l.kind === 'bool' && r.kind === 'bool') return BOOL;
        if (maybeCompatible(l, r, ['bool'])) return BOOL;
        break;
      case '<':
      case '>':
      case '>=':
      case '<=':
        if (isNumber(l) && isNumber(r)) return BOOL;
        if (l.kind === 'string' && r.kind === 'string') return BOOL;
        if (l.kind === 'time' && r.kind === 'time') return BOOL;
        if (l.kind === 'duration' && r.kind === 'duration') return BOOL;
        if (maybeCompatible(l, r, ['number', 'string', 'time', 'duration'])) return BOOL;
        break;
      case '-':
        if (isNumber(l) && isNumber(r)) return promote(l, r);
        if (l.kind === 'time' && r.kind === 'time') return DURATION;
        if (l.kind === 'time' && r.kind === 'duration') return TIME;
        if (l.kind === 'duration' && r.kind === 'duration') return DURATION;
        if (maybeCompatible(l, r, ['number', 'time', 'duration'])) return UNKNOWN;
        break;
      case '*':
        if (isNumber(l) && isNumber(r)) return promote(l, r);
        if (isNumber(l) && r.kind === 'duration') return DURATION;
        if (l.kind === 'duration' && isNumber(r)) return DURATION;
        if (l.kind === 'duration' && r.kind === 'duration') return DURATION;
        if (maybeCompatible(l, r, ['number', 'duration'])) return UNKNOWN;
        break;
      case '/':
        if (isNumber(l) && isNumber(r)) return FLOAT;
        if (maybeCompatible(l, r, ['number'])) return FLOAT;
        break;
      case '**':
      case '^':
        if (isNumber(l) && isNumber(r)) return FLOAT;
        if (maybeCompatible(l, r, ['number'])) return FLOAT;
        break;
      case '%':
        if (l.kind === 'int' && r.kind === 'int') return INT;
        if (maybeCompatible(l, r, ['integer'])) return INT;
        break;
      case '+':
        if (isNumber(l) && isNumber(r)) return promote(l, r);
        if (l.kind === 'string' && r.kind === 'string') return STRING;
        if (l.kind === 'time' && r.kind === 'duration') return TIME;
        if (l.kind === 'duration' && r.kind === 'time') return TIME;
        if (l.kind === 'duration' && r.kind === 'duration') return DURATION;
        if (maybeCompatible(l, r, ['number', 'string', 'time', 'duration'])) return UNKNOWN;
        break;
      case 'in':
        if (r.kind === 'map') {
          const key = mapKey(r);
          if (!isUnknown(l) && !assignable(l, key)) {
            this.error(
              node,
              `cannot use ${natureString(l)} as type ${natureString(key)} in map key`,
            );
          }
          return BOOL;
        }
        if (r.kind === 'array') {
          const elem = elemOf(r);
          if (!comparable(l, elem)) {
            this.error(
              node,
              `cannot use ${natureString(l)} as type ${natureString(elem)} in array`,
            );
          }
          return BOOL;
        }
        if (isUnknown(l) && ['string', 'array', 'map'].includes(r.kind)) return BOOL;
        if (isUnknown(r)) return BOOL;
        break;
      case 'matches':
        if (node.right.kind === 'string') {
          try {
            compileRegexp(node.right.value);
          } catch (e) {
            if (e instanceof Failure) this.error(node, e.reason);
            throw e;
          }
        }
        if (l.kind === 'string' && r.kind === 'string') return BOOL;
        if (maybeCompatible(l, r, ['string'])) return BOOL;
        break;
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        if (l.kind === 'string' && r.kind === 'string') return BOOL;
        if (maybeCompatible(l, r, ['string'])) return BOOL;
        break;
      case '..':
        if ((l.kind === 'int' && r.kind === 'int') || maybeCompatible(l, r, ['integer'])) {
          return arrayOf(INT);
        }
        break;
      case '??':
        if (l.kind === 'nil' && r.kind !== 'nil') return r;
        if (l.kind !== 'nil' && r.kind === 'nil') return l;
        if (l.kind === 'nil' && r.kind === 'nil') return NIL;
        if (assignable(r, l)) return l;
        return UNKNOWN;
      default:
        this.error(node, `unknown operator (${node.op})`);
    }
    return this.error(
      node,
      `invalid operation: ${node.op} (mismatched types ${natureString(l)} and ${natureString(r)})`,
    );
  }

  private member(node: Extract<Node, { kind: 'member' }>): Ty {
    if (node.object.kind === 'ident' && node.object.name === '$env') {
      if (node.property.kind === 'string') {
        return this.ident(node, node.property.value, !node.optional, false);
      }
      return UNKNOWN;
    }
    const base = this.visit(node.object);
    const prop = this.visit(node.property);
    if (isUnknown(base)) return UNKNOWN;
    const name = node.property.kind === 'string' ? node.property.value : undefined;
    if (name !== undefined && base.kind === 'nil')
      this.error(node, `type nil has no field ${name}`);
    switch (base.kind) {
      case 'map': {
        const key = mapKey(base);
        if (!assignable(prop, key) && !isUnknown(prop)) {
          this.error(
            node.property,
            `cannot use ${natureString(prop)} to get an element from ${natureString(base)}`,
          );
        }
        return elemOf(base);
      }
      case 'array':
        if (prop.kind !== 'int' && !isUnknown(prop)) {
          this.error(
            node.property,
            `array elements can only be selected using an integer (got ${natureString(prop)})`,
          );
        }
        return elemOf(base);
    }
    if (name !== undefined) {
      this.error(
        node,
        node.method
          ? `type ${natureString(base)} has no method ${name}`
          : `type ${natureString(base)} has no field ${name}`,
      );
    }
    return this.error(node, `type ${natureString(base)}[${natureString(prop)}] is undefined`);
  }

  private slice(node: Extract<Node, { kind: 'slice' }>): Ty {
    const t = this.visit(node.object);
    if (isUnknown(t)) return UNKNOWN;
    if (t.kind !== 'string' && t.kind !== 'array')
      this.error(node, `cannot slice ${natureString(t)}`);
    for (const bound of [node.from, node.to]) {
      if (!bound) continue;
      const b = this.visit(bound);
      if (b.kind !== 'int' && !isUnknown(b)) {
        this.error(bound, `non-integer slice index ${natureString(b)}`);
      }
    }
    return t;
  }

  private call(node: Extract<Node, { kind: 'call' }>): Ty {
    const t = this.visit(node.callee);
    if (isUnknown(t)) return UNKNOWN;
    if (t.kind === 'func' && t.fn) {
      const spec = this.env.functions.get(t.fn.name) ?? BUILTINS.get(t.fn.name);
      if (spec) return this.checkFunction(t.fn.name, spec, node, node.args);
    }
    let fnName = 'function';
    if (node.callee.kind === 'ident') fnName = node.callee.name;
    if (node.callee.kind === 'member' && node.callee.property.kind === 'string') {
      fnName = node.callee.property.value;
    }
    if (t.kind === 'nil') this.error(node, `${fnName} is nil; cannot call nil as function`);
    return this.error(node, `${natureString(t)} is not callable`);
  }

  private checkFunction(name: string, spec: FunctionSpec, node: Node, args: readonly Node[]): Ty {
    if (spec.validate) {
      const types = args.map((a) => {
        const t = this.visit(a);
        return isUnknown(t) ? ANY : t;
      });
      const r = spec.validate(types);
      if ('error' in r) this.error(node, r.error);
      return r;
    }
    let last: Failure | undefined;
    for (const overload of spec.overloads ?? []) {
      const r = this.checkArguments(name, overload, args, node);
      if (!(r instanceof Failure)) return r;
      last = r;
    }
    if (last) throw last;
    return this.error(node, `no matching overload for ${name}`);
  }

  private checkArguments(name: string, fn: Ty, args: readonly Node[], node: Node): Ty | Failure {
    const sig = fn.fn!;
    let arityError: string | undefined;
    if (args.length > sig.params.length) arityError = `too many arguments to call ${name}`;
    if (args.length < sig.params.length) arityError = `not enough arguments to call ${name}`;
    if (arityError) {
      for (const a of args) this.visit(a);
      return new Failure('type', arityError, node.loc);
    }
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      const t = this.visit(arg);
      const param = sig.params[i]!;
      if (param.kind === 'float' && t.kind === 'int') continue;
      if (param.kind === 'int' && t.kind === 'int' && t.go !== param.go) continue;
      if (t.kind === 'nil') {
        if (param.kind === 'location' || param.kind === 'interface') continue;
        return new Failure(
          'type',
          `cannot use nil as argument (type ${natureString(param)}) to call ${name}`,
          arg.loc,
        );
      }
      if (!assignable(t, param) && !isUnknown(t)) {
        return new Failure(
          'type',
          `cannot use ${natureString(t)} as argument (type ${natureString(param)}) to call ${name} `,
          arg.loc,
        );
      }
    }
    return sig.out;
  }

  private withScope<T>(collection: Ty, vars: [string, Ty][], f: () => T): T {
    this.predicateScopes.push({ collection, vars: new Map(vars) });
    try {
      return f();
    } finally {
      this.predicateScopes.pop();
    }
  }

  private builtin(node: Extract<Node, { kind: 'builtin' }>): Ty {
    const name = node.name;
    if (PREDICATE_BUILTINS.has(name)) return this.predicateBuiltin(node);
    if (name === 'get') return this.builtinGet(node);
    const spec = BUILTINS.get(name);
    if (!spec) this.error(node, `unknown builtin ${name}`);
    return this.checkFunction(name, spec, node, node.args);
  }

  private predicateBuiltin(node: Extract<Node, { kind: 'builtin' }>): Ty {
    const name = node.name;
    const [arg0, arg1, arg2] = node.args as [Node, Node | undefined, Node | undefined];
    const collection = this.visit(arg0);
    if (collection.kind !== 'array' && !isUnknown(collection)) {
      this.error(arg0, `builtin ${name} takes only array (got ${natureString(collection)})`);
    }
    const vars: [string, Ty][] =
      name === 'map'
        ? [['index', INT]]
        : name === 'reduce'
          ? [
              ['index', INT],
              ['acc', UNKNOWN],
            ]
          : [];
    if ((name === 'count' || name === 'sum') && arg1 === undefined) {
      if (name === 'count') return INT;
      return isUnknown(collection) ? UNKNOWN : elemOf(collection);
    }
    const predicate = this.withScope(collection, vars, () => this.visit(arg1!));
    if (arg2) this.visit(arg2);
    const out = predicate.out;
    const shape = (): never =>
      this.error(
        arg1!,
        name === 'reduce'
          ? 'predicate should has two input and one output param'
          : 'predicate should has one input and one output param',
      );
    if (out === null || out === undefined) return shape();
    const requireBool = (): void => {
      if (out.kind !== 'bool' && !isUnknown(out)) {
        this.error(arg1!, `predicate should return boolean (got ${natureString(out)})`);
      }
    };
    switch (name) {
      case 'all':
      case 'none':
      case 'any':
      case 'one':
        requireBool();
        return BOOL;
      case 'filter':
        requireBool();
        return isUnknown(collection) ? ARRAY_ANY : arrayOf(elemOf(collection));
      case 'map':
        return arrayOf(this.visit((arg1 as PredicateNode).body));
      case 'count':
      case 'findIndex':
      case 'findLastIndex':
        requireBool();
        return INT;
      case 'sum':
        return out;
      case 'find':
      case 'findLast':
        requireBool();
        return isUnknown(collection) ? UNKNOWN : elemOf(collection);
      case 'groupBy':
        return mapOf(
          arrayOf(isUnknown(collection) ? ANY : elemOf(collection)),
          'map[interface {}][]interface {}',
        );
      case 'sortBy':
        return collection;
      case 'reduce':
        return this.visit((arg1 as PredicateNode).body);
      default:
        return this.error(node, `unknown builtin ${name}`);
    }
  }

  private predicate(node: PredicateNode): Ty {
    const t = this.visit(node.body);
    if (isUnknown(t)) return PREDICATE_TY(ANY);
    return PREDICATE_TY(t.kind === 'nil' ? null : t);
  }

  private pointer(node: Extract<Node, { kind: 'pointer' }>): Ty {
    const scope = this.predicateScopes[this.predicateScopes.length - 1];
    if (!scope) return this.error(node, 'cannot use pointer accessor outside predicate');
    if (node.name === '') {
      if (isUnknown(scope.collection)) return UNKNOWN;
      if (scope.collection.kind === 'array') return elemOf(scope.collection);
      return this.error(node, `cannot use ${natureString(scope.collection)} as array`);
    }
    const v = scope.vars.get(node.name);
    if (v) return v;
    return this.error(node, `unknown pointer #${node.name}`);
  }

  private builtinGet(node: Extract<Node, { kind: 'builtin' }>): Ty {
    if (node.args.length !== 2) {
      this.error(node, `invalid number of arguments (expected 2, got ${node.args.length})`);
    }
    const [a, k] = node.args as [Node, Node];
    const base = this.visit(a);
    const prop = this.visit(k);
    if (a.kind === 'ident' && a.name === '$env') {
      if (k.kind === 'string') return this.env.vars.get(k.value) ?? UNKNOWN;
      return UNKNOWN;
    }
    if (isUnknown(base)) return UNKNOWN;
    if (base.kind === 'array') {
      if (prop.kind !== 'int' && !isUnknown(prop)) {
        this.error(k, `non-integer slice index ${natureString(prop)}`);
      }
      return elemOf(base);
    }
    if (base.kind === 'map') {
      if (!assignable(prop, mapKey(base)) && !isUnknown(prop)) {
        this.error(
          k,
          `cannot use ${natureString(prop)} to get an element from ${natureString(base)}`,
        );
      }
      return elemOf(base);
    }
    return this.error(a, `type ${natureString(base)} does not support indexing`);
  }

  private let(node: Extract<Node, { kind: 'let' }>): Ty {
    const name = node.name;
    if (this.env.vars.has(name) || this.env.functions.has(name) || name === '$env') {
      this.error(node, `cannot redeclare ${name}`);
    }
    if (BUILTINS.has(name) || PREDICATE_BUILTINS.has(name))
      this.error(node, `cannot redeclare builtin ${name}`);
    if (this.varScopes.some((s) => s.name === name))
      this.error(node, `cannot redeclare variable ${name}`);
    const ty = this.visit(node.value);
    this.varScopes.push({ name, ty });
    try {
      return this.visit(node.body);
    } finally {
      this.varScopes.pop();
    }
  }

  private conditional(node: Extract<Node, { kind: 'conditional' }>): Ty {
    const c = this.visit(node.cond);
    if (c.kind !== 'bool' && !isUnknown(c)) {
      this.error(node.cond, `non-bool expression (type ${natureString(c)}) used as condition`);
    }
    const t1 = this.visit(node.then);
    const t2 = this.visit(node.otherwise);
    if (t1.kind === 'nil' && t2.kind !== 'nil') return t2;
    if (t1.kind !== 'nil' && t2.kind === 'nil') return t1;
    if (t1.kind === 'nil' && t2.kind === 'nil') return NIL;
    if (assignable(t1, t2)) {
      if (t1.kind === 'array' && t2.kind === 'array') {
        const e1 = elemOf(t1);
        const e2 = elemOf(t2);
        if (!assignable(e1, e2) || !assignable(e2, e1)) return ARRAY_ANY;
      }
      return t1;
    }
    return UNKNOWN;
  }

  private array(node: Extract<Node, { kind: 'array' }>): Ty {
    let prev: Ty = UNKNOWN;
    let same = true;
    node.elements.forEach((e, i) => {
      const t = this.visit(e);
      if (i > 0 && kindOfNature(t) !== kindOfNature(prev)) same = false;
      prev = t;
    });
    return same ? arrayOf(prev) : ARRAY_ANY;
  }
}

/** reflect.Kind as the array-literal rule compares it (nil and no-information are both Invalid). */
function kindOfNature(t: Ty): string {
  if (t.kind === 'unknown' || t.kind === 'nil') return 'invalid';
  if (t.kind === 'int') return t.go ?? 'int';
  return t.kind;
}

/** Type-check `node` in `env`; returns the static type of the program or throws a Failure. */
export function check(node: Node, env: CheckEnv): Ty {
  return new Checker(env).visit(node);
}
