// InvalidSpec validation (src/rollout/validate.ts) against Argo's messages and field paths
// (pkg/apis/rollouts/validation/validation.go, validation_references.go and their tests), and
// every Rollout of the shared fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { rollout as rolloutSchema, type Rollout } from '../../../src/api/rollout.ts';
import {
  formatInvalidSpec,
  pauseDurationSeconds,
  validateRollout,
  validateRolloutSpec,
  type IngressLike,
  type ServiceLike,
  type ValidationRefs,
} from '../../../src/rollout/validate.ts';

// ---------------------------------------------------------------------------------------------
// Builders

type Raw = Record<string, unknown>;

const container = { name: 'app', image: 'argoproj/rollouts-demo:blue' };

function canaryRaw(canary: Raw = { steps: [{ setWeight: 20 }, { pause: {} }] }): Raw {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'demo', namespace: 'default' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'demo' } },
      template: { metadata: { labels: { app: 'demo' } }, spec: { containers: [container] } },
      strategy: { canary },
    },
  };
}

function blueGreenRaw(blueGreen: Raw = { activeService: 'active', previewService: 'preview' }) {
  const r = canaryRaw();
  (r.spec as Raw).strategy = { blueGreen };
  return r;
}

/** Applies `edit` to a copy of `raw`'s spec and parses the result as the controller would. */
function ro(raw: Raw, edit: (spec: Raw) => void = () => {}): Rollout {
  const copy = structuredClone(raw);
  edit(copy.spec as Raw);
  return rolloutSchema.parse(copy);
}

const canary = (c: Raw, edit?: (spec: Raw) => void) => ro(canaryRaw(c), edit);
const blueGreen = (b: Raw, edit?: (spec: Raw) => void) => ro(blueGreenRaw(b), edit);

function svc(
  name: string,
  selector: Record<string, string> = { app: 'demo' },
  annotations?: Record<string, string>,
): ServiceLike {
  return { metadata: { name, ...(annotations ? { annotations } : {}) }, spec: { selector } };
}

function services(...list: [string, ServiceLike | undefined][]): ValidationRefs {
  return { services: new Map(list) };
}

function ingress(name: string, backend: string): IngressLike {
  return {
    metadata: { name },
    spec: {
      rules: [{ http: { paths: [{ backend: { service: { name: backend } } }] } }],
    },
  };
}

const NO_REFS: ValidationRefs = { services: new Map() };
const routedCanary = (extra: Raw = {}, tr: Raw = { smi: {} }): Raw => ({
  canaryService: 'canary',
  stableService: 'stable',
  trafficRouting: tr,
  steps: [{ setWeight: 20 }],
  ...extra,
});

// ---------------------------------------------------------------------------------------------
// The table. `want` is the whole field error (`<field>: <message>`), or undefined for valid.

interface Case {
  name: string;
  rollout: Rollout;
  refs?: ValidationRefs;
  want: string | undefined;
  /** Only compare the field and the trailing detail (Go %#v values we approximate). */
  fieldAndDetailOnly?: boolean;
}

const MUST_BE_NONNEG = 'must be greater than or equal to 0';
const STEP_MSG =
  'Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause';

