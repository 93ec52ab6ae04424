// Building the AnalysisRuns a Rollout creates (analysis.md §7.2–§7.4) and validating the
// analyses it references (§7.7). A port of Argo Rollouts' rollout/analysis.go
// (createAnalysisRun, newAnalysisRunFromRollout, getAnalysisTemplatesFromRefs), utils/analysis
// (BuildArgumentsForRolloutAnalysisRun, NewAnalysisRunFromTemplates, IsSemanticallyEqual) and
// pkg/apis/rollouts/validation/validation_references.go (ValidateAnalysisTemplatesWithType).
//
// Errors are checked in Go's order, which decides which one a user sees: metrics, template
// dry-run rules, template retention rules, template args, Rollout args, then the merged rules.
//
// Pure: templates come from a caller-supplied lookup, ReplicaSet hashes from the caller.
import type {
  AnalysisArgument,
  AnalysisRun,
  AnalysisTemplate,
  DryRunRule,
  MeasurementRetentionRule,
  Metric,
} from '../api/analysis.ts';
import type { Argument, RolloutAnalysis } from '../api/analysis-refs.ts';
import { API_VERSION, type Rollout } from '../api/rollout.ts';
import { resolveFieldRef, substituteMetricArgs, type ArgValue } from '../analysis/args.ts';
import { effectiveCount } from '../analysis/metric-values.ts';
import {
  INSTANCE_ID_LABEL,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  ROLLOUT_TYPE_LABEL,
  STEP_INDEX_LABEL,
} from './labels.ts';
import { goQuote, type ValidationError } from './validate.ts';

// ---------------------------------------------------------------------------------------------
// Public types

/** The `rollout-type` label value (v1alpha1.RolloutType*Label). */
export type AnalysisRunType = 'Background' | 'Step' | 'PrePromotion' | 'PostPromotion';

/** What the builder reads of an AnalysisTemplate or ClusterAnalysisTemplate (same spec shape). */
export type TemplateLike = Pick<AnalysisTemplate, 'metadata' | 'spec'>;
export type ClusterTemplateLike = TemplateLike;

/**
 * Finds templates by name: AnalysisTemplates in the Rollout's namespace, ClusterAnalysisTemplates
 * cluster-wide. undefined = NotFound.
 */
export interface TemplateLookup {
  template(name: string): TemplateLike | undefined;
  clusterTemplate(name: string): ClusterTemplateLike | undefined;
}

export interface TemplateRef {
  templateName?: string | undefined;
  clusterScope?: boolean | undefined;
}

export type Failure = { ok: false; error: string };

export interface ResolvedTemplates {
  templates: TemplateLike[];
  clusterTemplates: ClusterTemplateLike[];
}

/** A Rollout-side arg after §7.3: always a value, possibly `""`. */
export interface RolloutArgValue {
  name: string;
  value: string;
}

export type RolloutArgsResult =
  | { ok: true; args: RolloutArgValue[] }
  /** `args` is set when Go would still hand its (partially empty) list on; see rolloutArgs. */
  | { ok: false; error: string; args?: RolloutArgValue[] | undefined };

export interface PodHashes {
  /** The stable ReplicaSet's pod-template-hash; absent ⇒ `""`. */
  stableHash?: string | undefined;
  /** The new (desired) ReplicaSet's pod-template-hash; absent ⇒ `""`. */
  latestHash?: string | undefined;
}

/** The spec fields a merge produces (§7.2 steps 2–5). */
export interface MergedRunSpec {
  metrics: Metric[];
  args: AnalysisArgument[];
  dryRun: DryRunRule[];
  measurementRetention: MeasurementRetentionRule[];
}

export interface BuildAnalysisRunInput {
  rollout: Rollout;
  analysis: RolloutAnalysis;
  type: AnalysisRunType;
  /** Required for `Step` runs. */
  stepIndex?: number | undefined;
  /** The new ReplicaSet's pod-template-hash. */
  podHash: string;
  stableHash?: string | undefined;
  /** The Rollout's `rollout.argoproj.io/revision` annotation. */
  revision: string;
  lookup: TemplateLookup;
  /** Overrides the Rollout's controller-instance-id label. */
  instanceId?: string | undefined;
  /** Only for the error message when `podHash` is empty. */
  newReplicaSetName?: string | undefined;
}

/** metadata.ownerReferences[number] of our kinds. */
export type OwnerReference = NonNullable<AnalysisRun['metadata']['ownerReferences']>[number];

