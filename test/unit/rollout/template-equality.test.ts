import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyBuiltinDefaults } from '../../../sim/api/builtin-defaults.ts';
import { podTemplateHash } from '../../../src/rollout/hash.ts';
import {
  EPHEMERAL_METADATA_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  applyPodTemplateDefaults,
  defaultImagePullPolicy,
  findNewReplicaSet,
  podTemplatesSemanticallyEqual,
  removeInjectedAntiAffinity,
  type ReplicaSetLike,
} from '../../../src/rollout/template-equality.ts';

type Quantities = Record<string, string | number>;
interface Container {
  name: string;
  image?: string;
  imagePullPolicy?: string;
  env: { name: string; value?: string; valueFrom?: unknown }[];
  resources: { requests: Quantities; limits?: Quantities };
  [field: string]: unknown;
}
interface Template {
  metadata: {
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: null;
  };
  spec: { containers: Container[]; [field: string]: unknown };
}

const c0 = (t: Template): Container => t.spec.containers[0]!;

/** A Rollout's spec.template as a user writes it. */
function desired(): Template {
  return {
    metadata: { labels: { app: 'web' } },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/web:1.2.3',
          ports: [{ name: 'http', containerPort: 8080 }],
          env: [
            { name: 'MODE', value: 'prod' },
            { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: 1 } },
          readinessProbe: { httpGet: { port: 'http' } },
          volumeMounts: [{ name: 'cfg', mountPath: '/etc/web' }],
        },
      ],
      volumes: [{ name: 'cfg', configMap: { name: 'web-config' } }],
    },
  };
}

/** How the simulator's API server stores the template of an RS created from `t`. */
function storedBySim(t: Template, hash = 'abc123'): Template {
  const template = structuredClone(t);
  template.metadata.labels[POD_TEMPLATE_HASH_LABEL] = hash;
  const rs = { metadata: { name: 'web-' + hash }, spec: { template } };
  applyBuiltinDefaults('ReplicaSet', rs, true);
  return rs.spec.template;
}

/** How a real kube-apiserver stores it (all PodTemplate defaults, canonical quantities). */
function storedByApiServer(hash = 'abc123'): Template {
  return {
    metadata: {
      creationTimestamp: null,
      labels: { app: 'web', [POD_TEMPLATE_HASH_LABEL]: hash },
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/web:1.2.3',
          imagePullPolicy: 'IfNotPresent',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'MODE', value: 'prod' },
            {
              name: 'POD',
              valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
            },
          ],
          resources: { limits: { cpu: '1' }, requests: { cpu: '250m', memory: '64Mi' } },
          readinessProbe: {
            httpGet: { path: '/', port: 'http', scheme: 'HTTP' },
            timeoutSeconds: 1,
            periodSeconds: 10,
            successThreshold: 1,
            failureThreshold: 3,
          },
          volumeMounts: [{ name: 'cfg', mountPath: '/etc/web' }],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      volumes: [{ name: 'cfg', configMap: { name: 'web-config', defaultMode: 420 } }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
      schedulerName: 'default-scheduler',
    },
  };
}

function rs(name: string, created: string, template: unknown, hash?: string): ReplicaSetLike {
  return {
    metadata: {
      name,
      creationTimestamp: created,
      labels: hash ? { [POD_TEMPLATE_HASH_LABEL]: hash } : {},
    },
    spec: { template },
  };
}

test('RS template stored by the simulator (defaults, creationTimestamp null) equals the desired one', () => {
  const stored = storedBySim(desired());
  assert.equal(stored.metadata.creationTimestamp, null);
  assert.equal(stored.spec.dnsPolicy, 'ClusterFirst');
  assert.ok(podTemplatesSemanticallyEqual(stored, desired()));
});

test('RS template stored by a real API server equals the desired one', () => {
  assert.ok(podTemplatesSemanticallyEqual(storedByApiServer(), desired()));
});

test('equality is symmetric in which side carries the defaults', () => {
  assert.ok(podTemplatesSemanticallyEqual(desired(), storedByApiServer()));
});

