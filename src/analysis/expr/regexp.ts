// The `matches` operator (analysis.md §6.5) uses Go's regexp, i.e. RE2 syntax with linear-time
// matching. JS RegExp differs in syntax (lookaround, backreferences, `\Z`, `(?P<n>)`…) and
// backtracks (a hostile pattern such as `(a+)+$` can hang the controller), so this module parses
// the RE2 syntax itself and answers "does the pattern match anywhere in the text" with a Thompson
// NFA / Pike VM simulation: O(len(text) × len(program)), with a step budget on top.
//
// Supported: literals and escapes (`\a \f \t \n \r \v \x7F \x{10FFFF} \123 \Q…\E`, escaped
// punctuation), `.`, `^ $ \A \z \b \B`, classes with ranges, negation, Perl classes `\d \s \w`
// (ASCII, as in RE2) and their negations, POSIX `[:alpha:]`, Unicode `\pL \p{Greek}`,
// groups `(…) (?:…) (?P<name>…) (?<name>…)`, flags `(?imsU)` / `(?i:…)`, alternation and the
// quantifiers `* + ? {n} {n,} {n,m}` with lazy variants. Lookaround and backreferences are
// rejected with RE2's error texts, as Go does.
import { Failure } from './errors.ts';

type Pred = (c: number) => boolean;

type Re =
  | { t: 'char'; test: Pred }
  | { t: 'assert'; k: 'bot' | 'eot' | 'bol' | 'eol' | 'wb' | 'nwb' }
  | { t: 'cat'; items: Re[] }
  | { t: 'alt'; items: Re[] }
  | { t: 'rep'; sub: Re; min: number; max: number }
  | { t: 'empty' };

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const MAX_REPEAT = 1000;
const MAX_PROGRAM = 50_000;

class RegexpError extends Error {
  constructor(
    readonly code: string,
    readonly arg: string,
  ) {
    super(`${code}: ${arg}`);
  }
}

function fail(code: string, arg: string): never {
  throw new RegexpError(code, arg);
}

function lowerCp(c: number): number {
  const s = String.fromCodePoint(c).toLowerCase();
  const l = s.codePointAt(0)!;
  return s.length === String.fromCodePoint(l).length ? l : c;
}

function upperCp(c: number): number {
  const s = String.fromCodePoint(c).toUpperCase();
  const u = s.codePointAt(0)!;
  return s.length === String.fromCodePoint(u).length ? u : c;
}

function fold(test: Pred): Pred {
  return (c) => test(c) || test(lowerCp(c)) || test(upperCp(c));
}

const isDigit: Pred = (c) => c >= 48 && c <= 57;
const isWordChar: Pred = (c) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpaceChar: Pred = (c) => c === 9 || c === 10 || c === 12 || c === 13 || c === 32;

const POSIX: ReadonlyMap<string, Pred> = new Map<string, Pred>([
  ['alnum', (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)],
  ['alpha', (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122)],
  ['ascii', (c) => c <= 0x7f],
  ['blank', (c) => c === 9 || c === 32],
  ['cntrl', (c) => c <= 0x1f || c === 0x7f],
  ['digit', isDigit],
  ['graph', (c) => c >= 0x21 && c <= 0x7e],
  ['lower', (c) => c >= 97 && c <= 122],
  ['print', (c) => c >= 0x20 && c <= 0x7e],
  [
    'punct',
    (c) =>
      (c >= 0x21 && c <= 0x2f) ||
      (c >= 0x3a && c <= 0x40) ||
      (c >= 0x5b && c <= 0x60) ||
      (c >= 0x7b && c <= 0x7e),
  ],
  ['space', (c) => c === 9 || c === 10 || c === 11 || c === 12 || c === 13 || c === 32],
  ['upper', (c) => c >= 65 && c <= 90],
  ['word', isWordChar],
  ['xdigit', (c) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)],
]);

const unicodeClasses = new Map<string, Pred>();