export type BuildAnalysisRunResult = { ok: true; run: AnalysisRun } | Failure;

// ---------------------------------------------------------------------------------------------
// Template references (§7.2 step 1)

/** The analysis' template references; the pre-1.0 single `templateName` counts as one more. */
export function analysisTemplateRefs(analysis: RolloutAnalysis | null | undefined): TemplateRef[] {
  const refs: TemplateRef[] = [...(analysis?.templates ?? [])];
  if (typeof analysis?.templateName === 'string' && analysis.templateName !== '') {
    refs.push({ templateName: analysis.templateName });
  }
  return refs;
}

function kindOf(ref: TemplateRef): 'AnalysisTemplate' | 'ClusterAnalysisTemplate' {
  return ref.clusterScope === true ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
}

function lookupRef(ref: TemplateRef, lookup: TemplateLookup): TemplateLike | undefined {
  const name = ref.templateName ?? '';
  return ref.clusterScope === true ? lookup.clusterTemplate(name) : lookup.template(name);
}

function notFound(ref: TemplateRef): string {
  return `${kindOf(ref)} '${ref.templateName ?? ''}' not found`;
}

/**
 * Resolves references depth-first, nested `spec.templates` right after their parent, each
 * template once per kind (first occurrence). Go expands a repeated template again and dedupes
 * afterwards, which gives the same lists; skipping it up front also ends reference cycles, on
 * which Go recurses until it crashes.
 */
export function resolveTemplates(
  refs: readonly TemplateRef[] | null | undefined,
  lookup: TemplateLookup,
): ({ ok: true } & ResolvedTemplates) | Failure {
  const out: ResolvedTemplates = { templates: [], clusterTemplates: [] };
  const seen = new Set<string>();
  const visit = (list: readonly TemplateRef[] | null | undefined): string | undefined => {
    for (const ref of list ?? []) {
      const key = `${kindOf(ref)}/${ref.templateName ?? ''}`;
      if (seen.has(key)) continue;
      const t = lookupRef(ref, lookup);
      if (t === undefined) return notFound(ref);
      seen.add(key);
      (ref.clusterScope === true ? out.clusterTemplates : out.templates).push(t);
      const err = visit(t.spec.templates);
      if (err !== undefined) return err;
    }
    return undefined;
  };
  const err = visit(refs);
  return err === undefined ? { ok: true, ...out } : { ok: false, error: err };
}

// ---------------------------------------------------------------------------------------------
// Rollout-side args (§7.3)

function podHashValue(kind: string, hashes: PodHashes, fallback: string): string {
  if (kind === 'Latest') return hashes.latestHash ?? '';
  if (kind === 'Stable') return hashes.stableHash ?? '';
  return fallback;
}

/**
 * Every Rollout arg with its value (BuildArgumentsForRolloutAnalysisRun). A failing `metadata…`
 * fieldRef fails at once. Other fieldRefs give `""` on failure and, as in Go where they share one
 * `err` variable, only the most recent fieldRef's outcome counts: a later successful fieldRef
 * (of either kind) masks an earlier failure. Such a failure still returns the list in `args`,
 * because Rollout validation uses it (§7.7).
 */
export function rolloutArgs(
  rollout: unknown,
  args: readonly Argument[] | null | undefined,
  hashes: PodHashes,
): RolloutArgsResult {
  const out: RolloutArgValue[] = [];
  let lastError: string | undefined;
  for (const arg of args ?? []) {
    let value = arg.value ?? '';
    const from = arg.valueFrom;
    if (from?.podTemplateHashValue != null) {
      value = podHashValue(from.podTemplateHashValue, hashes, value);
    } else if (from?.fieldRef != null) {
      const path = from.fieldRef.fieldPath;
      const r = resolveFieldRef(rollout, path);
      if (!r.ok && path.startsWith('metadata')) return { ok: false, error: r.error };
      value = r.ok ? r.value : '';
      lastError = r.ok ? undefined : r.error;
    }
    out.push({ name: arg.name, value });
  }
  if (lastError !== undefined) return { ok: false, error: lastError, args: out };
  return { ok: true, args: out };
}

// ---------------------------------------------------------------------------------------------
// Merging templates into a run spec (§7.2 steps 2–5, NewAnalysisRunFromTemplates)

function firstDuplicate(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) return n;
    seen.add(n);
  }
  return undefined;
}

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

function dryRunDuplicate(rules: readonly DryRunRule[]): string | undefined {
  const dup = firstDuplicate(rules.map((r) => r.metricName));
  return dup === undefined ? undefined : `two Dry-Run metric rules have the same name '${dup}'`;
}

