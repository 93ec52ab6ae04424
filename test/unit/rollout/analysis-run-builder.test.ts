// AnalysisRuns built by a Rollout (src/rollout/analysis-run-builder.ts) against analysis.md
// §7.2–§7.4 and §7.7 and Argo's rollout/analysis.go, utils/analysis/{factory,helpers}.go and
// validation_references.go; then the shared fixtures, loaded unchanged.
//
// Case table
//
// resolveTemplates (§7.2 step 1)
//   R1  one namespaced ref                          → templates [a], clusterTemplates []
//   R2  clusterScope ref                            → clusterTemplates [c]
//   R3  nested refs across kinds                    → depth-first, parent before children, per kind
//   R4  repeated refs                               → first occurrence kept, per kind (a ≠ cluster a)
//   R5  missing AnalysisTemplate                    → `AnalysisTemplate 'x' not found`
//   R6  missing nested ClusterAnalysisTemplate      → `ClusterAnalysisTemplate 'y' not found`
//   R7  reference cycle                             → terminates, each template once
//   R8  legacy `templateName`                       → counts as one more ref, after `templates`
//
// rolloutArgs (§7.3)
//   A1  value / no value                            → value / ""
//   A2  podTemplateHashValue Latest / Stable        → new / stable hash; no stable RS → ""
//   A3  fieldRef metadata.name/namespace/uid/labels['k']/annotations
//   A4  fieldRef metadata.foo / bad label key       → error, no args
//   A5  fieldRef non-metadata paths                 → %v of the value (int, float, bool, string)
//   A6  fieldRef non-metadata failure               → error with the args ("" for the failing one)
//   A7  quirk: a later successful fieldRef masks an earlier failure (metadata or not)
//   A8  quirk: podTemplateHashValue does not mask it
//
// Names (§7.4)
//   N1  background / step / pre / post              → guestbook-6c54544bf9-2[-0|-pre|-post]
//   N2  collisionName                               → `<base>.<n>`
//   N3  Step without index                          → throws (a programming error)
//
// buildAnalysisRun (§7.2–§7.4)
//   B1  complete Step run: metadata, labels, annotations, ownerReferences, spec
//   B2  instance id from the Rollout's label; input.instanceId overrides it
//   B3  label precedence: built-ins < analysisRunMetadata < selector.matchLabels
//   B4  AnalysisTemplate metrics before ClusterAnalysisTemplate metrics
//   B5  duplicate metric names                      → `two metrics have the same name 'm'`
//   B6  template args: equal values merge, different → Argument `x` specified multiple times…
//   B7  template args: a later value replaces an earlier null; first value wins otherwise
//   B8  Rollout args override by name; undeclared Rollout args dropped
//   B9  template arg without value, not supplied   → `args.x was not resolved`
//   B10 secretKeyRef template arg stays a reference; a Rollout value keeps valueFrom beside it
//   B11 dryRun/retention: Rollout rules first; duplicates across → errors (exact texts)
//   B12 Go's error order: template dry-run duplicates before arg errors; metrics first of all
//   B13 empty args/dryRun/retention omitted; no terminate / ttlStrategy
//   B14 empty pod hash                              → `Latest ReplicaSet '<rs>' has no pod hash…`
//   B15 fieldRef errors fail creation (metadata at once; non-metadata unless masked)
//   B16 missing template                            → lookup error
//   B17 the run shares no objects with the templates
//   B18 Step without stepIndex                      → error
//
// isSemanticallyEqualRun (§7.4)
//   E1  key order ignored; [] ≡ absent; metadata/status/terminate ignored
//   E2  different args / metrics / dryRun / retention → not equal
//
// validateRolloutAnalyses (§7.7)
//   V1  missing template (each declaration point)   → one error, upstream text
//   V2  step metric with interval and no count      → runs indefinitely, count `<nil>`; `0` too
//   V3  the same template in background analysis    → no error
//   V4  pre/post promotion analyses                 → same rule, their field paths
//   V5  arg with value and valueFrom                → `AnalysisTemplate t: arg 'a' has both…`
//   V6  undeclared placeholder                      → `AnalysisTemplate t: failed to resolve …`
//   V7  count from a required arg                   → placeholder `dummy-value` ⇒ indefinite
//   V8  merge errors                                → value `templateNames: [a c]`
//   V9  required arg missing from Rollout args      → `args.x was not resolved` (merge error)
//   V10 background: required arg satisfied by a sibling template → per-template arg check
//   V11 quirk: a canary step's dryRun rules are merged into every group
//   V12 metadata fieldRef error drops all Rollout args (dummy run) → `args.x was not resolved`
//   V13 top-level refs only: a template listed twice reads as duplicate metrics
//   V14 podTemplateHashValue args resolve against dummy hashes; no error
//
// Fixtures (/work/shared/fixtures, unchanged)
//   F1  rollouts-demo canary-demo (legacy templateName, background) + success-rate
//   F2  rollouts-demo with a podTemplateHashValue arg added in memory
//   F3  examples/rollout-background-analysis + analysis-templates.yaml (random-fail)
//   F4  examples/rollout-analysis-step: random-fail + always-pass (cluster), step index 1
//   F5  examples/rollout-secret: secretKeyRef arg kept as a reference
//   F6  every fixture Rollout validates cleanly; success-rate as a step analysis does not
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { analysisTemplate as templateSchema, type Metric } from '../../../src/api/analysis.ts';
import type { RolloutAnalysis } from '../../../src/api/analysis-refs.ts';
import { rollout as rolloutSchema, type Rollout } from '../../../src/api/rollout.ts';
import {
  analysisRunName,
  buildAnalysisRun,
  collisionName,
  isSemanticallyEqualRun,
  mergeRunSpec,
  resolveTemplates,
  rolloutArgs,
  validateRolloutAnalyses,
  type BuildAnalysisRunInput,
  type TemplateLike,
  type TemplateLookup,
} from '../../../src/rollout/analysis-run-builder.ts';
import { formatInvalidSpec } from '../../../src/rollout/validate.ts';

// ---------------------------------------------------------------------------------------------
// Builders

type Raw = Record<string, unknown>;

function metric(name: string, over: Raw = {}): Metric {
  return { name, provider: { prometheus: { address: 'http://p:9090', query: 'q' } }, ...over };
}

function tmpl(name: string, spec: Raw = {}): TemplateLike {
  return templateSchema.parse({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name },
    spec: { metrics: [metric(name)], ...spec },
  });
}