/** `\p{name}` via the JS Unicode property tables (the name is validated before use). */
function unicodeClass(name: string, text: string): Pred {
  if (name === 'Any') return () => true;
  const cached = unicodeClasses.get(name);
  if (cached) return cached;
  if (!/^[A-Za-z_]{1,40}$/.test(name)) fail('invalid character class range', text);
  const prop = name.length <= 2 ? name : `Script=${name}`;
  let re: RegExp;
  try {
    re = new RegExp(`^\\p{${prop}}$`, 'u');
  } catch {
    fail('invalid character class range', text);
  }
  const test: Pred = (c) => re.test(String.fromCodePoint(c));
  unicodeClasses.set(name, test);
  return test;
}

class ReParser {
  private i = 0;
  private flags: Flags = { i: false, m: false, s: false, U: false };
  private depth = 0;

  constructor(
    private readonly p: readonly string[],
    private readonly whole: string,
  ) {}

  parse(): Re {
    const re = this.alternation();
    if (this.i < this.p.length) {
      // Only an unmatched `)` stops the top level early.
      fail('unexpected )', this.whole);
    }
    return re;
  }

  private peek(): string | undefined {
    return this.p[this.i];
  }

  private alternation(): Re {
    const items = [this.concat()];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.concat());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private concat(): Re {
    const items: Re[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') break;
      if (c === '*' || c === '+' || c === '?') fail('missing argument to repetition operator', c);
      if (c === '{' && this.repeatAt(this.i)) {
        fail('missing argument to repetition operator', this.repeatAt(this.i)!.text);
      }
      const atom = this.atom();
      if (atom === null) continue;
      items.push(this.repeat(atom));
    }
    if (items.length === 0) return { t: 'empty' };
    return items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  /** A `{n}`, `{n,}` or `{n,m}` at position i, if there is one. */
  private repeatAt(i: number): { min: number; max: number; text: string; end: number } | undefined {
    let j = i + 1;
    let a = '';
    while (j < this.p.length && /[0-9]/.test(this.p[j]!)) a += this.p[j++];
    if (a === '') return undefined;
    let max: number;
    if (this.p[j] === '}') {
      max = Number(a);
    } else if (this.p[j] === ',') {
      j++;
      let b = '';
      while (j < this.p.length && /[0-9]/.test(this.p[j]!)) b += this.p[j++];
      if (this.p[j] !== '}') return undefined;
      max = b === '' ? -1 : Number(b);
    } else {
      return undefined;
    }
    const text = this.p.slice(i, j + 1).join('');
    const min = Number(a);
    if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
      fail('invalid repeat count', text);
    }
    return { min, max, text, end: j + 1 };
  }