function retentionDuplicate(rules: readonly MeasurementRetentionRule[]): string | undefined {
  const dup = firstDuplicate(rules.map((r) => r.metricName));
  return dup === undefined
    ? undefined
    : `two Measurement Retention metric rules have the same name '${dup}'`;
}

/**
 * Template args in resolution order. A repeated name keeps the first arg unless that one has no
 * value, in which case the later arg replaces it whole (valueFrom included), as Go's flattenArgs.
 */
function flattenArgs(
  templates: readonly TemplateLike[],
): { ok: true; args: AnalysisArgument[] } | Failure {
  const out: AnalysisArgument[] = [];
  for (const arg of templates.flatMap((t) => t.spec.args ?? [])) {
    const i = out.findIndex((a) => a.name === arg.name);
    const prev = out[i];
    if (prev === undefined) {
      out.push(arg);
      continue;
    }
    if (isSet(prev.value) && isSet(arg.value) && prev.value !== arg.value) {
      return {
        ok: false,
        error: `Argument \`${prev.name}\` specified multiple times with different values: '${prev.value ?? ''}', '${arg.value ?? ''}'`,
      };
    }
    if (!isSet(prev.value)) out[i] = arg;
  }
  return { ok: true, args: out };
}

/**
 * Rollout args override template args by name; Go sets only `value`, so a template's
 * `valueFrom` (a secretKeyRef) stays beside it, and the run controller then prefers the secret.
 */
function applyRolloutArgs(
  templateArgs: readonly AnalysisArgument[],
  incoming: readonly RolloutArgValue[],
): { ok: true; args: AnalysisArgument[] } | Failure {
  const args = templateArgs.map((a) => ({ ...a }));
  for (const arg of incoming) {
    const i = args.findIndex((a) => a.name === arg.name);
    const prev = args[i];
    if (prev !== undefined) args[i] = { ...prev, value: arg.value };
  }
  const unresolved = args.find((a) => !isSet(a.value) && !isSet(a.valueFrom));
  if (unresolved !== undefined) {
    return { ok: false, error: `args.${unresolved.name} was not resolved` };
  }
  return { ok: true, args };
}

/**
 * The run spec merged from resolved templates, Rollout args and the Rollout's dry-run and
 * retention rules (which come before the templates' rules). Error texts are Go's.
 */
export function mergeRunSpec(
  templates: readonly TemplateLike[],
  clusterTemplates: readonly ClusterTemplateLike[],
  args: readonly RolloutArgValue[],
  dryRun: readonly DryRunRule[] = [],
  measurementRetention: readonly MeasurementRetentionRule[] = [],
): ({ ok: true } & { spec: MergedRunSpec }) | Failure {
  const all = [...templates, ...clusterTemplates];
  const metrics = all.flatMap((t) => t.spec.metrics ?? []);
  const dupMetric = firstDuplicate(metrics.map((m) => m.name));
  if (dupMetric !== undefined) {
    return { ok: false, error: `two metrics have the same name '${dupMetric}'` };
  }
  const templateDryRun = all.flatMap((t) => t.spec.dryRun ?? []);
  const templateRetention = all.flatMap((t) => t.spec.measurementRetention ?? []);
  const ruleError = dryRunDuplicate(templateDryRun) ?? retentionDuplicate(templateRetention);
  if (ruleError !== undefined) return { ok: false, error: ruleError };
  const flat = flattenArgs(all);
  if (!flat.ok) return flat;
  const merged = applyRolloutArgs(flat.args, args);
  if (!merged.ok) return merged;
  const allDryRun = [...dryRun, ...templateDryRun];
  const allRetention = [...measurementRetention, ...templateRetention];
  const mergedError = dryRunDuplicate(allDryRun) ?? retentionDuplicate(allRetention);
  if (mergedError !== undefined) return { ok: false, error: mergedError };
  // Copies: the templates usually come from a shared cache.
  const spec = structuredClone({
    metrics,
    args: merged.args,
    dryRun: allDryRun,
    measurementRetention: allRetention,
  });
  return { ok: true, spec };
}

// ---------------------------------------------------------------------------------------------
// Naming (§7.4)

