// Keeps the zod schemas of src/api (the source of truth for the controller's types) and our CRD
// (crds/rollout-crd.yaml, what the API server accepts) from drifting apart:
//  - every property path the zod rolloutSpec / rolloutStatus define exists in the CRD's
//    openAPIV3Schema (or under an x-kubernetes-preserve-unknown-fields node), with a matching
//    type, and a field zod requires is required by the CRD too (else zod would reject objects
//    the API server stored);
//  - for the main subtrees, every property the CRD declares is known to zod, exceptions listed;
//  - the CRD differs from Argo's only by the documented additions, and keeps Argo's names,
//    subresources and printer columns (rollout-semantics.md §1);
//  - every Rollout in the shared fixtures parses with zod and passes our CRD unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderRolloutCrd, stripDescriptions } from '../../../scripts/gen-crds.ts';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { z } from 'zod';
import { rollout, rolloutSpec, rolloutStatus } from '../../../src/api/rollout.ts';
import { pruneUnknownFields } from '../../../sim/schema/prune.ts';
import { validateAgainstSchema } from '../../../sim/schema/validate.ts';
import type { JSONSchemaProps } from '../../../sim/registry/types.ts';
import { kindOf, unwrap, type FieldKind, type ZodField } from './zod-walk.ts';

const OUR_CRD = new URL('../../../crds/rollout-crd.yaml', import.meta.url);
const FIXTURES = new URL('../../../../shared/fixtures/', import.meta.url);
const ARGO_CRD = new URL('argo-rollouts/crds/rollout-crd.yaml', FIXTURES);

// ---------------------------------------------------------------------------------------------
// Deliberate differences, each with its reason. The tests also fail when an entry stops being
// true, so the lists cannot rot.

/** zod paths the CRD does not declare. */
const ZOD_ONLY: Record<string, string> = {
  // Rollout args are Argo's AnalysisRunArgument (fieldRef / podTemplateHashValue only); zod
  // reuses the AnalysisTemplate `argument` shape, which also has secretKeyRef. The API server
  // prunes it from a Rollout, so the controller never sees one.
  'spec.strategy.canary.steps[].analysis.args[].valueFrom.secretKeyRef':
    'shared AnalysisTemplate argument shape; not a Rollout field',
  'spec.strategy.canary.analysis.args[].valueFrom.secretKeyRef':
    'shared AnalysisTemplate argument shape; not a Rollout field',
  'spec.strategy.blueGreen.prePromotionAnalysis.args[].valueFrom.secretKeyRef':
    'shared AnalysisTemplate argument shape; not a Rollout field',
  'spec.strategy.blueGreen.postPromotionAnalysis.args[].valueFrom.secretKeyRef':
    'shared AnalysisTemplate argument shape; not a Rollout field',
};

/** Fields zod requires that the CRD leaves optional. */
const ZOD_STRICTER: Record<string, string> = {
  // Argo's CRD does not require setHeaderRoute.name, but a nameless route can never be listed in
  // trafficRouting.managedRoutes, so validation.go rejects it (InvalidSpec) anyway. Until zod
  // makes it optional, such a Rollout fails zod parsing instead of getting the InvalidSpec
  // condition: a caller must treat a parse failure as invalid.
  'spec.strategy.canary.steps[].setHeaderRoute.name':
    'nameless header routes are invalid anyway (managedRoutes)',
};

/** CRD properties, per checked subtree, that zod does not model. looseObject keeps them. */
const CRD_ONLY: Record<string, Record<string, string>> = {
  status: {
    alb: 'ALB load balancer / target group ARNs: written only by the AWS-API weight verification, which we do not implement; carried over untouched',
    albs: 'as alb, one entry per Ingress; carried over untouched',
    duration:
      'master-only (post-1.10) per-update timing bookkeeping (rollout-semantics §3), optional; not modelled yet',
  },
  'status.canary': {
    stepPluginStatuses: 'step plugins run out of process; their bookkeeping is not modelled yet',
  },
};

/** Subtrees whose CRD properties must all be known to zod (path as in ZOD paths below). */
const CHECKED_SUBTREES = [
  'spec',
  'spec.strategy',
  'spec.strategy.canary',
  'spec.strategy.canary.steps[]',
  'spec.strategy.canary.steps[].analysis',
  'spec.strategy.canary.analysis',
  'spec.strategy.canary.trafficRouting',
  'spec.strategy.canary.trafficRouting.alb',
  'spec.strategy.canary.trafficRouting.nginx',
  'spec.strategy.blueGreen',
  'spec.strategy.blueGreen.prePromotionAnalysis',
  'spec.strategy.blueGreen.postPromotionAnalysis',
  'status',
  'status.canary',
  'status.blueGreen',
];