const cases: Case[] = [
  // --- valid baselines
  {
    name: 'basic canary is valid',
    rollout: canary({ steps: [{ setWeight: 20 }] }),
    want: undefined,
  },
  { name: 'step-less canary (rolling update) is valid', rollout: canary({}), want: undefined },
  { name: 'blue-green is valid', rollout: blueGreen({ activeService: 'a' }), want: undefined },
  {
    name: 'pause durations: int, numeric string, Go durations, 500ms (=0s) are all valid',
    rollout: canary({
      steps: [
        { pause: { duration: 10 } },
        { pause: { duration: '10' } },
        { pause: { duration: '1h30m' } },
        { pause: { duration: '500ms' } },
        { pause: {} },
      ],
    }),
    want: undefined,
  },

  // --- top-level spec
  {
    name: 'negative replicas',
    rollout: canary({}, (s) => (s.replicas = -1)),
    want: `spec.replicas: Invalid value: -1: ${MUST_BE_NONNEG}`,
  },
  {
    name: 'missing selector',
    rollout: canary({}, (s) => delete s.selector),
    want: "spec.selector: Required value: Rollout has missing field '.spec.selector'",
  },
  {
    name: 'empty selector',
    rollout: canary({}, (s) => (s.selector = {})),
    want: 'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
  },
  {
    name: 'selector In without values',
    rollout: canary({}, (s) => {
      s.selector = {
        matchLabels: { app: 'demo' },
        matchExpressions: [{ key: 'tier', operator: 'In' }],
      };
    }),
    want: "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
  },
  {
    name: 'selector with an unknown operator',
    rollout: canary({}, (s) => {
      s.selector = { matchExpressions: [{ key: 'app', operator: 'Like', values: ['x'] }] };
    }),
    want: 'spec.selector.matchExpressions[0].operator: Invalid value: "Like": not a valid selector operator',
  },
  {
    name: 'selector label key that is not a qualified name',
    rollout: canary({}, (s) => (s.selector = { matchLabels: { 'bad key': 'x' } })),
    want: "spec.selector.matchLabels: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  },
  {
    name: 'selector not matching the template labels',
    rollout: canary({}, (s) => (s.selector = { matchLabels: { app: 'other' } })),
    want: 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"demo"}: `selector` does not match template `labels`',
  },
  {
    name: 'matchExpressions selector matching the template',
    rollout: canary({}, (s) => {
      s.selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['demo', 'x'] }] };
    }),
    want: undefined,
  },
  {
    name: 'template without containers',
    rollout: canary({}, (s) => ((s.template as Raw).spec = {})),
    want: 'spec.template.spec.containers: Required value',
  },
  {
    name: 'container without image',
    rollout: canary({}, (s) => ((s.template as Raw).spec = { containers: [{ name: 'app' }] })),
    want: 'spec.template.spec.containers[0].image: Required value',
  },
  {
    name: 'duplicate container names',
    rollout: canary({}, (s) => ((s.template as Raw).spec = { containers: [container, container] })),
    want: 'spec.template.spec.containers[1].name: Duplicate value: "app"',
  },
  {
    name: 'restartPolicy other than Always',
    rollout: canary({}, (s) => {
      (s.template as Raw).spec = { containers: [container], restartPolicy: 'Never' };
    }),
    want: 'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
  },
  {
    name: 'workloadRef with a non-empty template',
    rollout: canary({}, (s) => {
      s.workloadRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' };
    }),
    want: 'spec.template: Internal error: template must be empty for workload reference rollout',
  },
  {
    name: 'workloadRef without selector or template is valid',
    rollout: canary({}, (s) => {
      s.workloadRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' };
      delete s.selector;
      delete s.template;
    }),
    want: undefined,
  },
  {
    name: 'negative minReadySeconds',
    rollout: canary({}, (s) => (s.minReadySeconds = -1)),
    want: `spec.minReadySeconds: Invalid value: -1: ${MUST_BE_NONNEG}`,
  },
  {
    name: 'negative revisionHistoryLimit',
    rollout: canary({}, (s) => (s.revisionHistoryLimit = -2)),
    want: `spec.revisionHistoryLimit: Invalid value: -2: ${MUST_BE_NONNEG}`,
  },
  {
    name: 'progressDeadlineSeconds (default 600) not above minReadySeconds',
    rollout: canary({}, (s) => (s.minReadySeconds = 600)),
    want: 'spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds',
  },

  // --- strategy
  {
    name: 'no strategy (Argo reports it at spec.strategy.strategy)',
    rollout: canary({}, (s) => (s.strategy = {})),
    want: "spec.strategy.strategy: Required value: Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'",
  },
  {
    name: 'both strategies',
    rollout: canary({}, (s) => (s.strategy = { canary: {}, blueGreen: { activeService: 'a' } })),
    want: 'spec.strategy.strategy: Invalid value: "blueGreen: true canary: true": Multiple Strategies can not be listed',
  },
  {
    name: 'blue-green active == preview',
    rollout: blueGreen({ activeService: 'svc', previewService: 'svc' }),
    want: 'spec.strategy.activeService: Invalid value: "svc": This rollout uses the same service for the active and preview services, but two different services are required.',
  },
  {
    name: 'blue-green scaleDownDelayRevisionLimit above revisionHistoryLimit',
    rollout: blueGreen({ activeService: 'a', scaleDownDelayRevisionLimit: 11 }),
    want: "spec.strategy.scaleDownDelayRevisionLimit: Invalid value: 11: This rollout's revision history limit can not be smaller than the rollout's scale down limit",
  },
  {
    name: 'antiAffinity with both rules',
    rollout: blueGreen({
      activeService: 'a',
      antiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: { weight: 50 },
        requiredDuringSchedulingIgnoredDuringExecution: {},
      },
    }),
    want: 'spec.strategy.antiAffinity: Invalid value: "antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: true antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: true": AntiAffinity must have exactly one strategy listed',
  },
  {
    name: 'antiAffinity with no rule',
    rollout: canary({ antiAffinity: {} }),
    want: 'spec.strategy.antiAffinity: Invalid value: "antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: false antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: false": AntiAffinity must have exactly one strategy listed',
  },
  {
    name: 'antiAffinity weight out of range',
    rollout: canary({
      antiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: { weight: 0 } },
    }),
    want: 'spec.strategy.antiAffinity.weight: Invalid value: 0: AntiAffinity weight must be between 1-100',
  },

  // --- canary
  {
    name: 'maxSurge and maxUnavailable both 0',
    rollout: canary({ maxSurge: 0, maxUnavailable: 0 }),
    want: 'spec.strategy.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: MaxSurge and MaxUnavailable both can not be zero',
  },
  {
    name: 'maxSurge "0%" and maxUnavailable "0"',
    rollout: canary({ maxSurge: '0%', maxUnavailable: '0' }),
    want: 'spec.strategy.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: MaxSurge and MaxUnavailable both can not be zero',
  },
  {
    name: 'maxSurge 0 with the default maxUnavailable is valid',
    rollout: canary({ maxSurge: 0 }),
    want: undefined,
  },
  {
    name: 'canaryService == stableService',
    rollout: canary({ canaryService: 'svc', stableService: 'svc' }),
    want: 'spec.strategy.stableService: Invalid value: "svc": This rollout uses the same service for the stable and canary services, but two different services are required.',
  },
  {
    name: 'traffic routing without stableService',
    rollout: canary({ canaryService: 'canary', trafficRouting: { nginx: { stableIngress: 'i' } } }),
    want: 'spec.strategy.stableService: Invalid value: "": Canary service and Stable service must to be set to use Traffic Routing',
  },
  {
    name: 'Istio with a DestinationRule needs no canary/stable Services',
    rollout: canary({
      trafficRouting: {
        istio: { virtualService: { name: 'vs' }, destinationRule: { name: 'dr' } },
      },
    }),
    want: undefined,
  },
  {
    name: 'scaleDownDelaySeconds without traffic routing',
    rollout: canary({ scaleDownDelaySeconds: 30 }),
    want: 'spec.strategy.scaleDownDelaySeconds: Invalid value: 30: Canary scaleDownDelaySeconds can only be used with traffic routing',
  },
  {
    name: 'dynamicStableScale without traffic routing',
    rollout: canary({ dynamicStableScale: true }),
    want: 'spec.strategy.dynamicStableScale: Invalid value: true: Canary dynamicStableScale can only be used with traffic routing',
  },
  {
    name: 'dynamicStableScale with scaleDownDelaySeconds',
    rollout: canary(routedCanary({ dynamicStableScale: true, scaleDownDelaySeconds: 60 })),
    want: 'spec.strategy.dynamicStableScale: Invalid value: true: Canary dynamicStableScale cannot be used with scaleDownDelaySeconds',
  },
  {
    name: 'maxTrafficWeight with ALB',
    rollout: canary(
      routedCanary({}, { alb: { ingress: 'i', servicePort: 80 }, maxTrafficWeight: 1000 }),
    ),
    want: 'spec.strategy.trafficRouting.maxTrafficWeight: Invalid value: 1000: Canary maxTrafficWeight in traffic routing only support in Nginx and Plugins',
  },
  {
    name: 'maxTrafficWeight 0 with NGINX',
    rollout: canary(routedCanary({}, { nginx: { stableIngress: 'i' }, maxTrafficWeight: 0 })),
    want: 'spec.strategy.trafficRouting.maxTrafficWeight: Invalid value: 0: Canary maxTrafficWeight in traffic routing must be greater than 0',
  },
  {
    name: 'setWeight above maxTrafficWeight (1000)',
    rollout: canary({
      ...routedCanary({}, { nginx: { stableIngress: 'i' }, maxTrafficWeight: 1000 }),
      steps: [{ setWeight: 150 }, { setWeight: 1500 }],
    }),
    want: 'spec.strategy.steps[1].setWeight: Invalid value: 1500: SetWeight needs to be between 0 and 1000',
  },
  {
    name: 'setWeight 120 at step 2',
    rollout: canary({ steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 120 }] }),
    want: 'spec.strategy.steps[2].setWeight: Invalid value: 120: SetWeight needs to be between 0 and 100',
  },
  {
    name: 'negative setWeight',
    rollout: canary({ steps: [{ setWeight: -1 }] }),
    want: 'spec.strategy.steps[0].setWeight: Invalid value: -1: SetWeight needs to be between 0 and 100',
  },
  {
    name: 'unparsable pause duration "1x" (DurationSeconds is -1)',
    rollout: canary({ steps: [{ setWeight: 10 }, { pause: { duration: '1x' } }] }),
    want: 'spec.strategy.steps[1].pause.duration: Invalid value: -1: Duration needs to be greater than 0',
  },
  {
    name: 'negative pause duration "-10s"',
    rollout: canary({ steps: [{ pause: { duration: '-10s' } }] }),
    want: 'spec.strategy.steps[0].pause.duration: Invalid value: -10: Duration needs to be greater than 0',
  },
  {
    name: 'negative integer pause duration',
    rollout: canary({ steps: [{ pause: { duration: -5 } }] }),
    want: 'spec.strategy.steps[0].pause.duration: Invalid value: -5: Duration needs to be greater than 0',
  },
  {
    name: 'a step with none of the step fields',
    rollout: canary({ steps: [{}] }),
    want: `spec.strategy.steps[0]: Invalid value: "step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoutes: true step.Plugin: true": ${STEP_MSG}`,
  },
  {
    name: 'a step with two step types',
    rollout: canary({ steps: [{ setWeight: 10, pause: {} }] }),
    want: `spec.strategy.steps[0]: Invalid value: "step.Experiment: false step.Pause: true step.SetWeight: true step.Analysis: false": ${STEP_MSG}`,
  },
  {
    name: 'a plugin step alone is valid',
    rollout: canary({ steps: [{ plugin: { name: 'my/plugin', config: {} } }] }),
    want: undefined,
  },
  {
    name: 'setCanaryScale without traffic routing',
    rollout: canary({ steps: [{ setCanaryScale: { replicas: 1 } }] }),
    want: 'spec.strategy.trafficRouting: Required value: SetCanaryScale requires TrafficRouting to be set',
  },
  {
    name: 'setHeaderRoute without traffic routing',
    rollout: canary({
      steps: [
        {
          setHeaderRoute: {
            name: 'hdr',
            match: [{ headerName: 'agent', headerValue: { exact: 'chrome' } }],
          },
        },
      ],
    }),
    want: 'spec.strategy.steps[0].setHeaderRoute: Invalid value: v1alpha1.SetHeaderRoute{Name:"hdr", Match:[]v1alpha1.HeaderRoutingMatch{v1alpha1.HeaderRoutingMatch{HeaderName:"agent", HeaderValue:&v1alpha1.StringMatch{Exact:"chrome", Prefix:"", Regex:""}}}}: SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix',
  },
  {
    name: 'setHeaderRoute with ALB and a prefix match',
    rollout: canary({
      ...routedCanary(
        {},
        { alb: { ingress: 'i', servicePort: 80 }, managedRoutes: [{ name: 'hdr' }] },
      ),
      steps: [
        {
          setHeaderRoute: {
            name: 'hdr',
            match: [{ headerName: 'a', headerValue: { prefix: 'c' } }],
          },
        },
      ],
    }),
    want: 'spec.strategy.steps[0].setHeaderRoute.match[0]: Invalid value: v1alpha1.StringMatch{Exact:"", Prefix:"c", Regex:""}: SetHeaderRoute match value invalid. ALB supports \'exact\' value only',
  },
  {
    name: 'setHeaderRoute with Istio and two match values',
    rollout: canary({
      ...routedCanary(
        {},
        { istio: { virtualService: { name: 'vs' } }, managedRoutes: [{ name: 'hdr' }] },
      ),
      steps: [
        {
          setHeaderRoute: {
            name: 'hdr',
            match: [{ headerName: 'a', headerValue: { exact: 'x', regex: 'y' } }],
          },
        },
      ],
    }),
    want: 'spec.strategy.steps[0].setHeaderRoute.match[0]: Invalid value: v1alpha1.StringMatch{Exact:"x", Prefix:"", Regex:"y"}: StringMatch match value must have exactly one of the following: exact, regex, prefix',
  },
  {
    name: 'setHeaderRoute without managedRoutes',
    rollout: canary({
      ...routedCanary({}, { alb: { ingress: 'i', servicePort: 80 } }),
      steps: [
        {
          setHeaderRoute: {
            name: 'hdr',
            match: [{ headerName: 'a', headerValue: { exact: 'c' } }],
          },
        },
      ],
    }),
    want: "spec.strategy.trafficRouting.managedRoutes: Required value: Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'",
  },
  {
    name: 'setHeaderRoute not listed in managedRoutes',
    rollout: canary({
      ...routedCanary(
        {},
        { alb: { ingress: 'i', servicePort: 80 }, managedRoutes: [{ name: 'other' }] },
      ),
      steps: [{ setHeaderRoute: { name: 'hdr' } }],
    }),
    want: 'spec.strategy.steps[0].setHeaderRoute: Invalid value: "hdr": Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes',
  },
  {
    name: 'setMirrorRoute with NGINX',
    rollout: canary({
      ...routedCanary({}, { nginx: { stableIngress: 'i' }, managedRoutes: [{ name: 'm' }] }),
      steps: [{ setMirrorRoute: { name: 'm', percentage: 50 } }],
    }),
    want: 'spec.strategy.steps[0].setMirrorRoute: Invalid value: v1alpha1.SetMirrorRoute{Name:"m", Match:[]v1alpha1.RouteMatch(nil), Percentage:&50}: SetMirrorRoute requires TrafficRouting, supports Istio only',
  },
  {
    name: 'setMirrorRoute with a plugin router is valid',
    rollout: canary({
      ...routedCanary({}, { plugins: { 'my/plugin': {} }, managedRoutes: [{ name: 'm' }] }),
      steps: [{ setMirrorRoute: { name: 'm', match: [{ method: { exact: 'GET' } }] } }],
    }),
    want: undefined,
  },
  {
    name: 'experiment template weight without traffic routing',
    rollout: canary({
      steps: [{ experiment: { templates: [{ name: 't', specRef: 'canary', weight: 20 }] } }],
    }),
    want: 'spec.strategy.steps[0].experiment.templates[0].weight: Invalid value: 20: Experiment template weight cannot be set unless TrafficRouting is enabled',
  },
  {
    name: 'experiment template weight with NGINX',
    rollout: canary({
      ...routedCanary({}, { nginx: { stableIngress: 'i' } }),
      steps: [{ experiment: { templates: [{ name: 't', specRef: 'canary', weight: 20 }] } }],
    }),
    want: 'spec.strategy.steps[0].experiment.templates[0].weight: Invalid value: 20: Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time',
  },
  {
    name: 'analysis arg fieldRef the downward API cannot resolve',
    rollout: canary({
      steps: [
        {
          analysis: {
            templates: [{ templateName: 't' }],
            args: [{ name: 'a', valueFrom: { fieldRef: { fieldPath: "metadata.label['app']" } } }],
          },
        },
      ],
    }),
    want: 'spec.strategy.steps[0].analyses: Analyses arguments must refer to valid object metadata supported by downwardAPI',
    fieldAndDetailOnly: true,
  },
  {
    name: "analysis arg fieldRef metadata.labels['app'] is valid",
    rollout: canary({
      steps: [
        {
          analysis: {
            templates: [{ templateName: 't' }],
            args: [{ name: 'a', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }],
          },
        },
      ],
    }),
    want: undefined,
  },
  {
    name: 'ping-pong with NGINX',
    rollout: canary({
      pingPong: { pingService: 'ping', pongService: 'pong' },
      trafficRouting: { nginx: { stableIngress: 'i' } },
    }),
    want: 'spec.strategy.trafficRouting.alb: Invalid value: "null": Ping-pong feature works with the ALB and Istio traffic routing only',
  },
  {
    name: 'ping-pong with ALB but no rootService',
    rollout: canary({
      pingPong: { pingService: 'ping', pongService: 'pong' },
      trafficRouting: { alb: { ingress: 'i', servicePort: 80 } },
    }),
    want: 'spec.strategy.trafficRouting.alb.rootService: Invalid value: "": Root service field is required for the configuration with ALB and ping-pong feature enabled',
  },
  {
    name: 'ping-pong with the same service twice',
    rollout: canary({
      pingPong: { pingService: 'ping', pongService: 'ping' },
      trafficRouting: { alb: { ingress: 'i', servicePort: 80, rootService: 'root' } },
    }),
    want: 'spec.strategy.pingPong.pingService: Invalid value: "ping": This rollout uses the same service for the ping and pong services, but two different services are required.',
  },
  {
    name: 'ping-pong with a plugin router is valid (upstream #4740)',
    rollout: canary({
      pingPong: { pingService: 'ping', pongService: 'pong' },
      trafficRouting: { plugins: { 'my/plugin': {} } },
    }),
    want: undefined,
  },

  // --- referenced Services
  {
    name: 'stable Service not found',
    rollout: canary({ canaryService: 'canary', stableService: 'stable' }),
    refs: services(['stable', undefined], ['canary', svc('canary')]),
    want: 'spec.strategy.canary.stableService: Invalid value: "stable": service "stable" not found',
  },
  {
    name: 'preview Service not found',
    rollout: blueGreen({ activeService: 'active', previewService: 'preview' }),
    refs: services(['active', svc('active')], ['preview', undefined]),
    want: 'spec.strategy.blueGreen.previewService: Invalid value: "preview": service "preview" not found',
  },
  {
    name: 'a NotFound beats a bad selector on an earlier Service',
    rollout: canary({ canaryService: 'canary', stableService: 'stable' }),
    refs: services(['stable', svc('stable', { app: 'x' })], ['canary', undefined]),
    want: 'spec.strategy.canary.canaryService: Invalid value: "canary": service "canary" not found',
  },
  {
    name: 'Service selector key missing from the template labels',
    rollout: canary({ canaryService: 'canary', stableService: 'stable' }),
    refs: services(
      ['stable', svc('stable')],
      ['canary', svc('canary', { app: 'demo', tier: 'web' })],
    ),
    want: 'spec.strategy.canary.canaryService: Invalid value: "canary": Service "canary" has unmatch label "tier" in rollout',
  },
  {
    name: 'Service selector matched by canaryMetadata labels is valid',
    rollout: canary({
      canaryService: 'canary',
      stableService: 'stable',
      canaryMetadata: { labels: { role: 'canary' } },
    }),
    refs: services(['canary', svc('canary', { app: 'demo', role: 'canary' })]),
    want: undefined,
  },
  {
    name: 'the pod-template-hash selector key is ignored',
    rollout: blueGreen({ activeService: 'active' }),
    refs: services([
      'active',
      svc('active', { app: 'demo', 'rollouts-pod-template-hash': '6b9f8c7d5' }),
    ]),
    want: undefined,
  },
  {
    name: 'Service managed by another Rollout',
    rollout: blueGreen({ activeService: 'active' }),
    refs: services([
      'active',
      svc('active', { app: 'demo' }, { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'other' }),
    ]),
    want: 'spec.strategy.blueGreen.activeService: Invalid value: "active": Service "active" is managed by another Rollout',
  },
  {
    name: 'Service managed by this Rollout is valid',
    rollout: blueGreen({ activeService: 'active' }),
    refs: services([
      'active',
      svc('active', { app: 'demo' }, { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'demo' }),
    ]),
    want: undefined,
  },
  {
    name: 'a Service absent from the refs is not checked',
    rollout: canary({ canaryService: 'canary', stableService: 'stable' }),
    refs: NO_REFS,
    want: undefined,
  },
  {
    name: 'spec errors come before reference errors',
    rollout: canary({ canaryService: 'canary', stableService: 'stable', steps: [{}] }),
    refs: services(['stable', undefined]),
    want: `spec.strategy.steps[0]: Invalid value: "step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoutes: true step.Plugin: true": ${STEP_MSG}`,
  },

  // --- AnalysisTemplates, Ingresses
  {
    name: 'step AnalysisTemplate not found',
    rollout: canary({
      steps: [{ setWeight: 10 }, { analysis: { templates: [{ templateName: 'tpl' }] } }],
    }),
    refs: { services: new Map(), analysisTemplates: new Map([['tpl', undefined]]) },
    want: 'spec.strategy.canary.steps[1].analysis.templates: Invalid value: "tpl": AnalysisTemplate \'tpl\' not found',
  },
  {
    name: 'background ClusterAnalysisTemplate not found',
    rollout: canary({ analysis: { templates: [{ templateName: 'ctpl', clusterScope: true }] } }),
    refs: { services: new Map(), clusterAnalysisTemplates: new Map([['ctpl', undefined]]) },
    want: 'spec.strategy.canary.analysis.templates: Invalid value: "ctpl": ClusterAnalysisTemplate \'ctpl\' not found',
  },
  {
    name: 'pre-1.0 analysis.templateName not found',
    rollout: canary({ analysis: { templateName: 'success-rate' } }),
    refs: { services: new Map(), analysisTemplates: new Map([['success-rate', undefined]]) },
    want: 'spec.strategy.canary.analysis.templates: Invalid value: "success-rate": AnalysisTemplate \'success-rate\' not found',
  },
  {
    name: 'ALB with both ingress and ingresses',
    rollout: canary(routedCanary({}, { alb: { ingress: 'a', ingresses: ['b'], servicePort: 80 } })),
    want: 'spec.strategy.canary.trafficRouting.alb: Internal error: Either Ingress or Ingresses must be configured. Both are configured.',
  },
  {
    name: 'NGINX with neither stableIngress nor stableIngresses',
    rollout: canary(routedCanary({}, { nginx: {} })),
    want: 'spec.strategy.canary.trafficRouting.nginx: Internal error: Either StableIngress or StableIngresses must be configured. Neither are configured.',
  },
  {
    name: 'ALB Ingress not found',
    rollout: canary(routedCanary({}, { alb: { ingress: 'ing', servicePort: 80 } })),
    refs: { services: new Map(), ingresses: new Map([['ing', undefined]]) },
    want: 'spec.strategy.canary.trafficRouting.alb.ingress: Invalid value: "ing": ingress.networking.k8s.io "ing" not found',
  },
  {
    name: 'ALB Ingress without a rule for the root Service',
    rollout: canary(
      routedCanary({}, { alb: { ingress: 'ing', servicePort: 80, rootService: 'root' } }),
    ),
    refs: { services: new Map(), ingresses: new Map([['ing', ingress('ing', 'stable')]]) },
    want: 'spec.strategy.canary.trafficRouting.alb.ingress: Invalid value: "ing": ingress `ing` has no rules using service root backend',
  },
  {
    name: 'NGINX stableIngresses entry without a rule for the stable Service',
    rollout: canary(routedCanary({}, { nginx: { stableIngresses: ['a', 'b'] } })),
    refs: {
      services: new Map(),
      ingresses: new Map([
        ['a', ingress('a', 'stable')],
        ['b', ingress('b', 'canary')],
      ]),
    },
    want: 'spec.strategy.canary.trafficRouting.nginx.stableIngresses: Invalid value: "b": ingress `b` has no rules using service stable backend',
  },
  {
    name: 'Istio with neither virtualService nor virtualServices',
    rollout: canary(routedCanary({}, { istio: {} })),
    want: 'spec.strategy.canary.trafficRouting.istio: Internal error: either VirtualService or VirtualServices must be configured',
  },
];

