// Go standard-library behaviour the language leaks through its messages and conversions:
// strconv.ParseInt / ParseFloat (syntax, ranges, error texts), strconv.Quote, and the `%v`
// rendering of float64 (strconv 'g' with shortest precision).

export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;

/** Wrap to a Go int64 (two's complement overflow, as Go integer arithmetic does). */
export function wrapInt(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** Go int64(f) for a float64 (truncation; NaN, ±Inf and out-of-range give MinInt64 as on amd64). */
export function floatToInt(f: number): bigint {
  if (!Number.isFinite(f)) return INT64_MIN;
  const t = Math.trunc(f);
  if (t >= 9223372036854775808 || t < -9223372036854775808) return INT64_MIN;
  return BigInt(t);
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; err: string };

/** strconv.ParseInt(s, base, 64) with base 10 or 0 (prefix-driven); `err` is Go's full message. */
export function parseGoInt(s: string, base: 10 | 0 = 10): ParseResult<bigint> {
  const fail = (why: string): ParseResult<bigint> => ({
    ok: false,
    err: `strconv.ParseInt: parsing ${goQuote(s)}: ${why}`,
  });
  let body = s;
  let neg = false;
  if (body.startsWith('+') || body.startsWith('-')) {
    neg = body.startsWith('-');
    body = body.slice(1);
  }
  let radix = 10;
  let digits = body;
  if (base === 0) {
    const lower = body.toLowerCase();
    if (lower.startsWith('0x')) {
      radix = 16;
      digits = body.slice(2);
    } else if (lower.startsWith('0o')) {
      radix = 8;
      digits = body.slice(2);
    } else if (lower.startsWith('0b')) {
      radix = 2;
      digits = body.slice(2);
    } else if (body.length > 1 && body.startsWith('0')) {
      radix = 8;
      digits = body.slice(1);
    }
  }
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[radix]!;
  if (!valid.test(digits)) return fail('invalid syntax');
  let v = 0n;
  const r = BigInt(radix);
  for (const d of digits) v = v * r + BigInt(parseInt(d, radix));
  if (neg) v = -v;
  if (v > INT64_MAX || v < INT64_MIN) return fail('value out of range');
  return { ok: true, value: v };
}

const DECIMAL_FLOAT = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX_FLOAT =
  /^([+-]?)0[xX]((?:[0-9a-fA-F_]+(?:\.[0-9a-fA-F_]*)?|\.[0-9a-fA-F_]+))[pP]([+-]?[0-9_]+)$/;
const SPECIAL_FLOAT = /^(?:[+-]?(?:inf|infinity)|nan)$/i;

/** strconv.ParseFloat(s, 64); `err` is Go's full message. */
export function parseGoFloat(s: string): ParseResult<number> {
  const fail = (why: string): ParseResult<number> => ({
    ok: false,
    err: `strconv.ParseFloat: parsing ${goQuote(s)}: ${why}`,
  });
  if (SPECIAL_FLOAT.test(s)) {
    const l = s.toLowerCase();
    if (l === 'nan') return { ok: true, value: NaN };
    return { ok: true, value: l.startsWith('-') ? -Infinity : Infinity };
  }
  let v: number;
  if (DECIMAL_FLOAT.test(s)) {
    v = Number(s);
  } else {
    const m = HEX_FLOAT.exec(s);
    if (!m) return fail('invalid syntax');
    const [, sign, mant, exp] = m as unknown as [string, string, string, string];
    const [ip = '', fp = ''] = mant.replaceAll('_', '').split('.');
    if (ip === '' && fp === '') return fail('invalid syntax');
    const digits = BigInt(`0x${ip}${fp}` === '0x' ? '0' : `0x${ip}${fp}`);
    const e = Number(exp.replaceAll('_', '')) - 4 * fp.length;
    v = Number(digits) * 2 ** e;
    if (!Number.isFinite(v) && digits !== 0n) v = Infinity;
    if (Number.isNaN(v)) v = 0;
    if (sign === '-') v = -v;
  }
  if (!Number.isFinite(v)) return fail('value out of range');
  return { ok: true, value: v };
}

/** Go strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const c of s) {
    switch (c) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\x07':
        out += '\\a';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\v':
        out += '\\v';
        break;
      default: {
        const cp = c.codePointAt(0) ?? 0;
        if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c)) out += c;
        else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
        else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
        else out += `\\U${cp.toString(16).padStart(8, '0')}`;
      }
    }
  }
  return out + '"';
}

/** Shortest round-trip decimal digits and decimal exponent of a finite, non-zero |f|. */
function shortestDigits(f: number): { digits: string; exp: number } {
  const [mant = '', e = '0'] = Math.abs(f).toExponential().split('e');
  return { digits: mant.replace('.', ''), exp: Number(e) };
}

/** Go `%v` / strconv.FormatFloat(f, 'g', -1, 64): `1e+06`, `123456`, `1.5e-07`, `NaN`, `+Inf`. */
export function formatFloatV(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const sign = f < 0 ? '-' : '';
  const { digits, exp } = shortestDigits(f);
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const es = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${es}`;
  }
  return sign + fixedFromDigits(digits, exp);
}

/** Decimal (no exponent) rendering of digits × 10^(exp - len + 1). */
function fixedFromDigits(digits: string, exp: number): string {
  if (exp < 0) return `0.${'0'.repeat(-exp - 1)}${digits}`;
  if (exp + 1 >= digits.length) return digits + '0'.repeat(exp + 1 - digits.length);
  return `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** strconv.FormatFloat(f, 'f', -1, 64): shortest digits, never an exponent. */
export function formatFloatF(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const { digits, exp } = shortestDigits(f);
  return (f < 0 ? '-' : '') + fixedFromDigits(digits, exp);
}
