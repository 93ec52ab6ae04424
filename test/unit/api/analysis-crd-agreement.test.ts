// Keeps the zod schemas of src/api/analysis.ts and our analysis CRDs (crds/analysis-template-crd.yaml,
// crds/cluster-analysis-template-crd.yaml, crds/analysis-run-crd.yaml) from drifting apart, the
// way crd-agreement.test.ts does for the Rollout:
//  - every property path zod defines exists in the CRD's openAPIV3Schema (or under an
//    x-kubernetes-preserve-unknown-fields node), with a matching type, and a field zod requires
//    is required by the CRD too;
//  - for the main subtrees, every property the CRD declares is known to zod;
//  - each CRD is Argo's minus the descriptions of the Job metric's pod template, is what
//    scripts/gen-crds.ts generates, and fits in kubectl's last-applied annotation;
//  - every AnalysisTemplate, ClusterAnalysisTemplate and AnalysisRun in the shared fixtures
//    parses with zod and passes our CRD unchanged (no pruning, no validation error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { z } from 'zod';
import {
  ANALYSIS_CRDS,
  ANALYSIS_CRD_MAX_JSON_BYTES,
  JOB_POD_TEMPLATE_PATH,
  renderAnalysisCrd,
  stripDescriptions,
  type AnalysisCrdInfo,
} from '../../../scripts/gen-crds.ts';
import {
  analysisRun,
  analysisRunSpec,
  analysisRunStatus,
  analysisTemplate,
  analysisTemplateSpec,
  clusterAnalysisTemplate,
} from '../../../src/api/analysis.ts';
import { pruneUnknownFields } from '../../../sim/schema/prune.ts';
import { validateAgainstSchema } from '../../../sim/schema/validate.ts';
import type { JSONSchemaProps } from '../../../sim/registry/types.ts';
import { kindOf, unwrap, type FieldKind, type ZodField } from './zod-walk.ts';

const OUR_CRDS = new URL('../../../crds/', import.meta.url);
const FIXTURES = new URL('../../../../shared/fixtures/', import.meta.url);
const ARGO_CRDS = new URL('argo-rollouts/crds/', FIXTURES);

// ---------------------------------------------------------------------------------------------
// Per kind: the zod roots and the subtrees whose CRD properties zod must all know.

const METRIC_SUBTREES = [
  'spec',
  'spec.metrics[]',
  'spec.metrics[].provider',
  'spec.metrics[].provider.prometheus',
  'spec.metrics[].provider.prometheus.authentication',
  'spec.metrics[].provider.prometheus.rangeQuery',
  'spec.metrics[].provider.web',
  'spec.metrics[].provider.web.authentication',
  'spec.metrics[].provider.job',
  'spec.args[]',
  'spec.args[].valueFrom',
  'spec.dryRun[]',
  'spec.measurementRetention[]',
];

interface Kind {
  info: AnalysisCrdInfo;
  spec: z.core.$ZodType;
  status?: z.core.$ZodType;
  object: z.ZodType;
  checked: string[];
  printerColumns: [string, string, string][];
}

const AGE: [string, string, string] = ['Age', 'date', '.metadata.creationTimestamp'];

function info(kind: string): AnalysisCrdInfo {
  const i = ANALYSIS_CRDS.find((c) => c.kind === kind);
  assert.ok(i, kind);
  return i;
}

const KINDS: Kind[] = [
  {
    info: info('AnalysisTemplate'),
    spec: analysisTemplateSpec,
    object: analysisTemplate,
    checked: [...METRIC_SUBTREES, 'spec.templates[]'],
    printerColumns: [AGE],
  },
  {
    info: info('ClusterAnalysisTemplate'),
    spec: analysisTemplateSpec,
    object: clusterAnalysisTemplate,
    checked: [...METRIC_SUBTREES, 'spec.templates[]'],
    printerColumns: [AGE],
  },
  {
    info: info('AnalysisRun'),
    spec: analysisRunSpec,
    status: analysisRunStatus,
    object: analysisRun,
    checked: [
      ...METRIC_SUBTREES,
      'spec.ttlStrategy',
      'status',
      'status.metricResults[]',
      'status.metricResults[].measurements[]',
      'status.runSummary',
      'status.dryRunSummary',
    ],
    printerColumns: [['Status', 'string', '.status.phase'], AGE],
  },
];

