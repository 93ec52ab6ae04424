// Hostile input must fail safely: no access to JS prototypes or globals, no code execution, no
// prototype pollution, and bounded parse/evaluation cost (dependencies.md §3 safety rules).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compile,
  evaluate,
  evaluateCondition,
  ExprError,
  ExprRuntimeError,
  ExprSyntaxError,
  ExprTypeError,
  MAX_SOURCE_LENGTH,
} from '../../../../src/analysis/expr/index.ts';

function value(src: string, result: unknown = null): unknown {
  return evaluate(compile(src), { result });
}

function fails(f: () => unknown, cls: new (...a: never[]) => ExprError, msg: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert.ok(e.message.includes(msg), `${JSON.stringify(e.message)} lacks ${JSON.stringify(msg)}`);
    return true;
  });
}

describe('identifiers resolve only through the environment', () => {
  for (const name of [
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    'globalThis',
    'process',
    'this',
    'Function',
  ]) {
    it(`${name} is an unknown name`, () =>
      fails(() => compile(name), ExprTypeError, `unknown name ${name}`));
  }
  it('eval/require calls are unknown names', () => {
    fails(() => compile('eval("1")'), ExprTypeError, 'unknown name eval');
    fails(() => compile('require("fs")'), ExprTypeError, 'unknown name require');
  });
  it('$env exposes only result', () => {
    assert.equal(value('$env.result.a', { a: 1 }), 1);
    fails(() => compile('$env.constructor'), ExprTypeError, 'unknown name constructor');
  });
  it('an inherited `result` on the env object is not visible', () => {
    const env = Object.create({ result: 5 }) as { result?: unknown };
    assert.equal(evaluate(compile('result'), env), null);
  });
});

describe('member access reads own data only', () => {
  it('prototype keys of a JSON object read as missing (nil)', () => {
    for (const key of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty']) {
      assert.equal(value(`result.${key}`, { a: 1 }), null, key);
      assert.equal(value(`result["${key}"] == nil`, { a: 1 }), true, key);
    }
  });
  it('an own "__proto__" key from JSON.parse is plain data', () => {
    const result: unknown = JSON.parse('{"__proto__": {"polluted": true}}');
    assert.equal(evaluateCondition('result.__proto__.polluted == true', result), true);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
  it('a map literal with __proto__ does not pollute Object.prototype', () => {
    assert.equal(value('{"__proto__": {"x": 1}}.__proto__.x'), 1n);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });
  it('getters are never invoked', () => {
    let called = false;
    const result = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        called = true;
        return 1;
      },
    });
    assert.equal(evaluateCondition('result.x == nil', result), true);
    assert.equal(called, false);
  });
  it('class instances and functions are opaque', () => {
    fails(
      () =>
        evaluateCondition(
          'result.x == 1',
          new (class {
            x = 1;
          })(),
        ),
      ExprRuntimeError,
      'cannot fetch x',
    );
    fails(
      () => evaluateCondition('result.call(1)', () => 1),
      ExprRuntimeError,
      'cannot fetch call',
    );
  });
  it('array and string properties are not JS properties', () => {
    fails(
      () => evaluate(compile('result.length'), { result: [1] }),
      ExprTypeError,
      'array elements can only be selected using an integer',
    );
    fails(() => compile('"abc".length'), ExprTypeError, 'type string has no field length');
    fails(
      () => evaluate(compile('result.push(2)'), { result: [1] }),
      ExprTypeError,
      'array elements can only be selected',
    );
  });
  it('calls on values never reach JS functions', () => {
    fails(
      () => evaluate(compile('result.toString()'), { result: { a: 1 } }),
      ExprRuntimeError,
      'reflect: call of reflect.Value.Call on zero Value',
    );
    fails(
      () => compile('result.constructor.constructor("return process")()'),
      ExprSyntaxError,
      'unexpected token',
    );
  });
});

describe('size and nesting caps', () => {
  it('rejects over-long expressions', () => {
    fails(
      () => compile('1'.repeat(MAX_SOURCE_LENGTH + 1)),
      ExprSyntaxError,
      'expression is too long',
    );
  });
  it('rejects deep nesting without overflowing the stack', () => {
    fails(
      () => compile(`${'('.repeat(5000)}1${')'.repeat(5000)}`),
      ExprSyntaxError,
      'nested too deeply',
    );
    fails(() => compile(`${'!'.repeat(8000)}true`), ExprSyntaxError, 'nested too deeply');
    fails(
      () => compile(`${'['.repeat(3000)}${']'.repeat(3000)}`),
      ExprSyntaxError,
      'nested too deeply',
    );
    fails(() => compile(Array(1500).fill('1').join(' + ')), ExprSyntaxError, 'nested too deeply');
  });
  it('accepts moderate nesting', () => {
    assert.equal(value(`${'('.repeat(100)}1${')'.repeat(100)}`), 1n);
  });
  it('caps the number of nodes (expr MaxNodes)', () => {
    fails(
      () => compile(`{${'a:1,'.repeat(3400)}}`),
      ExprSyntaxError,
      'exceeds maximum allowed nodes',
    );
  });
  it('caps memory (expr MemoryBudget)', () => {
    fails(() => value('len(1..100000000)'), ExprRuntimeError, 'memory budget exceeded');
    fails(() => value('repeat("abc", 1000000)'), ExprRuntimeError, 'memory budget exceeded');
  });
  it('caps evaluation steps', () => {
    const result = Array.from({ length: 200 }, (_, i) => i);
    const started = Date.now();
    fails(
      () => evaluateCondition('all(result, {all(result, {all(result, {# >= 0})})})', result),
      ExprRuntimeError,
      'step budget',
    );
    assert.ok(Date.now() - started < 5000);
  });
  it('deep or cyclic results fail instead of overflowing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    fails(
      () => evaluateCondition('result == result', deep),
      ExprRuntimeError,
      'recursion depth exceeded',
    );
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    fails(
      () => evaluate(compile('string(result)'), { result: cyclic }),
      ExprRuntimeError,
      'recursion depth exceeded',
    );
  });
  it('regular expressions run in linear time (no catastrophic backtracking)', () => {
    const started = Date.now();
    assert.equal(evaluateCondition('result matches "(a+)+$"', `${'a'.repeat(3000)}b`), false);
    assert.equal(evaluateCondition('result matches "(a+)+b$"', `${'a'.repeat(3000)}b`), true);
    assert.equal(evaluateCondition('result matches "^(a|aa)+$"', `${'a'.repeat(3000)}b`), false);
    assert.ok(Date.now() - started < 5000);
  });
  it('every failure is an ExprError, never a raw JS error', () => {
    for (const src of [
      'result.a.b.c',
      'result[0][1]',
      'len(result) / result',
      'result matches result',
    ]) {
      for (const result of [null, 1, 'x', [], {}, [[]], { a: { b: null } }, NaN]) {
        try {
          evaluateCondition(src, result);
        } catch (e) {
          assert.ok(
            e instanceof ExprError,
            `${src} with ${JSON.stringify(result)} threw ${String(e)}`,
          );
        }
      }
    }
  });
});
