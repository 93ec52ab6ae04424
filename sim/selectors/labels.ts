// The label selector language as k8s.io/apimachinery/pkg/labels implements it. The lexer and
// parser are a close port of selector.go rather than a fresh grammar: clients see the exact
// error strings, the tolerated oddities ("x in (a,,b)", "x in ()", "in" as a value) and the
// canonical String() form, and the emulator has to agree with a real apiserver on all of them.

import {
  byteLength,
  emptyError,
  maxLenError,
  regexError,
  validateDns1123Subdomain,
} from '../naming.ts';

/** A selector the apiserver would answer with 400 Bad Request; `message` is the apiserver's text. */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

/** selection.Operator values, spelled as apimachinery spells them. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Parsed selectors hold these sorted and de-duplicated; metav1 selectors keep their order. */
  readonly values: readonly string[];
}

export interface LabelSelector {
  /** labels.Nothing(): what a nil metav1.LabelSelector converts to. Matches no object at all. */
  readonly nothing: boolean;
  /** ANDed, sorted by key. Empty (and not `nothing`) selects everything. */
  readonly requirements: readonly LabelRequirement[];
}

export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirementObject {
  key: string;
  operator: LabelSelectorOperator;
  values?: string[] | null;
}

/** metav1.LabelSelector as it appears in object specs. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirementObject[] | null;
}

export const EVERYTHING: LabelSelector = Object.freeze({
  nothing: false,
  requirements: Object.freeze([]),
});

export const NOTHING: LabelSelector = Object.freeze({
  nothing: true,
  requirements: Object.freeze([]),
});

// ---------------------------------------------------------------------------------------------
// Label key and value validation (validation.IsQualifiedName / IsValidLabelValue)

const QNAME_CHAR_FMT = '[A-Za-z0-9]';
const QNAME_EXT_CHAR_FMT = '[-A-Za-z0-9_.]';
const QUALIFIED_NAME_FMT = `(${QNAME_CHAR_FMT}${QNAME_EXT_CHAR_FMT}*)?${QNAME_CHAR_FMT}`;
const QUALIFIED_NAME_ERR =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_MAX_LENGTH = 63;
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);

const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MAX_LENGTH = 63;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);

/** validation.IsQualifiedName: the label-key rules. [] when valid. */
export function validateLabelKey(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = value;
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push(`prefix part ${emptyError()}`);
    else errs.push(...validateDns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push(`name part ${emptyError()}`);
  else if (byteLength(name) > QUALIFIED_NAME_MAX_LENGTH) {
    errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX_LENGTH)}`);
  }
  // Not an else: apimachinery reports an empty name as both empty and regex-violating.
  if (!QUALIFIED_NAME_RE.test(name)) {
    errs.push(
      `name part ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`,
    );
  }
  return errs;
}

/** validation.IsValidLabelValue. [] when valid. */
export function validateLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!LABEL_VALUE_RE.test(value)) {
    errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// field.Error formatting, so messages read exactly like apimachinery's

/** Go's %q for the strings a selector can contain. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0x80 && cp < 0xa0) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's %#v of a []string; `null` is the nil slice. */
function goStringSlice(values: readonly string[] | null): string {
  if (values === null) return '[]string(nil)';
  return `[]string{${values.map(goQuote).join(', ')}}`;
}

function invalid(field: string, badValue: string, detail: string): string {
  return `${field}: Invalid value: ${badValue}: ${detail}`;
}

/** field.ErrorList.ToAggregate().Error(): duplicates dropped, several wrapped in brackets. */
function aggregate(msgs: readonly string[]): string | undefined {
  const unique = [...new Set(msgs)];
  if (unique.length === 0) return undefined;
  if (unique.length === 1) return unique[0];
  return `[${unique.join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------
// Requirements

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64): optional sign, decimal digits, int64 range, nothing else. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * labels.NewRequirement with a nil field path, which is how both labels.Parse and
 * metav1.LabelSelectorAsSelector call it; the "key"/"values[0][k]" prefixes come from that.
 * `values === null` stands for Go's nil slice (only the metav1 path produces one).
 */
function newRequirement(
  key: string,
  operator: LabelOperator,
  values: readonly string[] | null,
): LabelRequirement {
  const vals = values ?? [];
  const errs: string[] = [];
  const keyErrs = validateLabelKey(key);
  if (keyErrs.length > 0) errs.push(invalid('key', goQuote(key), keyErrs.join('; ')));
  switch (operator) {
    case 'in':
    case 'notin':
      if (vals.length === 0) {
        errs.push(
          invalid(
            'values',
            goStringSlice(values),
            "for 'in', 'notin' operators, values set can't be empty",
          ),
        );
      }
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) {
        errs.push(
          invalid(
            'values',
            goStringSlice(values),
            'exact-match compatibility requires one single value',
          ),
        );
      }
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0) {
        errs.push(
          invalid(
            'values',
            goStringSlice(values),
            'values set must be empty for exists and does not exist',
          ),
        );
      }
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1) {
        errs.push(
          invalid(
            'values',
            goStringSlice(values),
            "for 'Gt', 'Lt' operators, exactly one value is required",
          ),
        );
      }
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(
            invalid(
              `values[${i}]`,
              goQuote(v),
              "for 'Gt', 'Lt' operators, the value must be an integer",
            ),
          );
        }
      });
      break;
  }
  vals.forEach((v, i) => {
    const valueErrs = validateLabelValue(v);
    if (valueErrs.length > 0) {
      errs.push(invalid(`values[${i}][${key}]`, goQuote(v), valueErrs.join('; ')));
    }
  });
  const msg = aggregate(errs);
  if (msg !== undefined) throw new SelectorError(msg);
  return { key, operator, values: [...vals] };
}

