// The Web metric provider (spec/analysis.md §5.1): one HTTP request per measurement; a JSON
// response is narrowed with a kubectl-dialect JSONPath (client-go util/jsonpath) and the first
// value found becomes `result`; `value` is that value re-encoded the way Go's json.Marshal does
// (sorted keys, `<>&` escaped). A non-JSON body is the result as is.
import axios, { type AxiosResponse } from 'axios';
import {
  attachResult,
  clockOf,
  errorMeasurement,
  evaluatePhase,
  fetchOAuth2Token,
  goOp,
  goQuote,
  metaTime,
  OAUTH2_MISSING_PARAMS,
  proxyFor,
  setHeader,
  tlsAgents,
  transportError,
  type Measurement,
  type Metric,
  type MetricProvider,
  type ProviderContext,
} from './provider.ts';

/** Seconds (§5.1): absent or ≤ 0 means this. */
export const DEFAULT_WEB_TIMEOUT_SECONDS = 10;

// ---------------------------------------------------------------------------------------------
// Go encoding/json output

/** Go's float64 JSON encoding: like JS except `-0`. */
function goJsonNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`json: unsupported value: ${String(n)}`);
  if (Object.is(n, -0)) return '-0';
  return JSON.stringify(n);
}

/** Go json string escaping: JSON.stringify plus `<`, `>`, `&`, U+2028, U+2029 as \u escapes. */
function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) =>
    c === '<'
      ? '\\u003c'
      : c === '>'
        ? '\\u003e'
        : c === '&'
          ? '\\u0026'
          : c === '\u2028'
            ? '\\u2028'
            : '\\u2029',
  );
}

/** Go map keys are sorted by their UTF-8 bytes. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Go `json.Marshal` of a decoded JSON value (`map[string]any` keys sorted). */
export function goJsonMarshal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return goJsonNumber(v);
  if (typeof v === 'string') return goJsonString(v);
  if (Array.isArray(v)) return `[${v.map(goJsonMarshal).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort(compareUtf8);
    return `{${keys.map((k) => `${goJsonString(k)}:${goJsonMarshal(o[k])}`).join(',')}}`;
  }
  throw new Error(`json: unsupported type: ${typeof v}`);
}

/** Go `json.Marshal(json.RawMessage)`: compacted in the given key order, HTML-escaped. */
function goCompactJson(v: unknown): string {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .map((k) => `${goJsonString(k)}:${goCompactJson(o[k])}`)
      .join(',')}}`;
  }
  if (Array.isArray(v)) return `[${v.map(goCompactJson).join(',')}]`;
  return goJsonMarshal(v);
}

// ---------------------------------------------------------------------------------------------
// kubectl JSONPath

type Literal = string | number | boolean | null;

type Step =
  | { k: 'field'; name: string }
  | { k: 'wildcard' }
  | { k: 'recursive' }
  | { k: 'array'; start?: number; end?: number; step?: number; derivedEnd: boolean }
  | { k: 'union'; branches: Step[][] }
  | { k: 'filter'; left: Operand; op: string; right?: Operand }
  | { k: 'literal'; value: Literal };

type Operand = { k: 'path'; steps: Step[] } | { k: 'literal'; value: Literal };

export type TemplateNode = { k: 'text'; text: string } | { k: 'action'; steps: Step[] };

export class JsonPathError extends Error {}