// ---------------------------------------------------------------------------------------------
// Loading

type Crd = {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    group: string;
    names: Record<string, unknown>;
    scope: string;
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      additionalPrinterColumns?: { name: string; type: string; jsonPath: string }[];
      subresources?: Record<string, unknown>;
      schema: { openAPIV3Schema: JSONSchemaProps };
    }[];
  };
};

function loadCrd(url: URL): Crd {
  return yaml.load(readFileSync(url, 'utf8'), { schema: yaml.CORE_SCHEMA }) as Crd;
}

function schemaOf(crd: Crd): JSONSchemaProps {
  const v = crd.spec.versions[0];
  assert.ok(v, 'CRD has no version');
  return v.schema.openAPIV3Schema;
}

// ---------------------------------------------------------------------------------------------
// Walking zod (v4 classic), as in crd-agreement.test.ts.

function walkZod(s: z.core.$ZodType, path: string, out: ZodField[]): ZodField[] {
  const { inner } = unwrap(s);
  if (inner instanceof z.ZodObject) {
    for (const [key, child] of Object.entries<z.core.$ZodType>(inner.shape)) {
      const { inner: c, optional } = unwrap(child);
      const p = path === '' ? key : `${path}.${key}`;
      out.push({ path: p, kind: kindOf(c), required: !optional });
      walkZod(c, p, out);
    }
  } else if (inner instanceof z.ZodArray) {
    walkZod(inner.element, `${path}[]`, out);
  } else if (inner instanceof z.ZodRecord) {
    walkZod(inner.valueType, `${path}.*`, out);
  } else if (inner instanceof z.ZodUnion) {
    for (const o of inner.options) walkZod(o, path, out);
  }
  return out;
}

function tokens(path: string): string[] {
  return path
    .replace(/\[\]/g, '.[]')
    .split('.')
    .filter((t) => t !== '');
}

function zodAt(root: z.core.$ZodType, path: string): z.core.$ZodType | undefined {
  let cur: z.core.$ZodType | undefined = unwrap(root).inner;
  for (const tok of tokens(path)) {
    if (cur === undefined) return undefined;
    if (tok === '[]') cur = cur instanceof z.ZodArray ? cur.element : undefined;
    else if (tok === '*') cur = cur instanceof z.ZodRecord ? cur.valueType : undefined;
    else if (cur instanceof z.ZodObject) {
      cur = new Map(Object.entries<z.core.$ZodType>(cur.shape)).get(tok);
    } else cur = undefined;
    if (cur !== undefined) cur = unwrap(cur).inner;
  }
  return cur;
}

type CrdLookup =
  | { found: true; node: JSONSchemaProps; parent: JSONSchemaProps; key: string }
  | { found: 'preserved' }
  | { found: false };

function crdAt(root: JSONSchemaProps, path: string): CrdLookup {
  let node: JSONSchemaProps = root;
  let parent: JSONSchemaProps = root;
  let key = '';
  for (const tok of tokens(path)) {
    let next: JSONSchemaProps | undefined;
    if (tok === '[]') next = node.items;
    else if (tok === '*')
      next = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
    else
      next =
        node.properties && Object.hasOwn(node.properties, tok) ? node.properties[tok] : undefined;
    if (next === undefined) {
      return node['x-kubernetes-preserve-unknown-fields'] === true
        ? { found: 'preserved' }
        : { found: false };
    }
    if (tok !== '[]' && tok !== '*') {
      parent = node;
      key = tok;
    }
    node = next;
  }
  return { found: true, node, parent, key };
}

