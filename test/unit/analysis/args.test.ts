// §3.3 arguments and `{{…}}` substitution, §3.2 steps 2/6, §7.3 fieldRef.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Metric } from '../../../src/api/analysis.ts';
import {
  decodeSecretData,
  goFormatFloat,
  metricJson,
  redactSecrets,
  renderArgsTemplate,
  resolveArgs,
  resolveFieldRef,
  resolveMetricArgs,
  SECRET_PLACEHOLDER,
  substituteMetricArgs,
  unresolvableArgsMessage,
  type ArgSpec,
  type SecretLookup,
} from '../../../src/analysis/args.ts';
import { metric } from './helpers.ts';

const v = (name: string, value: string | undefined) => ({ name, value });

function ok<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value;
}
function err(r: { ok: boolean; error?: string }): string {
  assert.equal(r.ok, false, 'expected an error');
  return r.error ?? '';
}

const promMetric = metric({
  name: 'rate',
  count: '{{args.runs}}',
  successCondition: 'result[0] > {{ args.threshold }}',
  provider: {
    prometheus: {
      address: 'http://{{args.host}}:9090',
      query: 'sum(x{svc="{{args.svc}}"})',
      headers: [{ key: 'X-Team', value: '{{args.team}}' }],
    },
  },
});
const promArgs = [
  v('runs', '3'),
  v('threshold', '0.95'),
  v('host', 'prom'),
  v('svc', 'api'),
  v('team', 'blue'),
];

test('placeholders resolve in every string position, incl. int-or-string, headers, conditions', () => {
  const m = ok(substituteMetricArgs(promMetric, promArgs));
  assert.equal(m.count, '3');
  assert.equal(m.successCondition, 'result[0] > 0.95');
  assert.deepEqual(m.provider.prometheus, {
    address: 'http://prom:9090',
    query: 'sum(x{svc="api"})',
    headers: [{ key: 'X-Team', value: 'blue' }],
  });
  // The input is untouched.
  assert.equal(promMetric.count, '{{args.runs}}');
});

test('placeholders resolve in jsonBody values and object keys, and in plugin config', () => {
  const m = ok(
    substituteMetricArgs(
      metric({
        provider: { web: { url: 'http://x', jsonBody: { '{{args.k}}': ['{{args.v}}', 1, true] } } },
      }),
      [v('k', 'key'), v('v', 'val')],
    ),
  );
  assert.deepEqual(m.provider.web?.jsonBody, { key: ['val', 1, true] });
  const p = ok(
    substituteMetricArgs(metric({ provider: { plugin: { 'x/y': { q: '{{args.v}}' } } } }), [
      v('v', 'z'),
    ]),
  );
  assert.deepEqual(p.provider.plugin, { 'x/y': { q: 'z' } });
});

test('values are inserted JSON-escaped and come back verbatim (quotes, backslashes, newlines)', () => {
  const value = 'a "quoted" \\path\\\nline2\t<&>';
  const m = ok(
    substituteMetricArgs(metric({ successCondition: 'result == "{{args.x}}"' }), [v('x', value)]),
  );
  assert.equal(m.successCondition, `result == "${value}"`);
});

test('an unknown tag is an error naming the tag as written', () => {
  assert.equal(
    err(substituteMetricArgs(metric({ successCondition: 'result > {{ args.nope }}' }), [])),
    'failed to resolve {{ args.nope }}',
  );
  assert.equal(
    err(substituteMetricArgs(metric({ successCondition: '{{ .Values.x }}' }), [v('x', '1')])),
    'failed to resolve {{ .Values.x }}',
  );
});

test('several unresolved tags: the last in Go serialisation order is reported (provider after successCondition)', () => {
  const m = metric({
    successCondition: 'result > {{args.a}}',
    provider: { prometheus: { query: '{{args.b}}' } },
  });
  assert.equal(err(substituteMetricArgs(m, [])), 'failed to resolve {{args.b}}');
  // consecutiveSuccessLimit comes after provider in Go's field order.
  const m2 = { ...m, consecutiveSuccessLimit: '{{args.c}}' } as Metric;
  assert.equal(err(substituteMetricArgs(m2, [])), 'failed to resolve {{args.c}}');
});

test('every arg must have a value, referenced or not', () => {
  assert.equal(
    err(substituteMetricArgs(metric(), [v('used', 'x'), v('unused', undefined)])),
    'argument "unused" was not supplied',
  );
});

