import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  randomSuffix,
  validateDns1123Label,
  validateDns1123Subdomain,
} from '../../../../sim/naming.ts';

const SUBDOMAIN_REGEX_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_REGEX_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

test('randomSuffix draws n characters from the apiserver alphabet', () => {
  for (let i = 0; i < 200; i++) assert.match(randomSuffix(), /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(randomSuffix(12).length, 12);
  assert.equal(randomSuffix(0), '');
  const seen = new Set(Array.from({ length: 50 }, () => randomSuffix()));
  assert.ok(seen.size > 45, 'suffixes should not repeat');
});

const subdomainCases: [string, string[]][] = [
  ['example.com', []],
  ['a', []],
  ['rollout-abc.v1', []],
  ['', [SUBDOMAIN_REGEX_ERR]],
  ['Example.com', [SUBDOMAIN_REGEX_ERR]],
  ['-leading', [SUBDOMAIN_REGEX_ERR]],
  ['trailing.', [SUBDOMAIN_REGEX_ERR]],
  ['a..b', [SUBDOMAIN_REGEX_ERR]],
  ['under_score', [SUBDOMAIN_REGEX_ERR]],
  ['a'.repeat(253), []],
  ['a'.repeat(254), ['must be no more than 253 characters']],
  ['A'.repeat(254), ['must be no more than 253 characters', SUBDOMAIN_REGEX_ERR]],
  // Go counts bytes: 127 two-byte characters exceed 253 although .length is 127.
  ['é'.repeat(127), ['must be no more than 253 characters', SUBDOMAIN_REGEX_ERR]],
];

for (const [name, want] of subdomainCases) {
  test(`validateDns1123Subdomain(${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…x${name.length}` : name)})`, () => {
    assert.deepEqual(validateDns1123Subdomain(name), want);
  });
}

const labelCases: [string, string[]][] = [
  ['my-name', []],
  ['123-abc', []],
  ['a.b', ['must not contain dots']],
  ['', [LABEL_REGEX_ERR]],
  ['My-Name', [LABEL_REGEX_ERR]],
  ['name-', [LABEL_REGEX_ERR]],
  ['a'.repeat(63), []],
  ['a'.repeat(64), ['must be no more than 63 characters']],
  ['a.' + 'b'.repeat(62), ['must be no more than 63 characters', 'must not contain dots']],
];

for (const [name, want] of labelCases) {
  test(`validateDns1123Label(${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…x${name.length}` : name)})`, () => {
    assert.deepEqual(validateDns1123Label(name), want);
  });
}