/** The properties our CRD adds to Argo's (see the CRD's header). */
const ADDED_TO_ARGO = [
  'spec.strategy.canary.analysis.templateName',
  'spec.strategy.canary.steps[].analysis.templateName',
  'spec.strategy.blueGreen.prePromotionAnalysis.templateName',
  'spec.strategy.blueGreen.postPromotionAnalysis.templateName',
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

function loadYaml(url: URL | string): unknown[] {
  return yaml
    .loadAll(readFileSync(url, 'utf8'), undefined, { schema: yaml.CORE_SCHEMA })
    .filter((d) => d !== null && d !== undefined);
}

function loadCrd(url: URL): Crd {
  const text = readFileSync(url, 'utf8');
  return yaml.load(text, { schema: yaml.CORE_SCHEMA }) as Crd;
}

const crd = loadCrd(OUR_CRD);
const argoCrd = loadCrd(ARGO_CRD);
const version = crd.spec.versions[0];
assert.ok(version, 'CRD has no version');
const schema = version.schema.openAPIV3Schema;

// ---------------------------------------------------------------------------------------------
// Walking zod (v4 classic): objects by .shape, .unwrap() through optional/nullable/default,
// arrays by .element, every option of a union, record values by .valueType.

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

/** The zod schema at `path` (same syntax as ZodField.path), unwrapped. */
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

function tokens(path: string): string[] {
  return path
    .replace(/\[\]/g, '.[]')
    .split('.')
    .filter((t) => t !== '');
}

// ---------------------------------------------------------------------------------------------
// Walking the CRD schema with the same path syntax.

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

const zodFields = [...walkZod(rolloutSpec, 'spec', []), ...walkZod(rolloutStatus, 'status', [])];

function underZodOnly(path: string): boolean {
  return Object.keys(ZOD_ONLY).some((p) => path === p || path.startsWith(`${p}.`));
}

// ---------------------------------------------------------------------------------------------
// zod → CRD

test('zod walk covers the whole Rollout spec and status', () => {
  // Guards the walker itself: a zod upgrade that broke instanceof would silently check nothing.
  assert.ok(zodFields.length > 250, `only ${zodFields.length} zod paths`);
  const paths = new Set(zodFields.map((f) => f.path));
  for (const p of [
    'spec.strategy.canary.steps[].pause.duration',
    'spec.strategy.canary.trafficRouting.alb.servicePort',
    'spec.strategy.blueGreen.activeService',
    'status.canary.weights.canary.weight',
    'status.conditions[].lastTransitionTime',
  ]) {
    assert.ok(paths.has(p), `zod walk lost ${p}`);
  }
});

test('every zod path exists in the CRD (or under a preserve-unknown-fields node)', () => {
  const missing = zodFields
    .filter((f) => !underZodOnly(f.path) && crdAt(schema, f.path).found === false)
    .map((f) => f.path);
  assert.deepEqual(missing, []);
});

test('every ZOD_ONLY exception is really absent from the CRD and present in zod', () => {
  const paths = new Set(zodFields.map((f) => f.path));
  for (const p of Object.keys(ZOD_ONLY)) {
    assert.ok(paths.has(p), `${p} is no longer in zod: drop the exception`);
    assert.equal(crdAt(schema, p).found, false, `${p} is in the CRD now: drop the exception`);
  }
});

test('zod and CRD agree on the type of every shared path', () => {
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

test('a field zod requires is required by the CRD too', () => {
  // Otherwise the API server stores objects the controller's zod parse rejects.
  const loose: string[] = [];
  for (const f of zodFields) {
    if (!f.required) continue;
    const r = crdAt(schema, f.path);
    if (r.found !== true) continue;
    if (!(r.parent.required ?? []).includes(r.key)) loose.push(f.path);
  }
  assert.deepEqual(loose.sort(), Object.keys(ZOD_STRICTER).sort());
});

// ---------------------------------------------------------------------------------------------
// CRD → zod

for (const subtree of CHECKED_SUBTREES) {
  test(`every CRD property of ${subtree} is in the zod schema`, () => {
    const root = subtree.startsWith('status') ? rolloutStatus : rolloutSpec;
    const rel = subtree.replace(/^(spec|status)\.?/, '');
    const z0 = zodAt(root, rel);
    assert.ok(z0 instanceof z.ZodObject, `${subtree} is not a zod object`);
    const r = crdAt(schema, subtree);
    assert.ok(r.found === true && r.node.properties, `${subtree} has no CRD properties`);
    const zodKeys = new Set(Object.keys(z0.shape));
    const exceptions = CRD_ONLY[subtree] ?? {};
    const missing = Object.keys(r.node.properties)
      .filter((k) => !zodKeys.has(k) && !Object.hasOwn(exceptions, k))
      .sort();
    assert.deepEqual(missing, [], `CRD properties of ${subtree} unknown to zod`);
    for (const k of Object.keys(exceptions)) {
      assert.ok(Object.hasOwn(r.node.properties, k), `${subtree}.${k} left the CRD`);
      assert.ok(!zodKeys.has(k), `${subtree}.${k} is in zod now: drop the exception`);
    }
  });
}

test('every CRD_ONLY subtree is checked', () => {
  for (const s of Object.keys(CRD_ONLY)) assert.ok(CHECKED_SUBTREES.includes(s), s);
});

// ---------------------------------------------------------------------------------------------
// The CRD itself

test('the CRD keeps Argo’s names, scope, subresources and printer columns', () => {
  assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
  assert.equal(crd.kind, 'CustomResourceDefinition');
  assert.equal(crd.metadata.name, 'rollouts.argoproj.io');
  assert.equal(crd.spec.group, 'argoproj.io');
  assert.equal(crd.spec.scope, 'Namespaced');
  assert.deepEqual(crd.spec.names, {
    kind: 'Rollout',
    listKind: 'RolloutList',
    plural: 'rollouts',
    singular: 'rollout',
    shortNames: ['ro'],
  });
  assert.equal(crd.spec.versions.length, 1);
  assert.equal(version.name, 'v1alpha1');
  assert.equal(version.served, true);
  assert.equal(version.storage, true);
  assert.deepEqual(version.subresources, {
    status: {},
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.HPAReplicas',
      labelSelectorPath: '.status.selector',
    },
  });
  assert.deepEqual(
    (version.additionalPrinterColumns ?? []).map((c) => [c.name, c.type, c.jsonPath]),
    [
      ['Desired', 'integer', '.spec.replicas'],
      ['Current', 'integer', '.status.replicas'],
      ['Up-to-date', 'integer', '.status.updatedReplicas'],
      ['Available', 'integer', '.status.availableReplicas'],
      ['Age', 'date', '.metadata.creationTimestamp'],
    ],
  );
  assert.deepEqual(schema.required, ['spec']);
  const selector = crdAt(schema, 'spec.selector');
  assert.ok(selector.found === true);
  assert.deepEqual(selector.node['x-kubernetes-validations'], [
    { message: '.spec.selector is immutable', rule: 'self == oldSelf' },
  ]);
});

test('the CRD differs from Argo’s only by the documented additions', () => {
  const ours = structuredClone(crd);
  const s = ours.spec.versions[0]?.schema.openAPIV3Schema;
  assert.ok(s);
  for (const p of ADDED_TO_ARGO) {
    const r = crdAt(s, p);
    assert.ok(r.found === true, `${p} is not in our CRD`);
    assert.equal(r.node.type, 'string', p);
    assert.equal(crdAt(argoCrd.spec.versions[0]?.schema.openAPIV3Schema ?? {}, p).found, false, p);
    delete r.parent.properties?.[r.key];
  }
  // The other documented change: no descriptions in the embedded PodTemplateSpec.
  const argo = structuredClone(argoCrd);
  for (const v of argo.spec.versions) {
    stripDescriptions(v.schema.openAPIV3Schema.properties?.spec?.properties?.template);
  }
  assert.deepEqual(ours, argo);
});

test('the committed CRD is what scripts/gen-crds.ts generates', () => {
  assert.equal(
    readFileSync(new URL('../../../crds/rollout-crd.yaml', import.meta.url), 'utf8'),
    renderRolloutCrd(),
  );
});

test('the CRD fits in kubectl’s last-applied annotation (plain `kubectl apply -f` works)', () => {
  // kube-apiserver caps all annotations of an object at 262144 bytes; client-side apply stores
  // the whole manifest as JSON in one of them.
  const size = Buffer.byteLength(JSON.stringify(crd));
  assert.ok(size < 262144 - 4096, `CRD is ${size} bytes`);
});

// ---------------------------------------------------------------------------------------------
// Every Rollout in the shared fixtures

type Doc = { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const p = join(dir, e.name);
      if (e.isDirectory()) return yamlFiles(p);
      return /\.ya?ml$/.test(e.name) ? [p] : [];
    });
}