test('an unclosed {{ runs to the next }} of the metric JSON (Go quirk), else fasttemplate’s error', () => {
  // The JSON of a metric always holds `}}` after the provider, so the tag swallows JSON text.
  const m: Metric = { name: 'm', successCondition: 'result > {{args.x', provider: {} };
  assert.equal(
    err(substituteMetricArgs(m, [v('x', '1')])),
    'failed to resolve {{args.x","provider":{}}',
  );
  // After the provider nothing closes it: fasttemplate rejects the template.
  const m2 = { name: 'm', provider: {}, consecutiveSuccessLimit: '{{args.x' } as Metric;
  assert.equal(
    err(substituteMetricArgs(m2, [v('x', '1')])),
    'Cannot find end tag="}}" in the template="{\\"name\\":\\"m\\",\\"provider\\":{},\\"consecutiveSuccessLimit\\":\\"{{args.x\\"}" starting from "args.x\\"}"',
  );
});

test('metricJson follows Go field order and escaping; unknown fields come last', () => {
  const m = {
    provider: { web: { url: 'u' }, prometheus: { query: 'q' } },
    consecutiveSuccessLimit: 2,
    zzz: 1,
    interval: '',
    count: 1,
    name: 'n',
    successCondition: 'a<b',
  } as unknown as Metric;
  assert.equal(
    metricJson(m),
    '{"name":"n","count":1,"successCondition":"a\\u003cb","provider":{"prometheus":{"query":"q"},"web":{"url":"u"}},"consecutiveSuccessLimit":2,"zzz":1}',
  );
});

test('renderArgsTemplate unquoted inserts raw values', () => {
  assert.equal(ok(renderArgsTemplate('a {{args.x}} b', [v('x', '"q"')], false)), 'a "q" b');
  assert.equal(ok(renderArgsTemplate('no tags', [], false)), 'no tags');
});

// ---------------------------------------------------------------------------------------------
// Argument sources

const secretStore: Record<string, Record<string, string>> = {
  creds: { token: 's3cret', other: 'x' },
};
const lookup: SecretLookup = (name) => secretStore[name];
const secretArgs: ArgSpec[] = [
  { name: 'plain', value: 'p' },
  { name: 'token', value: 'ignored', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
];

test('without a secret lookup, secretKeyRef args get the placeholder (§3.2 step 2)', () => {
  const r = ok(resolveArgs(secretArgs));
  assert.deepEqual(r.args, [v('plain', 'p'), v('token', SECRET_PLACEHOLDER)]);
  assert.equal(SECRET_PLACEHOLDER, 'temp-for-secret');
  assert.deepEqual([...r.secretValues], []);
});

test('with a lookup the secret wins over value and is collected for redaction', () => {
  const r = ok(resolveArgs(secretArgs, { secrets: lookup }));
  assert.deepEqual(r.args, [v('plain', 'p'), v('token', 's3cret')]);
  assert.deepEqual([...r.secretValues], ['s3cret']);
});

test('secret errors: missing Secret, missing key, lookup failure', () => {
  const missing: ArgSpec[] = [{ name: 'a', valueFrom: { secretKeyRef: { name: 'x', key: 'k' } } }];
  assert.equal(err(resolveArgs(missing, { secrets: lookup })), 'secrets "x" not found');
  const noKey: ArgSpec[] = [
    { name: 'a', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } },
  ];
  assert.equal(
    err(resolveArgs(noKey, { secrets: lookup })),
    "key 'k' does not exist in secret 'creds'",
  );
  const boom: SecretLookup = () => {
    throw new Error('secrets "creds" is forbidden');
  };
  assert.equal(err(resolveArgs(noKey, { secrets: boom })), 'secrets "creds" is forbidden');
});

test('resolveMetricArgs: secrets resolve at measurement time and the first error wins', () => {
  const m = metric({
    provider: { web: { url: 'http://x', headers: [{ key: 'A', value: 'Bearer {{args.token}}' }] } },
  });
  const withSecrets = ok(resolveMetricArgs([m], secretArgs, { secrets: lookup }));
  assert.equal(withSecrets.metrics[0]?.provider.web?.headers?.[0]?.value, 'Bearer s3cret');
  assert.deepEqual([...withSecrets.secretValues], ['s3cret']);
  const without = ok(resolveMetricArgs([m], secretArgs));
  assert.equal(without.metrics[0]?.provider.web?.headers?.[0]?.value, 'Bearer temp-for-secret');
  assert.equal(
    unresolvableArgsMessage(err(resolveMetricArgs([m], [{ name: 'z' }]))),
    'Unable to resolve metric arguments: argument "z" was not supplied',
  );
  // No metrics, nothing to substitute: no error (validation reports the empty list).
  assert.deepEqual(ok(resolveMetricArgs([], [{ name: 'z' }])).metrics, []);
});

