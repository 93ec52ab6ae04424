import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePatchDiff } from '../../../src/kube/merge-diff.ts';
import { applyMergePatch } from '../../../sim/patch/merge.ts';

const cases: [string, unknown, unknown, unknown][] = [
  ['equal objects', { a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } }, undefined],
  ['changed scalar', { a: 1 }, { a: 2 }, { a: 2 }],
  ['removed key', { a: 1, b: 2 }, { a: 1 }, { b: null }],
  ['added nested', { s: {} }, { s: { x: { y: 1 } } }, { s: { x: { y: 1 } } }],
  ['array replaced whole', { l: [1, 2] }, { l: [1] }, { l: [1] }],
  ['nested removal', { s: { a: 1, b: 2 } }, { s: { a: 1 } }, { s: { b: null } }],
  ['undefined values count as absent', { a: 1, b: undefined }, { a: 1 }, undefined],
  ['object to scalar', { a: { b: 1 } }, { a: 3 }, { a: 3 }],
];

for (const [name, from, to, want] of cases) {
  test(`mergePatchDiff: ${name}`, () => {
    const d = mergePatchDiff(from, to);
    assert.deepEqual(d, want);
    if (d !== undefined) {
      // Applying the diff must give `to` back (modulo undefined-valued keys).
      assert.deepEqual(applyMergePatch(from, d), JSON.parse(JSON.stringify(to)));
    }
  });
}