function requirementMatches(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const val = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return val !== undefined && r.values.includes(val);
    case 'notin':
    case '!=':
      return val === undefined || !r.values.includes(val);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (val === undefined || r.values.length !== 1) return false;
      const lhs = parseInt64(val);
      const rhs = parseInt64(r.values[0] ?? '');
      if (lhs === undefined || rhs === undefined) return false;
      return r.operator === 'gt' ? lhs > rhs : lhs < rhs;
    }
  }
}

/** Requirement.String(). */
export function requirementToString(r: LabelRequirement): string {
  let out = r.operator === '!' ? `!${r.key}` : r.key;
  switch (r.operator) {
    case 'exists':
    case '!':
      return out;
    case 'in':
      out += ' in (';
      break;
    case 'notin':
      out += ' notin (';
      break;
    case 'gt':
      out += '>';
      break;
    case 'lt':
      out += '<';
      break;
    default:
      out += r.operator;
  }
  // Only the printed form is sorted: metav1 selectors keep their values in spec order.
  out += r.values.length === 1 ? r.values[0] : [...r.values].sort(compareStrings).join(',');
  if (r.operator === 'in' || r.operator === 'notin') out += ')';
  return out;
}

// ---------------------------------------------------------------------------------------------
// Lexer (selector.go Lexer)

type Token =
  | 'Error'
  | 'EndOfString'
  | 'ClosedPar'
  | 'Comma'
  | 'DoesNotExist'
  | 'DoubleEquals'
  | 'Equals'
  | 'GreaterThan'
  | 'Identifier'
  | 'In'
  | 'LessThan'
  | 'NotEquals'
  | 'NotIn'
  | 'OpenPar';

interface ScannedItem {
  tok: Token;
  literal: string;
}

const STRING_TO_TOKEN: ReadonlyMap<string, Token> = new Map<string, Token>([
  [')', 'ClosedPar'],
  [',', 'Comma'],
  ['!', 'DoesNotExist'],
  ['==', 'DoubleEquals'],
  ['=', 'Equals'],
  ['>', 'GreaterThan'],
  ['in', 'In'],
  ['<', 'LessThan'],
  ['!=', 'NotEquals'],
  ['notin', 'NotIn'],
  ['(', 'OpenPar'],
]);

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

function isSpecialSymbol(ch: string): boolean {
  return (
    ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<'
  );
}

/**
 * Go's lexer reads bytes and uses 0 as its end marker, so a NUL in the input ends the current
 * token just like the end of the string does (while reading still advances past it).
 */
function isEnd(ch: string): boolean {
  return ch === '' || ch === '\0';
}

class Lexer {
  private pos = 0;

  constructor(private readonly s: string) {}

  private read(): string {
    if (this.pos < this.s.length) return this.s[this.pos++] ?? '';
    return '';
  }

  private unread(): void {
    this.pos--;
  }

  private scanIdOrKeyword(): ScannedItem {
    let buffer = '';
    for (;;) {
      const ch = this.read();
      if (isEnd(ch)) break;
      if (isSpecialSymbol(ch) || isWhitespace(ch)) {
        this.unread();
        break;
      }
      buffer += ch;
    }
    return { tok: STRING_TO_TOKEN.get(buffer) ?? 'Identifier', literal: buffer };
  }

