// manifests/install.yaml and manifests/namespace-install.yaml against the API server, with the
// real kubectl and plain client-side `kubectl apply`, as the files' headers document: every
// object passes a server-side dry run; a real install creates all of them and the controller
// Deployment becomes available; the controller's ClusterRole / Role has no wildcards, covers
// every access the controller makes (cli-dashboard-ops.md §4.4, as far as this implementation
// goes) and grants nothing beyond it.
//
// Emulator only: a real cluster would get cluster-wide objects (CRDs, ClusterRoles) that the
// conformance suite also manages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { kubectl, type KubectlResult } from '../support/kubectl.ts';
import { REAL_CLUSTER, openTarget, type Target } from '../support/target.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INSTALL = join(ROOT, 'manifests', 'install.yaml');
const NAMESPACE_INSTALL = join(ROOT, 'manifests', 'namespace-install.yaml');
const NS = 'argo-rollouts';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}
interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/**
 * Every access the controller makes, by API group and resource (§4.4, cut to what this
 * implementation does). Writes first: what cluster-ops, the event recorder, leader election and
 * the providers send; then the reads of the informers and lookups.
 */
const NEEDED: { group: string; resources: string[]; verbs: string[]; clusterScoped?: true }[] = [
  // Rollout spec merge patches (pause, abort …) and status subresource patches.
  {
    group: 'argoproj.io',
    resources: ['rollouts'],
    verbs: ['get', 'list', 'watch', 'update', 'patch'],
  },
  {
    group: 'argoproj.io',
    resources: ['rollouts/status', 'rollouts/finalizers'],
    verbs: ['get', 'list', 'watch', 'update', 'patch'],
  },
  {
    group: 'argoproj.io',
    resources: ['analysisruns', 'analysisruns/finalizers', 'experiments', 'experiments/finalizers'],
    verbs: ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'],
  },
  { group: 'argoproj.io', resources: ['analysistemplates'], verbs: ['get', 'list', 'watch'] },
  {
    group: 'argoproj.io',
    resources: ['clusteranalysistemplates'],
    verbs: ['get', 'list', 'watch'],
    clusterScoped: true,
  },
  // ReplicaSets: create per pod-template hash, update (scale, annotations), delete old ones.
  {
    group: 'apps',
    resources: ['replicasets'],
    verbs: ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'],
  },
  // workloadRef Deployments: read, and scaled down.
  { group: 'apps', resources: ['deployments'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
  // Service selector merge patches; experiment Services.
  {
    group: '',
    resources: ['services'],
    verbs: ['get', 'list', 'watch', 'patch', 'create', 'delete'],
  },
  // Leader election: GET, POST, PUT of the Lease.
  { group: 'coordination.k8s.io', resources: ['leases'], verbs: ['create', 'get', 'update'] },
  { group: '', resources: ['secrets', 'configmaps'], verbs: ['get', 'list', 'watch'] },
  { group: '', resources: ['pods'], verbs: ['get', 'list', 'watch', 'patch'] },
  { group: '', resources: ['pods/eviction'], verbs: ['create'] },
  // Events are created, then patched (count, lastTimestamp) when they repeat.
  { group: '', resources: ['events'], verbs: ['create', 'patch'] },
  {
    group: 'networking.k8s.io',
    resources: ['ingresses'],
    verbs: ['create', 'get', 'list', 'watch', 'update', 'patch'],
  },
  // The job metric provider.
  {
    group: 'batch',
    resources: ['jobs'],
    verbs: ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'],
  },
];
/** Granted beyond NEEDED on purpose: Ingresses of the pre-1.22 API group (§4.4). */
const ALSO_GRANTED = [
  {
    group: 'extensions',
    resources: ['ingresses'],
    verbs: ['create', 'get', 'list', 'watch', 'update', 'patch'],
  },
];

function allows(rules: Rule[], group: string, resource: string, verb: string): boolean {
  return rules.some(
    (r) =>
      !r.resourceNames?.length &&
      (r.apiGroups ?? []).includes(group) &&
      (r.resources ?? []).includes(resource) &&
      r.verbs.includes(verb),
  );
}

function assertLeastPrivilege(rules: Rule[], namespaced: boolean): void {
  for (const rule of rules) {
    const all = [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs];
    assert.ok(!all.some((v) => v.includes('*')), `no wildcards: ${JSON.stringify(rule)}`);
    assert.equal(rule.nonResourceURLs, undefined, 'no non-resource URLs');
  }
  const needed = NEEDED.filter((n) => !(namespaced && n.clusterScoped));
  for (const n of needed) {
    for (const resource of n.resources) {
      for (const verb of n.verbs) {
        assert.ok(
          allows(rules, n.group, resource, verb),
          `missing: ${verb} ${n.group || 'core'}/${resource}`,
        );
      }
    }
  }
  // Nothing else: every (group, resource, verb) a rule grants is needed.
  const known = [...needed, ...ALSO_GRANTED];
  for (const rule of rules) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        for (const verb of rule.verbs) {
          assert.ok(
            known.some(
              (n) => n.group === group && n.resources.includes(resource) && n.verbs.includes(verb),
            ),
            `granted but not needed: ${verb} ${group || 'core'}/${resource}`,
          );
        }
      }
    }
  }
}

