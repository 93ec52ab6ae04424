// Colouring of `get rollout` (../shared/spec/cli-dashboard-ops.md §2.4). The bytes are the
// original's: `ESC[<code>m` + text + `ESC[0m`, with code 0 for words that have no colour, and
// nested wraps left nested. picocolors closes with per-attribute codes (39, 22, …) and rewrites
// nested closes, so it cannot produce these bytes; scripts that diff coloured output need them.

const CODES: Readonly<Record<string, number>> = {
  '◷': 33,
  '◌': 94,
  '⚠': 31,
  '?': 33,
  '✔': 32,
  '✖': 31,
  canary: 33,
  stable: 32,
  active: 32,
  preview: 94,
  ping: 94,
  pong: 94,
  Pending: 94,
  Running: 94,
};

export interface Colorizer {
  /** `text` coloured by its own meaning (an icon or a role tag). */
  (text: string): string;
  /** `text` coloured by another word's meaning (a name by its phase or role). */
  by(text: string, key: string): string;
}

export function colorizer(enabled: boolean): Colorizer {
  const wrap = (text: string, key: string) =>
    enabled ? `\x1b[${CODES[key] ?? 0}m${text}\x1b[0m` : text;
  return Object.assign((text: string) => wrap(text, text), { by: wrap });
}

// eslint-disable-next-line no-control-regex
const ANSI_SGR = /\x1b\[[0-9;]*m/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI_SGR, '');
}