function lookupOf(
  templates: readonly TemplateLike[],
  cluster: readonly TemplateLike[] = [],
): TemplateLookup {
  const byName = (list: readonly TemplateLike[]) =>
    new Map(list.map((t) => [t.metadata.name ?? '', t]));
  const ns = byName(templates);
  const cl = byName(cluster);
  return { template: (n) => ns.get(n), clusterTemplate: (n) => cl.get(n) };
}

function canaryRollout(canary: Raw, meta: Raw = {}): Rollout {
  return rolloutSchema.parse({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name: 'guestbook',
      namespace: 'default',
      uid: 'uid-1',
      annotations: { 'rollout.argoproj.io/revision': '2' },
      ...meta,
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'guestbook' } },
      template: {
        metadata: { labels: { app: 'guestbook', version: 'v2' } },
        spec: { containers: [{ name: 'app', image: 'nginx' }] },
      },
      strategy: { canary },
    },
    status: { pauseConditions: [{ reason: 'CanaryPauseStep', startTime: 't' }] },
  });
}

function blueGreenRollout(blueGreen: Raw): Rollout {
  const r = canaryRollout({});
  r.spec.strategy = rolloutSchema.shape.spec.shape.strategy.parse({
    blueGreen: { activeService: 'active', ...blueGreen },
  });
  return r;
}

function input(
  analysis: RolloutAnalysis,
  lookup: TemplateLookup,
  over: Partial<BuildAnalysisRunInput> = {},
): BuildAnalysisRunInput {
  return {
    rollout: canaryRollout({ analysis }),
    analysis,
    type: 'Background',
    podHash: '6c54544bf9',
    stableHash: '5b6d7c8f9',
    revision: '2',
    lookup,
    ...over,
  };
}

function build(
  analysis: RolloutAnalysis,
  lookup: TemplateLookup,
  over: Partial<BuildAnalysisRunInput> = {},
) {
  const r = buildAnalysisRun(input(analysis, lookup, over));
  if (!r.ok) assert.fail(`unexpected error: ${r.error}`);
  return r.run;
}

function buildError(
  analysis: RolloutAnalysis,
  lookup: TemplateLookup,
  over: Partial<BuildAnalysisRunInput> = {},
): string {
  const r = buildAnalysisRun(input(analysis, lookup, over));
  if (r.ok) assert.fail('expected an error');
  return r.error;
}

const names = (list: readonly TemplateLike[]) => list.map((t) => t.metadata.name);
const refs = (...n: string[]) => n.map((templateName) => ({ templateName }));

// ---------------------------------------------------------------------------------------------
// resolveTemplates

test('R1/R2 a namespaced and a cluster-scoped reference land in their own lists', () => {
  const r = resolveTemplates([{ templateName: 'a' }, { templateName: 'c', clusterScope: true }], {
    ...lookupOf([tmpl('a')], [tmpl('c')]),
  });
  assert.ok(r.ok);
  assert.deepEqual(names(r.templates), ['a']);
  assert.deepEqual(names(r.clusterTemplates), ['c']);
});

test('R3 nested templates are resolved depth-first, children right after their parent', () => {
  const lookup = lookupOf(
    [
      tmpl('a', { templates: [{ templateName: 'b' }, { templateName: 'x', clusterScope: true }] }),
      tmpl('b'),
      tmpl('d'),
    ],
    [tmpl('x'), tmpl('c', { templates: [{ templateName: 'd' }] })],
  );
  const r = resolveTemplates(
    [{ templateName: 'a' }, { templateName: 'c', clusterScope: true }],
    lookup,
  );
  assert.ok(r.ok);
  assert.deepEqual(names(r.templates), ['a', 'b', 'd']);
  assert.deepEqual(names(r.clusterTemplates), ['x', 'c']);
});

test('R4 a template is kept once per kind, at its first occurrence', () => {
  const lookup = lookupOf(
    [tmpl('a', { templates: [{ templateName: 'b' }] }), tmpl('b')],
    [tmpl('a')],
  );
  const r = resolveTemplates(
    [{ templateName: 'b' }, { templateName: 'a' }, { templateName: 'a', clusterScope: true }],
    lookup,
  );
  assert.ok(r.ok);
  assert.deepEqual(names(r.templates), ['b', 'a']);
  assert.deepEqual(names(r.clusterTemplates), ['a']);
});

test('R5/R6 a missing template names its kind', () => {
  assert.deepEqual(resolveTemplates(refs('x'), lookupOf([])), {
    ok: false,
    error: "AnalysisTemplate 'x' not found",
  });
  const nested = lookupOf([tmpl('a', { templates: [{ templateName: 'y', clusterScope: true }] })]);
  assert.deepEqual(resolveTemplates(refs('a'), nested), {
    ok: false,
    error: "ClusterAnalysisTemplate 'y' not found",
  });
});

test('R7 a reference cycle ends (Go recurses forever)', () => {
  const lookup = lookupOf([
    tmpl('a', { templates: [{ templateName: 'b' }] }),
    tmpl('b', { templates: [{ templateName: 'a' }] }),
  ]);
  const r = resolveTemplates(refs('a'), lookup);
  assert.ok(r.ok);
  assert.deepEqual(names(r.templates), ['a', 'b']);
});

test('R8 the legacy single templateName is one more reference, after templates', () => {
  const run = build({ templates: refs('a'), templateName: 'b' }, lookupOf([tmpl('a'), tmpl('b')]));
  assert.deepEqual(
    run.spec.metrics.map((m) => m.name),
    ['a', 'b'],
  );
});

// ---------------------------------------------------------------------------------------------
// rolloutArgs

const hashes = { stableHash: 'stable-h', latestHash: 'new-h' };

test('A1/A2 plain values and pod-template hashes', () => {
  const r = rolloutArgs(
    canaryRollout({}),
    [
      { name: 'v', value: 'x' },
      { name: 'empty' },
      { name: 'latest', valueFrom: { podTemplateHashValue: 'Latest' } },
      { name: 'stable', value: 'ignored', valueFrom: { podTemplateHashValue: 'Stable' } },
    ],
    hashes,
  );
  assert.deepEqual(r, {
    ok: true,
    args: [
      { name: 'v', value: 'x' },
      { name: 'empty', value: '' },
      { name: 'latest', value: 'new-h' },
      { name: 'stable', value: 'stable-h' },
    ],
  });
  const noStable = rolloutArgs(
    canaryRollout({}),
    [{ name: 's', valueFrom: { podTemplateHashValue: 'Stable' } }],
    { latestHash: 'n' },
  );
  assert.deepEqual(noStable, { ok: true, args: [{ name: 's', value: '' }] });
});

