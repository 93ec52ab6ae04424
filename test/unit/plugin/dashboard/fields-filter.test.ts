// §3.3 `?fields=`: include and exclude lists of dotted paths, applied through arrays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFields, parseFields } from '../../../../plugin/dashboard/fields-filter.ts';

const info = {
  objectMeta: { name: 'web', namespace: 'ns', uid: 'u1' },
  status: 'Healthy',
  ready: 2,
  replicaSets: [
    { objectMeta: { name: 'web-1' }, revision: 1, pods: [{ objectMeta: { name: 'p1' } }] },
    { objectMeta: { name: 'web-2' }, revision: 2 },
  ],
};

const cases: [query: string[], want: unknown][] = [
  [['objectMeta.name'], { objectMeta: { name: 'web' } }],
  [['objectMeta.name,status'], { objectMeta: { name: 'web' }, status: 'Healthy' }],
  [['status', 'ready'], { status: 'Healthy', ready: 2 }],
  [['replicaSets.revision'], { replicaSets: [{ revision: 1 }, { revision: 2 }] }],
  [
    ['replicaSets.pods.objectMeta.name'],
    { replicaSets: [{ pods: [{ objectMeta: { name: 'p1' } }] }, {}] },
  ],
  // A shorter path keeps the whole subtree, whatever longer paths say.
  [['objectMeta,objectMeta.name'], { objectMeta: info.objectMeta }],
  [['missing.path'], {}],
  [
    ['-replicaSets,objectMeta.uid'],
    { objectMeta: { name: 'web', namespace: 'ns' }, status: 'Healthy', ready: 2 },
  ],
  [
    ['-replicaSets.pods'],
    {
      ...info,
      replicaSets: [
        { objectMeta: { name: 'web-1' }, revision: 1 },
        { objectMeta: { name: 'web-2' }, revision: 2 },
      ],
    },
  ],
];

for (const [query, want] of cases) {
  test(`fields=${query.join('&fields=')}`, () => {
    const f = parseFields(query);
    assert.ok(f);
    assert.deepEqual(applyFields(info, f), want);
  });
}

test('no or empty fields: no filter', () => {
  assert.equal(parseFields([]), undefined);
  assert.equal(parseFields(['']), undefined);
  assert.equal(parseFields([' , ']), undefined);
});

test('the input is not modified', () => {
  const copy = structuredClone(info);
  applyFields(info, parseFields(['-objectMeta.name,replicaSets.revision'])!);
  assert.deepEqual(info, copy);
});