function crdKind(n: JSONSchemaProps): FieldKind | undefined {
  if (n['x-kubernetes-int-or-string'] === true) return 'int-or-string';
  return n.type as FieldKind | undefined;
}

// ---------------------------------------------------------------------------------------------
// Per-kind checks

for (const kind of KINDS) {
  const name = kind.info.kind;
  const crd = loadCrd(new URL(kind.info.file, OUR_CRDS));
  const argoCrd = loadCrd(new URL(kind.info.file, ARGO_CRDS));
  const schema = schemaOf(crd);
  const zodFields = [
    ...walkZod(kind.spec, 'spec', []),
    ...(kind.status ? walkZod(kind.status, 'status', []) : []),
  ];

  test(`${name}: the zod walk covers spec${kind.status ? ' and status' : ''}`, () => {
    const paths = new Set(zodFields.map((f) => f.path));
    assert.ok(zodFields.length > 80, `only ${zodFields.length} zod paths`);
    for (const p of [
      'spec.metrics[].count',
      'spec.metrics[].provider.prometheus.query',
      'spec.metrics[].provider.web.headers[].value',
      'spec.metrics[].provider.job.spec.template',
      'spec.args[].valueFrom.secretKeyRef.key',
      ...(kind.status
        ? ['status.metricResults[].measurements[].resumeAt', 'status.dryRunSummary.error']
        : []),
    ]) {
      assert.ok(paths.has(p), `zod walk lost ${p}`);
    }
  });

  test(`${name}: every zod path exists in the CRD (or under a preserve-unknown-fields node)`, () => {
    const missing = zodFields.filter((f) => crdAt(schema, f.path).found === false);
    assert.deepEqual(
      missing.map((f) => f.path),
      [],
    );
  });

  test(`${name}: zod and the CRD agree on the type of every shared path`, () => {
    const mismatches: string[] = [];
    for (const f of zodFields) {
      if (f.kind === 'any') continue;
      const r = crdAt(schema, f.path);
      if (r.found !== true) continue;
      const k = crdKind(r.node);
      if (k !== undefined && k !== f.kind) mismatches.push(`${f.path}: zod ${f.kind}, CRD ${k}`);
    }
    assert.deepEqual(mismatches, []);
  });

  test(`${name}: a field zod requires is required by the CRD too`, () => {
    const loose: string[] = [];
    for (const f of zodFields) {
      if (!f.required) continue;
      const r = crdAt(schema, f.path);
      if (r.found !== true) continue;
      if (!(r.parent.required ?? []).includes(r.key)) loose.push(f.path);
    }
    assert.deepEqual(loose, []);
  });

  for (const subtree of kind.checked) {
    test(`${name}: every CRD property of ${subtree} is in the zod schema`, () => {
      const root = subtree.startsWith('status') ? kind.status : kind.spec;
      assert.ok(root);
      const rel = subtree.replace(/^(spec|status)\.?/, '');
      const z0 = zodAt(root, rel);
      assert.ok(z0 instanceof z.ZodObject, `${subtree} is not a zod object`);
      const r = crdAt(schema, subtree);
      assert.ok(r.found === true && r.node.properties, `${subtree} has no CRD properties`);
      const zodKeys = new Set(Object.keys(z0.shape));
      const missing = Object.keys(r.node.properties)
        .filter((k) => !zodKeys.has(k))
        .sort();
      assert.deepEqual(missing, [], `CRD properties of ${subtree} unknown to zod`);
    });
  }

  test(`${name}: names, scope, printer columns and required fields are Argo's (§1.1)`, () => {
    assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
    assert.equal(crd.kind, 'CustomResourceDefinition');
    assert.equal(crd.metadata.name, `${kind.info.plural}.argoproj.io`);
    assert.equal(crd.spec.group, 'argoproj.io');
    assert.equal(crd.spec.scope, kind.info.scope);
    assert.deepEqual(crd.spec.names, {
      kind: name,
      listKind: `${name}List`,
      plural: kind.info.plural,
      singular: name.toLowerCase(),
      shortNames: [kind.info.shortName],
    });
    assert.equal(crd.spec.versions.length, 1);
    const v = crd.spec.versions[0];
    assert.ok(v);
    assert.equal(v.name, 'v1alpha1');
    assert.equal(v.served, true);
    assert.equal(v.storage, true);
    // No status subresource: the controller merge-patches status on the main resource.
    assert.deepEqual(v.subresources ?? {}, {});
    assert.deepEqual(
      (v.additionalPrinterColumns ?? []).map((c) => [c.name, c.type, c.jsonPath]),
      kind.printerColumns,
    );
    assert.deepEqual(schema.required, ['spec']);
    const spec = crdAt(schema, 'spec');
    assert.ok(spec.found === true);
    assert.deepEqual(spec.node.required, kind.status ? ['metrics'] : undefined);
    if (kind.status) {
      const status = crdAt(schema, 'status');
      assert.ok(status.found === true);
      assert.deepEqual(status.node.required, ['phase']);
    }
    for (const p of ['spec.metrics[].provider.plugin', 'spec.metrics[].provider.web.jsonBody']) {
      const r = crdAt(schema, p);
      assert.ok(r.found === true, p);
      assert.equal(r.node['x-kubernetes-preserve-unknown-fields'], true, p);
    }
    const count = crdAt(schema, 'spec.metrics[].count');
    assert.ok(count.found === true);
    assert.equal(count.node['x-kubernetes-int-or-string'], true);
  });

  test(`${name}: the CRD is Argo's without descriptions in the Job metric's pod template`, () => {
    const argo = structuredClone(argoCrd);
    let node: JSONSchemaProps | undefined = schemaOf(argo);
    for (const p of JOB_POD_TEMPLATE_PATH) {
      node = p === '[]' ? node?.items : node?.properties?.[p];
    }
    assert.ok(node?.properties?.spec, 'Argo CRD has no job pod template');
    assert.ok(JSON.stringify(node).includes('"description"'), 'nothing to strip in Argo CRD');
    stripDescriptions(node);
    assert.deepEqual(crd, argo);
    // Descriptions elsewhere (e.g. on the metric fields) are kept.
    const interval = crdAt(schema, 'spec.metrics[].interval');
    assert.ok(interval.found === true && typeof interval.node.description === 'string');
  });

  test(`${name}: the committed CRD is what scripts/gen-crds.ts generates`, () => {
    assert.equal(
      readFileSync(new URL(kind.info.file, OUR_CRDS), 'utf8'),
      renderAnalysisCrd(kind.info),
    );
  });

  test(`${name}: the CRD fits in kubectl's last-applied annotation`, () => {
    const size = Buffer.byteLength(JSON.stringify(crd));
    assert.ok(size < ANALYSIS_CRD_MAX_JSON_BYTES, `CRD is ${size} bytes`);
    assert.ok(ANALYSIS_CRD_MAX_JSON_BYTES < 262144);
    // And Argo's own one would not: that is why we strip.
    assert.ok(Buffer.byteLength(JSON.stringify(argoCrd)) > ANALYSIS_CRD_MAX_JSON_BYTES);
  });
}