test('A3 metadata fieldRefs follow the downward API', () => {
  const ro = canaryRollout({}, { labels: { team: 'web', app: 'guestbook' } });
  const fr = (name: string, fieldPath: string) => ({
    name,
    valueFrom: { fieldRef: { fieldPath } },
  });
  const r = rolloutArgs(
    ro,
    [
      fr('name', 'metadata.name'),
      fr('ns', 'metadata.namespace'),
      fr('uid', 'metadata.uid'),
      fr('team', "metadata.labels['team']"),
      fr('none', "metadata.labels['absent']"),
      fr('labels', 'metadata.labels'),
    ],
    hashes,
  );
  assert.deepEqual(r, {
    ok: true,
    args: [
      { name: 'name', value: 'guestbook' },
      { name: 'ns', value: 'default' },
      { name: 'uid', value: 'uid-1' },
      { name: 'team', value: 'web' },
      { name: 'none', value: '' },
      { name: 'labels', value: 'app="guestbook"\nteam="web"' },
    ],
  });
});

test('A4 a failing metadata fieldRef fails at once, without args', () => {
  const r = rolloutArgs(
    canaryRollout({}),
    [
      { name: 'a', value: '1' },
      { name: 'b', valueFrom: { fieldRef: { fieldPath: 'metadata.generateName' } } },
    ],
    hashes,
  );
  assert.deepEqual(r, { ok: false, error: 'unsupported fieldPath: metadata.generateName' });
});

test('A5 other fieldRefs walk the Rollout and print like %v', () => {
  const fr = (name: string, fieldPath: string) => ({
    name,
    valueFrom: { fieldRef: { fieldPath } },
  });
  const ro = canaryRollout({ steps: [{ setWeight: 20 }] });
  (ro.spec as Raw).ratio = 0.5;
  (ro.spec as Raw).flag = true;
  const r = rolloutArgs(
    ro,
    [
      fr('version', 'spec.template.metadata.labels.version'),
      fr('reason', 'status.pauseConditions[0].reason'),
      fr('weight', 'spec.strategy.canary.steps[0].setWeight'),
      fr('replicas', 'spec.replicas'),
      fr('ratio', 'spec.ratio'),
      fr('flag', 'spec.flag'),
    ],
    hashes,
  );
  assert.deepEqual(r, {
    ok: true,
    args: [
      { name: 'version', value: 'v2' },
      { name: 'reason', value: 'CanaryPauseStep' },
      { name: 'weight', value: '20' },
      { name: 'replicas', value: '3' },
      { name: 'ratio', value: '0.5' },
      { name: 'flag', value: 'true' },
    ],
  });
});

test('A6 a failing non-metadata fieldRef errors but still returns the args', () => {
  const fr = (name: string, fieldPath: string) => ({
    name,
    valueFrom: { fieldRef: { fieldPath } },
  });
  const ro = canaryRollout({});
  const table: [string, string][] = [
    ['spec.nothing.here', 'invalid path spec.nothing.here in rollout'],
    [
      'spec.template.metadata.labels',
      'path spec.template.metadata.labels in rollout must terminate in a primitive value',
    ],
    ['status.pauseConditions[x]', "invalid index 'x'"],
    ['status.pauseConditions[3].reason', 'index 3 out of range'],
  ];
  for (const [path, error] of table) {
    assert.deepEqual(
      rolloutArgs(ro, [{ name: 'a', value: 'keep' }, fr('b', path)], hashes),
      {
        ok: false,
        error,
        args: [
          { name: 'a', value: 'keep' },
          { name: 'b', value: '' },
        ],
      },
      path,
    );
  }
});

test('A7 quirk: only the most recent fieldRef outcome counts', () => {
  const fr = (name: string, fieldPath: string) => ({
    name,
    valueFrom: { fieldRef: { fieldPath } },
  });
  const ro = canaryRollout({});
  const masked = rolloutArgs(ro, [fr('bad', 'spec.nope'), fr('ok', 'spec.replicas')], hashes);
  assert.deepEqual(masked, {
    ok: true,
    args: [
      { name: 'bad', value: '' },
      { name: 'ok', value: '3' },
    ],
  });
  const byMetadata = rolloutArgs(ro, [fr('bad', 'spec.nope'), fr('n', 'metadata.name')], hashes);
  assert.equal(byMetadata.ok, true);
  const lastFails = rolloutArgs(ro, [fr('ok', 'spec.replicas'), fr('bad', 'spec.nope')], hashes);
  assert.equal(lastFails.ok, false);
});

test('A8 quirk: a podTemplateHashValue arg does not mask a fieldRef failure', () => {
  const r = rolloutArgs(
    canaryRollout({}),
    [
      { name: 'bad', valueFrom: { fieldRef: { fieldPath: 'spec.nope' } } },
      { name: 'h', valueFrom: { podTemplateHashValue: 'Latest' } },
      { name: 'v', value: 'x' },
    ],
    hashes,
  );
  assert.equal(r.ok, false);
  assert.equal(r.ok ? '' : r.error, 'invalid path spec.nope in rollout');
});

// ---------------------------------------------------------------------------------------------
// Names

test('N1/N2/N3 run names and collision names', () => {
  assert.equal(
    analysisRunName('guestbook', '6c54544bf9', '2', 'Background'),
    'guestbook-6c54544bf9-2',
  );
  assert.equal(
    analysisRunName('guestbook', '6c54544bf9', '2', 'Step', 0),
    'guestbook-6c54544bf9-2-0',
  );
  assert.equal(
    analysisRunName('guestbook', '6c54544bf9', '2', 'Step', 3),
    'guestbook-6c54544bf9-2-3',
  );
  assert.equal(
    analysisRunName('guestbook', '6c54544bf9', '2', 'PrePromotion'),
    'guestbook-6c54544bf9-2-pre',
  );
  assert.equal(
    analysisRunName('guestbook', '6c54544bf9', '2', 'PostPromotion'),
    'guestbook-6c54544bf9-2-post',
  );
  assert.equal(collisionName('guestbook-6c54544bf9-2-pre', 1), 'guestbook-6c54544bf9-2-pre.1');
  assert.equal(collisionName('guestbook-6c54544bf9-2', 12), 'guestbook-6c54544bf9-2.12');
  assert.throws(() => analysisRunName('g', 'h', '1', 'Step'), TypeError);
});

// ---------------------------------------------------------------------------------------------
// buildAnalysisRun

