// The subset of Kubernetes JSONPath (k8s.io/client-go/util/jsonpath) that CRD
// additionalPrinterColumns use: fields, indexes, [*], slices and [?(...)] filters. It is a plain
// parser plus an interpreter over JSON values, so no user text is ever executed.

type Literal = string | number | boolean | null;

type Operand = { kind: 'path'; steps: Step[] } | { kind: 'literal'; value: Literal };

type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start?: number; end?: number; step?: number }
  | { kind: 'filter'; left: Operand; op?: CompareOp; right?: Operand };

interface ParsedPath {
  steps: Step[];
  /** [*] or a slice: the caller asked for a list, not one value. */
  multi: boolean;
}

export class JsonPathSyntaxError extends Error {
  constructor(path: string, reason: string) {
    super(`invalid JSONPath ${JSON.stringify(path)}: ${reason}`);
    this.name = 'JsonPathSyntaxError';
  }
}

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly original: string,
  ) {}

  private fail(reason: string): never {
    throw new JsonPathSyntaxError(this.original, `${reason} at offset ${this.pos}`);
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  private eat(s: string): boolean {
    if (this.text.startsWith(s, this.pos)) {
      this.pos += s.length;
      return true;
    }
    return false;
  }

  /** Steps until the end of input, or until a character in `stop` (used inside filters). */
  steps(stop = ''): Step[] {
    const out: Step[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || stop.includes(c)) return out;
      if (c === '.') {
        this.pos++;
        if (this.peek() === '.') this.fail('recursive descent (..) is not supported');
        if (this.peek() === '*') {
          this.pos++;
          out.push({ kind: 'wildcard' });
          continue;
        }
        const name = this.fieldName(stop);
        // A bare "." (as in "{.}") names the current value and adds no step.
        if (name !== '') out.push({ kind: 'field', name });
        continue;
      }
      if (c === '[') {
        this.pos++;
        out.push(this.bracket());
        continue;
      }
      this.fail(`unexpected ${JSON.stringify(c)}`);
    }
  }

  private fieldName(stop: string): string {
    const start = this.pos;
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '.' || c === '[' || stop.includes(c)) break;
      if (c === ' ' || c === '\t') break;
      this.pos++;
    }
    return this.text.slice(start, this.pos);
  }

  private bracket(): Step {
    this.skipSpaces();
    let step: Step;
    const c = this.peek();
    if (c === '*') {
      this.pos++;
      step = { kind: 'wildcard' };
    } else if (c === "'" || c === '"') {
      step = { kind: 'field', name: this.quoted() };
    } else if (c === '?') {
      this.pos++;
      this.skipSpaces();
      if (!this.eat('(')) this.fail('expected "(" after "?"');
      step = this.filter();
      this.skipSpaces();
      if (!this.eat(')')) this.fail('expected ")" closing the filter');
    } else {
      step = this.indexOrSlice();
    }
    this.skipSpaces();
    if (!this.eat(']')) this.fail('expected "]"');
    return step;
  }

  private optionalInt(): number | undefined {
    this.skipSpaces();
    const m = /^-?\d+/.exec(this.text.slice(this.pos));
    if (!m) return undefined;
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private indexOrSlice(): Step {
    const start = this.optionalInt();
    this.skipSpaces();
    if (this.peek() !== ':') {
      if (start === undefined) this.fail('expected an index, "*", a quoted key or a filter');
      return { kind: 'index', index: start };
    }
    this.pos++;
    const end = this.optionalInt();
    this.skipSpaces();
    let step: number | undefined;
    if (this.eat(':')) step = this.optionalInt();
    if (step === 0) this.fail('slice step cannot be 0');
    return { kind: 'slice', start, end, step };
  }

  private quoted(): string {
    const quote = this.peek();
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('unterminated string');
      this.pos++;
      if (c === quote) return out;
      if (c === '\\') {
        const next = this.peek();
        if (next === undefined) this.fail('unterminated string');
        this.pos++;
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
        continue;
      }
      out += c;
    }
  }

  private filter(): Step {
    const left = this.operand();
    this.skipSpaces();
    const m = /^(==|!=|<=|>=|<|>)/.exec(this.text.slice(this.pos));
    if (!m) return { kind: 'filter', left };
    this.pos += m[0].length;
    const right = this.operand();
    return { kind: 'filter', left, op: m[0] as CompareOp, right };
  }

  private operand(): Operand {
    this.skipSpaces();
    const c = this.peek();
    if (c === '@') {
      this.pos++;
      return { kind: 'path', steps: this.steps(' \t)=!<>') };
    }
    if (c === "'" || c === '"') return { kind: 'literal', value: this.quoted() };
    const rest = this.text.slice(this.pos);
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(rest);
    if (num) {
      this.pos += num[0].length;
      return { kind: 'literal', value: Number(num[0]) };
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (rest.startsWith(word)) {
        this.pos += word.length;
        return { kind: 'literal', value };
      }
    }
    return this.fail('expected "@", a string, a number, true, false or null');
  }
}

