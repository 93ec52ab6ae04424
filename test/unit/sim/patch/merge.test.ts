import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from '../../../../sim/patch/merge.ts';

type Case = { name: string; target: unknown; patch: unknown; expected: unknown };

// The first fifteen are the examples of RFC 7396 appendix A.
const cases: Case[] = [
  { name: 'replaces a member', target: { a: 'b' }, patch: { a: 'c' }, expected: { a: 'c' } },
  { name: 'adds a member', target: { a: 'b' }, patch: { b: 'c' }, expected: { a: 'b', b: 'c' } },
  { name: 'null removes the only member', target: { a: 'b' }, patch: { a: null }, expected: {} },
  {
    name: 'null removes one member',
    target: { a: 'b', b: 'c' },
    patch: { a: null },
    expected: { b: 'c' },
  },
  {
    name: 'array replaced by string',
    target: { a: ['b'] },
    patch: { a: 'c' },
    expected: { a: 'c' },
  },
  {
    name: 'string replaced by array',
    target: { a: 'c' },
    patch: { a: ['b'] },
    expected: { a: ['b'] },
  },
  {
    name: 'nested object merged, nested null removes',
    target: { a: { b: 'c' } },
    patch: { a: { b: 'd', c: null } },
    expected: { a: { b: 'd' } },
  },
  {
    name: 'arrays are replaced, never merged',
    target: { a: [{ b: 'c' }] },
    patch: { a: [1] },
    expected: { a: [1] },
  },
  { name: 'array target and patch', target: ['a', 'b'], patch: ['c', 'd'], expected: ['c', 'd'] },
  { name: 'array patch replaces object', target: { a: 'b' }, patch: ['c'], expected: ['c'] },
  { name: 'null patch replaces everything', target: { a: 'foo' }, patch: null, expected: null },
  { name: 'string patch replaces everything', target: { a: 'foo' }, patch: 'bar', expected: 'bar' },
  {
    name: 'existing null in target is kept',
    target: { e: null },
    patch: { a: 1 },
    expected: { e: null, a: 1 },
  },
  {
    name: 'object patch on array target starts from {}',
    target: [1, 2],
    patch: { a: 'b', c: null },
    expected: { a: 'b' },
  },
  {
    name: 'nulls inside a new subtree are dropped',
    target: {},
    patch: { a: { bb: { ccc: null } } },
    expected: { a: { bb: {} } },
  },
  {
    name: 'ConfigMap data: change, delete and add keys',
    target: { metadata: { name: 'cm' }, data: { a: '1', b: '2' } },
    patch: { data: { a: '10', b: null, c: '3' } },
    expected: { metadata: { name: 'cm' }, data: { a: '10', c: '3' } },
  },
  {
    name: 'labels merged; list fields such as finalizers replaced',
    target: { metadata: { labels: { app: 'x' }, finalizers: ['a', 'b'] } },
    patch: { metadata: { labels: { tier: 'web' }, finalizers: ['c'] } },
    expected: { metadata: { labels: { app: 'x', tier: 'web' }, finalizers: ['c'] } },
  },
  {
    name: 'object replaces a scalar member',
    target: { spec: 5 },
    patch: { spec: { replicas: 2, paused: null } },
    expected: { spec: { replicas: 2 } },
  },
  {
    name: 'empty patch is the identity',
    target: { a: { b: [1, 2] } },
    patch: {},
    expected: { a: { b: [1, 2] } },
  },
];

for (const c of cases) {
  test(`merge patch: ${c.name}`, () => {
    assert.deepStrictEqual(applyMergePatch(c.target, c.patch), c.expected);
  });
}

test('merge patch: inputs are not mutated and the result shares nothing with them', () => {
  const target = { a: { b: 1 }, list: [1], keep: { deep: { x: 1 } } };
  const patch = { a: { c: 2 }, list: [{ y: 1 }], added: { z: [1] } };
  const targetCopy = structuredClone(target);
  const patchCopy = structuredClone(patch);

  const result = applyMergePatch(target, patch) as Record<string, Record<string, unknown>>;
  assert.deepStrictEqual(target, targetCopy);
  assert.deepStrictEqual(patch, patchCopy);

  (result.keep as { deep: { x: number } }).deep.x = 99;
  (result.list as unknown as Array<{ y: number }>)[0]!.y = 99;
  (result.added as { z: number[] }).z.push(2);
  assert.deepStrictEqual(target, targetCopy);
  assert.deepStrictEqual(patch, patchCopy);
});

test('merge patch: a "__proto__" key is stored as data, not as a prototype', () => {
  const patch = JSON.parse('{"data":{"__proto__":{"polluted":true}}}') as unknown;
  const result = applyMergePatch({ data: {} }, patch) as { data: Record<string, unknown> };
  assert.ok(Object.prototype.hasOwnProperty.call(result.data, '__proto__'));
  assert.equal(Object.getPrototypeOf(result.data), Object.prototype);
  assert.equal((result.data as { polluted?: unknown }).polluted, undefined);
});