  private repeat(atom: Re): Re {
    let re = atom;
    let last = '';
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      let text: string;
      if (c === '*' || c === '+' || c === '?') {
        min = c === '+' ? 1 : 0;
        max = c === '?' ? 1 : -1;
        text = c;
        this.i++;
      } else if (c === '{' && this.repeatAt(this.i)) {
        const r = this.repeatAt(this.i)!;
        ({ min, max, text } = r);
        this.i = r.end;
      } else {
        break;
      }
      if (this.peek() === '?') {
        this.i++;
        text += '?';
      }
      if (last !== '') fail('invalid nested repetition operator', last + text);
      last = text;
      re = { t: 'rep', sub: re, min, max };
    }
    return re;
  }

  private atom(): Re | null {
    const c = this.p[this.i]!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '.': {
        this.i++;
        const s = this.flags.s;
        return { t: 'char', test: s ? () => true : (x) => x !== 10 };
      }
      case '^':
        this.i++;
        return { t: 'assert', k: this.flags.m ? 'bol' : 'bot' };
      case '$':
        this.i++;
        return { t: 'assert', k: this.flags.m ? 'eol' : 'eot' };
      case '\\':
        return this.escapeAtom();
      default: {
        this.i++;
        return this.literal(c.codePointAt(0)!);
      }
    }
  }

  private literal(cp: number): Re {
    const test: Pred = (x) => x === cp;
    return { t: 'char', test: this.flags.i ? fold(test) : test };
  }

  private group(): Re | null {
    const start = this.i;
    this.i++;
    if (++this.depth > 1000) fail('expression nests too deeply', this.whole);
    const saved = { ...this.flags };
    if (this.peek() === '?') {
      const rest = this.p.slice(this.i, this.i + 3).join('');
      if (rest.startsWith('?P<') || (rest.startsWith('?<') && rest !== '?<=' && rest !== '?<!')) {
        this.i += rest.startsWith('?P<') ? 3 : 2;
        let name = '';
        while (this.peek() !== undefined && this.peek() !== '>') name += this.p[this.i++];
        if (this.peek() !== '>' || !/^[A-Za-z0-9_]+$/.test(name)) {
          fail('invalid named capture', this.p.slice(start, this.i + 1).join(''));
        }
        this.i++;
      } else {
        // Flags: (?flags) or (?flags:re).
        this.i++;
        let neg = false;
        let sawFlag = false;
        for (;;) {
          const f = this.peek();
          if (f === 'i' || f === 'm' || f === 's' || f === 'U') {
            this.flags[f] = !neg;
            sawFlag = true;
            this.i++;
          } else if (f === '-' && !neg) {
            neg = true;
            this.i++;
          } else if (f === ')' && sawFlag) {
            this.i++;
            this.depth--;
            return null; // flags apply to the rest of the enclosing group
          } else if (f === ':') {
            this.i++;
            break;
          } else {
            fail('invalid or unsupported Perl syntax', this.p.slice(start, this.i + 1).join(''));
          }
        }
      }
    }
    const sub = this.alternation();
    if (this.peek() !== ')') fail('missing closing )', this.whole);
    this.i++;
    this.flags = saved;
    this.depth--;
    return sub;
  }

  private escapeAtom(): Re {
    const start = this.i;
    this.i++;
    const c = this.peek();
    if (c === undefined) fail('trailing backslash at end of expression', '');
    switch (c) {
      case 'A':
        this.i++;
        return { t: 'assert', k: 'bot' };
      case 'z':
        this.i++;
        return { t: 'assert', k: 'eot' };
      case 'b':
        this.i++;
        return { t: 'assert', k: 'wb' };
      case 'B':
        this.i++;
        return { t: 'assert', k: 'nwb' };
      case 'Q': {
        this.i++;
        const items: Re[] = [];
        while (this.i < this.p.length) {
          if (this.p[this.i] === '\\' && this.p[this.i + 1] === 'E') {
            this.i += 2;
            break;
          }
          items.push(this.literal(this.p[this.i++]!.codePointAt(0)!));
        }
        return items.length === 1 ? items[0]! : { t: 'cat', items };
      }
      default: {
        this.i = start;
        const cls = this.classEscape();
        if (cls) return { t: 'char', test: this.flags.i ? fold(cls) : cls };
        return this.literal(this.singleEscape());
      }
    }
  }

  /** `\d \D \s \S \w \W \pX \p{..} \PX \P{..}` at this.i (on the backslash), or null. */
  private classEscape(): Pred | null {
    const c = this.p[this.i + 1];
    const perl: Record<string, Pred> = { d: isDigit, s: isSpaceChar, w: isWordChar };
    if (c !== undefined && Object.hasOwn(perl, c.toLowerCase()) && 'dswDSW'.includes(c)) {
      this.i += 2;
      const test = perl[c.toLowerCase()]!;
      return c === c.toUpperCase() ? (x) => !test(x) : test;
    }
    if (c === 'p' || c === 'P') {
      const start = this.i;
      this.i += 2;
      let name: string;
      if (this.peek() === '{') {
        const close = this.p.indexOf('}', this.i);
        if (close < 0) fail('invalid character class range', this.p.slice(start).join(''));
        name = this.p.slice(this.i + 1, close).join('');
        this.i = close + 1;
      } else {
        const n = this.peek();
        if (n === undefined) fail('invalid character class range', this.p.slice(start).join(''));
        name = n;
        this.i++;
      }
      let negated = c === 'P';
      if (name.startsWith('^')) {
        negated = !negated;
        name = name.slice(1);
      }
      const test = unicodeClass(name, this.p.slice(start, this.i).join(''));
      return negated ? (x) => !test(x) : test;
    }
    return null;
  }

  /** A single-character escape at this.i (on the backslash): the code point it denotes. */
  private singleEscape(): number {
    const start = this.i;
    this.i++;
    const c = this.p[this.i];
    if (c === undefined) fail('trailing backslash at end of expression', '');
    this.i++;
    const bad = (): never => fail('invalid escape sequence', this.p.slice(start, this.i).join(''));
    const cp = c.codePointAt(0)!;
    const simple: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
    if (Object.hasOwn(simple, c)) return simple[c]!;
    if (c >= '0' && c <= '7') {
      // A lone non-zero digit would be a backreference, which RE2 does not support.
      if (c !== '0' && !(this.peek() !== undefined && this.peek()! >= '0' && this.peek()! <= '7'))
        bad();
      let v = cp - 48;
      for (
        let k = 0;
        k < 2 && this.peek() !== undefined && this.peek()! >= '0' && this.peek()! <= '7';
        k++
      ) {
        v = v * 8 + (this.p[this.i++]!.codePointAt(0)! - 48);
      }
      return v;
    }
    if (c === 'x') {
      let hex = '';
      if (this.peek() === '{') {
        this.i++;
        while (this.peek() !== undefined && this.peek() !== '}') hex += this.p[this.i++];
        if (this.peek() !== '}') bad();
        this.i++;
        if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) bad();
      } else {
        hex = (this.p[this.i] ?? '') + (this.p[this.i + 1] ?? '');
        this.i += 2;
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) bad();
      }
      const v = parseInt(hex, 16);
      if (v > 0x10ffff) bad();
      return v;
    }
    if (cp < 0x80 && !/[0-9A-Za-z]/.test(c)) return cp;
    return bad();
  }

  private charClass(): Re {
    const start = this.i;
    this.i++;
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.i++;
    }
    const items: Pred[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) fail('missing closing ]', this.p.slice(start).join(''));
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      if (c === '[' && this.p[this.i + 1] === ':') {
        const close = this.p.indexOf(']', this.i + 2);
        const body = close > 0 ? this.p.slice(this.i + 2, close).join('') : '';
        if (close > 0 && body.endsWith(':')) {
          let name = body.slice(0, -1);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          const test = POSIX.get(name);
          if (!test)
            fail('invalid character class range', this.p.slice(this.i, close + 1).join(''));
          items.push(neg ? (x) => !test(x) : test);
          this.i = close + 1;
          continue;
        }
      }
      if (c === '\\') {
        const cls = this.classEscape();
        if (cls) {
          items.push(cls);
          continue;
        }
      }
      const rangeStart = this.i;
      const lo = this.classChar();
      if (this.peek() === '-' && this.p[this.i + 1] !== ']' && this.p[this.i + 1] !== undefined) {
        this.i++;
        const hi = this.classChar();
        if (hi < lo)
          fail('invalid character class range', this.p.slice(rangeStart, this.i).join(''));
        items.push((x) => x >= lo && x <= hi);
      } else {
        items.push((x) => x === lo);
      }
    }
    const base: Pred = (x) => items.some((t) => t(x));
    const folded = this.flags.i ? fold(base) : base;
    return { t: 'char', test: negated ? (x) => !folded(x) : folded };
  }

  /** One (possibly escaped) character inside a class, as a code point. */
  private classChar(): number {
    const c = this.p[this.i]!;
    if (c !== '\\') {
      this.i++;
      return c.codePointAt(0)!;
    }
    return this.singleEscape();
  }
}