/** Go reflect type names used in jsonpath error messages. */
function goTypeName(v: unknown): string {
  if (Array.isArray(v)) return '[]interface {}';
  if (v === null || v === undefined) return 'interface {}';
  switch (typeof v) {
    case 'number':
      return 'float64';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    default:
      return 'map[string]interface {}';
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const TERMINATORS = ' \t\r\n.,[]$@{}()=!<>';

class ActionParser {
  pos = 0;
  constructor(private readonly s: string) {}

  fail(msg: string): never {
    throw new JsonPathError(msg);
  }

  peek(off = 0): string | undefined {
    return this.s[this.pos + off];
  }

  /** Steps until `stop` (a character) or the end of the action. */
  steps(stop?: (c: string) => boolean): Step[] {
    const out: Step[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || (stop && stop(c))) return out;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        this.pos++;
        continue;
      }
      if (c === '$' || c === '@') {
        this.pos++;
        continue;
      }
      if (c === '.') {
        this.pos++;
        if (this.peek() === '.') {
          this.pos++;
          out.push({ k: 'recursive' });
        }
        if (this.peek() === '*') {
          this.pos++;
          out.push({ k: 'wildcard' });
          continue;
        }
        const start = this.pos;
        while (this.peek() !== undefined && !TERMINATORS.includes(this.peek()!)) this.pos++;
        const name = this.s.slice(start, this.pos);
        if (name !== '') out.push({ k: 'field', name });
        else if (out.at(-1)?.k === 'recursive') this.fail('invalid recursive descent');
        continue;
      }
      if (c === '[') {
        this.pos++;
        out.push(this.bracket());
        continue;
      }
      if (c === '"' || c === "'") {
        out.push({ k: 'literal', value: this.quoted() });
        continue;
      }
      if (/[-0-9]/.test(c)) {
        out.push({ k: 'literal', value: this.number() });
        continue;
      }
      if (/[A-Za-z_]/.test(c)) {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.pos))!;
        this.pos += m[0].length;
        if (m[0] === 'true' || m[0] === 'false') {
          out.push({ k: 'literal', value: m[0] === 'true' });
          continue;
        }
        if (m[0] === 'range' || m[0] === 'end') this.fail(`${m[0]} is not supported here`);
        this.fail(`unrecognized identifier ${m[0]}`);
      }
      const hex = c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      this.fail(`unrecognized character in action: U+${hex} '${c}'`);
    }
  }

  quoted(): string {
    const q = this.peek()!;
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('unterminated quoted string');
      this.pos++;
      if (c === q) return out;
      if (c === '\\') {
        const n = this.peek();
        if (n === undefined) this.fail('unterminated quoted string');
        this.pos++;
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
        continue;
      }
      out += c;
    }
  }

  number(): number {
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.pos));
    if (!m) this.fail(`cannot parse number at ${this.s.slice(this.pos)}`);
    this.pos += m[0].length;
    return Number(m[0]);
  }

  /** After "[": index/slice, "*", quoted key(s), union, or a filter. */
  bracket(): Step {
    const rest = this.s.slice(this.pos);
    if (rest.startsWith('?(')) {
      this.pos += 2;
      const f = this.filter();
      this.skipSpaces();
      if (this.peek() !== ')') this.fail('unclosed filter: expected ")"');
      this.pos++;
      this.skipSpaces();
      if (this.peek() !== ']') this.fail('unclosed array expect ]');
      this.pos++;
      return f;
    }
    const branches: Step[][] = [];
    for (;;) {
      this.skipSpaces();
      branches.push(this.bracketItem());
      this.skipSpaces();
      const c = this.peek();
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        break;
      }
      this.fail('unclosed array expect ]');
    }
    if (branches.length === 1) {
      const only = branches[0]!;
      if (only.length === 1) return only[0]!;
    }
    return { k: 'union', branches };
  }

  private bracketItem(): Step[] {
    const c = this.peek();
    if (c === '*') {
      this.pos++;
      return [{ k: 'wildcard' }];
    }
    if (c === "'" || c === '"') return [{ k: 'field', name: this.quoted() }];
    const m = /^(-?\d*)(?::(-?\d*))?(?::(-?\d*))?/.exec(this.s.slice(this.pos))!;
    if (m[0] === '') this.fail(`invalid array index ${this.s.slice(this.pos).split(']')[0]}`);
    this.pos += m[0].length;
    const num = (x: string | undefined): number | undefined =>
      x === undefined || x === '' || x === '-' ? undefined : Number(x);
    const start = num(m[1]);
    if (m[2] === undefined) {
      if (start === undefined) this.fail(`invalid array index ${m[0]}`);
      return [{ k: 'array', start, end: start + 1, derivedEnd: true }];
    }
    const end = num(m[2]);
    const step = num(m[3]);
    return [
      {
        k: 'array',
        ...(start !== undefined ? { start } : {}),
        ...(end !== undefined ? { end } : {}),
        ...(step !== undefined ? { step } : {}),
        derivedEnd: false,
      },
    ];
  }

  private skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  private operand(): Operand {
    this.skipSpaces();
    const c = this.peek();
    if (c === '@' || c === '$') {
      return { k: 'path', steps: this.steps((x) => ' \t)=!<>'.includes(x)) };
    }
    if (c === '"' || c === "'") return { k: 'literal', value: this.quoted() };
    if (c !== undefined && /[-0-9]/.test(c)) return { k: 'literal', value: this.number() };
    for (const [w, v] of [
      ['true', true],
      ['false', false],
      ['nil', null],
      ['null', null],
    ] as const) {
      if (this.s.startsWith(w, this.pos)) {
        this.pos += w.length;
        return { k: 'literal', value: v };
      }
    }
    return this.fail(`unrecognized filter operand at ${goQuote(this.s.slice(this.pos))}`);
  }

  private filter(): Step {
    const left = this.operand();
    this.skipSpaces();
    const m = /^(==|!=|<=|>=|<|>)/.exec(this.s.slice(this.pos));
    if (!m) return { k: 'filter', left, op: 'exists' };
    this.pos += m[0].length;
    const right = this.operand();
    return { k: 'filter', left, op: m[0], right };
  }
}

