// Lexer of the condition language (analysis.md §6.2), a port of expr-lang v1.17 parser/lexer:
// same token kinds, same token boundaries (`1..3` is `1`, `..`, `3`; `not in` is two operators),
// same error texts and positions. Works on code points; positions are code-point offsets.
import { Failure, type Loc } from './errors.ts';
import { goQuote } from './gofmt.ts';

export type TokenKind = 'Identifier' | 'Number' | 'String' | 'Operator' | 'Bracket' | 'EOF';

export interface Token {
  kind: TokenKind;
  value: string;
  loc: Loc;
}

/** expr Token.String(): `Kind("value")` with Go quoting, or just `Kind` when the value is empty. */
export function tokenString(t: Token): string {
  return t.value === '' ? t.kind : `${t.kind}(${goQuote(t.value)})`;
}

const KEYWORD_OPERATORS = new Set([
  'in',
  'or',
  'and',
  'matches',
  'contains',
  'startsWith',
  'endsWith',
  'let',
  'if',
  'else',
  'not',
]);

/** Go unicode.IsSpace. */
export function isSpace(c: string): boolean {
  switch (c) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case '\u0085':
    case '\u00a0':
    case '\u1680':
    case '\u2028':
    case '\u2029':
    case '\u202f':
    case '\u205f':
    case '\u3000':
      return true;
    default: {
      const cp = c.codePointAt(0) ?? 0;
      return cp >= 0x2000 && cp <= 0x200a;
    }
  }
}

const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

/** expr utils.IsAlphabetic: `_`, `$` or a Unicode letter. */
export function isAlphabetic(c: string): boolean {
  return c === '_' || c === '$' || LETTER.test(c);
}

/** expr utils.IsAlphaNumeric. */
export function isAlphaNumeric(c: string): boolean {
  return isAlphabetic(c) || DIGIT.test(c);
}

/** An identifier as `.name` accepts it (expr utils.IsValidIdentifier). */
export function isValidIdentifier(s: string): boolean {
  const cps = Array.from(s);
  if (cps.length === 0 || !isAlphabetic(cps[0]!)) return false;
  return cps.every(isAlphaNumeric);
}

const EOF = '';

class Lexer {
  private readonly tokens: Token[] = [];
  private start = 0;
  private end = 0;

  constructor(private readonly src: readonly string[]) {}

  run(): Token[] {
    for (;;) {
      const c = this.next();
      if (c === EOF) {
        this.tokens.push({
          kind: 'EOF',
          value: '',
          loc: { from: Math.max(this.end - 1, 0), to: this.end },
        });
        return this.tokens;
      }
      if (isSpace(c)) {
        this.commit();
      } else if (c === "'" || c === '"') {
        this.scanString(c);
      } else if (c === '`') {
        this.scanRawString();
      } else if (c >= '0' && c <= '9') {
        this.backup();
        this.number();
      } else if (c === '?') {
        this.accept('.?');
        this.emit('Operator');
      } else if (c === '/') {
        this.slash();
      } else if (c === '#') {
        this.pointer();
      } else if (c === '|') {
        this.accept('|');
        this.emit('Operator');
      } else if (c === ':') {
        this.accept(':');
        this.emit('Operator');
      } else if ('([{)]}'.includes(c)) {
        this.emit('Bracket');
      } else if (',;%+-^'.includes(c)) {
        this.emit('Operator');
      } else if ('&!=*<>'.includes(c)) {
        this.accept('&=*');
        this.emit('Operator');
      } else if (c === '.') {
        this.backup();
        this.dot();
      } else if (isAlphaNumeric(c)) {
        this.backup();
        this.identifier();
      } else {
        this.fail(`unrecognized character: ${goRune(c)}`);
      }
    }
  }

  private next(): string {
    if (this.end >= this.src.length) return EOF;
    return this.src[this.end++]!;
  }

  private peek(): string {
    return this.end < this.src.length ? this.src[this.end]! : EOF;
  }

  private backup(): void {
    this.end--;
  }

  private accept(valid: string): boolean {
    const c = this.peek();
    if (c !== EOF && valid.includes(c)) {
      this.end++;
      return true;
    }
    return false;
  }

  private acceptRun(valid: string): void {
    while (this.accept(valid));
  }

  private word(): string {
    return this.src.slice(this.start, this.end).join('');
  }

  private commit(): void {
    this.start = this.end;
  }

  private emit(kind: TokenKind, value = this.word()): void {
    this.tokens.push({ kind, value, loc: { from: this.start, to: this.end } });
    this.commit();
  }

  private fail(reason: string): never {
    const from = Math.max(this.end - 1, 0);
    throw new Failure('syntax', reason, { from, to: this.end });
  }

  private number(): void {
    if (!this.scanNumber()) this.fail(`bad number syntax: ${goQuote(this.word())}`);
    this.emit('Number');
  }