test('every analysis CRD is generated', () => {
  assert.deepEqual(ANALYSIS_CRDS.map((c) => c.file).sort(), [
    'analysis-run-crd.yaml',
    'analysis-template-crd.yaml',
    'cluster-analysis-template-crd.yaml',
  ]);
});

// ---------------------------------------------------------------------------------------------
// Objects against zod and our CRDs

type Doc = { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };

function schemaFor(kindName: string): JSONSchemaProps {
  const kind = KINDS.find((k) => k.info.kind === kindName);
  assert.ok(kind, kindName);
  return schemaOf(loadCrd(new URL(kind.info.file, OUR_CRDS)));
}

function zodFor(kindName: string): z.ZodType {
  const kind = KINDS.find((k) => k.info.kind === kindName);
  assert.ok(kind, kindName);
  return kind.object;
}

/** What the API server does to a create: prune (strict field validation rejects any pruned
 * field), then validate everything but metadata. */
function apiServerCheck(doc: Doc, schema: JSONSchemaProps): { pruned: string[]; errors: string[] } {
  const pruned = pruneUnknownFields(doc, schema);
  const { metadata: _metadata, ...rest } = doc;
  return {
    pruned: pruned.unknownFields,
    errors: validateAgainstSchema(rest, schema).map((e) => `${e.field}: ${e.message}`),
  };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const p = join(dir, e.name);
      if (e.isDirectory()) return yamlFiles(p);
      return /\.ya?ml$/.test(e.name) ? [p] : [];
    });
}