for (const c of cases) {
  test(`validateRollout: ${c.name}`, () => {
    const err = validateRollout(c.rollout, c.refs ?? NO_REFS);
    if (c.want === undefined) {
      assert.equal(err, undefined, err && `${err.field}: ${err.message}`);
      return;
    }
    assert.ok(err, 'expected an error');
    if (c.fieldAndDetailOnly) assert.equal(`${err.field}: ${err.detail}`, c.want);
    else assert.equal(`${err.field}: ${err.message}`, c.want);
  });
}

test('the table has at least 40 cases, valid and invalid', () => {
  assert.ok(cases.length >= 40, `${cases.length} cases`);
  assert.ok(cases.filter((c) => c.want === undefined).length >= 10);
});

test('formatInvalidSpec gives the InvalidSpec condition message', () => {
  const err = validateRollout(
    canary({ steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 120 }] }),
    NO_REFS,
  );
  assert.ok(err);
  assert.equal(
    formatInvalidSpec('demo', err),
    'The Rollout "demo" is invalid: spec.strategy.steps[2].setWeight: Invalid value: 120: SetWeight needs to be between 0 and 100',
  );
  assert.deepEqual(
    { field: err.field, type: err.type, detail: err.detail },
    {
      field: 'spec.strategy.steps[2].setWeight',
      type: 'FieldValueInvalid',
      detail: 'SetWeight needs to be between 0 and 100',
    },
  );
});

