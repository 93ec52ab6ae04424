import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError } from '../../../../sim/patch/json.ts';
import { applyStrategicMergePatch } from '../../../../sim/patch/strategic.ts';

type Case = { name: string; kind: string; original: unknown; patch: unknown; expected: unknown };

const meta = { name: 'web', namespace: 'default' };

function withPodSpec(kind: string, podSpec: Record<string, unknown>): Record<string, unknown> {
  return kind === 'Pod'
    ? { metadata: meta, spec: podSpec }
    : {
        metadata: meta,
        spec: { replicas: 1, template: { metadata: { labels: { app: 'web' } }, spec: podSpec } },
      };
}

function templatePatch(podSpecPatch: Record<string, unknown>): Record<string, unknown> {
  return { spec: { template: { spec: podSpecPatch } } };
}

const cases: Case[] = [
  {
    name: 'Service port changed from 80 to 81 (kubectl-generated)',
    kind: 'Service',
    original: {
      metadata: meta,
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
    patch: JSON.parse(
      '{"spec":{"$setElementOrder/ports":[{"port":81}],"ports":[{"name":"http","port":81,"targetPort":8080},{"$patch":"delete","port":80}]}}',
    ) as unknown,
    expected: {
      metadata: meta,
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 81, targetPort: 8080 }] },
    },
  },
  {
    name: 'ConfigMap data: change, delete and add keys',
    kind: 'ConfigMap',
    original: { metadata: meta, data: { a: '1', b: '2' } },
    patch: { data: { a: '10', b: null, c: '3' } },
    expected: { metadata: meta, data: { a: '10', c: '3' } },
  },
  {
    name: 'ReplicaSet container image change keeps the other container',
    kind: 'ReplicaSet',
    original: withPodSpec('ReplicaSet', {
      containers: [
        { name: 'app', image: 'app:v1', ports: [{ containerPort: 8080 }] },
        { name: 'sidecar', image: 'envoy:1' },
      ],
    }),
    patch: templatePatch({
      '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
      containers: [{ image: 'app:v2', name: 'app' }],
    }),
    expected: withPodSpec('ReplicaSet', {
      containers: [
        { name: 'app', image: 'app:v2', ports: [{ containerPort: 8080 }] },
        { name: 'sidecar', image: 'envoy:1' },
      ],
    }),
  },
  {
    name: 'Deployment env merged by name inside the container merged by name',
    kind: 'Deployment',
    original: withPodSpec('Deployment', {
      containers: [
        {
          name: 'app',
          image: 'app:v1',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
      ],
    }),
    patch: templatePatch({
      '$setElementOrder/containers': [{ name: 'app' }],
      containers: [
        {
          name: 'app',
          '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }, { name: 'C' }],
          env: [
            { name: 'B', value: '20' },
            { name: 'C', value: '3' },
          ],
        },
      ],
    }),
    expected: withPodSpec('Deployment', {
      containers: [
        {
          name: 'app',
          image: 'app:v1',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '20' },
            { name: 'C', value: '3' },
          ],
        },
      ],
    }),
  },
  {
    name: 'volume changed from emptyDir to configMap: $retainKeys drops emptyDir',
    kind: 'Deployment',
    original: withPodSpec('Deployment', {
      containers: [{ name: 'app', image: 'app:v1' }],
      volumes: [
        { name: 'cfg', emptyDir: {} },
        { name: 'data', emptyDir: { medium: 'Memory' } },
      ],
    }),
    patch: templatePatch({
      '$setElementOrder/volumes': [{ name: 'cfg' }, { name: 'data' }],
      volumes: [
        { $retainKeys: ['configMap', 'name'], configMap: { name: 'app-config' }, name: 'cfg' },
      ],
    }),
    expected: withPodSpec('Deployment', {
      containers: [{ name: 'app', image: 'app:v1' }],
      volumes: [
        { name: 'cfg', configMap: { name: 'app-config' } },
        { name: 'data', emptyDir: { medium: 'Memory' } },
      ],
    }),
  },
  {
    name: 'finalizers are a union (with kubectl $setElementOrder)',
    kind: 'Deployment',
    original: { metadata: { ...meta, finalizers: ['a'] } },
    patch: { metadata: { '$setElementOrder/finalizers': ['a', 'b'], finalizers: ['b'] } },
    expected: { metadata: { ...meta, finalizers: ['a', 'b'] } },
  },
  {
    name: 'finalizers union without an order puts patch values first, deduplicated (Go order)',
    kind: 'ConfigMap',
    original: { metadata: { ...meta, finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['c', 'a'] } },
    expected: { metadata: { ...meta, finalizers: ['c', 'a', 'b'] } },
  },
  {
    name: '$deleteFromPrimitiveList/finalizers removes values',
    kind: 'Pod',
    original: { metadata: { ...meta, finalizers: ['a', 'b', 'c'] } },
    patch: {
      metadata: {
        '$setElementOrder/finalizers': ['a', 'c'],
        '$deleteFromPrimitiveList/finalizers': ['b'],
      },
    },
    expected: { metadata: { ...meta, finalizers: ['a', 'c'] } },
  },
  {
    name: 'Ingress rules and tls have no strategy and are replaced whole',
    kind: 'Ingress',
    original: {
      metadata: meta,
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }],
        tls: [{ hosts: ['a.example.com'], secretName: 'a' }],
      },
    },
    patch: { spec: { rules: [{ host: 'c.example.com' }], tls: [{ hosts: ['c.example.com'] }] } },
    expected: {
      metadata: meta,
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'c.example.com' }],
        tls: [{ hosts: ['c.example.com'] }],
      },
    },
  },
  {
    name: '$patch: replace on a map replaces it whole',
    kind: 'Deployment',
    original: { metadata: { ...meta, labels: { app: 'web', tier: 'frontend' } } },
    patch: { metadata: { labels: { $patch: 'replace', app: 'api' } } },
    expected: { metadata: { ...meta, labels: { app: 'api' } } },
  },
  {
    name: '$patch: delete on a map removes it',
    kind: 'Deployment',
    original: { metadata: { ...meta, annotations: { a: '1' }, labels: { app: 'web' } } },
    patch: { metadata: { annotations: { $patch: 'delete' } } },
    expected: { metadata: { ...meta, labels: { app: 'web' } } },
  },
  {
    name: '$patch: merge on a map is an explicit ordinary merge',
    kind: 'Deployment',
    original: { metadata: { ...meta, labels: { app: 'web' } } },
    patch: { metadata: { labels: { $patch: 'merge', tier: 'frontend' } } },
    expected: { metadata: { ...meta, labels: { app: 'web', tier: 'frontend' } } },
  },
  {
    name: '$patch: delete on a list element removes the element with that key',
    kind: 'Pod',
    original: withPodSpec('Pod', {
      containers: [
        { name: 'app', image: 'app:v1' },
        { name: 'sidecar', image: 'envoy:1' },
      ],
    }),
    patch: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } },
    expected: withPodSpec('Pod', { containers: [{ name: 'app', image: 'app:v1' }] }),
  },
  {
    name: '{"$patch":"replace"} list element replaces the list with the other elements',
    kind: 'Pod',
    original: withPodSpec('Pod', {
      containers: [
        { name: 'app', image: 'app:v1', ports: [{ containerPort: 80 }] },
        { name: 'sidecar', image: 'envoy:1' },
      ],
    }),
    patch: { spec: { containers: [{ $patch: 'replace' }, { name: 'app', image: 'app:v2' }] } },
    expected: withPodSpec('Pod', { containers: [{ name: 'app', image: 'app:v2' }] }),
  },
  {
    name: 'null deletes a key at any depth',
    kind: 'Deployment',
    original: withPodSpec('Deployment', {
      containers: [{ name: 'app', image: 'app:v1' }],
      nodeSelector: { a: 'b' },
    }),
    patch: { spec: { replicas: null, template: { spec: { nodeSelector: null } } } },
    expected: {
      metadata: meta,
      spec: {
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'app', image: 'app:v1' }] },
        },
      },
    },
  },
  {
    name: 'tolerations have no strategy and are replaced whole',
    kind: 'Pod',
    original: withPodSpec('Pod', { tolerations: [{ key: 'a', operator: 'Exists' }] }),
    patch: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } },
    expected: withPodSpec('Pod', { tolerations: [{ key: 'b', operator: 'Exists' }] }),
  },
  {
    name: 'container ports merged by containerPort',
    kind: 'Pod',
    original: withPodSpec('Pod', {
      containers: [{ name: 'app', ports: [{ containerPort: 80, name: 'http' }] }],
    }),
    patch: {
      spec: { containers: [{ name: 'app', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
    },
    expected: withPodSpec('Pod', {
      containers: [{ name: 'app', ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }] }],
    }),
  },
  {
    name: 'ownerReferences merged by uid',
    kind: 'ReplicaSet',
    original: {
      metadata: { ...meta, ownerReferences: [{ uid: 'u1', kind: 'Deployment', name: 'web' }] },
    },
    patch: { metadata: { ownerReferences: [{ uid: 'u1', controller: true }] } },
    expected: {
      metadata: {
        ...meta,
        ownerReferences: [{ uid: 'u1', kind: 'Deployment', name: 'web', controller: true }],
      },
    },
  },
  {
    name: 'Deployment status.conditions merged by type',
    kind: 'Deployment',
    original: {
      metadata: meta,
      status: {
        conditions: [
          { type: 'Available', status: 'False' },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated' },
        ],
      },
    },
    patch: { status: { conditions: [{ type: 'Available', status: 'True' }] } },
    expected: {
      metadata: meta,
      status: {
        conditions: [
          { type: 'Available', status: 'True' },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated' },
        ],
      },
    },
  },
  {
    name: 'Pod status podIPs merged by ip',
    kind: 'Pod',
    original: { metadata: meta, status: { podIPs: [{ ip: '10.0.0.1' }] } },
    patch: {
      status: {
        '$setElementOrder/podIPs': [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }],
        podIPs: [{ ip: 'fd00::1' }],
      },
    },
    expected: { metadata: meta, status: { podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] } },
  },
  {
    name: 'Deployment spec.strategy with $retainKeys drops rollingUpdate',
    kind: 'Deployment',
    original: {
      metadata: meta,
      spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } },
    },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    expected: { metadata: meta, spec: { strategy: { type: 'Recreate' } } },
  },
  {
    name: 'without $setElementOrder the patch order wins over the original order (Go order)',
    kind: 'Pod',
    original: withPodSpec('Pod', {
      containers: [{ name: 'app', env: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] }],
    }),
    patch: {
      spec: {
        containers: [
          {
            name: 'app',
            env: [
              { name: '3', value: 'c' },
              { name: '1', value: 'a' },
            ],
          },
        ],
      },
    },
    expected: withPodSpec('Pod', {
      containers: [
        {
          name: 'app',
          env: [
            { name: '2', value: 'b' },
            { name: '3', value: 'c' },
            { name: '1', value: 'a' },
          ],
        },
      ],
    }),
  },
  {
    name: 'a new element without $setElementOrder goes before the server-only ones (Go order)',
    kind: 'Pod',
    original: withPodSpec('Pod', { containers: [{ name: 'app', image: 'app:v1' }] }),
    patch: { spec: { containers: [{ name: 'sidecar', image: 'envoy:1' }] } },
    expected: withPodSpec('Pod', {
      containers: [
        { name: 'sidecar', image: 'envoy:1' },
        { name: 'app', image: 'app:v1' },
      ],
    }),
  },
  {
    name: 'directives inside a newly added element are resolved, not stored',
    kind: 'Pod',
    original: withPodSpec('Pod', { containers: [{ name: 'app' }] }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'new' }],
        containers: [
          {
            name: 'new',
            env: [
              { name: 'X', value: '1' },
              { name: 'Y', $patch: 'delete' },
              { name: 'Z', value: null },
            ],
            securityContext: { $patch: 'replace', runAsUser: 1000 },
          },
        ],
      },
    },
    expected: withPodSpec('Pod', {
      containers: [
        { name: 'app' },
        {
          name: 'new',
          env: [{ name: 'X', value: '1' }, { name: 'Z' }],
          securityContext: { runAsUser: 1000 },
        },
      ],
    }),
  },
  {
    name: 'a field whose type changes is replaced',
    kind: 'Pod',
    original: { metadata: meta, spec: { containers: [{ name: 'app', args: ['a'] }] } },
    patch: { spec: { containers: [{ name: 'app', args: 'not-a-list' }] } },
    expected: { metadata: meta, spec: { containers: [{ name: 'app', args: 'not-a-list' }] } },
  },
  {
    name: 'unknown kind: lists are replaced but ObjectMeta lists still merge',
    kind: 'Rollout',
    original: {
      metadata: { ...meta, finalizers: ['a'] },
      spec: { steps: [{ setWeight: 20 }, { pause: {} }] },
    },
    patch: {
      metadata: { '$setElementOrder/finalizers': ['a', 'b'], finalizers: ['b'] },
      spec: { steps: [{ setWeight: 50 }] },
    },
    expected: {
      metadata: { ...meta, finalizers: ['a', 'b'] },
      spec: { steps: [{ setWeight: 50 }] },
    },
  },
  {
    name: 'ServiceAccount secrets merged by name, imagePullSecrets replaced',
    kind: 'ServiceAccount',
    original: { metadata: meta, secrets: [{ name: 's1' }], imagePullSecrets: [{ name: 'p1' }] },
    patch: {
      '$setElementOrder/secrets': [{ name: 's1' }, { name: 's2' }],
      secrets: [{ name: 's2' }],
      imagePullSecrets: [{ name: 'p2' }],
    },
    expected: {
      metadata: meta,
      secrets: [{ name: 's1' }, { name: 's2' }],
      imagePullSecrets: [{ name: 'p2' }],
    },
  },
  {
    name: '$setElementOrder alone reorders a list (kubectl-generated reorder)',
    kind: 'Pod',
    original: withPodSpec('Pod', {
      containers: [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:1' },
        { name: 'c', image: 'c:1' },
      ],
    }),
    patch: {
      spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] },
    },
    expected: withPodSpec('Pod', {
      containers: [
        { name: 'c', image: 'c:1' },
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:1' },
      ],
    }),
  },
  {
    name: '$patch: delete for a merge key that is not present changes nothing',
    kind: 'Service',
    original: { metadata: meta, spec: { ports: [{ port: 80 }] } },
    patch: { spec: { ports: [{ port: 443, $patch: 'delete' }] } },
    expected: { metadata: meta, spec: { ports: [{ port: 80 }] } },
  },
];

