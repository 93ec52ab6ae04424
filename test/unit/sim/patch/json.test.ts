import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, PatchError } from '../../../../sim/patch/json.ts';

type Case = { name: string; target: unknown; ops: unknown; expected: unknown };

const deployment = () => ({
  metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['a'] },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'app', image: 'app:v1' }] } } },
});

const cases: Case[] = [
  {
    name: 'replace a scalar',
    target: deployment(),
    ops: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
    expected: { ...deployment(), spec: { ...deployment().spec, replicas: 3 } },
  },
  {
    name: 'add a map member, escaping "/" as ~1',
    target: { metadata: { labels: {} } },
    ops: [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'web' }],
    expected: { metadata: { labels: { 'app.kubernetes.io/name': 'web' } } },
  },
  {
    name: 'append to an array with "-"',
    target: { metadata: { finalizers: ['a'] } },
    ops: [{ op: 'add', path: '/metadata/finalizers/-', value: 'b' }],
    expected: { metadata: { finalizers: ['a', 'b'] } },
  },
  {
    name: 'insert into an array at an index',
    target: { list: [1, 3] },
    ops: [{ op: 'add', path: '/list/1', value: 2 }],
    expected: { list: [1, 2, 3] },
  },
  {
    name: 'remove an array element',
    target: { list: ['a', 'b', 'c'] },
    ops: [{ op: 'remove', path: '/list/1' }],
    expected: { list: ['a', 'c'] },
  },
  {
    name: 'test then replace (optimistic update)',
    target: { spec: { image: 'v1' } },
    ops: [
      { op: 'test', path: '/spec/image', value: 'v1' },
      { op: 'replace', path: '/spec/image', value: 'v2' },
    ],
    expected: { spec: { image: 'v2' } },
  },
  {
    name: 'move and copy',
    target: { a: { x: 1 }, b: {} },
    ops: [
      { op: 'copy', from: '/a/x', path: '/b/y' },
      { op: 'move', from: '/a', path: '/c' },
    ],
    expected: { b: { y: 1 }, c: { x: 1 } },
  },
  {
    name: 'replace the whole document via the root pointer',
    target: { a: 1 },
    ops: [{ op: 'replace', path: '', value: { b: 2 } }],
    expected: { b: 2 },
  },
  {
    name: 'empty operation list is the identity',
    target: { a: [1] },
    ops: [],
    expected: { a: [1] },
  },
];

for (const c of cases) {
  test(`json patch: ${c.name}`, () => {
    assert.deepStrictEqual(applyJsonPatch(c.target, c.ops), c.expected);
  });
}

type ErrorCase = { name: string; target: unknown; ops: unknown; message: RegExp };

const errorCases: ErrorCase[] = [
  {
    name: 'body is an object, not an array',
    target: {},
    ops: { op: 'add' },
    message: /must be a JSON array/,
  },
  {
    name: 'operation is not an object',
    target: {},
    ops: ['add'],
    message: /operation 0: must be a JSON object/,
  },
  {
    name: 'unknown op',
    target: {},
    ops: [{ op: 'merge', path: '/a', value: 1 }],
    message: /operation 0: unknown op "merge"/,
  },
  {
    name: 'missing path',
    target: {},
    ops: [{ op: 'add', value: 1 }],
    message: /operation 0 \(add undefined\): "path" must be a string/,
  },
  {
    name: 'path is not a JSON pointer',
    target: { a: 1 },
    ops: [{ op: 'replace', path: 'a', value: 2 }],
    message: /operation 0 \(replace "a"\): "path" "a" is not a JSON pointer/,
  },
  {
    name: 'add without value',
    target: {},
    ops: [{ op: 'add', path: '/a' }],
    message: /operation 0 \(add "\/a"\): missing "value"/,
  },
  {
    name: 'failed test names the operation index, op and path',
    target: { spec: { image: 'v2' } },
    ops: [
      { op: 'replace', path: '/spec/image', value: 'v3' },
      { op: 'test', path: '/spec/image', value: 'v1' },
    ],
    message:
      /operation 1 \(test "\/spec\/image"\) failed: value at "\/spec\/image" is not equal to "v1"/,
  },
  {
    name: 'remove of a missing member',
    target: { a: 1 },
    ops: [{ op: 'remove', path: '/b' }],
    message: /operation 0 \(remove "\/b"\) failed: no value at "\/b"/,
  },
  {
    name: 'replace of a missing member',
    target: { a: 1 },
    ops: [{ op: 'replace', path: '/b', value: 1 }],
    message: /operation 0 \(replace "\/b"\) failed/,
  },
  {
    name: 'add below a missing parent',
    target: {},
    ops: [{ op: 'add', path: '/spec/replicas', value: 1 }],
    message: /operation 0 \(add "\/spec\/replicas"\) failed: parent/,
  },
  {
    name: 'add past the end of an array',
    target: { list: [1] },
    ops: [{ op: 'add', path: '/list/5', value: 2 }],
    message: /operation 0 \(add "\/list\/5"\) failed/,
  },
  {
    name: 'replace with "-" on an array',
    target: { list: [1] },
    ops: [{ op: 'replace', path: '/list/-', value: 2 }],
    message: /operation 0 \(replace "\/list\/-"\) failed: "-" is not a valid array index/,
  },
  {
    name: 'move from a missing location',
    target: { a: 1 },
    ops: [{ op: 'move', from: '/x', path: '/y' }],
    message: /operation 0 \(move "\/y"\) failed/,
  },
  {
    name: 'removing the whole document',
    target: { a: 1 },
    ops: [{ op: 'remove', path: '' }],
    message: /cannot remove the whole document/,
  },
  {
    name: '__proto__ in a path',
    target: {},
    ops: [{ op: 'add', path: '/__proto__/polluted', value: true }],
    message: /unsupported token/,
  },
];

for (const c of errorCases) {
  test(`json patch error: ${c.name}`, () => {
    assert.throws(
      () => applyJsonPatch(c.target, c.ops),
      (err: unknown) => err instanceof PatchError && c.message.test(err.message),
    );
  });
}

test('json patch: the target is not mutated, even when a later operation fails', () => {
  const target = deployment();
  const copy = structuredClone(target);
  applyJsonPatch(target, [{ op: 'replace', path: '/spec/replicas', value: 5 }]);
  assert.throws(
    () =>
      applyJsonPatch(target, [
        { op: 'add', path: '/metadata/labels/x', value: 'y' },
        { op: 'test', path: '/spec/replicas', value: 99 },
      ]),
    PatchError,
  );
  assert.deepStrictEqual(target, copy);
});