test('B1 a complete Step run', () => {
  const t = tmpl('success-rate', {
    args: [{ name: 'service' }, { name: 'hash' }],
    metrics: [metric('success-rate', { count: 3, interval: '10s' })],
  });
  const analysis: RolloutAnalysis = {
    templates: refs('success-rate'),
    args: [
      { name: 'service', value: 'guestbook-svc' },
      { name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' } },
    ],
    analysisRunMetadata: { labels: { team: 'web' }, annotations: { owner: 'me' } },
  };
  const run = build(analysis, lookupOf([t]), { type: 'Step', stepIndex: 1 });
  assert.deepEqual(run, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name: 'guestbook-6c54544bf9-2-1',
      namespace: 'default',
      labels: {
        'rollouts-pod-template-hash': '6c54544bf9',
        'rollout-type': 'Step',
        'step-index': '1',
        team: 'web',
        app: 'guestbook',
      },
      annotations: { 'rollout.argoproj.io/revision': '2', owner: 'me' },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: 'guestbook',
          uid: 'uid-1',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      metrics: [metric('success-rate', { count: 3, interval: '10s' })],
      args: [
        { name: 'service', value: 'guestbook-svc' },
        { name: 'hash', value: '6c54544bf9' },
      ],
    },
  });
});

test('B2 the controller-instance-id label comes from the Rollout unless given', () => {
  const a: RolloutAnalysis = { templates: refs('a') };
  const lookup = lookupOf([tmpl('a')]);
  const labelled = canaryRollout(
    { analysis: a },
    { labels: { 'argo-rollouts.argoproj.io/controller-instance-id': 'ci-1' } },
  );
  const fromRollout = build(a, lookup, { rollout: labelled });
  assert.equal(
    fromRollout.metadata.labels?.['argo-rollouts.argoproj.io/controller-instance-id'],
    'ci-1',
  );
  const given = build(a, lookup, { rollout: labelled, instanceId: 'ci-2' });
  assert.equal(given.metadata.labels?.['argo-rollouts.argoproj.io/controller-instance-id'], 'ci-2');
  const none = build(a, lookup);
  assert.equal(
    Object.hasOwn(none.metadata.labels ?? {}, 'argo-rollouts.argoproj.io/controller-instance-id'),
    false,
  );
});

test('B3 later label sources overwrite earlier ones', () => {
  const a: RolloutAnalysis = {
    templates: refs('a'),
    analysisRunMetadata: { labels: { 'rollout-type': 'Custom', app: 'from-metadata' } },
  };
  const run = build(a, lookupOf([tmpl('a')]), { type: 'PrePromotion' });
  assert.deepEqual(run.metadata.labels, {
    'rollouts-pod-template-hash': '6c54544bf9',
    'rollout-type': 'Custom',
    app: 'guestbook',
  });
  assert.equal(run.metadata.name, 'guestbook-6c54544bf9-2-pre');
});

test('B4 AnalysisTemplate metrics come before ClusterAnalysisTemplate metrics', () => {
  const run = build(
    { templates: [{ templateName: 'c', clusterScope: true }, { templateName: 'a' }] },
    lookupOf([tmpl('a')], [tmpl('c')]),
  );
  assert.deepEqual(
    run.spec.metrics.map((m) => m.name),
    ['a', 'c'],
  );
});

test('B5 duplicate metric names', () => {
  const lookup = lookupOf([
    tmpl('a', { metrics: [metric('m')] }),
    tmpl('b', { metrics: [metric('m')] }),
  ]);
  assert.equal(
    buildError({ templates: refs('a', 'b') }, lookup),
    "two metrics have the same name 'm'",
  );
});

test('B6 a template arg given twice must agree', () => {
  const same = lookupOf([
    tmpl('a', { args: [{ name: 'x', value: '1' }] }),
    tmpl('b', { args: [{ name: 'x', value: '1' }] }),
  ]);
  assert.deepEqual(build({ templates: refs('a', 'b') }, same).spec.args, [
    { name: 'x', value: '1' },
  ]);
  const differ = lookupOf([
    tmpl('a', { args: [{ name: 'x', value: '1' }] }),
    tmpl('b', { args: [{ name: 'x', value: '2' }] }),
  ]);
  assert.equal(
    buildError({ templates: refs('a', 'b') }, differ),
    "Argument `x` specified multiple times with different values: '1', '2'",
  );
});

test('B7 a later value replaces an earlier null; otherwise the first arg wins', () => {
  const lookup = lookupOf([
    tmpl('a', { args: [{ name: 'x' }, { name: 'y', value: 'first' }] }),
    tmpl('b', {
      args: [
        { name: 'x', value: 'later' },
        { name: 'y', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ],
    }),
  ]);
  assert.deepEqual(build({ templates: refs('a', 'b') }, lookup).spec.args, [
    { name: 'x', value: 'later' },
    { name: 'y', value: 'first' },
  ]);
});

test('B8 Rollout args override template args by name; undeclared ones are dropped', () => {
  const lookup = lookupOf([tmpl('a', { args: [{ name: 'x', value: 'default' }, { name: 'y' }] })]);
  const run = build(
    {
      templates: refs('a'),
      args: [
        { name: 'y', value: 'from-rollout' },
        { name: 'extra', value: 'dropped' },
        { name: 'x', value: '' },
      ],
    },
    lookup,
  );
  assert.deepEqual(run.spec.args, [
    { name: 'x', value: '' },
    { name: 'y', value: 'from-rollout' },
  ]);
});

test('B9 a required arg nobody supplies', () => {
  const lookup = lookupOf([
    tmpl('a', { args: [{ name: 'ok', value: '1' }, { name: 'service-name' }] }),
  ]);
  assert.equal(buildError({ templates: refs('a') }, lookup), 'args.service-name was not resolved');
});

test('B10 secretKeyRef args stay references; a Rollout value lands beside valueFrom', () => {
  const secretArg = { name: 'token', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } };
  const lookup = lookupOf([tmpl('a', { args: [secretArg] })]);
  assert.deepEqual(build({ templates: refs('a') }, lookup).spec.args, [secretArg]);
  const overridden = build({ templates: refs('a'), args: [{ name: 'token', value: 'v' }] }, lookup);
  assert.deepEqual(overridden.spec.args, [{ ...secretArg, value: 'v' }]);
});

