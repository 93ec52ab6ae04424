import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { formatInvalidMessage, validateAgainstSchema } from '../../../../sim/schema/validate.ts';
import type { FieldError } from '../../../../sim/schema/validate.ts';
import { pruneUnknownFields } from '../../../../sim/schema/prune.ts';
import { applyDefaults } from '../../../../sim/schema/defaults.ts';
import type { JSONSchemaProps } from '../../../../sim/registry/types.ts';

type Case = {
  name: string;
  schema: JSONSchemaProps;
  obj: unknown;
  root?: string;
  errors: FieldError[];
};

const obj = (properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}) =>
  ({ type: 'object', properties, ...extra }) satisfies JSONSchemaProps;
const spec = (properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}) =>
  obj({ spec: obj(properties, extra) });

const intOrString: JSONSchemaProps = {
  'x-kubernetes-int-or-string': true,
  anyOf: [{ type: 'integer' }, { type: 'string' }],
};

function invalid(field: string, message: string): FieldError {
  return { field, type: 'FieldValueInvalid', message };
}
function typeInvalid(field: string, message: string): FieldError {
  return { field, type: 'FieldValueTypeInvalid', message };
}

const cases: Case[] = [
  {
    name: 'a valid object has no errors',
    schema: spec({ replicas: { type: 'integer', minimum: 0 }, name: { type: 'string' } }),
    obj: { spec: { replicas: 3, name: 'x' } },
    errors: [],
  },
  {
    name: 'integer field given a string',
    schema: spec({ replicas: { type: 'integer', format: 'int32' } }),
    obj: { spec: { replicas: 'three' } },
    errors: [
      typeInvalid(
        'spec.replicas',
        'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      ),
    ],
  },
  {
    name: 'integer field given a fraction',
    schema: spec({ replicas: { type: 'integer' } }),
    obj: { spec: { replicas: 1.5 } },
    errors: [
      typeInvalid(
        'spec.replicas',
        'Invalid value: "number": spec.replicas in body must be of type integer: "number"',
      ),
    ],
  },
  {
    name: 'integer field given a number too large for int64',
    schema: spec({ replicas: { type: 'integer' } }),
    obj: { spec: { replicas: 1e20 } },
    errors: [
      typeInvalid(
        'spec.replicas',
        'Invalid value: "number": spec.replicas in body must be of type integer: "number"',
      ),
    ],
  },
  {
    name: 'int32 field given a boolean fails on the format',
    schema: spec({ replicas: { type: 'integer', format: 'int32' } }),
    obj: { spec: { replicas: true } },
    errors: [
      typeInvalid(
        'spec.replicas',
        'Invalid value: "": spec.replicas in body must be of type int32: ""',
      ),
    ],
  },
  {
    name: 'int32 is not range-checked, as the apiserver does not',
    schema: spec({ replicas: { type: 'integer', format: 'int32' } }),
    obj: { spec: { replicas: 3_000_000_000 } },
    errors: [],
  },
  {
    name: 'number field accepts an integer',
    schema: spec({ weight: { type: 'number' } }),
    obj: { spec: { weight: 2 } },
    errors: [],
  },
  {
    name: 'minimum',
    schema: spec({ replicas: { type: 'integer', minimum: 0 } }),
    obj: { spec: { replicas: -1 } },
    errors: [
      invalid(
        'spec.replicas',
        'Invalid value: -1: spec.replicas in body should be greater than or equal to 0',
      ),
    ],
  },
  {
    name: 'exclusive minimum',
    schema: spec({ replicas: { type: 'integer', minimum: 0, exclusiveMinimum: true } }),
    obj: { spec: { replicas: 0 } },
    errors: [
      invalid('spec.replicas', 'Invalid value: 0: spec.replicas in body should be greater than 0'),
    ],
  },
  {
    name: 'maximum of a float prints Go floats',
    schema: spec({ ratio: { type: 'number', maximum: 1.5 } }),
    obj: { spec: { ratio: 2.25 } },
    errors: [
      invalid(
        'spec.ratio',
        'Invalid value: 2.25: spec.ratio in body should be less than or equal to 1.5',
      ),
    ],
  },
  {
    name: 'exclusive maximum with a bound Go prints in exponent form',
    schema: spec({ ratio: { type: 'number', maximum: 1e6, exclusiveMaximum: true } }),
    obj: { spec: { ratio: 1000000.5 } },
    errors: [
      invalid(
        'spec.ratio',
        'Invalid value: 1.0000005e+06: spec.ratio in body should be less than 1e+06',
      ),
    ],
  },
  {
    name: 'an integer is compared with a truncated bound',
    schema: spec({ n: { type: 'integer', minimum: 0.5 } }),
    obj: { spec: { n: 0 } },
    errors: [],
  },
  {
    name: 'required',
    schema: spec({ selector: { type: 'object' } }, { required: ['selector'] }),
    obj: { spec: {} },
    errors: [{ field: 'spec.selector', type: 'FieldValueRequired', message: 'Required value' }],
  },
  {
    name: 'required at the root',
    schema: obj({ spec: { type: 'object' } }, { required: ['spec'] }),
    obj: { metadata: {} },
    errors: [{ field: 'spec', type: 'FieldValueRequired', message: 'Required value' }],
  },
  {
    name: 'a present null satisfies required but not the type',
    schema: spec({ name: { type: 'string' } }, { required: ['name'] }),
    obj: { spec: { name: null } },
    errors: [
      typeInvalid(
        'spec.name',
        'Invalid value: "null": spec.name in body must be of type string: "null"',
      ),
    ],
  },
  {
    name: 'nullable accepts null',
    schema: spec({ name: { type: 'string', nullable: true } }),
    obj: { spec: { name: null } },
    errors: [],
  },
  {
    name: 'enum of strings',
    schema: obj({ spec: obj({ strategy: obj({ type: { type: 'string', enum: ['A', 'B'] } }) }) }),
    obj: { spec: { strategy: { type: 'Foo' } } },
    errors: [
      {
        field: 'spec.strategy.type',
        type: 'FieldValueNotSupported',
        message: 'Unsupported value: "Foo": supported values: "A", "B"',
      },
    ],
  },
  {
    name: 'enum of numbers quotes their JSON',
    schema: spec({ level: { type: 'integer', enum: [1, 2] } }),
    obj: { spec: { level: 3 } },
    errors: [
      {
        field: 'spec.level',
        type: 'FieldValueNotSupported',
        message: 'Unsupported value: 3: supported values: "1", "2"',
      },
    ],
  },
  {
    name: 'enum never matches null',
    schema: spec({ mode: { type: 'string', nullable: true, enum: ['a', null] } }),
    obj: { spec: { mode: null } },
    errors: [
      {
        field: 'spec.mode',
        type: 'FieldValueNotSupported',
        message: 'Unsupported value: "null": supported values: "a", "null"',
      },
    ],
  },
  {
    name: 'maxLength',
    schema: spec({ name: { type: 'string', maxLength: 5 } }),
    obj: { spec: { name: 'toolong' } },
    errors: [
      {
        field: 'spec.name',
        type: 'FieldValueTooLong',
        message: 'Too long: may not be more than 5 bytes',
      },
    ],
  },
  {
    name: 'maxLength counts characters, not UTF-16 units',
    schema: spec({ name: { type: 'string', maxLength: 2 } }),
    obj: { spec: { name: '😀😀' } },
    errors: [],
  },
  {
    name: 'minLength',
    schema: spec({ name: { type: 'string', minLength: 3 } }),
    obj: { spec: { name: 'ab' } },
    errors: [
      invalid(
        'spec.name',
        'Invalid value: "ab": spec.name in body should be at least 3 chars long',
      ),
    ],
  },
  {
    name: 'pattern',
    schema: spec({ name: { type: 'string', pattern: '^[a-z]+$' } }),
    obj: { spec: { name: 'Abc' } },
    errors: [
      invalid('spec.name', `Invalid value: "Abc": spec.name in body should match '^[a-z]+$'`),
    ],
  },
  {
    name: 'minItems and maxItems',
    schema: spec({
      few: { type: 'array', minItems: 1 },
      many: { type: 'array', maxItems: 2, items: { type: 'integer' } },
    }),
    obj: { spec: { few: [], many: [1, 2, 3] } },
    errors: [
      invalid('spec.few', 'Invalid value: 0: spec.few in body should have at least 1 items'),
      {
        field: 'spec.many',
        type: 'FieldValueTooMany',
        message: 'Too many: 3: must have at most 2 items',
      },
    ],
  },
  {
    name: 'array items carry their index',
    schema: spec({
      containers: {
        type: 'array',
        items: obj({ name: { type: 'string' }, port: { type: 'integer' } }, { required: ['name'] }),
      },
    }),
    obj: { spec: { containers: [{ name: 'a' }, { port: 'x' }] } },
    errors: [
      typeInvalid(
        'spec.containers[1].port',
        'Invalid value: "string": spec.containers[1].port in body must be of type integer: "string"',
      ),
      { field: 'spec.containers[1].name', type: 'FieldValueRequired', message: 'Required value' },
    ],
  },
  {
    name: 'an object given where an array belongs',
    schema: spec({ list: { type: 'array' } }),
    obj: { spec: { list: { a: 1 } } },
    errors: [
      typeInvalid(
        'spec.list',
        'Invalid value: "object": spec.list in body must be of type array: "object"',
      ),
    ],
  },
  {
    name: 'int-or-string accepts both',
    schema: spec({ maxSurge: intOrString, maxUnavailable: intOrString }),
    obj: { spec: { maxSurge: '25%', maxUnavailable: 1 } },
    errors: [],
  },
  {
    name: 'int-or-string given a boolean: the type error, the anyOf summary and its best branch',
    schema: spec({ maxSurge: intOrString }),
    obj: { spec: { maxSurge: true } },
    errors: [
      typeInvalid(
        'spec.maxSurge',
        'Invalid value: "boolean": spec.maxSurge in body must be of type integer,string: "boolean"',
      ),
      invalid(
        '<nil>',
        'Invalid value: "": "spec.maxSurge" must validate at least one schema (anyOf)',
      ),
      typeInvalid(
        'spec.maxSurge',
        'Invalid value: "boolean": spec.maxSurge in body must be of type integer: "boolean"',
      ),
    ],
  },
  {
    name: 'oneOf matched twice',
    schema: spec(
      { a: { type: 'string' }, b: { type: 'string' } },
      { oneOf: [{ required: ['a'] }, { required: ['b'] }] },
    ),
    obj: { spec: { a: 'x', b: 'y' } },
    errors: [
      invalid(
        '<nil>',
        'Invalid value: "": "spec" must validate one and only one schema (oneOf). Found 2 valid alternatives',
      ),
    ],
  },
  {
    name: 'oneOf matched by none reports the best failure',
    schema: spec(
      { a: { type: 'string' }, b: { type: 'string' } },
      { oneOf: [{ required: ['a'] }, { required: ['b'] }] },
    ),
    obj: { spec: {} },
    errors: [
      invalid(
        '<nil>',
        'Invalid value: "": "spec" must validate one and only one schema (oneOf). Found none valid',
      ),
      { field: 'spec.a', type: 'FieldValueRequired', message: 'Required value' },
    ],
  },
  {
    name: 'allOf failure',
    schema: spec({ n: { type: 'integer', allOf: [{ minimum: 1 }, { maximum: 5 }] } }),
    obj: { spec: { n: 9 } },
    errors: [
      invalid('spec.n', 'Invalid value: 9: spec.n in body should be less than or equal to 5'),
      invalid('<nil>', 'Invalid value: "": "spec.n" must validate all the schemas (allOf)'),
    ],
  },
  {
    name: 'additionalProperties schema validates every value',
    schema: spec({ labels: { type: 'object', additionalProperties: { type: 'string' } } }),
    obj: { spec: { labels: { 'app.kubernetes.io/name': 5 } } },
    errors: [
      typeInvalid(
        'spec.labels.app.kubernetes.io/name',
        'Invalid value: "integer": spec.labels.app.kubernetes.io/name in body must be of type string: "integer"',
      ),
    ],
  },
  {
    name: 'identical messages are reported once',
    schema: spec({ n: { type: 'integer', minimum: 1, allOf: [{ minimum: 1 }] } }),
    obj: { spec: { n: 0 } },
    errors: [
      invalid('spec.n', 'Invalid value: 0: spec.n in body should be greater than or equal to 1'),
      invalid(
        '<nil>',
        'Invalid value: "": "spec.n" must validate all the schemas (allOf). None validated',
      ),
    ],
  },
  {
    name: 'root prefixes the field but not the message',
    schema: spec({ replicas: { type: 'integer' } }, { anyOf: [{ required: ['selector'] }] }),
    obj: { spec: { replicas: 'x' } },
    root: 'body',
    errors: [
      invalid('body', 'Invalid value: "": "spec" must validate at least one schema (anyOf)'),
      { field: 'body.spec.selector', type: 'FieldValueRequired', message: 'Required value' },
      typeInvalid(
        'body.spec.replicas',
        'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      ),
    ],
  },
];

for (const c of cases) {
  test(`validate: ${c.name}`, () => {
    assert.deepEqual(validateAgainstSchema(c.obj, c.schema, c.root), c.errors);
  });
}

test('formatInvalidMessage: one error, several, repeated, none', () => {
  const a = typeInvalid(
    'spec.a',
    'Invalid value: "string": spec.a in body must be of type integer: "string"',
  );
  const b: FieldError = { field: 'spec.b', type: 'FieldValueRequired', message: 'Required value' };
  assert.equal(
    formatInvalidMessage('Rollout.argoproj.io', 'demo', [a]),
    'Rollout.argoproj.io "demo" is invalid: spec.a: Invalid value: "string": spec.a in body must be of type integer: "string"',
  );
  assert.equal(
    formatInvalidMessage('Rollout.argoproj.io', 'demo', [a, b, a]),
    'Rollout.argoproj.io "demo" is invalid: [spec.a: Invalid value: "string": spec.a in body must be of type integer: "string", spec.b: Required value]',
  );
  assert.equal(
    formatInvalidMessage('Rollout.argoproj.io', 'demo', []),
    'Rollout.argoproj.io "demo" is invalid',
  );
  assert.equal(
    formatInvalidMessage('Rollout.argoproj.io', 'we"ird\n', [b]),
    'Rollout.argoproj.io "we\\"ird\\n" is invalid: spec.b: Required value',
  );
});

// ---------------------------------------------------------------------------------------------
// The Argo Rollouts CRDs against the real manifests of the shared fixtures.

const FIXTURES = fileURLToPath(new URL('../../../../../shared/fixtures/', import.meta.url));
const CRDS = fileURLToPath(
  new URL('../../../../../shared/fixtures/argo-rollouts/crds/', import.meta.url),
);
const KINDS = [
  'Rollout',
  'AnalysisTemplate',
  'ClusterAnalysisTemplate',
  'AnalysisRun',
  'Experiment',
];

/**
 * Fields the current CRDs no longer declare. The real apiserver accepts these manifests and
 * prunes the fields (a warning, or a rejection under fieldValidation=Strict).
 */
const EXPECTED_UNKNOWN: Record<string, string[]> = {
  // rollouts-demo still uses the pre-v0.9 `analysis.templateName`; the CRD has `templates[]`.
  'rollouts-demo/analysis/rollout-with-analysis.yaml#canary-demo': [
    'spec.strategy.canary.analysis.templateName',
  ],
};

type Doc = {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown };
  [k: string]: unknown;
};

function loadYaml(path: string): Doc[] {
  return yaml
    .loadAll(readFileSync(path, 'utf8'), undefined, { schema: yaml.CORE_SCHEMA })
    .filter((d): d is Doc => d !== null && d !== undefined);
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const p = join(dir, e.name);
      if (e.isDirectory()) return yamlFiles(p);
      if (!/\.ya?ml$/.test(e.name) || /^kustomization\.ya?ml$/.test(basename(p))) return [];
      return [p];
    });
}