test('a changed image is not equal', () => {
  const d = desired();
  c0(d).image = 'registry.example.com/web:1.2.4';
  assert.equal(podTemplatesSemanticallyEqual(storedByApiServer(), d), false);
});

test('a changed env var value is not equal', () => {
  const d = desired();
  c0(d).env[0]!.value = 'staging';
  assert.equal(podTemplatesSemanticallyEqual(storedByApiServer(), d), false);
});

test('an added env var is not equal', () => {
  const d = desired();
  c0(d).env.push({ name: 'NEW', value: '1' });
  assert.equal(podTemplatesSemanticallyEqual(storedByApiServer(), d), false);
});

test('a changed or added label is not equal', () => {
  const changed = desired();
  changed.metadata.labels.app = 'web2';
  assert.equal(podTemplatesSemanticallyEqual(storedByApiServer(), changed), false);
  const added = desired();
  added.metadata.labels.tier = 'frontend';
  assert.equal(podTemplatesSemanticallyEqual(storedByApiServer(), added), false);
});

test('a changed resource request is not equal', () => {
  const d = desired();
  c0(d).resources.requests.memory = '128Mi';
  assert.equal(podTemplatesSemanticallyEqual(storedByApiServer(), d), false);
});

test('quantities compare by value: 0.25 = 250m, 67108864 = 64Mi, "1000m" = 1', () => {
  const d = desired();
  c0(d).resources = {
    requests: { cpu: 0.25, memory: 67108864 },
    limits: { cpu: '1000m' },
  };
  assert.ok(podTemplatesSemanticallyEqual(storedByApiServer(), d));
});

test('sub-milli CPU is rounded up to milli units like SetDefaults_ResourceList', () => {
  const d = desired();
  c0(d).resources.requests.cpu = '249.5m';
  assert.ok(podTemplatesSemanticallyEqual(storedByApiServer(), d));
});

test('empty lists and maps equal absent ones', () => {
  const d = desired();
  d.spec.nodeSelector = {};
  d.spec.tolerations = [];
  c0(d).args = [];
  d.metadata.annotations = {};
  assert.ok(podTemplatesSemanticallyEqual(storedByApiServer(), d));
});

test('the hash label is ignored on both sides', () => {
  const d = desired();
  d.metadata.labels[POD_TEMPLATE_HASH_LABEL] = 'other';
  assert.ok(podTemplatesSemanticallyEqual(storedByApiServer('zzz'), d));
});

test('ephemeral metadata recorded on the RS is removed before comparing', () => {
  const stored = storedByApiServer();
  stored.metadata.labels.role = 'canary';
  stored.metadata.annotations = { note: 'canary' };
  const ephemeralMetadata = { labels: { role: 'canary' }, annotations: { note: 'canary' } };
  assert.ok(podTemplatesSemanticallyEqual(stored, desired(), { ephemeralMetadata }));
  assert.equal(podTemplatesSemanticallyEqual(stored, desired()), false);
});

test('the injected anti-affinity term is removed (configured preferred strategy)', () => {
  const stored = storedByApiServer();
  stored.spec.affinity = {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: {
              matchExpressions: [{ key: POD_TEMPLATE_HASH_LABEL, operator: 'In', values: ['s1'] }],
            },
            namespaces: ['default'],
            topologyKey: 'kubernetes.io/hostname',
          },
        },
      ],
    },
  };
  const antiAffinity = { preferredDuringSchedulingIgnoredDuringExecution: { weight: 100 } };
  assert.ok(podTemplatesSemanticallyEqual(stored, desired(), { antiAffinity }));
  assert.ok(podTemplatesSemanticallyEqual(stored, desired(), { stableHashForAntiAffinity: 's1' }));
  assert.equal(podTemplatesSemanticallyEqual(stored, desired()), false);
  assert.equal(
    podTemplatesSemanticallyEqual(stored, desired(), { stableHashForAntiAffinity: 'other' }),
    false,
  );
});