for (const c of cases) {
  test(`strategic merge patch: ${c.name}`, () => {
    assert.deepStrictEqual(applyStrategicMergePatch(c.original, c.patch, c.kind), c.expected);
  });
}

type ErrorCase = { name: string; kind: string; original: unknown; patch: unknown; message: RegExp };

const errorCases: ErrorCase[] = [
  {
    name: 'body is not an object',
    kind: 'Pod',
    original: { metadata: meta },
    patch: [{ op: 'add' }],
    message: /body must be a JSON object/,
  },
  {
    name: 'unknown $patch value on a map',
    kind: 'ConfigMap',
    original: { metadata: meta, data: {} },
    patch: { data: { $patch: 'explode' } },
    message: /at data: unknown \$patch directive "explode"/,
  },
  {
    name: 'unknown $patch value on a list element',
    kind: 'Pod',
    original: withPodSpec('Pod', { containers: [{ name: 'app' }] }),
    patch: { spec: { containers: [{ name: 'app', $patch: 'remove' }] } },
    message: /at spec\.containers: unknown \$patch directive "remove" in list element/,
  },
  {
    name: '$patch: delete element without the merge key',
    kind: 'Service',
    original: { metadata: meta, spec: { ports: [{ port: 80 }] } },
    patch: { spec: { ports: [{ name: 'http', $patch: 'delete' }] } },
    message: /has no merge key "port"/,
  },
  {
    name: '$retainKeys is not a list',
    kind: 'Deployment',
    original: { metadata: meta, spec: { strategy: { type: 'Recreate' } } },
    patch: { spec: { strategy: { $retainKeys: 'type' } } },
    message: /\$retainKeys must be a list/,
  },
  {
    name: 'patch sets a field missing from $retainKeys',
    kind: 'Deployment',
    original: { metadata: meta, spec: { strategy: { type: 'Recreate' } } },
    patch: {
      spec: {
        strategy: { $retainKeys: ['type'], type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
      },
    },
    message: /field "rollingUpdate" is set by the patch but missing from \$retainKeys/,
  },
  {
    name: '$setElementOrder disagrees with the patch list order',
    kind: 'Pod',
    original: withPodSpec('Pod', { containers: [{ name: 'a' }, { name: 'b' }] }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
        containers: [{ name: 'b' }, { name: 'a' }],
      },
    },
    message: /order of the patch list does not match/,
  },
  {
    name: '$setElementOrder is not a list',
    kind: 'Pod',
    original: withPodSpec('Pod', { containers: [{ name: 'a' }] }),
    patch: { spec: { '$setElementOrder/containers': { name: 'a' } } },
    message: /\$setElementOrder\/containers must be a list/,
  },
  {
    name: 'directive key without a field name',
    kind: 'Pod',
    original: { metadata: meta },
    patch: { metadata: { $deleteFromPrimitiveList: ['a'] } },
    message: /malformed directive key "\$deleteFromPrimitiveList"/,
  },
  {
    name: '$deleteFromPrimitiveList value is not a list of primitives',
    kind: 'Pod',
    original: { metadata: { ...meta, finalizers: ['a'] } },
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': [{ name: 'a' }] } },
    message: /\$deleteFromPrimitiveList\/finalizers must be a list of primitive values/,
  },
  {
    name: 'merge-list element without its merge key',
    kind: 'Pod',
    original: withPodSpec('Pod', { containers: [{ name: 'app' }] }),
    patch: { spec: { containers: [{ image: 'x' }] } },
    message: /at spec\.containers: element .* has no merge key "name"/,
  },
  {
    name: 'merge list with mixed element types',
    kind: 'Pod',
    original: { metadata: { ...meta, finalizers: ['a'] } },
    patch: { metadata: { finalizers: [1] } },
    message: /list elements are not all of the same type/,
  },
];