/** Parses a kubectl JSONPath template (`{$.data.ok}`, `{.items[0].name}`, text outside braces). */
export function parseJsonPath(template: string): TemplateNode[] {
  const nodes: TemplateNode[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      nodes.push({ k: 'text', text: template.slice(i) });
      break;
    }
    if (open > i) nodes.push({ k: 'text', text: template.slice(i, open) });
    // The action ends at the first "}" outside quotes.
    let j = open + 1;
    let quote: string | undefined;
    for (; j < template.length; j++) {
      const c = template[j]!;
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '}') break;
    }
    if (j >= template.length) throw new JsonPathError('unclosed action');
    const body = template.slice(open + 1, j);
    const p = new ActionParser(body);
    nodes.push({ k: 'action', steps: p.steps() });
    i = j + 1;
  }
  return nodes;
}

function compareValues(a: unknown, op: string, b: unknown): boolean {
  if (op === '==' || op === '!=') {
    let eq: boolean;
    if ((a === null) !== (b === null)) eq = false;
    else if (typeof a !== typeof b) throw new JsonPathError('incompatible types for comparison');
    else if (typeof a === 'object' && a !== null) {
      throw new JsonPathError('invalid type for comparison');
    } else eq = a === b;
    return op === '==' ? eq : !eq;
  }
  if (
    !(typeof a === 'number' && typeof b === 'number') &&
    !(typeof a === 'string' && typeof b === 'string')
  ) {
    throw new JsonPathError(
      typeof a === typeof b ? 'invalid type for comparison' : 'incompatible types for comparison',
    );
  }
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v as unknown[];
  if (isRecord(v))
    return Object.keys(v)
      .sort(compareUtf8)
      .map((k) => v[k]);
  return [];
}

function walk(steps: Step[], input: unknown[]): unknown[] {
  let cur = input;
  for (const step of steps) cur = evalStep(step, cur);
  return cur;
}

