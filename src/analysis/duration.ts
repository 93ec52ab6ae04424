// Go's time.ParseDuration, with its exact error messages (analysis.md §1.4): `interval`,
// `initialDelay` and Prometheus `rangeQuery.step` are Go duration strings, and validation
// (§1.8) reports the parse error verbatim.

export type DurationResult = { ok: true; ns: bigint; ms: number } | { ok: false; error: string };

const UNIT_NS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign
  ['\u03bcs', 1_000n], // Greek small letter mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const TWO63 = 1n << 63n;
const HEX = '0123456789abcdef';

/** The time package's quote(): ASCII kept (`"` and `\` escaped), every other byte as \xHH. */
export function goTimeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0x80 || c < 0x20) {
      for (const b of Buffer.from(ch, 'utf8')) out += `\\x${HEX[b >> 4]}${HEX[b & 0xf]}`;
    } else {
      if (ch === '"' || ch === '\\') out += '\\';
      out += ch;
    }
  }
  return `${out}"`;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Parses a Go duration string. */
export function parseDuration(input: string): DurationResult {
  const invalid = (): DurationResult => ({
    ok: false,
    error: `time: invalid duration ${goTimeQuote(input)}`,
  });
  let s = input;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, ns: 0n, ms: 0 };
  if (s === '') return invalid();
  let d = 0n;
  while (s !== '') {
    // The next character must be [0-9.]
    if (!(s[0] === '.' || isDigit(s[0]))) return invalid();
    // [0-9]*
    let i = 0;
    let v = 0n;
    for (; i < s.length && isDigit(s[i]); i++) {
      if (v > TWO63 / 10n) return invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > TWO63) return invalid();
    }
    const pre = i > 0;
    s = s.slice(i);
    // (\.[0-9]*)?
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      let overflow = false;
      let j = 0;
      for (; j < s.length && isDigit(s[j]); j++) {
        if (overflow) continue;
        if (f > (TWO63 - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
        if (y > TWO63) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) return invalid(); // no digits (e.g. ".s" or "-.s")
    // Unit: up to the next '.' or digit.
    let k = 0;
    while (k < s.length && !(s[k] === '.' || isDigit(s[k]))) k++;
    if (k === 0) {
      return { ok: false, error: `time: missing unit in duration ${goTimeQuote(input)}` };
    }
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = UNIT_NS.get(u);
    if (unit === undefined) {
      return {
        ok: false,
        error: `time: unknown unit ${goTimeQuote(u)} in duration ${goTimeQuote(input)}`,
      };
    }
    if (v > TWO63 / unit) return invalid();
    v *= unit;
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO63) return invalid();
    }
    d += v;
    if (d > TWO63) return invalid();
  }
  if (neg) return { ok: true, ns: -d, ms: -Number(d) / 1e6 };
  if (d > TWO63 - 1n) return invalid();
  return { ok: true, ns: d, ms: Number(d) / 1e6 };
}