const cache = new Map<string, ParsedPath>();

function parse(path: string): ParsedPath {
  const hit = cache.get(path);
  if (hit) return hit;
  let text = path.trim();
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) throw new JsonPathSyntaxError(path, 'unbalanced "{"');
    text = text.slice(1, -1).trim();
  }
  if (text.startsWith('$')) text = text.slice(1);
  if (text !== '' && !text.startsWith('.') && !text.startsWith('[')) {
    throw new JsonPathSyntaxError(path, 'must start with "." or "["');
  }
  const steps = new Parser(text, path).steps();
  const parsed: ParsedPath = {
    steps,
    multi: steps.some((s) => s.kind === 'wildcard' || s.kind === 'slice'),
  };
  // Paths come from a handful of CRD columns; the bound only guards against unbounded input.
  if (cache.size >= 1000) cache.clear();
  cache.set(path, parsed);
  return parsed;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sliceArray(a: unknown[], s: { start?: number; end?: number; step?: number }): unknown[] {
  const step = s.step ?? 1;
  const norm = (i: number): number => (i < 0 ? Math.max(a.length + i, 0) : Math.min(i, a.length));
  const out: unknown[] = [];
  if (step > 0) {
    const end = s.end === undefined ? a.length : norm(s.end);
    for (let i = s.start === undefined ? 0 : norm(s.start); i < end; i += step) out.push(a[i]);
  } else {
    const start = s.start === undefined ? a.length - 1 : Math.min(norm(s.start), a.length - 1);
    const end = s.end === undefined ? -1 : norm(s.end);
    for (let i = start; i > end; i += step) out.push(a[i]);
  }
  return out;
}

function compare(a: unknown, op: CompareOp, b: unknown): boolean {
  if (op === '==' || op === '!=') {
    const same = (a === null && b === null) || (typeof a === typeof b && a === b);
    return op === '==' ? same : !same;
  }
  // Ordering between different types is an error in Go's template comparison; no match here.
  if (
    !(typeof a === 'number' && typeof b === 'number') &&
    !(typeof a === 'string' && typeof b === 'string')
  ) {
    return false;
  }
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function operandValues(o: Operand, ctx: unknown): unknown[] {
  return o.kind === 'literal' ? [o.value] : run(o.steps, [ctx]);
}

function matches(step: Extract<Step, { kind: 'filter' }>, element: unknown): boolean {
  const lefts = operandValues(step.left, element);
  if (step.op === undefined || step.right === undefined) return lefts.length > 0;
  const rights = operandValues(step.right, element);
  if (lefts.length === 0 || rights.length === 0) return false;
  return compare(lefts[0], step.op, rights[0]);
}

function run(steps: Step[], start: unknown[]): unknown[] {
  let values = start;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of values) {
      switch (step.kind) {
        case 'field':
          // Missing keys are skipped, as with the apiserver's AllowMissingKeys(true).
          if (isRecord(v) && Object.hasOwn(v, step.name)) next.push(v[step.name]);
          break;
        case 'wildcard':
          if (Array.isArray(v)) next.push(...(v as unknown[]));
          else if (isRecord(v)) next.push(...Object.values(v));
          break;
        case 'index':
          if (Array.isArray(v)) {
            const i = step.index < 0 ? v.length + step.index : step.index;
            if (i >= 0 && i < v.length) next.push(v[i]);
          }
          break;
        case 'slice':
          if (Array.isArray(v)) next.push(...sliceArray(v as unknown[], step));
          break;
        case 'filter':
          if (Array.isArray(v)) for (const e of v as unknown[]) if (matches(step, e)) next.push(e);
          break;
      }
    }
    values = next;
  }
  return values;
}

/**
 * Every value `path` selects, in document order: what the Go implementation's FindResults
 * yields for a single-expression template. Throws JsonPathSyntaxError on a malformed path.
 */
export function jsonPathResults(obj: unknown, path: string): unknown[] {
  return run(parse(path).steps, [obj]);
}

/**
 * Evaluates a printer-column JSONPath such as `.spec.replicas`, `{.a[0]}`, `.a[*].b` or
 * `.status.conditions[?(@.type=="Ready")].status`. Nothing selected gives undefined. A path with
 * `[*]` or a slice gives the array of selected values; any other path (filters included) gives
 * the first selected value, which is the one the apiserver puts in a table cell.
 * Throws JsonPathSyntaxError on a malformed path.
 */
export function evalJsonPath(obj: unknown, path: string): unknown {
  const parsed = parse(path);
  const results = run(parsed.steps, [obj]);
  if (results.length === 0) return undefined;
  return parsed.multi ? results : results[0];
}