test('removing the injected required term keeps the user’s own affinity', () => {
  const userTerm = { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'db' } } };
  const injected = {
    labelSelector: {
      matchExpressions: [{ key: POD_TEMPLATE_HASH_LABEL, operator: 'In', values: ['s1'] }],
    },
    namespaces: ['ns'],
    topologyKey: 'kubernetes.io/hostname',
  };
  const affinity = {
    podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [userTerm, injected] },
  };
  assert.deepEqual(
    removeInjectedAntiAffinity(affinity, {
      antiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} },
    }),
    { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [userTerm] } },
  );
  assert.equal(
    removeInjectedAntiAffinity(
      { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [injected] } },
      { stableHashForAntiAffinity: 's1' },
    ),
    undefined,
  );
});

test('deprecated serviceAccount is ignored (as alias of serviceAccountName)', () => {
  const stored = storedByApiServer();
  stored.spec.serviceAccountName = 'runner';
  stored.spec.serviceAccount = 'runner';
  const byName = desired();
  byName.spec.serviceAccountName = 'runner';
  assert.ok(podTemplatesSemanticallyEqual(stored, byName));
  const byDeprecated = desired();
  byDeprecated.spec.serviceAccount = 'runner';
  assert.ok(podTemplatesSemanticallyEqual(stored, byDeprecated));
  const other = desired();
  other.spec.serviceAccountName = 'other';
  assert.equal(podTemplatesSemanticallyEqual(stored, other), false);
});

test('imagePullPolicy defaulting follows the image tag', () => {
  assert.equal(defaultImagePullPolicy('nginx'), 'Always');
  assert.equal(defaultImagePullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultImagePullPolicy('nginx:1.25'), 'IfNotPresent');
  assert.equal(defaultImagePullPolicy('localhost:5000/team/app'), 'Always');
  assert.equal(defaultImagePullPolicy('localhost:5000/team/app:v2'), 'IfNotPresent');
  assert.equal(defaultImagePullPolicy(`nginx@sha256:${'a'.repeat(64)}`), 'IfNotPresent');
  assert.equal(defaultImagePullPolicy(`nginx:latest@sha256:${'a'.repeat(64)}`), 'Always');
  assert.equal(defaultImagePullPolicy('Invalid/Name'), 'IfNotPresent');
});

test('an RS stored with a different pull policy than the default for :latest is not equal', () => {
  const d = desired();
  c0(d).image = 'web:latest';
  const stored = storedByApiServer();
  c0(stored).image = 'web:latest';
  assert.equal(podTemplatesSemanticallyEqual(stored, d), false);
  c0(stored).imagePullPolicy = 'Always';
  assert.ok(podTemplatesSemanticallyEqual(stored, d));
});

test('an explicit non-default value differs from the default', () => {
  const d = desired();
  d.spec.terminationGracePeriodSeconds = 10;
  assert.equal(podTemplatesSemanticallyEqual(storedByApiServer(), d), false);
});

test('IntOrString keeps its type: port 8080 is not "8080"', () => {
  const a = desired();
  c0(a).readinessProbe = { tcpSocket: { port: 8080 } };
  const b = desired();
  c0(b).readinessProbe = { tcpSocket: { port: '8080' } };
  assert.equal(podTemplatesSemanticallyEqual(a, b), false);
  assert.ok(podTemplatesSemanticallyEqual(a, structuredClone(a)));
});

test('fields unknown to the Kubernetes types are ignored', () => {
  const d = desired();
  c0(d).someFutureField = { x: 1 };
  assert.ok(podTemplatesSemanticallyEqual(storedByApiServer(), d));
});