type CrdVersion = { name: string; schema?: { openAPIV3Schema?: JSONSchemaProps } };
type Crd = { spec: { group: string; names: { kind: string }; versions: CrdVersion[] } };

/** "apiVersion kind" → that version's schema, for every CRD fixture. */
const schemas = new Map<string, JSONSchemaProps>();
for (const file of readdirSync(CRDS).filter((f) => /\.ya?ml$/.test(f))) {
  for (const doc of loadYaml(join(CRDS, file)) as unknown as Crd[]) {
    for (const v of doc.spec.versions) {
      const s = v.schema?.openAPIV3Schema;
      if (s) schemas.set(`${doc.spec.group}/${v.name} ${doc.spec.names.kind}`, s);
    }
  }
}

type Fixture = { id: string; doc: Doc; schema: JSONSchemaProps };
const fixtures: Fixture[] = [];
for (const file of yamlFiles(FIXTURES)) {
  for (const doc of loadYaml(file)) {
    if (typeof doc.kind !== 'string' || !KINDS.includes(doc.kind)) continue;
    const schema = schemas.get(`${String(doc.apiVersion)} ${doc.kind}`);
    assert.ok(schema, `${file}: no CRD serves ${String(doc.apiVersion)} ${doc.kind}`);
    fixtures.push({ id: `${relative(FIXTURES, file)}#${String(doc.metadata?.name)}`, doc, schema });
  }
}