/** `<rollout>-<podHash>-<revision>` plus `-<stepIndex>`, `-pre` or `-post`. */
export function analysisRunName(
  rolloutName: string,
  podHash: string,
  revision: string,
  type: AnalysisRunType,
  stepIndex?: number,
): string {
  const parts = [rolloutName, podHash, revision];
  if (type === 'Step') {
    if (stepIndex === undefined) throw new TypeError('a Step analysis run needs a step index');
    parts.push(String(stepIndex));
  } else if (type === 'PrePromotion') parts.push('pre');
  else if (type === 'PostPromotion') parts.push('post');
  return parts.join('-');
}

/** The name tried after the `n`-th AlreadyExists collision (n = 1, 2, …). */
export function collisionName(base: string, n: number): string {
  return `${base}.${n}`;
}

// ---------------------------------------------------------------------------------------------
// The run object (§7.4)

function runLabels(input: BuildAnalysisRunInput): Record<string, string> {
  const labels: Record<string, string> = {
    [POD_TEMPLATE_HASH_LABEL]: input.podHash,
    [ROLLOUT_TYPE_LABEL]: input.type,
  };
  if (input.type === 'Step') labels[STEP_INDEX_LABEL] = String(input.stepIndex ?? 0);
  const instanceId = input.instanceId ?? input.rollout.metadata.labels?.[INSTANCE_ID_LABEL] ?? '';
  if (instanceId !== '') labels[INSTANCE_ID_LABEL] = instanceId;
  Object.assign(labels, input.analysis.analysisRunMetadata?.labels);
  Object.assign(labels, input.rollout.spec.selector?.matchLabels);
  return labels;
}

function runAnnotations(input: BuildAnalysisRunInput): Record<string, string> {
  return {
    [REVISION_ANNOTATION]: input.revision,
    ...input.analysis.analysisRunMetadata?.annotations,
  };
}

/** metav1.NewControllerRef(rollout, Rollout kind). */
export function rolloutControllerRef(rollout: Rollout): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: 'Rollout',
    name: rollout.metadata.name ?? '',
    uid: rollout.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Go's `omitempty`: empty lists are left out of the spec. */
function runSpec(spec: MergedRunSpec): AnalysisRun['spec'] {
  const out: AnalysisRun['spec'] = { metrics: spec.metrics };
  if (spec.args.length > 0) out.args = spec.args;
  if (spec.dryRun.length > 0) out.dryRun = spec.dryRun;
  if (spec.measurementRetention.length > 0) out.measurementRetention = spec.measurementRetention;
  return out;
}

/**
 * The AnalysisRun to create for one of the Rollout's analyses (createAnalysisRun), without
 * `terminate` or `ttlStrategy`. Errors (arg resolution, missing pod hash, missing template,
 * merge) fail the Rollout's reconcile.
 */
export function buildAnalysisRun(input: BuildAnalysisRunInput): BuildAnalysisRunResult {
  const { rollout, analysis, lookup } = input;
  const args = rolloutArgs(rollout, analysis.args, {
    stableHash: input.stableHash,
    latestHash: input.podHash,
  });
  if (!args.ok) return { ok: false, error: args.error };
  if (input.podHash === '') {
    return {
      ok: false,
      error: `Latest ReplicaSet '${input.newReplicaSetName ?? ''}' has no pod hash in the labels`,
    };
  }
  if (input.type === 'Step' && input.stepIndex === undefined) {
    return { ok: false, error: 'a Step analysis run needs a step index' };
  }
  const resolved = resolveTemplates(analysisTemplateRefs(analysis), lookup);
  if (!resolved.ok) return resolved;
  const merged = mergeRunSpec(
    resolved.templates,
    resolved.clusterTemplates,
    args.args,
    analysis.dryRun ?? [],
    analysis.measurementRetention ?? [],
  );
  if (!merged.ok) return merged;
  const name = analysisRunName(
    rollout.metadata.name ?? '',
    input.podHash,
    input.revision,
    input.type,
    input.stepIndex,
  );
  const metadata: AnalysisRun['metadata'] = { name };
  if (rollout.metadata.namespace !== undefined) metadata.namespace = rollout.metadata.namespace;
  metadata.labels = runLabels(input);
  metadata.annotations = runAnnotations(input);
  metadata.ownerReferences = [rolloutControllerRef(rollout)];
  const run: AnalysisRun = {
    apiVersion: API_VERSION,
    kind: 'AnalysisRun',
    metadata,
    spec: runSpec(merged.spec),
  };
  return { ok: true, run };
}

// ---------------------------------------------------------------------------------------------
// Collision reuse (§7.4, IsSemanticallyEqual)

