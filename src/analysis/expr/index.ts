// Condition language of AnalysisTemplates (analysis.md §6; dependencies.md §3): the subset of
// expr-lang/expr v1.17.8 that Argo Rollouts users write in successCondition/failureCondition
// and in Prometheus range-query start/end, implemented without any dynamic code.
//
//   const p = compile('len(result) > 0 && result[0] >= 0.95');   // syntax + name/arity checks
//   evaluate(p, { result: [0.97] });                               // → true
//   evaluateCondition('result[0] >= 0.95', [0.97]);                // → true (Argo EvalCondition)
//
// Static typing (§6.4) depends on the concrete type of `result`, so `compile` checks with
// `result` of unknown type and `evaluate` re-checks with the type of the value it is given (or
// the `resultType` the caller declares, e.g. `[]float64` for a Prometheus vector) before running.
//
// Value model returned by `evaluate`: nil → null, bool → boolean, int → bigint, float → number,
// string → string, array → array, map → Map (or the provider's plain object), time →
// ExprTime, duration → ExprDuration. `toPlain` converts to JSON-friendly values.
import type { Node } from './ast.ts';
import { CONDITION_FUNCTIONS, type FunctionSpec, TIME_FUNCTIONS } from './builtins.ts';
import { check } from './checker.ts';
import {
  ExprError,
  ExprRuntimeError,
  ExprSyntaxError,
  ExprTypeError,
  Failure,
  toExprError,
} from './errors.ts';
import { DEFAULT_MAX_STEPS, DEFAULT_MEMORY_BUDGET, evaluateNode } from './evaluator.ts';
import { parse } from './parser.ts';
import { ExprDuration, ExprLocation, ExprTime, formatTime } from './time.ts';
import {
  ANY,
  ARRAY_ANY,
  BOOL,
  FLOAT,
  INT,
  isUnknown,
  MAP_ANY,
  NIL,
  type ResultTypeName,
  resultTypeFromName,
  STRING,
  TIME,
  type Ty,
  typeKey,
  UNKNOWN,
} from './types.ts';
import { goTypeOf, isPlainObject, setGoType, toPlain } from './values.ts';

export { ExprError, ExprRuntimeError, ExprSyntaxError, ExprTypeError };
export { ExprDuration, ExprLocation, ExprTime };
export { toPlain };
export type { ResultTypeName };

/** Longest accepted expression, in UTF-16 code units. */
export const MAX_SOURCE_LENGTH = 16_384;

/** Which environment an expression is compiled against. */
export type ExprEnvironment =
  /** success/failure conditions: `result`, asInt, asFloat, isNaN, isInf, isNil, default. */
  | 'condition'
  /** Prometheus rangeQuery start/end: isNaN, isInf and the builtins only. */
  | 'time';

export interface CompileOptions {
  env?: ExprEnvironment;
}

export interface EvaluateOptions {
  /** Static type of `result` (Go type name); inferred from the value when absent. */
  resultType?: ResultTypeName;
  /** Clock for `now()`. */
  now?: () => Date;
  /** Evaluation step budget (default 1 000 000 node evaluations). */
  maxSteps?: number;
  /** expr's memory budget (default 1 000 000 units). */
  memoryBudget?: number;
}

/** A compiled expression. Immutable; safe to evaluate many times. */
export class Program {
  /** @internal */ readonly ast: Node;
  /** @internal */ readonly chars: readonly string[];
  /** @internal */ readonly checked = new Map<string, Ty>();

  /** @internal */
  constructor(
    readonly source: string,
    readonly env: ExprEnvironment,
    ast: Node,
    chars: readonly string[],
  ) {
    this.ast = ast;
    this.chars = chars;
  }
}

function functionsFor(env: ExprEnvironment): ReadonlyMap<string, FunctionSpec> {
  return env === 'time' ? TIME_FUNCTIONS : CONDITION_FUNCTIONS;
}

function varsFor(env: ExprEnvironment, resultType: Ty): ReadonlyMap<string, Ty> {
  return env === 'time' ? new Map() : new Map([['result', resultType]]);
}

/** Convert an internal failure (or a stack overflow) into an ExprError bound to the source. */
function rethrow(e: unknown, chars: readonly string[], fallback: 'syntax' | 'runtime'): never {
  if (e instanceof Failure) throw toExprError(e, chars);
  if (e instanceof ExprError) throw e;
  if (e instanceof RangeError) {
    const reason = 'expression is nested too deeply';
    throw fallback === 'syntax' ? new ExprSyntaxError(reason) : new ExprRuntimeError(reason);
  }
  // Never let an unexpected JS error escape: the measurement becomes Error, not a crash.
  throw new ExprRuntimeError(`internal error: ${e instanceof Error ? e.message : String(e)}`);
}

/**
 * Parse and statically check an expression (with `result` of unknown type). Throws
 * ExprSyntaxError / ExprTypeError whose message is expr's: `<reason> (<line>:<col>)` plus a caret
 * snippet; the bare reason, line and column are properties of the error.
 */
export function compile(source: string, options: CompileOptions = {}): Program {
  const env = options.env ?? 'condition';
  if (typeof source !== 'string') throw new ExprSyntaxError('expression must be a string');
  if (source.length > MAX_SOURCE_LENGTH) {
    throw new ExprSyntaxError(
      `expression is too long (${source.length} characters, maximum ${MAX_SOURCE_LENGTH})`,
    );
  }
  const chars = Array.from(source);
  let ast: Node;
  try {
    ast = parse(chars);
  } catch (e) {
    rethrow(e, chars, 'syntax');
  }
  const program = new Program(source, env, ast, chars);
  typeCheck(program, UNKNOWN);
  return program;
}

