// Static types ("natures") of the checker (analysis.md §6.4), modelled on expr-lang's
// checker/nature: a kind plus the Go type string expr prints in its messages. Two flavours of
// "unknown" exist as in expr: `unknown` (no type information at all, printed `unknown`) and
// `interface` (Go `interface {}`, e.g. a map element); both are permissive. `nil` is a known type.

export type Kind =
  | 'unknown'
  | 'interface'
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
  | 'predicate';

export interface FnSig {
  readonly name: string;
  readonly params: readonly Ty[];
  readonly out: Ty;
}

export interface Ty {
  readonly kind: Kind;
  /** Go type string; undefined for expr's no-information nature and for nil. */
  readonly go?: string;
  /** Element type of arrays and maps. */
  readonly elem?: Ty;
  /** Signature of a function value. */
  readonly fn?: FnSig;
  /** Output of a predicate (`{ … }`); null when the body is nil and so has no output. */
  readonly out?: Ty | null;
}

export const UNKNOWN: Ty = { kind: 'unknown' };
export const ANY: Ty = { kind: 'interface', go: 'interface {}' };
export const NIL: Ty = { kind: 'nil' };
export const BOOL: Ty = { kind: 'bool', go: 'bool' };
export const INT: Ty = { kind: 'int', go: 'int' };
export const INT64: Ty = { kind: 'int', go: 'int64' };
export const FLOAT: Ty = { kind: 'float', go: 'float64' };
export const STRING: Ty = { kind: 'string', go: 'string' };
export const TIME: Ty = { kind: 'time', go: 'time.Time' };
export const DURATION: Ty = { kind: 'duration', go: 'time.Duration' };
export const LOCATION: Ty = { kind: 'location', go: '*time.Location' };

/** An array type. expr builds `[]interface {}` natures that remember their element type. */
export function arrayOf(elem: Ty, go = '[]interface {}'): Ty {
  return { kind: 'array', go, elem };
}

export function mapOf(elem: Ty = ANY, go = 'map[string]interface {}'): Ty {
  return { kind: 'map', go, elem };
}

export const ARRAY_ANY = arrayOf(ANY);
export const MAP_ANY = mapOf(ANY);

export function funcTy(name: string, params: readonly Ty[], out: Ty): Ty {
  const go = `func(${params.map((p) => p.go ?? 'interface {}').join(', ')}) ${out.go ?? 'interface {}'}`;
  return { kind: 'func', go, fn: { name, params, out } };
}

export function isUnknown(t: Ty): boolean {
  return t.kind === 'unknown' || t.kind === 'interface';
}

export function isNumber(t: Ty): boolean {
  return t.kind === 'int' || t.kind === 'float';
}

/** Nature.String(): the Go type, or `unknown`. */
export function natureString(t: Ty): string {
  return t.go ?? 'unknown';
}

/** The reflect.Type string a builtin validator prints (`<nil>` for nil, `interface {}` for unknown). */
export function reflectString(t: Ty): string {
  if (t.kind === 'nil') return '<nil>';
  if (isUnknown(t)) return 'interface {}';
  return t.go ?? 'interface {}';
}

/** Element type of an array or map (unknown otherwise). */
export function elemOf(t: Ty): Ty {
  return t.elem ?? UNKNOWN;
}

/** Nature.AssignableTo. */
export function assignable(a: Ty, b: Ty): boolean {
  if (a.kind === 'nil') {
    if (['interface', 'array', 'map', 'func', 'location'].includes(b.kind)) return true;
  }
  if (a.go === undefined || b.go === undefined) return false;
  if (b.kind === 'interface') return true;
  if (a.kind !== b.kind) return false;
  return a.go === b.go;
}

/** Nature.ComparableTo (static `==`/`!=`). */
export function comparable(a: Ty, b: Ty): boolean {
  return (
    isUnknown(a) ||
    isUnknown(b) ||
    a.kind === 'nil' ||
    b.kind === 'nil' ||
    (isNumber(a) && isNumber(b)) ||
    (a.kind === 'duration' && b.kind === 'duration') ||
    (a.kind === 'time' && b.kind === 'time') ||
    (a.kind === 'array' && b.kind === 'array') ||
    assignable(a, b)
  );
}

export type Check =
  'bool' | 'string' | 'integer' | 'number' | 'map' | 'array' | 'time' | 'duration';

export function isAnyOf(t: Ty, checks: readonly Check[]): boolean {
  return checks.some((c) => {
    switch (c) {
      case 'bool':
        return t.kind === 'bool';
      case 'string':
        return t.kind === 'string';
      case 'integer':
        return t.kind === 'int';
      case 'number':
        return isNumber(t);
      case 'map':
        return t.kind === 'map';
      case 'array':
        return t.kind === 'array';
      case 'time':
        return t.kind === 'time';
      case 'duration':
        return t.kind === 'duration';
    }
  });
}

/** Nature.MaybeCompatible: at least one side unknown and the other unknown or of an allowed kind. */
export function maybeCompatible(a: Ty, b: Ty, checks: readonly Check[]): boolean {
  const ua = isUnknown(a);
  const ub = isUnknown(b);
  return (ua && ub) || (ua && isAnyOf(b, checks)) || (ub && isAnyOf(a, checks));
}

/** Nature.PromoteNumericNature. */
export function promote(a: Ty, b: Ty): Ty {
  if (isUnknown(a) || isUnknown(b)) return UNKNOWN;
  return a.kind === 'float' || b.kind === 'float' ? FLOAT : INT;
}

/**
 * Static type of a provider result, by Go type name (analysis.md §6.4 table): e.g. `float64`
 * (Prometheus scalar), `[]float64` (vector/matrix), `[]interface {}` and `map[string]interface {}`
 * (web JSON), `string`, `bool`, `nil`.
 */
export type ResultTypeName =
  | 'float64'
  | 'int64'
  | 'string'
  | 'bool'
  | 'nil'
  | 'interface {}'
  | '[]float64'
  | '[]string'
  | '[]interface {}'
  | '[]map[string]interface {}'
  | 'map[string]interface {}';

export function resultTypeFromName(name: ResultTypeName): Ty {
  switch (name) {
    case 'float64':
      return FLOAT;
    case 'int64':
      return INT64;
    case 'string':
      return STRING;
    case 'bool':
      return BOOL;
    case 'nil':
      return NIL;
    case 'interface {}':
      return ANY;
    case '[]float64':
      return arrayOf(FLOAT, '[]float64');
    case '[]string':
      return arrayOf(STRING, '[]string');
    case '[]interface {}':
      return ARRAY_ANY;
    case '[]map[string]interface {}':
      return arrayOf(MAP_ANY, '[]map[string]interface {}');
    case 'map[string]interface {}':
      return MAP_ANY;
  }
}

/** A stable key for caching checks per result type. */
export function typeKey(t: Ty): string {
  return `${t.kind}:${t.go ?? ''}:${t.elem ? typeKey(t.elem) : ''}`;
}