export interface RunSpecLike {
  metrics?: readonly unknown[] | null | undefined;
  args?: readonly unknown[] | null | undefined;
  dryRun?: readonly unknown[] | null | undefined;
  measurementRetention?: readonly unknown[] | null | undefined;
}

/** JSON with sorted keys and no undefined members: equal text ⇔ equal value, key order aside. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function comparable(spec: RunSpecLike): string {
  // Go compares the marshalled specs, where an empty list and an absent one look alike.
  return canonicalJson({
    metrics: spec.metrics ?? [],
    args: spec.args ?? [],
    dryRun: spec.dryRun ?? [],
    measurementRetention: spec.measurementRetention ?? [],
  });
}

/** Same metrics, args, dryRun and measurementRetention; everything else is ignored. */
export function isSemanticallyEqualRun(
  a: { spec: RunSpecLike },
  b: { spec: RunSpecLike },
): boolean {
  return comparable(a.spec) === comparable(b.spec);
}

// ---------------------------------------------------------------------------------------------
// Rollout-side validation (§7.7, ValidateAnalysisTemplatesWithType)

export const DUMMY_STABLE_HASH = 'dummy-stable-hash';
export const DUMMY_NEW_HASH = 'dummy-new-hash';
const DUMMY_ARG_VALUE = 'dummy-value';

/** One analysis the Rollout declares, with the field path its InvalidSpec errors use. */
export interface ReferencedAnalysis {
  type: AnalysisRunType;
  field: string;
  analysis: RolloutAnalysis;
  stepIndex?: number | undefined;
}

/** Blue-green pre then post; canary steps then background (getReferencedRolloutAnalyses). */
export function referencedAnalyses(rollout: Rollout): ReferencedAnalysis[] {
  const bg = rollout.spec.strategy?.blueGreen;
  const canary = rollout.spec.strategy?.canary;
  const out: ReferencedAnalysis[] = [];
  if (bg) {
    if (bg.prePromotionAnalysis != null) {
      out.push({
        type: 'PrePromotion',
        field: 'spec.strategy.blueGreen.prePromotionAnalysis.templates',
        analysis: bg.prePromotionAnalysis,
      });
    }
    if (bg.postPromotionAnalysis != null) {
      out.push({
        type: 'PostPromotion',
        field: 'spec.strategy.blueGreen.postPromotionAnalysis.templates',
        analysis: bg.postPromotionAnalysis,
      });
    }
  } else if (canary) {
    (canary.steps ?? []).forEach((step, i) => {
      if (step.analysis == null) return;
      out.push({
        type: 'Step',
        field: `spec.strategy.canary.steps[${i}].analysis.templates`,
        analysis: step.analysis,
        stepIndex: i,
      });
    });
    if (canary.analysis != null) {
      out.push({
        type: 'Background',
        field: 'spec.strategy.canary.analysis.templates',
        analysis: canary.analysis,
      });
    }
  }
  return out;
}

/** field.Invalid; `value` is already rendered. */
function invalid(field: string, value: string, detail: string): ValidationError {
  return {
    field,
    type: 'FieldValueInvalid',
    detail,
    message: `Invalid value: ${value}: ${detail}`,
  };
}

interface ValidationGroup extends ReferencedAnalysis, ResolvedTemplates {}

/**
 * Validation looks up only the top-level references, without nesting or de-duplication (Go's
 * getReferencedAnalysisTemplates), so a template listed twice reads as duplicate metrics here.
 */
function topLevelTemplates(
  g: ReferencedAnalysis,
  lookup: TemplateLookup,
): ValidationGroup | ValidationError {
  const group: ValidationGroup = { ...g, templates: [], clusterTemplates: [] };
  for (const ref of analysisTemplateRefs(g.analysis)) {
    const t = lookupRef(ref, lookup);
    if (t === undefined) return invalid(g.field, goQuote(ref.templateName ?? ''), notFound(ref));
    (ref.clusterScope === true ? group.clusterTemplates : group.templates).push(t);
  }
  return group;
}

/** buildAnalysisArgs: errors are ignored, and a failing metadata fieldRef drops every arg. */
function dummyRolloutArgs(rollout: Rollout, args: RolloutAnalysis['args']): RolloutArgValue[] {
  const r = rolloutArgs(rollout, args, {
    stableHash: DUMMY_STABLE_HASH,
    latestHash: DUMMY_NEW_HASH,
  });
  return r.ok ? r.args : (r.args ?? []);
}