function evalStep(step: Step, input: unknown[]): unknown[] {
  switch (step.k) {
    case 'literal':
      return [step.value];
    case 'field': {
      if (input.length === 0) return [];
      const out: unknown[] = [];
      for (const v of input) {
        if (isRecord(v) && Object.hasOwn(v, step.name)) out.push(v[step.name]);
      }
      if (out.length === 0) throw new JsonPathError(`${step.name} is not found`);
      return out;
    }
    case 'wildcard':
      return input.flatMap((v) => children(v));
    case 'recursive': {
      const out: unknown[] = [];
      const visit = (v: unknown): void => {
        const kids = children(v);
        if (kids.length === 0) return;
        out.push(v);
        for (const k of kids) visit(k);
      };
      for (const v of input) visit(v);
      return out;
    }
    case 'array': {
      const out: unknown[] = [];
      for (const v of input) {
        if (v === null || v === undefined) continue;
        if (!Array.isArray(v)) throw new JsonPathError(`${goTypeName(v)} is not array or slice`);
        const len = v.length;
        let start = step.start ?? 0;
        if (start < 0) start += len;
        let end = step.end ?? len;
        if (end < 0 || (end === 0 && step.derivedEnd)) end += len;
        if (end === start) continue;
        if (start >= len || start < 0) {
          throw new JsonPathError(`array index out of bounds: index ${start}, length ${len}`);
        }
        if (end > len || end < 0) {
          throw new JsonPathError(`array index out of bounds: index ${end - 1}, length ${len}`);
        }
        if (start > end) {
          throw new JsonPathError(`starting index ${start} is greater than ending index ${end}`);
        }
        const stride = step.step ?? 1;
        if (stride <= 0) throw new JsonPathError('step must be > 0');
        for (let i = start; i < end; i += stride) out.push(v[i]);
      }
      return out;
    }
    case 'union':
      return step.branches.flatMap((b) => walk(b, input));
    case 'filter': {
      const out: unknown[] = [];
      for (const v of input) {
        if (!Array.isArray(v)) {
          throw new JsonPathError(
            `${goJsonMarshal(v)} is not array or slice and cannot be filtered`,
          );
        }
        for (const el of v as unknown[]) {
          const values = (o: Operand, swallow: boolean): unknown[] => {
            if (o.k === 'literal') return [o.value];
            try {
              return walk(o.steps, [el]);
            } catch (e) {
              if (swallow) return [];
              throw e;
            }
          };
          if (step.op === 'exists') {
            if (values(step.left, true).length > 0) out.push(el);
            continue;
          }
          const lefts = values(step.left, false);
          if (lefts.length === 0) continue;
          if (lefts.length > 1) throw new JsonPathError('can only compare one element at a time');
          const rights = values(step.right!, false);
          if (rights.length === 0) continue;
          if (rights.length > 1) throw new JsonPathError('can only compare one element at a time');
          if (compareValues(lefts[0], step.op, rights[0])) out.push(el);
        }
      }
      return out;
    }
  }
}

/** client-go JSONPath.FindResults: one result list per template node. Throws JsonPathError. */
export function findJsonPathResults(template: string | TemplateNode[], data: unknown): unknown[][] {
  const nodes = typeof template === 'string' ? parseJsonPath(template) : template;
  return nodes.map((n) => (n.k === 'text' ? [n.text] : walk(n.steps, [data])));
}

// ---------------------------------------------------------------------------------------------
// Response → result/value (§5.1)

export type WebMapping =
  { ok: true; value: string; result: unknown } | { ok: false; message: string };