// ---- compilation to an NFA program ------------------------------------------------------------

type Inst =
  | { op: 'char'; test: Pred; out: number }
  | { op: 'split'; x: number; y: number }
  | { op: 'assert'; k: 'bot' | 'eot' | 'bol' | 'eol' | 'wb' | 'nwb'; out: number }
  | { op: 'match' };

class Compiler {
  readonly prog: Inst[] = [{ op: 'match' }];

  private push(inst: Inst): number {
    if (this.prog.length >= MAX_PROGRAM) fail('expression too large', '');
    this.prog.push(inst);
    return this.prog.length - 1;
  }

  /** Emit `re` so that it continues at `next`; returns the entry pc. */
  emit(re: Re, next: number): number {
    switch (re.t) {
      case 'empty':
        return next;
      case 'char':
        return this.push({ op: 'char', test: re.test, out: next });
      case 'assert':
        return this.push({ op: 'assert', k: re.k, out: next });
      case 'cat': {
        let pc = next;
        for (let k = re.items.length - 1; k >= 0; k--) pc = this.emit(re.items[k]!, pc);
        return pc;
      }
      case 'alt': {
        let pc = this.emit(re.items[re.items.length - 1]!, next);
        for (let k = re.items.length - 2; k >= 0; k--) {
          pc = this.push({ op: 'split', x: this.emit(re.items[k]!, next), y: pc });
        }
        return pc;
      }
      case 'rep': {
        let pc = next;
        if (re.max < 0) {
          // x* looping back on itself.
          const loop = this.push({ op: 'split', x: -1, y: next });
          const body = this.emit(re.sub, loop);
          (this.prog[loop] as { x: number }).x = body;
          pc = loop;
        } else {
          for (let k = re.max - re.min; k > 0; k--) {
            pc = this.push({ op: 'split', x: this.emit(re.sub, pc), y: next });
            next = pc;
          }
        }
        for (let k = 0; k < re.min; k++) pc = this.emit(re.sub, pc);
        return pc;
      }
    }
  }
}

