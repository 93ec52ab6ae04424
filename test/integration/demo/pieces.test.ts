// The demo's pure parts as tables: image tags and their behaviour, the ALB traffic split, the
// options (flags over environment over defaults), and the manifests it applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import { analysisTemplate, loadYaml } from '../../../demo/install.ts';
import { parseDemoOptions } from '../../../demo/options.ts';
import { packagePaths } from '../../../demo/paths.ts';
import { apportion, splitTraffic, targetGroups } from '../../../demo/traffic.ts';
import { ErrorPattern, imageTag, isBadImage } from '../../../demo/versions.ts';

test('image tags and which versions are bad', () => {
  const cases: [string, string, boolean][] = [
    ['argoproj/rollouts-demo:blue', 'blue', false],
    ['argoproj/rollouts-demo:bad-red', 'bad-red', true],
    ['localhost:5000/rollouts-demo', 'latest', false],
    ['localhost:5000/rollouts-demo:bad@sha256:abc', 'bad', true],
    ['rollouts-demo', 'latest', false],
  ];
  for (const [image, tag, bad] of cases) {
    assert.equal(imageTag(image), tag, image);
    assert.equal(isBadImage(image), bad, image);
  }
  const p = new ErrorPattern();
  assert.equal(p.errors('x:bad', 100), 50);
  assert.equal(p.errors('x:good', 100), 0);
  assert.equal(p.errors('x:bad', 1) + p.errors('x:bad', 1), 1, 'no rounding drift');
});

test('apportion splits an integer by weight, parts adding up', () => {
  assert.deepEqual(apportion(100, [20, 80]), [20, 80]);
  assert.deepEqual(apportion(20, [1, 1, 1]), [7, 7, 6]);
  assert.deepEqual(apportion(10, [0, 100]), [0, 10]);
  assert.deepEqual(apportion(10, [0, 0]), [0, 0]);
});

const pod = (name: string, hash: string, image: string, ready = true): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'rollouts-demo', 'rollouts-pod-template-hash': hash } },
  spec: { containers: [{ name: 'rollouts-demo', image }] },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const svc = (name: string, hash?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: {
    selector: { app: 'rollouts-demo', ...(hash ? { 'rollouts-pod-template-hash': hash } : {}) },
  },
});
const action = (canary: number) =>
  JSON.stringify({
    Type: 'forward',
    ForwardConfig: {
      TargetGroups: [
        { ServiceName: 'rollouts-demo-canary', ServicePort: '80', Weight: canary },
        { ServiceName: 'rollouts-demo-stable', ServicePort: '80', Weight: 100 - canary },
      ],
    },
  });
const ingress = (annotation?: string): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: {
    name: 'rollouts-demo-ingress',
    annotations: annotation
      ? { 'alb.ingress.kubernetes.io/actions.rollouts-demo-root': annotation }
      : {},
  },
});

test('traffic follows the ALB action, the Service selectors and pod readiness', () => {
  const route = { rootService: 'rollouts-demo-root' };
  const services = [
    svc('rollouts-demo-root'),
    svc('rollouts-demo-canary', 'c'),
    svc('rollouts-demo-stable', 's'),
  ];
  const pods = [
    pod('s1', 's', 'demo:blue'),
    pod('s2', 's', 'demo:blue'),
    pod('c1', 'c', 'demo:bad-red'),
    pod('c2', 'c', 'demo:bad-red', false),
  ];
  const split = (ing: KubeObject | undefined) =>
    Object.fromEntries(splitTraffic({ ingress: ing, services, pods }, route, 100));

  assert.deepEqual(split(ingress(action(20))), { 'demo:blue': 80, 'demo:bad-red': 20 });
  assert.deepEqual(split(ingress(action(0))), { 'demo:blue': 100 });
  // No action yet (or an unreadable one): the root Service, which selects every ready pod.
  assert.deepEqual(split(ingress()), { 'demo:blue': 67, 'demo:bad-red': 33 });
  assert.deepEqual(targetGroups(ingress('{not json'), route), [
    { service: 'rollouts-demo-root', weight: 100 },
  ]);
  // A target group without ready pods loses its share (the load balancer answers 503).
  const noCanary = splitTraffic(
    { ingress: ingress(action(50)), services, pods: pods.filter((p) => p.metadata.name !== 'c1') },
    route,
    100,
  );
  assert.deepEqual(Object.fromEntries(noCanary), { 'demo:blue': 50 });
});

test('options: defaults, environment, flags', () => {
  const d = parseDemoOptions([], {});
  assert.equal(d.simPort, 8001);
  assert.equal(d.dashboardPort, 3100);
  assert.equal(d.prometheus, 'auto');
  assert.match(d.dataDir, /\/\.demo-data$/);
  assert.match(d.kubeconfig, /\/demo\.kubeconfig$/);
  const e = parseDemoOptions(['--sim-port', '9001'], {
    DEMO_SIM_PORT: '7001',
    DEMO_APP_PORT: '7002',
    DEMO_PROMETHEUS: 'off',
    DEMO_DATA_DIR: '/tmp/x',
  });
  assert.equal(e.simPort, 9001, 'a flag wins over the environment');
  assert.equal(e.appPort, 7002);
  assert.equal(e.prometheus, 'off');
  assert.equal(e.dataDir, '/tmp/x');
  assert.throws(() => parseDemoOptions(['--sim-port', 'x'], {}));
});

test('the manifests: the ALB fixture wiring and both AnalysisTemplates', () => {
  const { manifests } = packagePaths();
  const [ro] = loadYaml(join(manifests, 'rollout.yaml'));
  const canary = (ro?.spec as { strategy: { canary: Record<string, unknown> } }).strategy.canary;
  assert.deepEqual(canary.trafficRouting, {
    alb: { ingress: 'rollouts-demo-ingress', servicePort: 80, rootService: 'rollouts-demo-root' },
  });
  const [ing] = loadYaml(join(manifests, 'ingress.yaml'));
  assert.match(JSON.stringify(ing?.spec), /"name":"use-annotation"/);
  const web = analysisTemplate(manifests, { provider: 'web', appUrl: 'http://127.0.0.1:1' });
  assert.match(
    JSON.stringify(web.spec),
    /http:\/\/127\.0\.0\.1:1\/api\/success-rate\?image=\{\{args\.image\}\}/,
  );
  const prom = analysisTemplate(manifests, {
    provider: 'prometheus',
    prometheusUrl: 'http://127.0.0.1:2',
  });
  assert.match(JSON.stringify(prom.spec), /"address":"http:\/\/127\.0\.0\.1:2"/);
  assert.doesNotMatch(JSON.stringify([web, prom]), /__/);
});