/** The §5.1 response rule for a 2xx body. */
export function mapWebBody(body: string, jsonPath: string | TemplateNode[]): WebMapping {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    // Not JSON (an empty body included): the raw text, jsonPath ignored.
    return { ok: true, value: body, result: body };
  }
  let results: unknown[][];
  try {
    results = findJsonPathResults(jsonPath, data);
  } catch (e) {
    return {
      ok: false,
      message: `Could not find JSONPath in body: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  for (const list of results) {
    if (list.length > 0) {
      const val = list[0];
      try {
        return { ok: true, value: goJsonMarshal(val), result: val ?? null };
      } catch (e) {
        return { ok: false, message: e instanceof Error ? e.message : String(e) };
      }
    }
  }
  return { ok: false, message: 'result of web metric produced no value' };
}

// ---------------------------------------------------------------------------------------------
// The provider

export class WebProvider implements MetricProvider {
  type(): string {
    return 'web';
  }

  getMetadata(): Record<string, string> | undefined {
    return undefined;
  }

  resume(_metric: Metric, measurement: Measurement): Promise<Measurement> {
    return Promise.resolve(measurement);
  }

  terminate(_metric: Metric, measurement: Measurement): Promise<Measurement> {
    return Promise.resolve(measurement);
  }

  async run(metric: Metric, ctx: ProviderContext): Promise<Measurement> {
    const clock = clockOf(ctx);
    const base: Measurement = { phase: 'Running', startedAt: metaTime(clock()) };
    const web = metric.provider.web;
    if (!web) return errorMeasurement(base, 'metric has no web provider', clock());

    // Provider construction: JSONPath and OAuth2 settings.
    let jsonPath: TemplateNode[];
    try {
      jsonPath = parseJsonPath(web.jsonPath || '{$}');
    } catch (e) {
      return errorMeasurement(base, (e as Error).message, clock());
    }
    const o = web.authentication?.oauth2;
    if (o?.tokenUrl && (!o.clientId || !o.clientSecret)) {
      return errorMeasurement(base, OAUTH2_MISSING_PARAMS, clock());
    }

    const method = web.method || 'GET';
    const hasBody = web.body !== undefined && web.body !== '';
    const hasJsonBody = web.jsonBody !== undefined && web.jsonBody !== null;
    let payload: string | undefined;
    if (hasBody && hasJsonBody) {
      return errorMeasurement(
        base,
        'use either Body or JSONBody; both cannot exists for WebMetric payload',
        clock(),
      );
    }
    if ((hasBody || hasJsonBody) && method === 'GET') {
      return errorMeasurement(
        base,
        'Body/JSONBody can only be used with POST or PUT WebMetric Method types',
        clock(),
      );
    }
    if (hasBody) payload = web.body;
    else if (hasJsonBody) payload = goCompactJson(web.jsonBody);

    const url = web.url ?? '';
    const op = `${goOp(method)} ${goQuote(url)}`;
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed) {
      const msg = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)
        ? `parse ${goQuote(url)}: invalid URL`
        : `${op}: unsupported protocol scheme ""`;
      return errorMeasurement(base, msg, clock());
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return errorMeasurement(
        base,
        `${op}: unsupported protocol scheme ${goQuote(parsed.protocol.slice(0, -1))}`,
        clock(),
      );
    }

    const headers: Record<string, string> = {};
    for (const h of web.headers ?? []) setHeader(headers, h.key, h.value);
    if (hasJsonBody) setHeader(headers, 'Content-Type', 'application/json');

    const timeoutSeconds =
      web.timeoutSeconds !== undefined && web.timeoutSeconds > 0
        ? web.timeoutSeconds
        : DEFAULT_WEB_TIMEOUT_SECONDS;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutSeconds * 1000);
    const onCancel = (): void => deadline.abort();
    ctx.signal?.addEventListener('abort', onCancel, { once: true });
    let res: AxiosResponse<ArrayBuffer>;
    try {
      if (o?.tokenUrl) {
        try {
          setHeader(
            headers,
            'Authorization',
            await fetchOAuth2Token(o, { insecure: web.insecure ?? false, signal: deadline.signal }),
          );
        } catch (e) {
          return errorMeasurement(base, `${op}: ${(e as Error).message}`, clock());
        }
      }
      // No Accept/Content-Type unless asked for, as with Go's client.
      const sent: Record<string, string | null> = { Accept: null, 'Content-Type': null };
      for (const [k, v] of Object.entries(headers)) {
        for (const d of Object.keys(sent)) if (d.toLowerCase() === k.toLowerCase()) delete sent[d];
        sent[k] = v;
      }
      try {
        res = await axios.request<ArrayBuffer>({
          url,
          method,
          headers: sent,
          ...(payload !== undefined ? { data: payload } : {}),
          transformRequest: [(d: unknown) => d],
          responseType: 'arraybuffer',
          transformResponse: [],
          validateStatus: () => true,
          maxRedirects: 10,
          signal: deadline.signal,
          ...tlsAgents(web.insecure),
          ...proxyFor(url),
        });
      } catch (e) {
        const err = transportError(method, url, e, {
          deadlineExpired: deadline.signal.aborted && !ctx.signal?.aborted,
          timeoutSuffix: ' (Client.Timeout exceeded while awaiting headers)',
        });
        const msg = ctx.signal?.aborted ? `${op}: context canceled` : err.message;
        return errorMeasurement(base, msg, clock());
      }
    } finally {
      clearTimeout(timer);
      ctx.signal?.removeEventListener('abort', onCancel);
    }

    if (res.status < 200 || res.status >= 300) {
      return errorMeasurement(base, `received non 2xx response code: ${res.status}`, clock());
    }
    const mapped = mapWebBody(Buffer.from(res.data).toString('utf8'), jsonPath);
    if (!mapped.ok) return errorMeasurement(base, mapped.message, clock());
    const evaluated = evaluatePhase(ctx.evaluate, mapped.result, metric);
    if (evaluated.phase === 'Error') {
      return attachResult(
        errorMeasurement(base, evaluated.message ?? 'evaluation error', clock()),
        mapped.result,
      );
    }
    return attachResult(
      { ...base, phase: evaluated.phase, value: mapped.value, finishedAt: metaTime(clock()) },
      mapped.result,
    );
  }
}