function rolloutSchema(): JSONSchemaProps {
  const s = schemas.get('argoproj.io/v1alpha1 Rollout');
  assert.ok(s);
  return s;
}

function aRollout(): Fixture {
  const f = fixtures.find(
    (x) => x.id === 'argo-rollouts/examples/rollout-canary.yaml#rollout-canary',
  );
  assert.ok(f);
  return f;
}

test('fixtures: every CRD and enough manifests were found', () => {
  for (const kind of KINDS) {
    assert.ok(schemas.has(`argoproj.io/v1alpha1 ${kind}`), `no schema for ${kind}`);
  }
  assert.ok(fixtures.length >= 20, `only ${fixtures.length} fixture objects`);
  for (const kind of ['Rollout', 'AnalysisTemplate', 'ClusterAnalysisTemplate', 'Experiment']) {
    assert.ok(
      fixtures.some((f) => f.doc.kind === kind),
      `no ${kind} among the fixtures`,
    );
  }
});

for (const f of fixtures) {
  test(`fixtures: ${f.id} validates, prunes nothing unexpected and survives defaulting`, () => {
    assert.deepEqual(validateAgainstSchema(f.doc, f.schema), []);
    const expectedUnknown = EXPECTED_UNKNOWN[f.id] ?? [];
    const pruned = pruneUnknownFields(f.doc, f.schema);
    assert.deepEqual(pruned.unknownFields, expectedUnknown);
    if (expectedUnknown.length === 0) assert.deepEqual(pruned.value, f.doc);

    // What the apiserver stores: defaulted, then pruned; that must still be valid and stable.
    const stored = pruneUnknownFields(applyDefaults(f.doc, f.schema), f.schema);
    assert.deepEqual(stored.unknownFields, expectedUnknown);
    assert.deepEqual(validateAgainstSchema(stored.value, f.schema), []);
    assert.deepEqual(applyDefaults(stored.value, f.schema), stored.value);
  });
}