const ANALYSIS_KINDS = new Set(KINDS.map((k) => k.info.kind));
const fixturesDir = fileURLToPath(FIXTURES);
const fixtureDocs: { id: string; doc: Doc }[] = [];
for (const file of yamlFiles(fixturesDir)) {
  const docs = yaml
    .loadAll(readFileSync(file, 'utf8'), undefined, { schema: yaml.CORE_SCHEMA })
    .filter((d): d is Doc => typeof d === 'object' && d !== null);
  for (const doc of docs) {
    if (typeof doc.kind !== 'string' || !ANALYSIS_KINDS.has(doc.kind)) continue;
    fixtureDocs.push({
      id: `${relative(fixturesDir, file)}#${doc.kind}/${String(doc.metadata?.name)}`,
      doc,
    });
  }
}

test('the fixtures hold the expected analysis objects', () => {
  assert.ok(fixtureDocs.length >= 6, `only ${fixtureDocs.length} analysis objects found`);
  const ids = fixtureDocs.map((f) => f.id);
  for (const id of [
    'argo-rollouts/examples/analysis-templates.yaml#AnalysisTemplate/random-fail',
    'argo-rollouts/examples/cluster-analysis-templates.yaml#ClusterAnalysisTemplate/always-pass',
    'argo-rollouts/examples/rollout-secret.yaml#AnalysisTemplate/analysis-secret',
    'rollouts-demo/analysis/analysis-success-rate.yaml#AnalysisTemplate/success-rate',
  ]) {
    assert.ok(ids.includes(id), id);
  }
});

for (const { id, doc } of fixtureDocs) {
  test(`fixture ${id}: parses with zod and passes our CRD unchanged`, () => {
    assert.equal(doc.apiVersion, 'argoproj.io/v1alpha1');
    const kindName = String(doc.kind);
    const parsed = zodFor(kindName).safeParse(doc);
    assert.ok(parsed.success, parsed.error?.message);
    assert.deepEqual(apiServerCheck(doc, schemaFor(kindName)), { pruned: [], errors: [] });
    assert.deepEqual(pruneUnknownFields(doc, schemaFor(kindName)).value, doc);
  });
}