export interface Regexp {
  readonly source: string;
  /** Unanchored search; `charge` is called with the work done, to enforce a budget. */
  test(text: string, charge?: (steps: number) => void): boolean;
}

/** regexp.Compile. Throws Failure with Go's message (`error parsing regexp: …`). */
export function compileRegexp(pattern: string): Regexp {
  let prog: Inst[];
  let start: number;
  try {
    const re = new ReParser(Array.from(pattern), pattern).parse();
    const c = new Compiler();
    start = c.emit(re, 0);
    prog = c.prog;
  } catch (e) {
    if (e instanceof RegexpError) {
      throw new Failure('runtime', `error parsing regexp: ${e.code}: \`${e.arg}\``, undefined);
    }
    throw e;
  }
  return {
    source: pattern,
    test: (text, charge) => run(prog, start, text, charge),
  };
}

function run(prog: Inst[], start: number, text: string, charge?: (steps: number) => void): boolean {
  const cps = Array.from(text, (ch) => ch.codePointAt(0)!);
  const n = cps.length;
  const mark = new Int32Array(prog.length).fill(-1);
  let clist: number[] = [];
  let steps = 0;
  const stack: number[] = [];

  const add = (list: number[], pc0: number, pos: number): boolean => {
    const prev = pos > 0 ? cps[pos - 1]! : -1;
    const next = pos < n ? cps[pos]! : -1;
    stack.push(pc0);
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (mark[pc] === pos) continue;
      mark[pc] = pos;
      steps++;
      const inst = prog[pc]!;
      switch (inst.op) {
        case 'match':
          stack.length = 0;
          return true;
        case 'char':
          list.push(pc);
          break;
        case 'split':
          stack.push(inst.y, inst.x);
          break;
        case 'assert': {
          let ok: boolean;
          switch (inst.k) {
            case 'bot':
              ok = pos === 0;
              break;
            case 'eot':
              ok = pos === n;
              break;
            case 'bol':
              ok = pos === 0 || prev === 10;
              break;
            case 'eol':
              ok = pos === n || next === 10;
              break;
            case 'wb':
              ok = (prev >= 0 && isWordChar(prev)) !== (next >= 0 && isWordChar(next));
              break;
            case 'nwb':
              ok = (prev >= 0 && isWordChar(prev)) === (next >= 0 && isWordChar(next));
              break;
          }
          if (ok) stack.push(inst.out);
          break;
        }
      }
    }
    return false;
  };

  for (let pos = 0; ; pos++) {
    if (add(clist, start, pos)) return true;
    if (charge && steps > 4096) {
      charge(steps);
      steps = 0;
    }
    if (pos === n) break;
    const c = cps[pos]!;
    const nlist: number[] = [];
    for (const pc of clist) {
      const inst = prog[pc] as { op: 'char'; test: Pred; out: number };
      if (inst.test(c) && add(nlist, inst.out, pos + 1)) return true;
    }
    clist = nlist;
  }
  charge?.(steps);
  return false;
}