  private scanSpecialSymbol(): ScannedItem {
    let last: ScannedItem | undefined;
    let buffer = '';
    for (;;) {
      const ch = this.read();
      if (isEnd(ch)) break;
      if (!isSpecialSymbol(ch)) {
        this.unread();
        break;
      }
      buffer += ch;
      const tok = STRING_TO_TOKEN.get(buffer);
      if (tok !== undefined) {
        last = { tok, literal: buffer };
      } else if (last !== undefined) {
        this.unread();
        break;
      }
    }
    return last ?? { tok: 'Error', literal: `error expected: keyword found '${buffer}'` };
  }

  lex(): ScannedItem {
    let ch = this.read();
    while (isWhitespace(ch)) ch = this.read();
    if (isEnd(ch)) return { tok: 'EndOfString', literal: '' };
    this.unread();
    return isSpecialSymbol(ch) ? this.scanSpecialSymbol() : this.scanIdOrKeyword();
  }
}

// ---------------------------------------------------------------------------------------------
// Parser (selector.go Parser)

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

type ParserContext = 'KeyAndOperator' | 'Values';

class Parser {
  private readonly items: ScannedItem[] = [];
  private position = 0;

  constructor(input: string) {
    const lexer = new Lexer(input);
    for (;;) {
      const item = lexer.lex();
      this.items.push(item);
      if (item.tok === 'EndOfString') break;
    }
  }

  private item(i: number, context: ParserContext): ScannedItem {
    // The parser never reads past EndOfString, which is always the last item.
    const it = this.items[i] ?? { tok: 'EndOfString', literal: '' };
    // "in" and "notin" are ordinary words wherever a value may appear: "x in (in)".
    if (context === 'Values' && (it.tok === 'In' || it.tok === 'NotIn')) {
      return { tok: 'Identifier', literal: it.literal };
    }
    return it;
  }

  private lookahead(context: ParserContext): ScannedItem {
    return this.item(this.position, context);
  }

