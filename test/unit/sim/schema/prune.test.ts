import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pruneUnknownFields } from '../../../../sim/schema/prune.ts';
import type { JSONSchemaProps } from '../../../../sim/registry/types.ts';

type Case = {
  name: string;
  schema: JSONSchemaProps;
  obj: unknown;
  expected: unknown;
  unknownFields: string[];
};

const str: JSONSchemaProps = { type: 'string' };
const int: JSONSchemaProps = { type: 'integer' };

/** A CR root whose spec is `spec`; apiVersion, kind and metadata are declared as CRDs do. */
function cr(spec: JSONSchemaProps): JSONSchemaProps {
  return {
    type: 'object',
    properties: {
      apiVersion: str,
      kind: str,
      metadata: { type: 'object' },
      spec,
    },
  };
}

const containers: JSONSchemaProps = {
  type: 'array',
  items: { type: 'object', properties: { name: str, image: str } },
};
const podTemplate: JSONSchemaProps = {
  type: 'object',
  properties: {
    template: {
      type: 'object',
      properties: { spec: { type: 'object', properties: { containers } } },
    },
  },
};

const cases: Case[] = [
  {
    name: 'unknown top-level spec field is dropped and reported',
    schema: cr({ type: 'object', properties: { replicas: int } }),
    obj: { spec: { replicas: 1, bogusField: true } },
    expected: { spec: { replicas: 1 } },
    unknownFields: ['spec.bogusField'],
  },
  {
    name: 'unknown field at the root is reported without a leading dot',
    schema: cr({ type: 'object' }),
    obj: { spec: {}, extra: 1 },
    expected: { spec: {} },
    unknownFields: ['extra'],
  },
  {
    name: 'apiVersion, kind and metadata survive a root schema that does not declare them',
    schema: { type: 'object', properties: { spec: { type: 'object' } } },
    obj: { apiVersion: 'v1', kind: 'K', metadata: { name: 'n', whatever: { a: 1 } }, spec: {} },
    expected: {
      apiVersion: 'v1',
      kind: 'K',
      metadata: { name: 'n', whatever: { a: 1 } },
      spec: {},
    },
    unknownFields: [],
  },
  {
    name: 'metadata is not pruned by the schema declared for it',
    schema: cr({ type: 'object' }),
    obj: { metadata: { name: 'n', labels: { a: 'b' }, annotations: { c: 'd' } } },
    expected: { metadata: { name: 'n', labels: { a: 'b' }, annotations: { c: 'd' } } },
    unknownFields: [],
  },
  {
    name: 'metadata of the wrong type is still the server’s business',
    schema: cr({ type: 'object' }),
    obj: { metadata: 'not-an-object' },
    expected: { metadata: 'not-an-object' },
    unknownFields: [],
  },
  {
    name: 'array items report their index',
    schema: cr(podTemplate),
    obj: { spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b', bogus: 1 }] } } } },
    expected: { spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } } } },
    unknownFields: ['spec.template.spec.containers[1].bogus'],
  },
  {
    name: 'children of an object with no properties are dropped one by one',
    schema: cr({ type: 'object', properties: { foo: { type: 'object' } } }),
    obj: { spec: { foo: { bar: 1, baz: { deep: 2 } } } },
    expected: { spec: { foo: {} } },
    unknownFields: ['spec.foo.bar', 'spec.foo.baz'],
  },
  {
    name: 'an unknown subtree is reported once, at its top',
    schema: cr({ type: 'object', properties: {} }),
    obj: { spec: { unknown: { a: { b: [1, { c: 2 }] } } } },
    expected: { spec: {} },
    unknownFields: ['spec.unknown'],
  },
  {
    name: 'x-kubernetes-preserve-unknown-fields keeps unknown keys but prunes declared ones',
    schema: cr({
      type: 'object',
      properties: {
        config: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { known: { type: 'object', properties: { a: int } } },
        },
      },
    }),
    obj: { spec: { config: { free: { any: 'thing' }, known: { a: 1, b: 2 } } } },
    expected: { spec: { config: { free: { any: 'thing' }, known: { a: 1 } } } },
    unknownFields: ['spec.config.known.b'],
  },
  {
    name: 'x-kubernetes-preserve-unknown-fields on an array applies to its items',
    schema: cr({
      type: 'object',
      properties: {
        list: {
          type: 'array',
          'x-kubernetes-preserve-unknown-fields': true,
          items: { type: 'object', properties: { a: { type: 'object', properties: {} } } },
        },
      },
    }),
    obj: { spec: { list: [{ free: 1, a: { gone: true } }] } },
    expected: { spec: { list: [{ free: 1, a: {} }] } },
    unknownFields: ['spec.list[0].a.gone'],
  },
  {
    name: 'preserve-unknown-fields at the root keeps everything undeclared',
    schema: {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      properties: { spec: { type: 'object', properties: { a: int } } },
    },
    obj: { other: { x: 1 }, spec: { a: 1, b: 2 } },
    expected: { other: { x: 1 }, spec: { a: 1 } },
    unknownFields: ['spec.b'],
  },
  {
    name: 'additionalProperties schema applies to every value',
    schema: cr({
      type: 'object',
      properties: {
        byName: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { weight: int } },
        },
      },
    }),
    obj: { spec: { byName: { x: { weight: 1, junk: 1 }, y: { weight: 2 } } } },
    expected: { spec: { byName: { x: { weight: 1 }, y: { weight: 2 } } } },
    unknownFields: ['spec.byName.x.junk'],
  },
  {
    name: 'additionalProperties of strings keeps every key (labels)',
    schema: cr({
      type: 'object',
      properties: { labels: { type: 'object', additionalProperties: str } },
    }),
    obj: { spec: { labels: { 'app.kubernetes.io/name': 'x', tier: 'web' } } },
    expected: { spec: { labels: { 'app.kubernetes.io/name': 'x', tier: 'web' } } },
    unknownFields: [],
  },
  {
    name: 'additionalProperties: true keeps keys and scalars but has no schema for objects',
    schema: cr({
      type: 'object',
      properties: { m: { type: 'object', additionalProperties: true } },
    }),
    obj: { spec: { m: { s: 'x', n: 1, o: { inner: 1 } } } },
    expected: { spec: { m: { s: 'x', n: 1, o: {} } } },
    unknownFields: ['spec.m.o.inner'],
  },
  {
    name: 'nested x-kubernetes-embedded-resource keeps apiVersion, kind and metadata',
    schema: cr({
      type: 'object',
      properties: {
        resource: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { a: int } } },
        },
      },
    }),
    obj: {
      spec: {
        resource: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'x', labels: { a: 'b' } },
          spec: { a: 1, b: 2 },
          data: {},
        },
      },
    },
    expected: {
      spec: {
        resource: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'x', labels: { a: 'b' } },
          spec: { a: 1 },
        },
      },
    },
    unknownFields: ['spec.resource.data', 'spec.resource.spec.b'],
  },
  {
    name: 'apiVersion below the root is an ordinary unknown field',
    schema: cr({
      type: 'object',
      properties: { ref: { type: 'object', properties: { name: str } } },
    }),
    obj: { spec: { ref: { name: 'x', apiVersion: 'v1', kind: 'K' } } },
    expected: { spec: { ref: { name: 'x' } } },
    unknownFields: ['spec.ref.apiVersion', 'spec.ref.kind'],
  },
  {
    name: 'int-or-string values are leaves',
    schema: cr({
      type: 'object',
      properties: {
        maxSurge: {
          'x-kubernetes-int-or-string': true,
          anyOf: [{ type: 'integer' }, { type: 'string' }],
        },
        maxUnavailable: { 'x-kubernetes-int-or-string': true },
      },
    }),
    obj: { spec: { maxSurge: '25%', maxUnavailable: 1 } },
    expected: { spec: { maxSurge: '25%', maxUnavailable: 1 } },
    unknownFields: [],
  },
  {
    name: 'anyOf branches do not declare fields for pruning',
    schema: cr({
      type: 'object',
      properties: { a: int },
      anyOf: [{ properties: { b: int } }],
    }),
    obj: { spec: { a: 1, b: 2 } },
    expected: { spec: { a: 1 } },
    unknownFields: ['spec.b'],
  },
  {
    name: 'an array with no items schema loses every field of its objects',
    schema: cr({ type: 'object', properties: { list: { type: 'array' } } }),
    obj: { spec: { list: [{ a: 1 }, 'keep', [{ b: 2 }]] } },
    expected: { spec: { list: [{}, 'keep', [{}]] } },
    unknownFields: ['spec.list[0].a', 'spec.list[2][0].b'],
  },
  {
    name: 'nested arrays chain their indexes',
    schema: cr({
      type: 'object',
      properties: {
        grid: {
          type: 'array',
          items: { type: 'array', items: { type: 'object', properties: { x: int } } },
        },
      },
    }),
    obj: { spec: { grid: [[{ x: 1 }], [{ x: 2 }, { x: 3, y: 4 }]] } },
    expected: { spec: { grid: [[{ x: 1 }], [{ x: 2 }, { x: 3 }]] } },
    unknownFields: ['spec.grid[1][1].y'],
  },
  {
    name: 'keys that name Object.prototype members are unknown like any other',
    schema: cr({ type: 'object', properties: { a: int } }),
    obj: {
      spec: JSON.parse('{"a":1,"constructor":1,"toString":2,"__proto__":{"x":1}}') as unknown,
    },
    expected: { spec: { a: 1 } },
    unknownFields: ['spec.__proto__', 'spec.constructor', 'spec.toString'],
  },
  {
    name: 'reported paths come back sorted',
    schema: cr({ type: 'object', properties: { m: int } }),
    obj: { spec: { z: 1, b: 2, a: 3, m: 4 } },
    expected: { spec: { m: 4 } },
    unknownFields: ['spec.a', 'spec.b', 'spec.z'],
  },
  {
    name: 'scalars where objects were declared are left for validation to report',
    schema: cr(podTemplate),
    obj: { spec: { template: 'nope' } },
    expected: { spec: { template: 'nope' } },
    unknownFields: [],
  },
];

for (const c of cases) {
  test(`prune: ${c.name}`, () => {
    const result = pruneUnknownFields(c.obj, c.schema);
    assert.deepEqual(result.value, c.expected);
    assert.deepEqual(result.unknownFields, c.unknownFields);
  });
}

test('prune: the input is left untouched and the result shares nothing with it', () => {
  const schema = cr({ type: 'object', properties: { keep: { type: 'object', properties: {} } } });
  const obj = { spec: { keep: { drop: 1 }, gone: 2 } };
  const before = structuredClone(obj);
  const value = pruneUnknownFields(obj, schema).value as {
    spec: { keep: Record<string, unknown> };
  };
  assert.deepEqual(obj, before);
  assert.deepEqual(value, { spec: { keep: {} } });
  value.spec.keep.added = 1;
  assert.deepEqual(obj, before);
});

test('prune: a prototype-named key in the data does not reach Object.prototype', () => {
  const schema = cr({ type: 'object', properties: { a: int } });
  const obj: unknown = JSON.parse('{"spec":{"__proto__":{"polluted":true}}}');
  pruneUnknownFields(obj, schema);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