test('a fieldRef-only arg is not resolved in a run (§1.5) but is against a given object (§7.3)', () => {
  const args: ArgSpec[] = [
    { name: 'ns', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  ];
  assert.equal(err(resolveMetricArgs([metric()], args)), 'argument "ns" was not supplied');
  const r = ok(resolveArgs(args, { fieldRefObject: { metadata: { namespace: 'prod' } } }));
  assert.deepEqual(r.args, [v('ns', 'prod')]);
});

test('redactSecrets replaces every occurrence of every non-empty secret', () => {
  assert.equal(
    redactSecrets('token s3cret and s3cret, key k3y', new Set(['s3cret', 'k3y', ''])),
    'token ***** and *****, key *****',
  );
});

test('decodeSecretData decodes base64 data', () => {
  assert.deepEqual(decodeSecretData({ data: { a: Buffer.from('héllo').toString('base64') } }), {
    a: 'héllo',
  });
  assert.deepEqual(decodeSecretData({}), {});
});

// ---------------------------------------------------------------------------------------------
// fieldRef (§7.3)

const rollout = {
  metadata: {
    name: 'guestbook',
    namespace: 'prod',
    uid: 'u-1',
    labels: { b: '2', a: 'x"y' },
    annotations: { 'example.com/Owner': 'team' },
  },
  spec: {
    replicas: 3,
    big: 1000000,
    ratio: 0.5,
    paused: false,
    template: { metadata: { labels: { version: 'v2' } } },
  },
  status: { pauseConditions: [{ reason: 'CanaryPauseStep' }] },
};

const FIELD_REFS: [string, { ok: true; value: string } | { ok: false; error: string }][] = [
  ['metadata.name', { ok: true, value: 'guestbook' }],
  ['metadata.namespace', { ok: true, value: 'prod' }],
  ['metadata.uid', { ok: true, value: 'u-1' }],
  ['metadata.labels', { ok: true, value: 'a="x\\"y"\nb="2"' }],
  ["metadata.labels['b']", { ok: true, value: '2' }],
  ["metadata.labels['missing']", { ok: true, value: '' }],
  ["metadata.annotations['example.com/Owner']", { ok: true, value: 'team' }],
  [
    "metadata.labels['bad key!']",
    {
      ok: false,
      error:
        "invalid key subscript in metadata.labels['bad key!']: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    },
  ],
  [
    "metadata.name['x']",
    { ok: false, error: 'fieldPath "metadata.name[\'x\']" does not support subscript' },
  ],
  ['metadata.generation', { ok: false, error: 'unsupported fieldPath: metadata.generation' }],
  ['spec.replicas', { ok: true, value: '3' }],
  ['spec.big', { ok: true, value: '1e+06' }],
  ['spec.ratio', { ok: true, value: '0.5' }],
  ['spec.paused', { ok: true, value: 'false' }],
  ['spec.template.metadata.labels.version', { ok: true, value: 'v2' }],
  ['status.pauseConditions[0].reason', { ok: true, value: 'CanaryPauseStep' }],
  ['status.pauseConditions[x].reason', { ok: false, error: "invalid index 'x'" }],
  ['status.pauseConditions[3].reason', { ok: false, error: 'index 3 out of range' }],
  ['spec.nope', { ok: false, error: 'invalid path spec.nope in rollout' }],
  ['spec.replicas.deeper', { ok: false, error: 'invalid path spec.replicas.deeper in rollout' }],
  [
    'spec.template',
    { ok: false, error: 'path spec.template in rollout must terminate in a primitive value' },
  ],
];
for (const [path, want] of FIELD_REFS) {
  test(`resolveFieldRef(${path})`, () => {
    assert.deepEqual(resolveFieldRef(rollout, path), want);
  });
}

test('goFormatFloat is Go %v of a float64', () => {
  const cases: [number, string][] = [
    [3, '3'],
    [123456, '123456'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-2.5, '-2.5'],
    [1e21, '1e+21'],
  ];
  for (const [n, s] of cases) assert.equal(goFormatFloat(n), s, String(n));
});
