// Entry of one Rollout's reconcile: parse, resolve workloadRef, validate, then hand over to
// the strategy. Invalid specs end as an InvalidSpec condition and a Warning event, and the
// ReplicaSets are left alone (design principle 7).
import { rfc3339 } from '../util/time.ts';
import type { KubeObject } from '../api/kube-object.ts';
import { rollout as rolloutSchema, type Rollout } from '../api/rollout.ts';
import type { EventSink } from '../kube/event-recorder.ts';
import { mergePatchDiff } from '../kube/merge-diff.ts';
import {
  analysisTemplateRefs,
  referencedAnalyses,
  validateRolloutAnalyses,
  type TemplateLookup,
} from './analysis-run-builder.ts';
import { BlueGreenPass } from './bluegreen.ts';
import { CanaryPass } from './canary.ts';
import { ConditionType, getCondition, newCondition, Reason, setCondition } from './conditions.ts';
import type { ClusterOps, Log, ReconcileResult, RolloutContext } from './context.ts';
import { EventReason } from './labels.ts';
import { computePhase } from './phase.ts';
import {
  formatInvalidSpec,
  validateRollout,
  type IngressLike,
  type ServiceLike,
  type ValidationError,
} from './validate.ts';
import { albConfig, validateAlbIngresses } from '../traffic/alb-annotations.ts';
import { formatIngressProblem, type IngressProblem } from '../traffic/ingress.ts';
import { nginxConfig, validateNginxIngresses } from '../traffic/nginx-ingress.ts';

const NO_TEMPLATES: TemplateLookup = {
  template: () => undefined,
  clusterTemplate: () => undefined,
};

/** Re-check an invalid Rollout this often: a missing Service may appear (rollout-semantics §9). */
export const INVALID_SPEC_REQUEUE_MS = 20_000;

export interface ReconcileInput {
  raw: KubeObject;
  replicaSets: KubeObject[];
  service(name: string): KubeObject | undefined;
  /** Ingress lookup in the Rollout's namespace (traffic routing); absent ⇒ none exist. */
  ingress?(name: string): KubeObject | undefined;
  podsOf(rsUid: string): KubeObject[];
  /** The object spec.workloadRef points at, when it exists. */
  workload?: KubeObject | undefined;
  /** AnalysisRuns controlled by the Rollout. */
  analysisRuns?: KubeObject[];
  templates?: TemplateLookup;
  ops: ClusterOps;
  events: EventSink;
  log: Log;
  now: Date;
}

/** A zod issue path as a Kubernetes field path: spec.strategy.canary.steps[2].setWeight */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