test('fixtures: spec.bogusField on a real Rollout is pruned and reported', () => {
  const f = aRollout();
  const doc = structuredClone(f.doc) as { spec: Record<string, unknown> };
  doc.spec.bogusField = 'x';
  const pruned = pruneUnknownFields(doc, f.schema);
  assert.deepEqual(pruned.unknownFields, ['spec.bogusField']);
  assert.deepEqual(pruned.value, f.doc);
});

test('fixtures: a string spec.replicas on a real Rollout is rejected in the apiserver’s words', () => {
  const f = aRollout();
  const doc = structuredClone(f.doc) as { spec: Record<string, unknown> };
  doc.spec.replicas = '3';
  const errors = validateAgainstSchema(doc, f.schema);
  assert.deepEqual(errors, [
    typeInvalid(
      'spec.replicas',
      'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    ),
  ]);
  assert.equal(
    formatInvalidMessage('Rollout.argoproj.io', 'rollout-canary', errors),
    'Rollout.argoproj.io "rollout-canary" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
  );
});

test('fixtures: spec.replicas -1 passes the Rollout CRD, which sets no minimum', () => {
  // Argo's CRD declares replicas as a bare int32, so the apiserver stores -1 and the controller
  // reports it as an InvalidSpec condition. With a minimum the apiserver's message is this one.
  const f = aRollout();
  const doc = structuredClone(f.doc) as { spec: Record<string, unknown> };
  doc.spec.replicas = -1;
  assert.deepEqual(validateAgainstSchema(doc, f.schema), []);

  const withMinimum = structuredClone(rolloutSchema());
  const replicas = withMinimum.properties?.spec?.properties?.replicas;
  assert.ok(replicas);
  replicas.minimum = 0;
  assert.deepEqual(validateAgainstSchema(doc, withMinimum), [
    invalid(
      'spec.replicas',
      'Invalid value: -1: spec.replicas in body should be greater than or equal to 0',
    ),
  ]);
});

test('fixtures: a boolean canary pause duration gets the int-or-string errors', () => {
  const f = aRollout();
  const doc = structuredClone(f.doc) as {
    spec: { strategy: { canary: { steps: Record<string, unknown>[] } } };
  };
  doc.spec.strategy.canary.steps = [{ pause: { duration: true } }];
  const field = 'spec.strategy.canary.steps[0].pause.duration';
  assert.deepEqual(validateAgainstSchema(doc, f.schema), [
    typeInvalid(
      field,
      `Invalid value: "boolean": ${field} in body must be of type integer,string: "boolean"`,
    ),
    invalid('<nil>', `Invalid value: "": "${field}" must validate at least one schema (anyOf)`),
    typeInvalid(
      field,
      `Invalid value: "boolean": ${field} in body must be of type integer: "boolean"`,
    ),
  ]);
});

test('fixtures: defaulting a real Rollout fills the container port protocol', () => {
  const f = aRollout();
  const doc = structuredClone(f.doc) as {
    spec: { template: { spec: { containers: { ports?: Record<string, unknown>[] }[] } } };
  };
  const container = doc.spec.template.spec.containers[0];
  assert.ok(container);
  container.ports = [{ containerPort: 8080 }];
  const out = applyDefaults(doc, f.schema) as typeof doc;
  assert.deepEqual(out.spec.template.spec.containers[0]?.ports, [
    { containerPort: 8080, protocol: 'TCP' },
  ]);
});
