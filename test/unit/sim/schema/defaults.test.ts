import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults } from '../../../../sim/schema/defaults.ts';
import type { JSONSchemaProps } from '../../../../sim/registry/types.ts';

type Case = { name: string; schema: JSONSchemaProps; obj: unknown; expected: unknown };

const obj = (properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}) =>
  ({ type: 'object', properties, ...extra }) satisfies JSONSchemaProps;

const port = obj({
  containerPort: { type: 'integer' },
  protocol: { type: 'string', default: 'TCP' },
});

const cases: Case[] = [
  {
    name: 'an absent property gets its default',
    schema: obj({ a: { type: 'string', default: 'x' } }),
    obj: {},
    expected: { a: 'x' },
  },
  {
    name: 'present values are kept, even the zero ones',
    schema: obj({
      s: { type: 'string', default: 'x' },
      n: { type: 'integer', default: 5 },
      b: { type: 'boolean', default: true },
    }),
    obj: { s: '', n: 0, b: false },
    expected: { s: '', n: 0, b: false },
  },
  {
    name: 'a defaulted object is defaulted in turn',
    schema: obj({
      outer: obj({ inner: { type: 'string', default: 'deep' } }, { default: {} }),
    }),
    obj: {},
    expected: { outer: { inner: 'deep' } },
  },
  {
    name: 'an absent parent is not created for a child’s default',
    schema: obj({ outer: obj({ inner: { type: 'string', default: 'deep' } }) }),
    obj: {},
    expected: {},
  },
  {
    name: 'present objects are walked',
    schema: obj({ outer: obj({ inner: { type: 'string', default: 'deep' } }) }),
    obj: { outer: {} },
    expected: { outer: { inner: 'deep' } },
  },
  {
    name: 'array items are defaulted one by one',
    schema: obj({ ports: { type: 'array', items: port } }),
    obj: { ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] },
    expected: {
      ports: [
        { containerPort: 80, protocol: 'TCP' },
        { containerPort: 53, protocol: 'UDP' },
      ],
    },
  },
  {
    name: 'additionalProperties values are defaulted',
    schema: obj({ byName: { type: 'object', additionalProperties: port } }),
    obj: { byName: { web: { containerPort: 80 } } },
    expected: { byName: { web: { containerPort: 80, protocol: 'TCP' } } },
  },
  {
    name: 'a non-nullable null with a default gets the default',
    schema: obj({ a: { type: 'string', default: 'x' } }),
    obj: { a: null },
    expected: { a: 'x' },
  },
  {
    name: 'a non-nullable null without a default is dropped',
    schema: obj({ a: { type: 'string' }, b: obj({ c: { type: 'integer' } }) }),
    obj: { a: null, b: { c: null } },
    expected: { b: {} },
  },
  {
    name: 'a nullable null is kept, default or not',
    schema: obj({
      a: { type: 'string', nullable: true },
      b: { type: 'string', nullable: true, default: 'x' },
    }),
    obj: { a: null, b: null },
    expected: { a: null, b: null },
  },
  {
    name: 'a null array item is replaced by the items default and otherwise kept',
    schema: obj({
      withDefault: { type: 'array', items: { type: 'string', default: 'd' } },
      without: { type: 'array', items: { type: 'string' } },
    }),
    obj: { withDefault: ['a', null], without: ['a', null] },
    expected: { withDefault: ['a', 'd'], without: ['a', null] },
  },
  {
    name: 'a null map value is replaced or dropped by the additionalProperties schema',
    schema: obj({
      d: { type: 'object', additionalProperties: { type: 'string', default: 'd' } },
      n: { type: 'object', additionalProperties: { type: 'string' } },
    }),
    obj: { d: { k: null }, n: { k: null, j: 'v' } },
    expected: { d: { k: 'd' }, n: { j: 'v' } },
  },
  {
    name: '`default: null` is no default',
    schema: obj({ a: { type: 'string', default: null } }),
    obj: {},
    expected: {},
  },
  {
    name: 'unknown fields get no defaults and keep their nulls',
    schema: obj({ known: { type: 'string' } }),
    obj: { unknown: { x: null } },
    expected: { unknown: { x: null } },
  },
  {
    name: 'object and array defaults are applied whole',
    schema: obj({
      list: { type: 'array', items: { type: 'string' }, default: ['a', 'b'] },
      map: { type: 'object', additionalProperties: { type: 'integer' }, default: { x: 1 } },
    }),
    obj: {},
    expected: { list: ['a', 'b'], map: { x: 1 } },
  },
  {
    name: 'scalars are returned as they are',
    schema: { type: 'string', default: 'x' },
    obj: 'given',
    expected: 'given',
  },
];

for (const c of cases) {
  test(`defaults: ${c.name}`, () => {
    assert.deepEqual(applyDefaults(c.obj, c.schema), c.expected);
  });
}

test('defaults: every use gets its own copy of the default', () => {
  const schema = obj({ tags: { type: 'array', items: { type: 'string' }, default: ['a'] } });
  const first = applyDefaults({}, schema) as { tags: string[] };
  first.tags.push('mutated');
  const second = applyDefaults({}, schema) as { tags: string[] };
  assert.deepEqual(second.tags, ['a']);
  assert.deepEqual(schema.properties.tags?.default, ['a']);
});

test('defaults: the input is left untouched', () => {
  const schema = obj({ a: { type: 'string', default: 'x' }, b: { type: 'string' } });
  const input = { b: null, c: 1 };
  const out = applyDefaults(input, schema);
  assert.deepEqual(input, { b: null, c: 1 });
  assert.deepEqual(out, { a: 'x', c: 1 });
});