export async function reconcileRollout(input: ReconcileInput): Promise<ReconcileResult> {
  const { raw } = input;
  if (raw.metadata.deletionTimestamp) return {};
  const parsed = rolloutSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return invalid(input, undefined, {
      field: fieldPath(issue.path),
      message: `Invalid value: ${issue.message}`,
      type: 'FieldValueInvalid',
      detail: issue.message,
    });
  }
  const ro = parsed.data;
  let template = (ro.spec.template ?? {}) as Record<string, unknown>;
  let selector = ro.spec.selector ?? {};
  const workloadRef = ro.spec.workloadRef;
  if (workloadRef) {
    const w = input.workload;
    if (!w) {
      return invalid(input, ro, {
        field: 'spec.workloadRef',
        message: `Invalid value: "${workloadRef.name ?? ''}": ${(workloadRef.kind ?? 'workload').toLowerCase()}s.apps "${workloadRef.name ?? ''}" not found`,
        type: 'FieldValueInvalid',
        detail: 'not found',
      });
    }
    const wspec = (w.spec ?? {}) as {
      template?: Record<string, unknown>;
      selector?: typeof selector;
    };
    template =
      (workloadRef.kind === 'PodTemplate'
        ? (w.template as Record<string, unknown>)
        : wspec.template) ?? {};
    if (!ro.spec.selector && wspec.selector) selector = wspec.selector;
  }

  const services = new Map<string, ServiceLike | undefined>();
  const names = [
    ro.spec.strategy?.canary?.canaryService,
    ro.spec.strategy?.canary?.stableService,
    ro.spec.strategy?.blueGreen?.activeService,
    ro.spec.strategy?.blueGreen?.previewService,
  ];
  for (const n of names) if (n) services.set(n, input.service(n));
  const roForValidation: Rollout = workloadRef
    ? { ...ro, spec: { ...ro.spec, template: template, selector } }
    : ro;
  const templates: TemplateLookup = input.templates ?? NO_TEMPLATES;
  const analysisTemplates = new Map<string, unknown>();
  const clusterAnalysisTemplates = new Map<string, unknown>();
  for (const a of referencedAnalyses(ro)) {
    for (const ref of analysisTemplateRefs(a.analysis)) {
      const n = ref.templateName ?? '';
      if (ref.clusterScope) clusterAnalysisTemplates.set(n, templates.clusterTemplate(n));
      else analysisTemplates.set(n, templates.template(n));
    }
  }
  const ingressLookup = (n: string): KubeObject | undefined => input.ingress?.(n);
  const tr = ro.spec.strategy?.canary?.trafficRouting;
  const ingresses = new Map<string, IngressLike | undefined>();
  const ingressNames: string[] = [];
  try {
    if (tr?.alb) ingressNames.push(...albConfig(ro).ingresses.map((i) => i.name));
    if (tr?.nginx) ingressNames.push(...nginxConfig(ro).stableIngresses.map((i) => i.name));
  } catch {
    // A malformed router configuration is reported by validateRollout.
  }
  for (const n of ingressNames) ingresses.set(n, ingressLookup(n));
  const err =
    validateRollout(
      roForValidation,
      {
        services,
        analysisTemplates,
        clusterAnalysisTemplates,
        ...(tr?.alb || tr?.nginx ? { ingresses } : {}),
      },
      { templateResolvedFromRef: !!workloadRef },
    ) ?? validateRolloutAnalyses(roForValidation, templates)[0];
  if (err) return invalid(input, ro, err);
  if (tr) {
    const problems: IngressProblem[] = [];
    try {
      if (tr.nginx) problems.push(...validateNginxIngresses(ro, ingressLookup));
      if (tr.alb) problems.push(...validateAlbIngresses(ro, ingressLookup));
    } catch (e) {
      input.log.warn('could not validate the Ingresses', {
        error: e instanceof Error ? e.message : String(e),
      });
    }
    const firstError = problems.find((p) => p.severity === 'error');
    if (firstError) {
      return invalid(input, ro, {
        field: firstError.field,
        message: `Invalid value: ${firstError.value}: ${firstError.detail}`,
        type: 'FieldValueInvalid',
        detail: firstError.detail,
      });
    }
    for (const p of problems) {
      if (p.severity !== 'warning') continue;
      input.events.emit(raw, {
        type: 'Warning',
        reason: 'TrafficRoutingError',
        message: formatIngressProblem(p),
      });
    }
  }
  const ctx: RolloutContext = {
    now: input.now,
    raw,
    ro,
    template,
    selector,
    replicaSets: input.replicaSets,
    service: (n) => input.service(n),
    ingress: ingressLookup,
    podsOf: (uid) => input.podsOf(uid),
    workload: input.workload,
    analysisRuns: input.analysisRuns ?? [],
    templates,
    ops: input.ops,
    events: input.events,
    log: input.log,
  };
  return ro.spec.strategy?.blueGreen ? new BlueGreenPass(ctx).run() : new CanaryPass(ctx).run();
}

async function invalid(
  input: ReconcileInput,
  ro: Rollout | undefined,
  err: ValidationError,
): Promise<ReconcileResult> {
  const { raw } = input;
  const name = raw.metadata.name ?? '';
  const message = formatInvalidSpec(name, err);
  const old = (raw.status ?? {}) as NonNullable<Rollout['status']>;
  const existing = getCondition(old.conditions, ConditionType.InvalidSpec);
  const conditions = setCondition(
    old.conditions,
    newCondition(
      ConditionType.InvalidSpec,
      'True',
      Reason.InvalidSpec,
      message,
      rfc3339(input.now),
    ),
  );
  // setCondition keeps the old message when type/status/reason match; a new error must show.
  const idx = conditions.findIndex((c) => c.type === ConditionType.InvalidSpec);
  if (existing && existing.message !== message)
    conditions[idx] = { ...conditions[idx]!, message, lastUpdateTime: rfc3339(input.now) };
  const next = { ...old, conditions, observedGeneration: String(raw.metadata.generation) };
  Object.assign(
    next,
    computePhase({
      conditions,
      specPaused: ro?.spec.paused === true,
      specRestartAt: ro?.spec.restartAt,
      specReplicas: ro?.spec.replicas ?? 1,
      status: next,
      strategy: ro?.spec.strategy?.blueGreen ? 'blueGreen' : 'canary',
      trafficRouting: !!ro?.spec.strategy?.canary?.trafficRouting,
    }),
  );
  if (!existing || existing.message !== message) {
    input.events.emit(raw, { type: 'Warning', reason: EventReason.InvalidSpec, message });
    input.log.warn(message);
  }
  const diff = mergePatchDiff(old, next);
  if (diff !== undefined) {
    await input.ops.patchRolloutStatus(raw.metadata.namespace ?? 'default', name, {
      metadata: { resourceVersion: raw.metadata.resourceVersion },
      status: diff,
    });
  }
  return { requeueAfterMs: INVALID_SPEC_REQUEUE_MS };
}