test('validateRolloutSpec lists every spec error in validation.go order', () => {
  const r = canary({ steps: [{ setWeight: 120 }, {}] }, (s) => {
    s.replicas = -1;
    s.minReadySeconds = -1;
  });
  assert.deepEqual(
    validateRolloutSpec(r).map((e) => e.field),
    [
      'spec.replicas',
      'spec.minReadySeconds',
      'spec.strategy.steps[0].setWeight',
      'spec.strategy.steps[1]',
    ],
  );
});

test('templateResolvedFromRef validates the resolved template instead', () => {
  const r = canary({}, (s) => {
    s.workloadRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' };
    (s.template as Raw).spec = {};
  });
  assert.equal(
    validateRollout(r, NO_REFS, { templateResolvedFromRef: true })?.field,
    'spec.template.spec.containers',
  );
});

test('pauseDurationSeconds follows RolloutPause.DurationSeconds', () => {
  const table: [string | number | undefined, number][] = [
    [undefined, 0],
    [30, 30],
    ['30', 30],
    ['+30', 30],
    ['-30', -30],
    ['30s', 30],
    ['5m', 300],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['500ms', 0],
    ['2500ms', 2],
    ['1m30.5s', 90],
    ['0', 0],
    ['', -1],
    ['1x', -1],
    ['10', 10],
    ['99999999999', -1], // ParseInt range error, then no unit
    ['s', -1],
  ];
  for (const [input, want] of table) assert.equal(pauseDurationSeconds(input), want, String(input));
});