function typeCheck(program: Program, resultType: Ty): Ty {
  const key = typeKey(resultType);
  const cached = program.checked.get(key);
  if (cached) return cached;
  let ty: Ty;
  try {
    ty = check(program.ast, {
      vars: varsFor(program.env, resultType),
      functions: functionsFor(program.env),
    });
  } catch (e) {
    rethrow(e, program.chars, 'syntax');
  }
  if (program.checked.size < 64) program.checked.set(key, ty);
  return ty;
}

/** Static type of a provider value (§6.4): JSON numbers are float64, arrays `[]interface {}`… */
function inferResultType(value: unknown): Ty {
  if (value === null || value === undefined) return NIL;
  switch (typeof value) {
    case 'boolean':
      return BOOL;
    case 'number':
      return FLOAT;
    case 'bigint':
      return INT;
    case 'string':
      return STRING;
  }
  if (Array.isArray(value)) return ARRAY_ANY;
  if (value instanceof Map || isPlainObject(value)) return MAP_ANY;
  if (value instanceof Date || value instanceof ExprTime) return TIME;
  return ANY;
}

function resultOf(env: { result?: unknown }): unknown {
  return Object.hasOwn(env, 'result') ? env.result : undefined;
}

function run(
  program: Program,
  env: { result?: unknown },
  options: EvaluateOptions,
): { value: unknown; type: Ty } {
  const result = resultOf(env);
  const resultType = options.resultType
    ? resultTypeFromName(options.resultType)
    : inferResultType(result);
  const type = typeCheck(program, resultType);
  // Remember the Go type of the provider's array/map for `%T` in messages (`[]float64`).
  if (
    typeof result === 'object' &&
    result !== null &&
    (resultType.kind === 'array' || resultType.kind === 'map')
  ) {
    setGoType(result, resultType.go);
  }
  const clock = options.now ?? (() => new Date());
  let value: unknown;
  try {
    value = evaluateNode(program.ast, {
      vars: program.env === 'time' ? new Map() : new Map([['result', result ?? null]]),
      functions: functionsFor(program.env),
      root: result ?? null,
      now: () => ExprTime.fromDate(clock()),
      maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
      memoryBudget: options.memoryBudget ?? DEFAULT_MEMORY_BUDGET,
    });
  } catch (e) {
    rethrow(e, program.chars, 'runtime');
  }
  return { value, type };
}

/**
 * Evaluate a compiled program against `{ result }`. Type errors for the actual `result` type are
 * ExprTypeError, evaluation failures ExprRuntimeError (messages formatted as in `compile`).
 */
export function evaluate(
  program: Program,
  env: { result?: unknown } = {},
  options: EvaluateOptions = {},
): unknown {
  return run(program, env, options).value;
}

/** Go `%T` of the program's output, preferring the static type when it is concrete. */
function outputTypeName(value: unknown, type: Ty): string {
  if (!isUnknown(type) && type.kind !== 'nil' && type.go !== undefined) {
    // Static and runtime agree except for the int flavours and array/map element types.
    if (type.kind === 'int' || type.kind === 'array' || type.kind === 'map') return type.go;
  }
  return goTypeOf(value);
}

const conditionCache = new Map<string, Program>();
const CONDITION_CACHE_SIZE = 256;

function compileCached(source: string, env: ExprEnvironment): Program {
  const key = `${env}\u0000${source}`;
  let p = conditionCache.get(key);
  if (p) {
    conditionCache.delete(key);
    conditionCache.set(key, p);
    return p;
  }
  p = compile(source, { env });
  conditionCache.set(key, p);
  if (conditionCache.size > CONDITION_CACHE_SIZE) {
    conditionCache.delete(conditionCache.keys().next().value!);
  }
  return p;
}

/**
 * Argo Rollouts `EvalCondition`: compile and run `condition` with `result`; the output must be a
 * bool (`expected bool, but got int` otherwise). Errors are thrown as ExprError whose `message`
 * is the bare reason, as Argo reports it (no position or snippet; see `formatted()`).
 */
export function evaluateCondition(
  condition: string,
  result: unknown,
  options: EvaluateOptions = {},
): boolean {
  try {
    const program = compileCached(condition, 'condition');
    const { value, type } = run(program, { result }, options);
    if (typeof value !== 'boolean') {
      throw new ExprRuntimeError(`expected bool, but got ${outputTypeName(value, type)}`);
    }
    return value;
  } catch (e) {
    if (e instanceof ExprError) throw e.bare();
    throw e;
  }
}

/**
 * A Prometheus rangeQuery `start`/`end` expression (§6.10): evaluated with only isNaN, isInf and
 * the builtins; the output must be a time (`expected time.Time, but got <T>`).
 */
export function evaluateTime(source: string, options: { now?: () => Date } = {}): ExprTime {
  try {
    const program = compileCached(source, 'time');
    const { value } = run(program, {}, { now: options.now });
    if (value instanceof Date) return ExprTime.fromDate(value);
    if (!(value instanceof ExprTime)) {
      throw new ExprRuntimeError(`expected time.Time, but got ${goTypeOf(value)}`);
    }
    return value;
  } catch (e) {
    if (e instanceof ExprError) throw e.bare();
    throw e;
  }
}

/**
 * §3.7: when `result` is nil or an empty array, a condition error is reported as
 * `metric result is nil or empty: no data returned from the metric provider`.
 */
export function isNilOrEmptyResult(result: unknown): boolean {
  return result === null || result === undefined || (Array.isArray(result) && result.length === 0);
}

/** Go Time.String() of an ExprTime (`2023-08-13 23:00:00 +0000 UTC`). */
export function timeString(t: ExprTime): string {
  return formatTime(t);
}