  private consume(context: ParserContext): ScannedItem {
    return this.item(this.position++, context);
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { tok, literal } = this.lookahead('Values');
      switch (tok) {
        case 'Identifier':
        case 'DoesNotExist': {
          let r: LabelRequirement;
          try {
            r = this.parseRequirement();
          } catch (err) {
            if (err instanceof SelectorError) {
              throw new SelectorError(`unable to parse requirement: ${err.message}`);
            }
            throw err;
          }
          requirements.push(r);
          const next = this.consume('Values');
          if (next.tok === 'EndOfString') return requirements;
          if (next.tok === 'Comma') {
            const after = this.lookahead('Values');
            if (after.tok !== 'Identifier' && after.tok !== 'DoesNotExist') {
              throw new SelectorError(`found '${after.literal}', expected: identifier after ','`);
            }
            break;
          }
          throw new SelectorError(`found '${next.literal}', expected: ',' or 'end of string'`);
        }
        case 'EndOfString':
          return requirements;
        default:
          throw new SelectorError(
            `found '${literal}', expected: !, identifier, or 'end of string'`,
          );
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return newRequirement(key, operator, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    // sets.String.List(): de-duplicated and sorted.
    return newRequirement(key, op, [...values].sort(compareStrings));
  }

  private parseKeyAndInferOperator(): { key: string; operator: LabelOperator | undefined } {
    let operator: LabelOperator | undefined;
    let item = this.consume('Values');
    if (item.tok === 'DoesNotExist') {
      operator = '!';
      item = this.consume('Values');
    }
    if (item.tok !== 'Identifier') {
      throw new SelectorError(`found '${item.literal}', expected: identifier`);
    }
    const keyErrs = validateLabelKey(item.literal);
    if (keyErrs.length > 0) {
      // The parser validates with its own (nil) path, hence the "<nil>" apimachinery prints.
      throw new SelectorError(invalid('<nil>', goQuote(item.literal), keyErrs.join('; ')));
    }
    const next = this.lookahead('Values').tok;
    if ((next === 'EndOfString' || next === 'Comma') && operator !== '!') operator = 'exists';
    return { key: item.literal, operator };
  }

  private parseOperator(): LabelOperator {
    const { tok, literal } = this.consume('KeyAndOperator');
    switch (tok) {
      case 'In':
        return 'in';
      case 'Equals':
        return '=';
      case 'DoubleEquals':
        return '==';
      case 'GreaterThan':
        return 'gt';
      case 'LessThan':
        return 'lt';
      case 'NotIn':
        return 'notin';
      case 'NotEquals':
        return '!=';
      default:
        throw new SelectorError(`found '${literal}', expected: ${BINARY_OPERATORS}`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume('Values');
    if (open.tok !== 'OpenPar') throw new SelectorError(`found '${open.literal}' expected: '('`);
    const first = this.lookahead('Values');
    switch (first.tok) {
      case 'Identifier':
      case 'Comma': {
        const s = this.parseIdentifiersList();
        if (this.consume('Values').tok !== 'ClosedPar') {
          // apimachinery reports the list's first token here, not the offending one.
          throw new SelectorError(`found '${first.literal}', expected: ')'`);
        }
        return s;
      }
      case 'ClosedPar':
        this.consume('Values');
        return new Set(['']);
      default:
        throw new SelectorError(`found '${first.literal}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, literal } = this.consume('Values');
      if (tok === 'Identifier') {
        s.add(literal);
        const next = this.lookahead('Values');
        if (next.tok === 'Comma') continue;
        if (next.tok === 'ClosedPar') return s;
        throw new SelectorError(`found '${next.literal}', expected: ',' or ')'`);
      }
      if (tok === 'Comma') {
        // Empty list elements ("(,a)", "(a,)", "(a,,b)") stand for the empty value.
        if (s.size === 0) s.add('');
        const next = this.lookahead('Values').tok;
        if (next === 'ClosedPar') {
          s.add('');
          return s;
        }
        if (next === 'Comma') {
          this.consume('Values');
          s.add('');
        }
        continue;
      }
      throw new SelectorError(`found '${literal}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): Set<string> {
    const ahead = this.lookahead('Values').tok;
    if (ahead === 'EndOfString' || ahead === 'Comma') return new Set(['']);
    const { tok, literal } = this.consume('Values');
    if (tok === 'Identifier') return new Set([literal]);
    throw new SelectorError(`found '${literal}', expected: identifier`);
  }
}

function sortByKey(reqs: LabelRequirement[]): LabelRequirement[] {
  // Stable, like Go's insertion sort for the short lists selectors are in practice.
  return reqs.sort((a, b) => compareStrings(a.key, b.key));
}

// ---------------------------------------------------------------------------------------------
// Public API

/** labels.Parse. The empty (or all-blank) string selects everything. */
export function parseLabelSelector(s: string): LabelSelector {
  const requirements = sortByKey(new Parser(s).parse());
  return { nothing: false, requirements };
}

/** Selector.Matches; absent labels behave like an empty map. */
export function matchesLabels(
  sel: LabelSelector,
  labels: Record<string, string> | undefined | null,
): boolean {
  if (sel.nothing) return false;
  const ls = labels ?? {};
  return sel.requirements.every((r) => requirementMatches(r, ls));
}

/** Selector.String(); both Everything() and Nothing() print as "". */
export function labelSelectorString(sel: LabelSelector): string {
  return sel.requirements.map(requirementToString).join(',');
}

/** Selector.Empty(): true when the selector does not restrict anything. */
export function isEverything(sel: LabelSelector): boolean {
  return !sel.nothing && sel.requirements.length === 0;
}

const OBJECT_OPERATORS: Readonly<Record<LabelSelectorOperator, LabelOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * metav1.LabelSelectorAsSelector: null/undefined selects nothing, `{}` selects everything.
 * Throws SelectorError with apimachinery's message for an invalid selector.
 */
export function fromLabelSelectorObject(
  obj: LabelSelectorObject | undefined | null,
): LabelSelector {
  if (obj === null || obj === undefined) return NOTHING;
  const matchLabels = obj.matchLabels ?? {};
  const matchExpressions = obj.matchExpressions ?? [];
  const labelKeys = Object.keys(matchLabels);
  if (labelKeys.length + matchExpressions.length === 0) return EVERYTHING;
  const reqs: LabelRequirement[] = [];
  // Go ranges over the map in random order; sorting makes the first reported error stable.
  for (const k of labelKeys.sort(compareStrings)) {
    reqs.push(newRequirement(k, '=', [matchLabels[k] ?? '']));
  }
  for (const expr of matchExpressions) {
    const op = Object.hasOwn(OBJECT_OPERATORS, expr.operator)
      ? OBJECT_OPERATORS[expr.operator]
      : undefined;
    if (op === undefined) {
      throw new SelectorError(
        `${goQuote(String(expr.operator))} is not a valid label selector operator`,
      );
    }
    const values = expr.values && expr.values.length > 0 ? [...expr.values] : null;
    reqs.push(newRequirement(expr.key, op, values));
  }
  return { nothing: false, requirements: sortByKey(reqs) };
}

/**
 * The string the apiserver and kubectl print for a metav1.LabelSelector
 * (LabelSelectorAsSelector(...).String(), as in scale status.selector and `kubectl describe`):
 * every requirement, matchLabels and matchExpressions alike, ordered by key. "" for both an
 * empty and a null selector. Throws SelectorError for an invalid selector.
 */
export function labelSelectorToString(obj: LabelSelectorObject | undefined | null): string {
  return labelSelectorString(fromLabelSelectorObject(obj));
}