test('B11 dry-run and retention rules: Rollout first, duplicates rejected', () => {
  const lookup = lookupOf([
    tmpl('a', {
      dryRun: [{ metricName: 'a' }],
      measurementRetention: [{ metricName: 'a', limit: 5 }],
    }),
  ]);
  const run = build(
    {
      templates: refs('a'),
      dryRun: [{ metricName: '.*' }],
      measurementRetention: [{ metricName: 'b', limit: 2 }],
    },
    lookup,
  );
  assert.deepEqual(run.spec.dryRun, [{ metricName: '.*' }, { metricName: 'a' }]);
  assert.deepEqual(run.spec.measurementRetention, [
    { metricName: 'b', limit: 2 },
    { metricName: 'a', limit: 5 },
  ]);
  assert.equal(
    buildError({ templates: refs('a'), dryRun: [{ metricName: 'a' }] }, lookup),
    "two Dry-Run metric rules have the same name 'a'",
  );
  assert.equal(
    buildError(
      { templates: refs('a'), measurementRetention: [{ metricName: 'a', limit: 1 }] },
      lookup,
    ),
    "two Measurement Retention metric rules have the same name 'a'",
  );
});

test("B12 errors come in Go's order", () => {
  const dupRules = tmpl('a', { dryRun: [{ metricName: 'x' }], args: [{ name: 'req' }] });
  const dupRules2 = tmpl('b', { metrics: [metric('b')], dryRun: [{ metricName: 'x' }] });
  assert.equal(
    buildError({ templates: refs('a', 'b') }, lookupOf([dupRules, dupRules2])),
    "two Dry-Run metric rules have the same name 'x'",
  );
  const dupMetric = tmpl('c', { metrics: [metric('a')] });
  assert.equal(
    buildError({ templates: refs('a', 'b', 'c') }, lookupOf([dupRules, dupRules2, dupMetric])),
    "two metrics have the same name 'a'",
  );
  const direct = mergeRunSpec(
    [tmpl('a', { args: [{ name: 'req' }] })],
    [],
    [],
    [{ metricName: 'q' }, { metricName: 'q' }],
  );
  assert.deepEqual(direct, { ok: false, error: 'args.req was not resolved' });
});

test('B13 empty lists are omitted and no terminate or ttlStrategy is set', () => {
  const run = build({ templates: refs('a') }, lookupOf([tmpl('a')]));
  assert.deepEqual(Object.keys(run.spec), ['metrics']);
  const empty = build({ templates: refs('e') }, lookupOf([tmpl('e', { metrics: [] })]));
  assert.deepEqual(empty.spec, { metrics: [] });
});

test('B14 the new ReplicaSet must carry a pod hash', () => {
  assert.equal(
    buildError({ templates: refs('a') }, lookupOf([tmpl('a')]), {
      podHash: '',
      newReplicaSetName: 'guestbook-6c54544bf9',
    }),
    "Latest ReplicaSet 'guestbook-6c54544bf9' has no pod hash in the labels",
  );
});

test('B15 fieldRef errors fail run creation', () => {
  const lookup = lookupOf([tmpl('a', { args: [{ name: 'x' }] })]);
  const fr = (fieldPath: string) => ({ name: 'x', valueFrom: { fieldRef: { fieldPath } } });
  assert.equal(
    buildError({ templates: refs('a'), args: [fr('metadata.bogus')] }, lookup),
    'unsupported fieldPath: metadata.bogus',
  );
  assert.equal(
    buildError({ templates: refs('a'), args: [fr('spec.bogus')] }, lookup),
    'invalid path spec.bogus in rollout',
  );
  const ok = build({ templates: refs('a'), args: [fr('metadata.namespace')] }, lookup);
  assert.deepEqual(ok.spec.args, [{ name: 'x', value: 'default' }]);
});

test('B16 a missing template fails run creation', () => {
  assert.equal(
    buildError({ templates: [{ templateName: 'gone', clusterScope: true }] }, lookupOf([])),
    "ClusterAnalysisTemplate 'gone' not found",
  );
});

test('B17 the run shares no objects with the cached templates', () => {
  const t = tmpl('a', { args: [{ name: 'x', value: '1' }], dryRun: [{ metricName: 'a' }] });
  const before = structuredClone(t);
  const run = build({ templates: refs('a') }, lookupOf([t]));
  const [m] = run.spec.metrics;
  const [arg] = run.spec.args ?? [];
  const [rule] = run.spec.dryRun ?? [];
  assert.ok(m && arg && rule);
  m.name = 'changed';
  arg.value = 'changed';
  rule.metricName = 'changed';
  assert.deepEqual(t, before);
});

test('B18 a Step run needs its step index', () => {
  assert.equal(
    buildError({ templates: refs('a') }, lookupOf([tmpl('a')]), { type: 'Step' }),
    'a Step analysis run needs a step index',
  );
});

// ---------------------------------------------------------------------------------------------
// isSemanticallyEqualRun

test('E1 semantic equality ignores key order, empty lists and everything but the four fields', () => {
  const a = {
    metadata: { name: 'a' },
    spec: {
      metrics: [{ name: 'm', count: 1, provider: { web: { url: 'u', jsonPath: '{$}' } } }],
      args: [{ name: 'x', value: '1' }],
      dryRun: [],
    },
  };
  const b = {
    metadata: { name: 'b', labels: { z: '1' } },
    spec: {
      terminate: true,
      args: [{ value: '1', name: 'x' }],
      metrics: [{ provider: { web: { jsonPath: '{$}', url: 'u' } }, count: 1, name: 'm' }],
      measurementRetention: undefined,
    },
    status: { phase: 'Running' },
  };
  assert.equal(isSemanticallyEqualRun(a, b), true);
});

test('E2 any difference in metrics, args, dryRun or retention makes runs different', () => {
  const base = { metrics: [metric('m')], args: [{ name: 'x', value: '1' }] };
  const variants = [
    { ...base, metrics: [metric('m', { count: 2 })] },
    { ...base, args: [{ name: 'x', value: '2' }] },
    { ...base, args: [] },
    { ...base, dryRun: [{ metricName: 'm' }] },
    { ...base, measurementRetention: [{ metricName: 'm', limit: 1 }] },
    { ...base, metrics: [metric('m', { count: '1' })] },
  ];
  for (const v of variants) {
    assert.equal(isSemanticallyEqualRun({ spec: base }, { spec: v }), false, JSON.stringify(v));
  }
  assert.equal(isSemanticallyEqualRun({ spec: base }, { spec: structuredClone(base) }), true);
});

// ---------------------------------------------------------------------------------------------
// validateRolloutAnalyses

const indefinite = (t: string, m: string, count: string) =>
  `AnalysisTemplate ${t} has metric ${m} which runs indefinitely. Invalid value for count: ${count}`;

function messages(r: Rollout, lookup: TemplateLookup): string[] {
  return validateRolloutAnalyses(r, lookup).map((e) => `${e.field}: ${e.message}`);
}