const fixturesDir = fileURLToPath(FIXTURES);
const fixtureRollouts: { id: string; doc: Doc }[] = [];
for (const file of yamlFiles(fixturesDir)) {
  for (const doc of loadYaml(file) as Doc[]) {
    if (doc.kind !== 'Rollout') continue;
    fixtureRollouts.push({
      id: `${relative(fixturesDir, file)}#${String(doc.metadata?.name)}`,
      doc,
    });
  }
}

test('the fixtures hold the expected Rollouts', () => {
  assert.ok(fixtureRollouts.length >= 19, `only ${fixtureRollouts.length} Rollouts found`);
  assert.ok(
    fixtureRollouts.some(
      (f) => f.id === 'rollouts-demo/analysis/rollout-with-analysis.yaml#canary-demo',
    ),
  );
});

for (const { id, doc } of fixtureRollouts) {
  test(`fixture ${id}: parses with zod and passes our CRD unchanged`, () => {
    assert.equal(doc.apiVersion, 'argoproj.io/v1alpha1');
    const parsed = rollout.safeParse(doc);
    assert.ok(parsed.success, parsed.error?.message);
    // kubectl's strict field validation rejects any field the CRD would prune.
    const pruned = pruneUnknownFields(doc, schema);
    assert.deepEqual(pruned.unknownFields, []);
    assert.deepEqual(pruned.value, doc);
    // The API server validates everything but metadata against the schema (sim/api/admission.ts).
    const { metadata: _metadata, ...rest } = doc;
    assert.deepEqual(validateAgainstSchema(rest, schema), []);
  });
}