  private scanNumber(): boolean {
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    const end = this.end;
    if (this.accept('.')) {
      // `1..2` is a range: give the dot back.
      if (this.peek() === '.') {
        this.end = end;
        return true;
      }
      this.acceptRun(digits);
    }
    if (this.accept('eE')) {
      this.accept('+-');
      this.acceptRun(digits);
    }
    const c = this.peek();
    if (c !== EOF && isAlphaNumeric(c)) {
      this.next();
      return false;
    }
    return true;
  }

  private dot(): void {
    this.next();
    if (this.accept('0123456789')) {
      this.backup();
      this.number();
      return;
    }
    this.accept('.');
    this.emit('Operator');
  }

  private identifier(): void {
    for (;;) {
      const c = this.next();
      if (c === EOF || !isAlphaNumeric(c)) {
        if (c !== EOF) this.backup();
        break;
      }
    }
    const w = this.word();
    this.emit(KEYWORD_OPERATORS.has(w) ? 'Operator' : 'Identifier');
  }

  private slash(): void {
    if (this.accept('/')) {
      for (;;) {
        const c = this.next();
        if (c === EOF || c === '\n') break;
      }
      this.commit();
      return;
    }
    if (this.accept('*')) {
      for (;;) {
        const c = this.next();
        if (c === EOF) this.fail('unclosed comment');
        if (c === '*' && this.accept('/')) break;
      }
      this.commit();
      return;
    }
    this.emit('Operator');
  }

  private pointer(): void {
    this.accept('#');
    this.emit('Operator');
    for (;;) {
      const c = this.next();
      if (c === EOF || !isAlphaNumeric(c)) {
        if (c !== EOF) this.backup();
        break;
      }
    }
    if (this.end > this.start) this.emit('Identifier');
  }

  private scanString(quote: string): void {
    let c = this.next();
    while (c !== quote) {
      if (c === '\n' || c === EOF) this.fail('literal not terminated');
      if (c === '\\') c = this.scanEscape(quote);
      else c = this.next();
    }
    const raw = this.src.slice(this.start + 1, this.end - 1);
    const value = unescape(raw);
    if (value === undefined) this.fail('invalid syntax');
    this.emit('String', value);
  }

  private scanEscape(quote: string): string {
    const c = this.next();
    switch (c) {
      case 'a':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'v':
      case '\\':
      case quote:
        return this.next();
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        return this.scanDigits(c, 8, 3);
      case 'x':
        return this.scanDigits(this.next(), 16, 2);
      case 'u':
        return this.scanDigits(this.next(), 16, 4);
      case 'U':
        return this.scanDigits(this.next(), 16, 8);
      default:
        this.fail('invalid char escape');
    }
  }

  private scanDigits(first: string, base: number, n: number): string {
    let c = first;
    while (n > 0 && digitVal(c) < base) {
      c = this.next();
      n--;
    }
    if (n > 0) this.fail('invalid char escape');
    return c;
  }

  private scanRawString(): void {
    let c = this.next();
    while (c !== '`') {
      if (c === EOF) this.fail('literal not terminated');
      c = this.next();
    }
    this.emit('String', this.src.slice(this.start + 1, this.end - 1).join(''));
  }
}

function digitVal(c: string): number {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  const l = c.toLowerCase();
  if (l.length === 1 && l >= 'a' && l <= 'f') return l.charCodeAt(0) - 87;
  return 16;
}

/** expr's unescape of a quoted literal body; undefined on an invalid escape (`invalid syntax`). */
function unescape(body: readonly string[]): string | undefined {
  let out = '';
  for (let i = 0; i < body.length;) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return undefined;
    i += 2;
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
      "'": "'",
      '"': '"',
      '`': '`',
      '?': '?',
    };
    if (Object.hasOwn(simple, e)) {
      out += simple[e];
      continue;
    }
    if (e === 'x' || e === 'X' || e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : e === 'U' ? 8 : 2;
      let v = 0;
      for (let j = 0; j < n; j++) {
        const d = body[i + j];
        if (d === undefined || digitVal(d) >= 16) return undefined;
        v = v * 16 + digitVal(d);
      }
      i += n;
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
        if (n === 2) out += String.fromCodePoint(v);
        else return undefined;
      } else {
        out += String.fromCodePoint(v);
      }
      continue;
    }
    if (e >= '0' && e <= '3') {
      let v = e.charCodeAt(0) - 48;
      for (let j = 0; j < 2; j++) {
        const d = body[i + j];
        if (d === undefined || d < '0' || d > '7') return undefined;
        v = v * 8 + (d.charCodeAt(0) - 48);
      }
      i += 2;
      out += String.fromCodePoint(v);
      continue;
    }
    return undefined;
  }
  return out;
}

/** Go %#U of a rune: `U+0040 '@'`. */
function goRune(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(c) ? `U+${hex} '${c}'` : `U+${hex}`;
}

/** Tokens of `src` (split into code points), ending with an EOF token; throws Failure. */
export function lex(src: readonly string[]): Token[] {
  return new Lexer(src).run();
}