test('pauseDurationSeconds parses Go durations as time.ParseDuration does', () => {
  const table: [string, number][] = [
    ['1h2m3s4ms5us6ns', 3723],
    ['1µs', 0],
    ['1μs', 0],
    ['.5m', 30],
    ['-1.5m', -90],
    ['1d', -1],
    ['h', -1],
    ['1.s.', -1],
    ['--1s', -1],
    ['1 s', -1],
    ['3000000h', -1], // overflows int64 nanoseconds
  ];
  for (const [input, want] of table) assert.equal(pauseDurationSeconds(input), want, input);
});

// ---------------------------------------------------------------------------------------------
// Every Rollout of the shared fixtures is valid.
//
// The fixtures are not one cluster: each guide ships some of the objects a Rollout references.
// Decision: a Rollout sees the Services, Ingresses and (Cluster)AnalysisTemplates of the YAML
// files in its own directory, plus those of the directories its kustomization.yaml lists (the
// rollouts-demo's `../base`). A referenced object found there goes into the refs and is fully
// checked; one the fixtures do not ship (getting-started/mixed has only the canary Service; its
// guide reuses the nginx guide's stable Service) is left out of the refs, i.e. not looked up,
// rather than mapped to undefined (NotFound).

const FIXTURES = fileURLToPath(new URL('../../../../shared/fixtures/', import.meta.url));