test('probe, lifecycle, volume and env defaults are applied to the desired template', () => {
  const t = applyPodTemplateDefaults({
    spec: {
      containers: [
        {
          name: 'a',
          image: 'a:1',
          env: [{ name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
          livenessProbe: { grpc: { port: 9000 } },
          lifecycle: { preStop: { httpGet: { port: 80 } } },
        },
      ],
      volumes: [
        { name: 'scratch' },
        { name: 'tok', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } },
      ],
    },
  });
  assert.deepEqual(t, {
    spec: {
      containers: [
        {
          name: 'a',
          image: 'a:1',
          env: [
            {
              name: 'NS',
              valueFrom: { fieldRef: { fieldPath: 'metadata.namespace', apiVersion: 'v1' } },
            },
          ],
          livenessProbe: {
            grpc: { port: 9000, service: '' },
            timeoutSeconds: 1,
            periodSeconds: 10,
            successThreshold: 1,
            failureThreshold: 3,
          },
          lifecycle: { preStop: { httpGet: { port: 80, path: '/', scheme: 'HTTP' } } },
          imagePullPolicy: 'IfNotPresent',
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      volumes: [
        { name: 'scratch', emptyDir: {} },
        {
          name: 'tok',
          projected: {
            sources: [{ serviceAccountToken: { path: 't', expirationSeconds: 3600 } }],
            defaultMode: 420,
          },
        },
      ],
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
    },
  });
});

test('applyPodTemplateDefaults is idempotent and does not mutate its input', () => {
  const input = desired();
  const before = structuredClone(input);
  const once = applyPodTemplateDefaults(input);
  assert.deepEqual(applyPodTemplateDefaults(once), once);
  assert.deepEqual(input, before);
});

test('findNewReplicaSet: the RS whose hash label equals the computed hash wins', () => {
  const hash = podTemplateHash(desired());
  const other = rs('web-old', '2024-01-01T00:00:00Z', storedByApiServer('old'), 'old');
  const labelled = rs('web-new', '2024-02-01T00:00:00Z', { spec: { containers: [] } }, hash);
  assert.equal(findNewReplicaSet([other, labelled], desired(), hash), labelled);
});

test('findNewReplicaSet: without a hash match, the oldest semantically equal RS is returned', () => {
  const newer = rs('web-b', '2024-03-01T00:00:00Z', storedByApiServer('b'), 'b');
  const older = rs('web-a', '2024-01-01T00:00:00Z', storedBySim(desired(), 'a'), 'a');
  const changed = desired();
  c0(changed).image = 'registry.example.com/web:9';
  const unrelated = rs('web-c', '2023-01-01T00:00:00Z', storedBySim(changed, 'c'), 'c');
  assert.equal(findNewReplicaSet([newer, unrelated, older], desired(), 'nomatch'), older);
});

test('findNewReplicaSet: equal creation times are ordered by name', () => {
  const b = rs('web-b', '2024-01-01T00:00:00Z', storedByApiServer('b'), 'b');
  const a = rs('web-a', '2024-01-01T00:00:00Z', storedByApiServer('a'), 'a');
  assert.equal(findNewReplicaSet([b, a], desired(), 'nomatch'), a);
});

test('findNewReplicaSet: nothing matches → undefined; null entries are skipped', () => {
  const changed = desired();
  c0(changed).image = 'other:1';
  const only = rs('web-x', '2024-01-01T00:00:00Z', storedBySim(changed, 'x'), 'x');
  assert.equal(findNewReplicaSet([null, only, undefined], desired(), 'nomatch'), undefined);
  assert.equal(findNewReplicaSet([], desired(), 'nomatch'), undefined);
});

test('findNewReplicaSet: reads each RS’s ephemeral-metadata annotation', () => {
  const stored = storedByApiServer('e1');
  stored.metadata.labels.role = 'stable';
  const withAnnotation = rs('web-e1', '2024-01-01T00:00:00Z', stored, 'e1');
  withAnnotation.metadata!.annotations = {
    [EPHEMERAL_METADATA_ANNOTATION]: JSON.stringify({ labels: { role: 'stable' } }),
  };
  assert.equal(findNewReplicaSet([withAnnotation], desired(), 'nomatch'), withAnnotation);
  const withoutAnnotation = rs('web-e2', '2024-01-01T00:00:00Z', structuredClone(stored), 'e2');
  assert.equal(findNewReplicaSet([withoutAnnotation], desired(), 'nomatch'), undefined);
});

test('findNewReplicaSet: currentPodHash is preferred over an older semantic twin', () => {
  const older = rs('web-a', '2024-01-01T00:00:00Z', storedByApiServer('a'), 'a');
  const current = rs('web-b', '2024-02-01T00:00:00Z', storedByApiServer('b'), 'b');
  assert.equal(findNewReplicaSet([older, current], desired(), 'nomatch'), older);
  assert.equal(
    findNewReplicaSet([older, current], desired(), 'nomatch', { currentPodHash: 'b' }),
    current,
  );
});