test('V1 a missing template is the only error, with upstream text', () => {
  const missing = { templates: refs('does-not-exist') };
  const cases: [Rollout, string][] = [
    [
      blueGreenRollout({ prePromotionAnalysis: missing }),
      'spec.strategy.blueGreen.prePromotionAnalysis.templates',
    ],
    [
      blueGreenRollout({ postPromotionAnalysis: missing }),
      'spec.strategy.blueGreen.postPromotionAnalysis.templates',
    ],
    [canaryRollout({ analysis: missing }), 'spec.strategy.canary.analysis.templates'],
    [
      canaryRollout({ steps: [{ analysis: missing }] }),
      'spec.strategy.canary.steps[0].analysis.templates',
    ],
  ];
  const bad = tmpl('bad', { metrics: [metric('m', { interval: '1m' })] });
  for (const [r, field] of cases) {
    // A later invalid analysis is not reached: the lookups come first.
    r.spec.strategy?.canary?.steps?.push({ analysis: { templates: refs('bad') } });
    assert.deepEqual(messages(r, lookupOf([bad])), [
      `${field}: Invalid value: "does-not-exist": AnalysisTemplate 'does-not-exist' not found`,
    ]);
  }
  const cluster = canaryRollout({
    analysis: { templates: [{ templateName: 'c', clusterScope: true }] },
  });
  assert.deepEqual(messages(cluster, lookupOf([])), [
    `spec.strategy.canary.analysis.templates: Invalid value: "c": ClusterAnalysisTemplate 'c' not found`,
  ]);
});

test('V2/V3 step metrics must end; background metrics may run until terminated', () => {
  const t = tmpl('t', {
    metrics: [
      metric('forever', { interval: '1m' }),
      metric('zero', { interval: '1m', count: 0 }),
      metric('ok', { interval: '1m', count: 3 }),
      metric('once'),
    ],
  });
  const lookup = lookupOf([t]);
  const step = canaryRollout({
    steps: [{ setWeight: 10 }, { analysis: { templates: refs('t') } }],
  });
  const errs = validateRolloutAnalyses(step, lookup);
  assert.deepEqual(
    errs.map((e) => `${e.field}: ${e.message}`),
    [
      `spec.strategy.canary.steps[1].analysis.templates: Invalid value: "t": ${indefinite('t', 'forever', '<nil>')}`,
      `spec.strategy.canary.steps[1].analysis.templates: Invalid value: "t": ${indefinite('t', 'zero', '0')}`,
    ],
  );
  const first = errs[0];
  assert.ok(first);
  assert.equal(first.type, 'FieldValueInvalid');
  assert.equal(
    formatInvalidSpec('guestbook', first),
    `The Rollout "guestbook" is invalid: spec.strategy.canary.steps[1].analysis.templates: Invalid value: "t": ${indefinite('t', 'forever', '<nil>')}`,
  );
  assert.deepEqual(
    validateRolloutAnalyses(canaryRollout({ analysis: { templates: refs('t') } }), lookup),
    [],
  );
});

test('V4 pre- and post-promotion analyses must end too', () => {
  const lookup = lookupOf(
    [],
    [tmpl('c', { metrics: [metric('m', { interval: '5s', count: 'x' })] })],
  );
  const analysis = { templates: [{ templateName: 'c', clusterScope: true }] };
  const r = blueGreenRollout({ prePromotionAnalysis: analysis, postPromotionAnalysis: analysis });
  assert.deepEqual(messages(r, lookup), [
    `spec.strategy.blueGreen.prePromotionAnalysis.templates: Invalid value: "c": ${indefinite('c', 'm', 'x')}`,
    `spec.strategy.blueGreen.postPromotionAnalysis.templates: Invalid value: "c": ${indefinite('c', 'm', 'x')}`,
  ]);
});