type Doc = { kind?: unknown; metadata?: { name?: unknown }; [k: string]: unknown };

function loadDocs(file: string): Doc[] {
  return yaml
    .loadAll(readFileSync(file, 'utf8'), undefined, { schema: yaml.CORE_SCHEMA })
    .filter((d): d is Doc => typeof d === 'object' && d !== null);
}

function yamlFilesIn(dir: string, recursive: boolean): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const p = join(dir, e.name);
      if (e.isDirectory()) return recursive ? yamlFilesIn(p, true) : [];
      return /\.ya?ml$/.test(e.name) ? [p] : [];
    });
}

/** The YAML files whose objects a Rollout in `dir` can see (see the decision above). */
function visibleFiles(dir: string): string[] {
  const files = yamlFilesIn(dir, false);
  const kustomization = files.find((f) => /kustomization\.ya?ml$/.test(f));
  if (kustomization) {
    const k = loadDocs(kustomization)[0] as { resources?: unknown } | undefined;
    for (const res of Array.isArray(k?.resources) ? k.resources : []) {
      const p = resolve(dir, String(res));
      if (statSync(p, { throwIfNoEntry: false })?.isDirectory())
        files.push(...yamlFilesIn(p, true));
    }
  }
  return files;
}

function refsFor(r: Rollout, dir: string): { refs: ValidationRefs; found: number } {
  const byKind = new Map<string, Map<string, Doc>>();
  for (const file of visibleFiles(dir)) {
    for (const doc of loadDocs(file)) {
      if (typeof doc.kind !== 'string' || typeof doc.metadata?.name !== 'string') continue;
      const m = byKind.get(doc.kind) ?? new Map<string, Doc>();
      m.set(doc.metadata.name, doc);
      byKind.set(doc.kind, m);
    }
  }
  const pick = <T>(kind: string, names: string[]): Map<string, T> => {
    const out = new Map<string, T>();
    for (const n of names) {
      const d = byKind.get(kind)?.get(n);
      if (d !== undefined) out.set(n, d as unknown as T);
    }
    return out;
  };
  const c = r.spec.strategy?.canary;
  const bg = r.spec.strategy?.blueGreen;
  const svcNames = [
    bg?.activeService,
    bg?.previewService,
    c?.stableService,
    c?.canaryService,
    c?.pingPong?.pingService,
    c?.pingPong?.pongService,
  ].filter((n): n is string => typeof n === 'string' && n !== '');
  const analyses = [
    c?.analysis,
    ...(c?.steps ?? []).map((s) => s.analysis),
    bg?.prePromotionAnalysis,
    bg?.postPromotionAnalysis,
  ];
  const templateRefs = analyses.flatMap((a) => [
    ...(a?.templates ?? []).map((t) => ({
      name: t.templateName ?? '',
      cluster: t.clusterScope === true,
    })),
    ...(a?.templateName ? [{ name: a.templateName, cluster: false }] : []),
  ]);
  const alb = c?.trafficRouting?.alb;
  const nginx = c?.trafficRouting?.nginx;
  const ingressNames = [
    alb?.ingress,
    ...(alb?.ingresses ?? []),
    nginx?.stableIngress,
    ...(nginx?.stableIngresses ?? []),
  ].filter((n): n is string => typeof n === 'string' && n !== '');
  const refs = {
    services: pick<ServiceLike>('Service', svcNames),
    analysisTemplates: pick<unknown>(
      'AnalysisTemplate',
      templateRefs.filter((t) => !t.cluster).map((t) => t.name),
    ),
    clusterAnalysisTemplates: pick<unknown>(
      'ClusterAnalysisTemplate',
      templateRefs.filter((t) => t.cluster).map((t) => t.name),
    ),
    ingresses: pick<IngressLike>('Ingress', ingressNames),
  };
  const found =
    refs.services.size +
    refs.analysisTemplates.size +
    refs.clusterAnalysisTemplates.size +
    refs.ingresses.size;
  return { refs, found };
}

