// The `matches` operator implements Go's RE2 syntax (unanchored search) without JS RegExp.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Failure } from '../../../../src/analysis/expr/errors.ts';
import { compileRegexp } from '../../../../src/analysis/expr/regexp.ts';
import { evaluateCondition, ExprRuntimeError } from '../../../../src/analysis/expr/index.ts';

const rows: [pattern: string, text: string, want: boolean][] = [
  ['abc', 'xxabcxx', true],
  ['^abc$', 'abc', true],
  ['^abc$', 'abcd', false],
  ['a.c', 'a\nc', false],
  ['(?s)a.c', 'a\nc', true],
  ['^b', 'a\nb', false],
  ['(?m)^b$', 'a\nb\nc', true],
  ['a$', 'a\n', false],
  ['\\Aab\\z', 'ab', true],
  ['colou?r', 'color', true],
  ['a{2,3}', 'caab', true],
  ['^a{2,3}$', 'aaaa', false],
  ['^a{2,}$', 'aaaa', true],
  ['^(ab|cd)+$', 'abcdab', true],
  ['^(ab|cd)+$', 'abce', false],
  ['^a*?b$', 'aaab', true],
  ['[a-c]+x', 'zzbcx', true],
  ['[^0-9]', '123', false],
  ['[]a]', ']', true],
  ['[a-]', '-', true],
  ['\\d+\\.\\d+', 'v1.25', true],
  ['^\\w+$', 'ab_9', true],
  ['^\\w+$', 'héllo', false],
  ['\\s', 'a\tb', true],
  ['^\\S+$', 'a b', false],
  ['\\bcat\\b', 'the cat sat', true],
  ['\\bcat\\b', 'concat', false],
  ['\\Bcat', 'concat', true],
  ['[[:alpha:]]+[[:digit:]]', 'abc1', true],
  ['[[:^digit:]]', '123', false],
  ['\\pL+', 'héllo', true],
  ['^\\p{Greek}+$', 'αβγ', true],
  ['^\\PL+$', '123', true],
  ['(?i)hello', 'HeLLo world', true],
  ['(?i:h)ello', 'Hello', true],
  ['(?i:h)ello', 'HELLO', false],
  ['[[:upper:]]', 'abc', false],
  ['(?i)[a-c]', 'B', true],
  ['(?P<year>\\d{4})-\\d{2}', 'on 2024-05', true],
  ['(?<y>\\d)', 'x1', true],
  ['\\Qa.b\\E', 'a.b', true],
  ['\\Qa.b\\E', 'axb', false],
  ['\\x41\\x{42}\\101', 'ABA', true],
  ['\\.', 'a', false],
  ['a|b|', 'zzz', true],
  ['^$', '', true],
  ['é+', 'ééé', true],
  ['^.$', '😀', true],
];

describe('RE2 matching', () => {
  for (const [pattern, text, want] of rows) {
    it(`${JSON.stringify(pattern)} on ${JSON.stringify(text)} → ${want}`, () => {
      assert.equal(compileRegexp(pattern).test(text), want);
    });
  }
});

const errors: [pattern: string, message: string][] = [
  ['(abc', 'error parsing regexp: missing closing ): `(abc`'],
  ['abc)', 'error parsing regexp: unexpected ): `abc)`'],
  ['[abc', 'error parsing regexp: missing closing ]: `[abc`'],
  ['[z-a]', 'error parsing regexp: invalid character class range: `z-a`'],
  ['*a', 'error parsing regexp: missing argument to repetition operator: `*`'],
  ['a**', 'error parsing regexp: invalid nested repetition operator: `**`'],
  ['a{1001}', 'error parsing regexp: invalid repeat count: `{1001}`'],
  ['(?=a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
  ['(?<!a)b', 'error parsing regexp: invalid or unsupported Perl syntax'],
  ['(a)\\1', 'error parsing regexp: invalid escape sequence: `\\1`'],
  ['\\q', 'error parsing regexp: invalid escape sequence: `\\q`'],
  ['a\\', 'error parsing regexp: trailing backslash at end of expression: ``'],
  ['\\p{Klingon}', 'error parsing regexp: invalid character class range: `\\p{Klingon}`'],
];

describe('RE2 syntax errors (Go messages)', () => {
  for (const [pattern, message] of errors) {
    it(JSON.stringify(pattern), () => {
      assert.throws(
        () => compileRegexp(pattern),
        (e: unknown) => e instanceof Failure && e.reason.startsWith(message),
      );
    });
  }

  it('a dynamic invalid pattern fails at run time like regexp.MustCompile', () => {
    assert.throws(
      () => evaluateCondition('"x" matches result', '('),
      (e: unknown) =>
        e instanceof ExprRuntimeError &&
        e.message === 'regexp: Compile(`(`): error parsing regexp: missing closing ): `(`',
    );
  });

  it('matches on a non-string is a type error at run time', () => {
    assert.throws(
      () => evaluateCondition('result.x matches "a"', { x: 1 }),
      (e: unknown) =>
        e instanceof ExprRuntimeError && e.message.includes('interface {} is float64, not string'),
    );
  });
});