for (const c of errorCases) {
  test(`strategic merge patch error: ${c.name}`, () => {
    assert.throws(
      () => applyStrategicMergePatch(c.original, c.patch, c.kind),
      (err: unknown) => err instanceof PatchError && c.message.test(err.message),
    );
  });
}

test('strategic merge patch: inputs are not mutated and the result shares nothing with them', () => {
  const original = withPodSpec('Deployment', {
    containers: [
      { name: 'app', image: 'app:v1', env: [{ name: 'A', value: '1' }] },
      { name: 'sidecar', image: 'envoy:1' },
    ],
    volumes: [{ name: 'cfg', emptyDir: {} }],
  });
  const patch = templatePatch({
    '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
    containers: [
      { name: 'app', env: [{ name: 'B', value: '2' }] },
      { name: 'sidecar', $patch: 'delete' },
    ],
    volumes: [{ $retainKeys: ['name', 'configMap'], name: 'cfg', configMap: { name: 'c' } }],
  });
  const originalCopy = structuredClone(original);
  const patchCopy = structuredClone(patch);

  const result = applyStrategicMergePatch(original, patch, 'Deployment') as {
    spec: {
      template: {
        spec: {
          containers: Array<{ env: unknown[] }>;
          volumes: Array<{ configMap: { name: string } }>;
        };
      };
    };
  };
  assert.deepStrictEqual(original, originalCopy);
  assert.deepStrictEqual(patch, patchCopy);

  result.spec.template.spec.containers[0]!.env.push({ name: 'X' });
  result.spec.template.spec.volumes[0]!.configMap.name = 'mutated';
  assert.deepStrictEqual(original, originalCopy);
  assert.deepStrictEqual(patch, patchCopy);
});