const fixtureRollouts: { id: string; rollout: Rollout; dir: string }[] = [];
for (const file of yamlFilesIn(FIXTURES, true)) {
  for (const doc of loadDocs(file)) {
    if (doc.kind !== 'Rollout') continue;
    fixtureRollouts.push({
      id: `${relative(FIXTURES, file)}#${String(doc.metadata?.name)}`,
      rollout: rolloutSchema.parse(doc),
      dir: dirname(file),
    });
  }
}

let referencedObjectsChecked = 0;
for (const f of fixtureRollouts) {
  test(`fixture ${f.id} is valid`, () => {
    assert.deepEqual(validateRolloutSpec(f.rollout), []);
    const { refs, found } = refsFor(f.rollout, f.dir);
    referencedObjectsChecked += found;
    const err = validateRollout(f.rollout, refs);
    assert.equal(err, undefined, err && formatInvalidSpec(String(f.rollout.metadata.name), err));
  });
}

test('the fixture check really looked at Rollouts and their referenced objects', () => {
  // Runs after the fixture tests (node:test runs top-level tests in order).
  assert.ok(fixtureRollouts.length >= 19, `${fixtureRollouts.length} Rollouts`);
  assert.ok(referencedObjectsChecked >= 20, `only ${referencedObjectsChecked} objects checked`);
});