/** IntOrString's %s: `<nil>` when absent. */
function formatCount(count: Metric['count'] | null | undefined): string {
  if (count === undefined || count === null) return '<nil>';
  return String(count);
}

/** Placeholder args as Go's setArgValuePlaceHolder/validateAnalysisMetrics build them. */
function placeholderArgs(
  args: readonly AnalysisArgument[],
): { ok: true; args: ArgValue[] } | Failure {
  const out: ArgValue[] = [];
  for (const arg of args) {
    if (isSet(arg.valueFrom) && isSet(arg.value)) {
      return { ok: false, error: `arg '${arg.name}' has both Value and ValueFrom fields` };
    }
    const value = isSet(arg.valueFrom) ? DUMMY_ARG_VALUE : (arg.value ?? DUMMY_ARG_VALUE);
    out.push({ name: arg.name, value });
  }
  return { ok: true, args: out };
}

/** Step and blue-green runs must end on their own: every metric needs a finite count. */
function validateFiniteMetrics(t: TemplateLike, field: string): ValidationError[] {
  const name = t.metadata.name ?? '';
  const fail = (detail: string) => [invalid(field, goQuote(name), detail)];
  const args = placeholderArgs(t.spec.args ?? []);
  if (!args.ok) return fail(`AnalysisTemplate ${name}: ${args.error}`);
  const resolved: Metric[] = [];
  for (const m of t.spec.metrics ?? []) {
    const r = substituteMetricArgs(m, args.args);
    if (!r.ok) return fail(`AnalysisTemplate ${name}: ${r.error}`);
    resolved.push(r.value);
  }
  return resolved
    .filter((m) => effectiveCount(m) === undefined)
    .map((m) =>
      invalid(
        field,
        goQuote(name),
        `AnalysisTemplate ${name} has metric ${m.name} which runs indefinitely. Invalid value for count: ${formatCount(m.count)}`,
      ),
    );
}

/** Background runs: each required template arg must be named by `canary.analysis.args`. */
function validateBackgroundArgs(
  rollout: Rollout,
  t: TemplateLike,
  field: string,
): ValidationError[] {
  const name = t.metadata.name ?? '';
  const rolloutArgList = rollout.spec.strategy?.canary?.analysis?.args;
  return (t.spec.args ?? [])
    .filter((a) => !isSet(a.value) && !isSet(a.valueFrom))
    .flatMap((a) => {
      if (rolloutArgList == null) {
        return [invalid(field, goQuote(name), 'missing analysis arguments in rollout spec')];
      }
      if (rolloutArgList.some((r) => r.name === a.name)) return [];
      return [invalid(field, goQuote(name), a.name)];
    });
}

function validateGroup(rollout: Rollout, g: ValidationGroup): ValidationError[] {
  const names = [...g.templates, ...g.clusterTemplates].map((t) => t.metadata.name ?? '');
  const value = goQuote(`templateNames: [${names.join(' ')}]`);
  const args = dummyRolloutArgs(rollout, g.analysis.args);
  // The group's own dry-run rules are not checked; instead Go re-merges every group with each
  // canary step's rules, so a step's rules can make another group invalid. Kept as is.
  const ruleSets: [DryRunRule[], MeasurementRetentionRule[]][] = [[[], []]];
  for (const step of rollout.spec.strategy?.canary?.steps ?? []) {
    if (step.analysis == null) continue;
    ruleSets.push([step.analysis.dryRun ?? [], step.analysis.measurementRetention ?? []]);
  }
  for (const [dryRun, retention] of ruleSets) {
    const r = mergeRunSpec(g.templates, g.clusterTemplates, args, dryRun, retention);
    if (!r.ok) return [invalid(g.field, value, r.error)];
  }
  return [...g.templates, ...g.clusterTemplates].flatMap((t) =>
    g.type === 'Background'
      ? validateBackgroundArgs(rollout, t, g.field)
      : validateFiniteMetrics(t, g.field),
  );
}

/**
 * InvalidSpec errors of the Rollout's analyses, in Go's order. A missing template is the only
 * error reported (the lookups run before any check); otherwise each analysis reports its first
 * merge error, or else its per-template errors.
 */
export function validateRolloutAnalyses(
  rollout: Rollout,
  lookup: TemplateLookup,
): ValidationError[] {
  const groups: ValidationGroup[] = [];
  for (const ref of referencedAnalyses(rollout)) {
    const g = topLevelTemplates(ref, lookup);
    if ('detail' in g) return [g];
    groups.push(g);
  }
  return groups.flatMap((g) => validateGroup(rollout, g));
}