test('V5 an arg with both value and valueFrom', () => {
  const t = tmpl('t', {
    args: [{ name: 'a', value: 'v', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
    metrics: [metric('m', { interval: '1m' })],
  });
  const r = canaryRollout({ steps: [{ analysis: { templates: refs('t') } }] });
  assert.deepEqual(messages(r, lookupOf([t])), [
    `spec.strategy.canary.steps[0].analysis.templates: Invalid value: "t": AnalysisTemplate t: arg 'a' has both Value and ValueFrom fields`,
  ]);
});

test('V6 a placeholder no arg declares', () => {
  const t = tmpl('t', {
    args: [{ name: 'x', value: '1' }],
    metrics: [metric('m', { provider: { web: { url: 'http://{{args.x}}/{{ args.y }}' } } })],
  });
  const r = blueGreenRollout({ prePromotionAnalysis: { templates: refs('t') } });
  assert.deepEqual(messages(r, lookupOf([t])), [
    `spec.strategy.blueGreen.prePromotionAnalysis.templates: Invalid value: "t": AnalysisTemplate t: failed to resolve {{ args.y }}`,
  ]);
});

test('V7 a count from a required arg reads the placeholder dummy-value', () => {
  const t = tmpl('t', {
    args: [{ name: 'n' }, { name: 'fixed', value: '4' }],
    metrics: [
      metric('from-required', { interval: '1m', count: '{{args.n}}' }),
      metric('from-value', { interval: '1m', count: '{{args.fixed}}' }),
    ],
  });
  const r = canaryRollout({
    steps: [{ analysis: { templates: refs('t'), args: [{ name: 'n', value: '3' }] } }],
  });
  assert.deepEqual(messages(r, lookupOf([t])), [
    `spec.strategy.canary.steps[0].analysis.templates: Invalid value: "t": ${indefinite('t', 'from-required', 'dummy-value')}`,
  ]);
});

test('V8 merge errors carry the template names as their value', () => {
  const lookup = lookupOf(
    [tmpl('a', { metrics: [metric('m')] })],
    [tmpl('c', { metrics: [metric('m')] })],
  );
  const r = canaryRollout({
    analysis: { templates: [{ templateName: 'c', clusterScope: true }, { templateName: 'a' }] },
  });
  assert.deepEqual(messages(r, lookup), [
    `spec.strategy.canary.analysis.templates: Invalid value: "templateNames: [a c]": two metrics have the same name 'm'`,
  ]);
});

test('V9 a required arg the Rollout does not supply', () => {
  const t = tmpl('t', { args: [{ name: 'service' }], metrics: [metric('m', { count: 1 })] });
  const noArgs = canaryRollout({ analysis: { templates: refs('t') } });
  assert.deepEqual(messages(noArgs, lookupOf([t])), [
    `spec.strategy.canary.analysis.templates: Invalid value: "templateNames: [t]": args.service was not resolved`,
  ]);
  const supplied = canaryRollout({
    analysis: { templates: refs('t'), args: [{ name: 'service', value: 'svc' }] },
  });
  assert.deepEqual(messages(supplied, lookupOf([t])), []);
});

test('V10 background: each template must get its required args from the Rollout', () => {
  const needs = tmpl('needs', { args: [{ name: 'x' }] });
  const gives = tmpl('gives', { args: [{ name: 'x', value: 'v' }] });
  const lookup = lookupOf([needs, gives]);
  const noArgs = canaryRollout({ analysis: { templates: refs('needs', 'gives') } });
  assert.deepEqual(messages(noArgs, lookup), [
    'spec.strategy.canary.analysis.templates: Invalid value: "needs": missing analysis arguments in rollout spec',
  ]);
  const otherArgs = canaryRollout({
    analysis: { templates: refs('needs', 'gives'), args: [{ name: 'y', value: '1' }] },
  });
  assert.deepEqual(messages(otherArgs, lookup), [
    'spec.strategy.canary.analysis.templates: Invalid value: "needs": x',
  ]);
  const named = canaryRollout({
    analysis: { templates: refs('needs', 'gives'), args: [{ name: 'x', value: '1' }] },
  });
  assert.deepEqual(messages(named, lookup), []);
  // Step analyses have no such check: placeholders stand in for required args.
  const step = canaryRollout({ steps: [{ analysis: { templates: refs('needs', 'gives') } }] });
  assert.deepEqual(messages(step, lookup), []);
});

test("V11 quirk: a canary step's dry-run rules are merged into every group", () => {
  const lookup = lookupOf([tmpl('bg', { dryRun: [{ metricName: 'shared' }] }), tmpl('st')]);
  const r = canaryRollout({
    analysis: { templates: refs('bg'), dryRun: [{ metricName: 'bg' }, { metricName: 'bg' }] },
    steps: [{ analysis: { templates: refs('st'), dryRun: [{ metricName: 'shared' }] } }],
  });
  // The background's own duplicate rules go unnoticed; the step's rule clashes with bg's.
  assert.deepEqual(messages(r, lookup), [
    `spec.strategy.canary.analysis.templates: Invalid value: "templateNames: [bg]": two Dry-Run metric rules have the same name 'shared'`,
  ]);
});

test('V12 a failing metadata fieldRef drops every Rollout arg of the dummy run', () => {
  const t = tmpl('t', {
    args: [{ name: 'a' }, { name: 'b' }],
    metrics: [metric('m', { count: 1 })],
  });
  const withFieldRef = (fieldPath: string) =>
    canaryRollout({
      analysis: {
        templates: refs('t'),
        args: [
          { name: 'a', value: '1' },
          { name: 'b', valueFrom: { fieldRef: { fieldPath } } },
        ],
      },
    });
  assert.deepEqual(messages(withFieldRef('metadata.bogus'), lookupOf([t])), [
    `spec.strategy.canary.analysis.templates: Invalid value: "templateNames: [t]": args.a was not resolved`,
  ]);
  // A failing non-metadata fieldRef only empties its own arg, which still counts as supplied.
  assert.deepEqual(messages(withFieldRef('spec.bogus'), lookupOf([t])), []);
});

test('V13 validation reads only top-level references, without de-duplication', () => {
  const lookup = lookupOf([
    tmpl('a', { templates: [{ templateName: 'nested' }] }),
    tmpl('nested', { metrics: [metric('n', { interval: '1m' })] }),
  ]);
  const twice = canaryRollout({ steps: [{ analysis: { templates: refs('a', 'a') } }] });
  assert.deepEqual(messages(twice, lookup), [
    `spec.strategy.canary.steps[0].analysis.templates: Invalid value: "templateNames: [a a]": two metrics have the same name 'a'`,
  ]);
  // The nested template's indefinite metric is not seen by validation (run creation would use it).
  const once = canaryRollout({ steps: [{ analysis: { templates: refs('a') } }] });
  assert.deepEqual(messages(once, lookup), []);
});

test('V14 pod-hash args resolve against dummy hashes', () => {
  const t = tmpl('t', { args: [{ name: 'h' }, { name: 's' }], metrics: [metric('m')] });
  const r = blueGreenRollout({
    postPromotionAnalysis: {
      templates: refs('t'),
      args: [
        { name: 'h', valueFrom: { podTemplateHashValue: 'Latest' } },
        { name: 's', valueFrom: { podTemplateHashValue: 'Stable' } },
      ],
    },
  });
  assert.deepEqual(messages(r, lookupOf([t])), []);
});

// ---------------------------------------------------------------------------------------------
// Fixtures

const FIXTURES = fileURLToPath(new URL('../../../../shared/fixtures/', import.meta.url));

type Doc = { kind?: unknown; [k: string]: unknown };

function loadDocs(rel: string): Doc[] {
  return yaml
    .loadAll(readFileSync(FIXTURES + rel, 'utf8'), undefined, { schema: yaml.CORE_SCHEMA })
    .filter((d): d is Doc => typeof d === 'object' && d !== null);
}

function fixtureRollout(rel: string): Rollout {
  const doc = loadDocs(rel).find((d) => d.kind === 'Rollout');
  assert.ok(doc, rel);
  return rolloutSchema.parse(doc);
}

function fixtureTemplates(kind: string, ...files: string[]): TemplateLike[] {
  return files.flatMap((f) =>
    loadDocs(f)
      .filter((d) => d.kind === kind)
      .map((d) => templateSchema.parse(d)),
  );
}

const DEMO = 'rollouts-demo/analysis/';
const EXAMPLES = 'argo-rollouts/examples/';

function exampleLookup(): TemplateLookup {
  return lookupOf(
    fixtureTemplates(
      'AnalysisTemplate',
      `${EXAMPLES}analysis-templates.yaml`,
      `${EXAMPLES}rollout-secret.yaml`,
      `${DEMO}analysis-success-rate.yaml`,
      `${DEMO}analysis-success-rate-wavefront.yaml`,
    ),
    fixtureTemplates('ClusterAnalysisTemplate', `${EXAMPLES}cluster-analysis-templates.yaml`),
  );
}

function fixtureRun(r: Rollout, analysis: RolloutAnalysis, over: Partial<BuildAnalysisRunInput>) {
  const res = buildAnalysisRun({
    rollout: r,
    analysis,
    type: 'Background',
    podHash: '6c54544bf9',
    stableHash: '7d8b9c5f4',
    revision: '2',
    lookup: exampleLookup(),
    ...over,
  });
  if (!res.ok) assert.fail(res.error);
  return res.run;
}

test('F1 rollouts-demo: background analysis from the legacy templateName', () => {
  const r = fixtureRollout(`${DEMO}rollout-with-analysis.yaml`);
  const analysis = r.spec.strategy?.canary?.analysis;
  assert.ok(analysis);
  const run = fixtureRun(r, analysis, {});
  const [successRate] = fixtureTemplates('AnalysisTemplate', `${DEMO}analysis-success-rate.yaml`);
  assert.equal(run.metadata.name, 'canary-demo-6c54544bf9-2');
  assert.equal(run.metadata.namespace, undefined);
  assert.deepEqual(run.metadata.labels, {
    'rollouts-pod-template-hash': '6c54544bf9',
    'rollout-type': 'Background',
    app: 'canary-demo',
  });
  assert.deepEqual(run.metadata.annotations, { 'rollout.argoproj.io/revision': '2' });
  assert.deepEqual(run.metadata.ownerReferences, [
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'canary-demo',
      uid: '',
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.deepEqual(run.spec.args, [{ name: 'ingress', value: 'canary-demo' }]);
  assert.deepEqual(run.spec.metrics, successRate?.spec.metrics);
  assert.equal(run.spec.metrics[0]?.interval, '10s');
  assert.deepEqual(validateRolloutAnalyses(r, exampleLookup()), []);
});

test('F2 rollouts-demo with podTemplateHashValue args added in memory', () => {
  const r = fixtureRollout(`${DEMO}rollout-with-analysis.yaml`);
  const analysis = r.spec.strategy?.canary?.analysis;
  assert.ok(analysis);
  analysis.args = [
    ...(analysis.args ?? []),
    { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
    { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } },
  ];
  const [successRate] = fixtureTemplates('AnalysisTemplate', `${DEMO}analysis-success-rate.yaml`);
  assert.ok(successRate);
  successRate.spec.args = [
    ...(successRate.spec.args ?? []),
    { name: 'canary-hash' },
    { name: 'stable-hash' },
  ];
  const res = buildAnalysisRun({
    rollout: r,
    analysis,
    type: 'Background',
    podHash: '6c54544bf9',
    stableHash: '7d8b9c5f4',
    revision: '3',
    lookup: lookupOf([successRate]),
  });
  assert.ok(res.ok);
  assert.equal(res.run.metadata.name, 'canary-demo-6c54544bf9-3');
  assert.deepEqual(res.run.spec.args, [
    { name: 'ingress', value: 'canary-demo' },
    { name: 'canary-hash', value: '6c54544bf9' },
    { name: 'stable-hash', value: '7d8b9c5f4' },
  ]);
});

test('F3 examples: background analysis with random-fail', () => {
  const r = fixtureRollout(`${EXAMPLES}rollout-background-analysis.yaml`);
  const analysis = r.spec.strategy?.canary?.analysis;
  assert.ok(analysis);
  const run = fixtureRun(r, analysis, {});
  assert.equal(run.metadata.name, 'rollout-background-analysis-6c54544bf9-2');
  assert.deepEqual(run.metadata.labels, {
    'rollouts-pod-template-hash': '6c54544bf9',
    'rollout-type': 'Background',
    app: 'rollout-background-analysis',
  });
  assert.deepEqual(
    run.spec.metrics.map((m) => [m.name, m.count, m.interval, m.failureLimit]),
    [['random-fail', 2, '5s', 1]],
  );
  assert.equal(run.spec.metrics[0]?.provider.job?.spec.backoffLimit, 0);
  assert.equal(run.spec.args, undefined);
});

test('F4 examples: step analysis with a namespaced and a cluster template', () => {
  const r = fixtureRollout(`${EXAMPLES}rollout-analysis-step.yaml`);
  const analysis = r.spec.strategy?.canary?.steps?.[1]?.analysis;
  assert.ok(analysis);
  const run = fixtureRun(r, analysis, { type: 'Step', stepIndex: 1 });
  assert.equal(run.metadata.name, 'rollout-analysis-step-6c54544bf9-2-1');
  assert.deepEqual(run.metadata.labels, {
    'rollouts-pod-template-hash': '6c54544bf9',
    'rollout-type': 'Step',
    'step-index': '1',
    app: 'rollout-analysis-step',
  });
  assert.deepEqual(
    run.spec.metrics.map((m) => [m.name, m.count]),
    [
      ['random-fail', 2],
      ['pass', 1],
    ],
  );
  assert.deepEqual(validateRolloutAnalyses(r, exampleLookup()), []);
});

test('F5 examples: a secretKeyRef arg reaches the run as a reference', () => {
  const r = fixtureRollout(`${EXAMPLES}rollout-secret.yaml`);
  const analysis = r.spec.strategy?.canary?.steps?.[1]?.analysis;
  assert.ok(analysis);
  const run = fixtureRun(r, analysis, { type: 'Step', stepIndex: 1 });
  assert.deepEqual(run.spec.args, [
    {
      name: 'secret-url',
      valueFrom: { secretKeyRef: { name: 'example-secret', key: 'secretUrl' } },
    },
  ]);
  assert.equal(run.spec.metrics[0]?.provider.web?.url, '{{args.secret-url}}');
});

test('F6 every fixture Rollout validates; success-rate as a step analysis does not', () => {
  const files = [
    `${DEMO}rollout-with-analysis.yaml`,
    `${EXAMPLES}rollout-background-analysis.yaml`,
    `${EXAMPLES}rollout-analysis-step.yaml`,
    `${EXAMPLES}rollout-secret.yaml`,
    `${EXAMPLES}rollout-experiment-step.yaml`,
    `${EXAMPLES}rollout-bluegreen.yaml`,
    `${EXAMPLES}rollout-canary.yaml`,
  ];
  for (const f of files)
    assert.deepEqual(validateRolloutAnalyses(fixtureRollout(f), exampleLookup()), [], f);
  const r = fixtureRollout(`${DEMO}rollout-with-analysis.yaml`);
  const canary = r.spec.strategy?.canary;
  assert.ok(canary?.analysis);
  canary.steps = [{ analysis: canary.analysis }];
  assert.deepEqual(messages(r, exampleLookup()), [
    `spec.strategy.canary.steps[0].analysis.templates: Invalid value: "success-rate": ${indefinite('success-rate', 'success-rate', '<nil>')}`,
  ]);
});