/** A run as the controller writes it: a fixture template's metric, args, and a full status. */
const sampleRun = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name: 'guestbook-6c54544bf9-2-0', namespace: 'default' },
  spec: {
    args: [
      { name: 'ingress', value: 'guestbook' },
      { name: 'token', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
    ],
    metrics: [
      {
        name: 'success-rate',
        interval: '5m',
        count: '{{args.runs}}',
        failureLimit: 3,
        consecutiveErrorLimit: '2',
        successCondition: 'result[0] >= 0.95',
        provider: {
          prometheus: {
            address: 'http://prometheus:9090',
            query: 'sum(rate(x{ingress="{{args.ingress}}"}[5m]))',
            timeout: 30,
            headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
            rangeQuery: { start: 'now() - duration("5m")', end: 'now()', step: '1m' },
          },
        },
      },
      {
        name: 'web',
        provider: { web: { url: 'http://x/{{args.ingress}}', jsonBody: { a: [1, { b: 2 }] } } },
      },
      { name: 'plugin', provider: { plugin: { 'argoproj-labs/sample': { any: ['thing'] } } } },
    ],
    dryRun: [{ metricName: 'web' }],
    measurementRetention: [{ metricName: '.*', limit: 20 }],
    terminate: true,
    ttlStrategy: { secondsAfterCompletion: 60, secondsAfterFailure: 120, secondsAfterSuccess: 30 },
  },
  status: {
    phase: 'Failed',
    message: 'Metric "success-rate" assessed Failed due to failed (4) > failureLimit (3)',
    startedAt: '2026-01-01T00:00:00Z',
    completedAt: '2026-01-01T00:20:00Z',
    runSummary: { count: 2, failed: 1, successful: 1 },
    dryRunSummary: { count: 1, successful: 1 },
    metricResults: [
      {
        name: 'success-rate',
        phase: 'Failed',
        count: 5,
        successful: 1,
        failed: 4,
        consecutiveError: 0,
        consecutiveSuccess: 0,
        metadata: { ResolvedPrometheusQuery: 'sum(rate(x{ingress="guestbook"}[5m]))' },
        measurements: [
          {
            phase: 'Failed',
            startedAt: '2026-01-01T00:20:00Z',
            finishedAt: '2026-01-01T00:20:00Z',
            value: '[0.85]',
            metadata: { warnings: 'none' },
          },
        ],
      },
      {
        name: 'web',
        phase: 'Running',
        dryRun: true,
        error: 1,
        measurements: [
          {
            phase: 'Running',
            message: 'waiting',
            startedAt: '2026-01-01T00:20:00Z',
            resumeAt: '2026-01-01T00:20:10Z',
          },
        ],
      },
    ],
  },
};

test('a run with a full status parses with zod and passes our AnalysisRun CRD unchanged', () => {
  const parsed = analysisRun.safeParse(sampleRun);
  assert.ok(parsed.success, parsed.error?.message);
  assert.deepEqual(apiServerCheck(sampleRun, schemaFor('AnalysisRun')), { pruned: [], errors: [] });
});

test('the checks can fail: unknown fields are pruned, a number-typed arg value is invalid', () => {
  const doc = structuredClone(sampleRun) as unknown as {
    spec: { bogus?: number; args: { name: string; value?: unknown }[] };
    status: { metricResults: { extra?: string }[] };
  };
  doc.spec.bogus = 1;
  const first = doc.status.metricResults[0];
  assert.ok(first);
  first.extra = 'x';
  const arg = doc.spec.args[0];
  assert.ok(arg);
  arg.value = 5; // unquoted YAML number (§1.5)
  const r = apiServerCheck(doc as Doc, schemaFor('AnalysisRun'));
  assert.deepEqual(r.pruned, ['spec.bogus', 'status.metricResults[0].extra']);
  assert.equal(r.errors.length, 1);
  assert.match(
    r.errors[0] ?? '',
    /^spec\.args\[0\]\.value: Invalid value: "integer": .*must be of type string/,
  );
  assert.equal(analysisRun.safeParse(doc).success, false);
});

test('the API server requires spec.metrics of a run and status.phase, as zod does', () => {
  const noMetrics = { ...sampleRun, spec: { args: [] } };
  const r = apiServerCheck(noMetrics, schemaFor('AnalysisRun'));
  assert.deepEqual(r.errors, ['spec.metrics: Required value']);
  assert.equal(analysisRun.safeParse(noMetrics).success, false);
  const noPhase = { ...sampleRun, status: { message: 'x' } };
  assert.deepEqual(apiServerCheck(noPhase, schemaFor('AnalysisRun')).errors, [
    'status.phase: Required value',
  ]);
  assert.equal(analysisRun.safeParse(noPhase).success, false);
  // A template's metrics are optional (it may only aggregate others via `templates`).
  const aggregate = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'all' },
    spec: { templates: [{ templateName: 'a' }, { templateName: 'b', clusterScope: true }] },
  };
  assert.ok(analysisTemplate.safeParse(aggregate).success);
  assert.deepEqual(apiServerCheck(aggregate, schemaFor('AnalysisTemplate')), {
    pruned: [],
    errors: [],
  });
});
