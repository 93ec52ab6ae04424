// Object names as the apiserver generates and validates them
// (k8s.io/apiserver names.SimpleNameGenerator, k8s.io/apimachinery/pkg/util/validation).

import { randomInt } from 'node:crypto';

// utilrand drops vowels and the look-alikes 0, 1 and 3 so that generated names cannot spell
// words or be misread; clients that pattern-match generateName suffixes rely on this alphabet.
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The random tail metadata.generateName receives (utilrand.String). */
export function randomSuffix(n = 5): string {
  let out = '';
  for (let i = 0; i < n; i++) out += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return out;
}

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);

const DNS1123_LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

/** validation.MaxLenError. */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** validation.EmptyError. */
export function emptyError(): string {
  return 'must be non-empty';
}

/**
 * validation.RegexError, including its odd "'a',  or 'b', " spacing: clients and tests compare
 * these messages verbatim.
 */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) out += ' or ';
    out += `'${e}', `;
  });
  return `${out}regex used for validation is '${fmt}')`;
}

/** Go measures string length in bytes, so non-ASCII names hit the limit sooner than .length says. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** validation.IsDNS1123Label: [] when valid, otherwise apimachinery's messages. */
export function validateDns1123Label(name: string): string[] {
  const errs: string[] = [];
  if (byteLength(name) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!DNS1123_LABEL_RE.test(name)) {
    // Length was reported above, so a valid subdomain that is not a valid label can only differ
    // by its dots; apimachinery says so instead of repeating the regex.
    if (DNS1123_SUBDOMAIN_RE.test(name)) errs.push('must not contain dots');
    else errs.push(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

/** validation.IsDNS1123Subdomain: [] when valid, otherwise apimachinery's messages. */
export function validateDns1123Subdomain(name: string): string[] {
  const errs: string[] = [];
  if (byteLength(name) > DNS1123_SUBDOMAIN_MAX_LENGTH) {
    errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  }
  if (!DNS1123_SUBDOMAIN_RE.test(name)) {
    errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  }
  return errs;
}