function docs(file: string): Obj[] {
  return yaml.loadAll(readFileSync(file, 'utf8')).filter((d) => d !== null) as Obj[];
}

const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

describe(
  'install manifests',
  { skip: REAL_CLUSTER ? 'installs cluster-wide objects; emulator only' : false },
  () => {
    let target: Target;
    let cacheDir: string;
    const installDocs = docs(INSTALL);
    const crds = installDocs.filter((d) => d.kind === 'CustomResourceDefinition');

    const k = (args: string[], input?: string): Promise<KubectlResult> =>
      kubectl(args, {
        kubeconfig: target.kubeconfigPath,
        cacheDir,
        ...(input !== undefined ? { input } : {}),
      });
    const ok = async (args: string[], input?: string): Promise<KubectlResult> => {
      const r = await k(args, input);
      assert.equal(r.code, 0, `kubectl ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
      return r;
    };
    const getJson = async <T>(args: string[]): Promise<T> =>
      JSON.parse((await ok(['get', ...args, '-o', 'json'])).stdout) as T;

    before(async () => {
      target = await openTarget();
      cacheDir = join(target.tmpDir, 'kubectl-cache');
      mkdirSync(cacheDir, { recursive: true });
    });
    after(async () => {
      await target?.close();
    });

    test('install.yaml holds the Namespace, the CRDs and the controller objects', () => {
      assert.equal(installDocs[0]?.kind, 'Namespace');
      assert.ok(crds.some((c) => c.metadata.name === 'rollouts.argoproj.io'));
    });

    test('the argo-rollouts Namespace document applies for real', async () => {
      const ns = installDocs.find((d) => d.kind === 'Namespace')!;
      const r = await ok(['apply', '-f', '-'], yaml.dump(ns));
      assert.match(r.stdout, /^namespace\/argo-rollouts created$/m);
    });

    test('install.yaml: every object passes a server-side dry run, and none is stored', async () => {
      const r = await ok(['apply', '--dry-run=server', '-f', INSTALL]);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, installDocs.length);
      for (const l of lines) assert.match(l, /\(server dry run\)$/);
      for (const d of [
        find(installDocs, 'ClusterRole'),
        find(installDocs, 'Deployment'),
        crds[0]!,
      ]) {
        const r = await k([
          'get',
          d.kind,
          d.metadata.name,
          ...(d.metadata.namespace ? ['-n', d.metadata.namespace] : []),
        ]);
        assert.notEqual(r.code, 0, `${d.kind}/${d.metadata.name} was not stored`);
        assert.match(r.stderr, /NotFound/);
      }
    });

    test('namespace-install.yaml passes a server-side dry run in argo-rollouts', async () => {
      const r = await ok(['apply', '--dry-run=server', '-n', NS, '-f', NAMESPACE_INSTALL]);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, docs(NAMESPACE_INSTALL).length);
      for (const l of lines) assert.match(l, /\(server dry run\)$/);
    });

    test('a real install creates every object of install.yaml', async () => {
      const r = await ok(['apply', '-f', INSTALL]);
      assert.equal(r.stdout.trim().split('\n').length, installDocs.length);
      const list = await getJson<{ items: Obj[] }>(['-f', INSTALL]);
      assert.deepEqual(list.items.map(key).sort(), installDocs.map(key).sort());
      for (const crd of crds) {
        await ok([
          'wait',
          '--for=condition=Established',
          '--timeout=10s',
          `crd/${crd.metadata.name}`,
        ]);
      }
      await ok(['get', 'rollouts', '-A']);
      // The emulator's kubelet runs the controller pod without pulling the image: this checks
      // that the Deployment's selector and template agree, and that the metrics Service selects
      // the pod on the port it exposes.
      await ok(['rollout', 'status', '-n', NS, 'deployment/argo-rollouts', '--timeout=30s']);
      const svc = await getJson<{
        spec: { selector: Record<string, string>; ports: { targetPort: number }[] };
      }>(['service', '-n', NS, 'argo-rollouts-metrics']);
      const selector = Object.entries(svc.spec.selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const pods = await getJson<{
        items: { spec: { containers: { ports?: { containerPort: number }[] }[] } }[];
      }>(['pods', '-n', NS, '-l', selector]);
      assert.equal(pods.items.length, 1);
      const containerPorts = pods.items[0]!.spec.containers.flatMap((c) =>
        (c.ports ?? []).map((p) => p.containerPort),
      );
      for (const p of svc.spec.ports) assert.ok(containerPorts.includes(p.targetPort));
    });

    test('the installed ClusterRole: no wildcards, every access the controller makes, nothing else', async () => {
      const role = await getJson<{ rules: Rule[] }>(['clusterrole', 'argo-rollouts']);
      assertLeastPrivilege(role.rules, false);
      const binding = await getJson<Obj>(['clusterrolebinding', 'argo-rollouts']);
      assert.deepEqual(binding.roleRef, {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'argo-rollouts',
      });
      assert.deepEqual(binding.subjects, [
        { kind: 'ServiceAccount', name: 'argo-rollouts', namespace: NS },
      ]);
      const deployment = await getJson<{
        spec: { template: { spec: { serviceAccountName: string } } };
      }>(['deployment', '-n', NS, 'argo-rollouts']);
      assert.equal(deployment.spec.template.spec.serviceAccountName, 'argo-rollouts');
      await ok(['get', 'serviceaccount', '-n', NS, 'argo-rollouts']);
    });

    test('namespace-install.yaml installs into another namespace, with a namespaced Role', async () => {
      const ns = await target.namespace('ns-install');
      await ok(['apply', '-n', ns, '-f', NAMESPACE_INSTALL]);
      const list = await getJson<{ items: Obj[] }>(['-n', ns, '-f', NAMESPACE_INSTALL]);
      assert.equal(list.items.length, docs(NAMESPACE_INSTALL).length);
      const role = await getJson<{ rules: Rule[] }>(['role', '-n', ns, 'argo-rollouts']);
      assertLeastPrivilege(role.rules, true);
      const binding = await getJson<Obj>(['rolebinding', '-n', ns, 'argo-rollouts']);
      assert.deepEqual(binding.roleRef, {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'argo-rollouts',
      });
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'argo-rollouts' }]);
      const deployment = await getJson<{
        spec: { template: { spec: { containers: { args: string[] }[] } } };
      }>(['deployment', '-n', ns, 'argo-rollouts']);
      assert.deepEqual(deployment.spec.template.spec.containers[0]!.args, [
        '--leader-elect',
        '--namespaced',
      ]);
      await ok(['rollout', 'status', '-n', ns, 'deployment/argo-rollouts', '--timeout=30s']);
    });
  },
);

function find(list: Obj[], kind: string, name = 'argo-rollouts'): Obj {
  const found = list.find((d) => d.kind === kind && d.metadata.name === name);
  assert.ok(found, `${kind}/${name}`);
  return found;
}
