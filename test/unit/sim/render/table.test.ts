import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import yaml from 'js-yaml';
import type { KubeObject, PrinterColumn, ResourceType } from '../../../../sim/registry/types.ts';
import { renderTable, renderTableForWatchEvent, type Table } from '../../../../sim/render/table.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
/** A creationTimestamp `seconds` before NOW. */
const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString();

interface CrdDoc {
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
    };
    versions: { name: string; additionalPrinterColumns: PrinterColumn[] }[];
  };
}

function loadRolloutCrd(): CrdDoc {
  const url = new URL(
    '../../../../../shared/fixtures/argo-rollouts/crds/rollout-crd.yaml',
    import.meta.url,
  );
  return yaml.load(readFileSync(url, 'utf8'), { schema: yaml.CORE_SCHEMA }) as CrdDoc;
}

function builtin(group: string, version: string, kind: string, resource: string): ResourceType {
  return {
    group,
    version,
    resource,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    subresources: { status: true },
    builtin: true,
    storage: resource,
  };
}

function obj(name: string, rest: Record<string, unknown> = {}, age = 15): KubeObject {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '42',
      creationTimestamp: ago(age),
      labels: { app: 'demo' },
    },
    ...rest,
  };
}

function col(t: Table, name: string): number {
  const i = t.columnDefinitions.findIndex((c) => c.name === name);
  assert.notEqual(i, -1, `column ${name}`);
  return i;
}

function cell(t: Table, row: number, name: string): unknown {
  return t.rows[row]?.cells[col(t, name)];
}

describe('renderTable for a CRD (Argo Rollout printer columns)', () => {
  const crd = loadRolloutCrd();
  const version = crd.spec.versions[0];
  assert.ok(version);
  const rt: ResourceType = {
    group: crd.spec.group,
    version: version.name,
    resource: crd.spec.names.plural,
    singular: crd.spec.names.singular,
    kind: crd.spec.names.kind,
    listKind: crd.spec.names.listKind,
    namespaced: true,
    shortNames: crd.spec.names.shortNames,
    categories: ['all'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'],
    subresources: {
      status: true,
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.HPAReplicas' },
    },
    builtin: false,
    printerColumns: version.additionalPrinterColumns,
    storage: 'rollouts.argoproj.io',
  };
  const fresh = obj('demo', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    spec: { replicas: 2 },
  });
  const running = obj(
    'live',
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      spec: { replicas: 5 },
      status: { replicas: 5, updatedReplicas: 3, availableReplicas: 4 },
    },
    3 * 3600 + 60,
  );
  const table = renderTable(rt, [fresh, running], NOW, '1004');

  it('has the Table envelope and the list resourceVersion', () => {
    assert.equal(table.kind, 'Table');
    assert.equal(table.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(table.metadata, { resourceVersion: '1004' });
  });

  it('starts with Name (format name) followed by the CRD columns, in order', () => {
    assert.deepEqual(
      table.columnDefinitions.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Desired', 'integer', '', 0],
        ['Current', 'integer', '', 0],
        ['Up-to-date', 'integer', '', 0],
        ['Available', 'integer', '', 0],
        ['Age', 'date', '', 0],
      ],
    );
    assert.equal(table.columnDefinitions[1]?.description, 'Number of desired pods');
    assert.match(
      table.columnDefinitions[0]?.description ?? '',
      /^Name must be unique within a namespace/,
    );
  });

  it('leaves status columns null for a Rollout without status', () => {
    assert.deepEqual(table.rows[0]?.cells, ['demo', 2, null, null, null, '15s']);
  });

  it('fills integers as JSON numbers and the date as an age', () => {
    assert.deepEqual(table.rows[1]?.cells, ['live', 5, 5, 3, 4, '3h1m']);
  });

  it('carries PartialObjectMetadata with the full metadata by default', () => {
    assert.deepEqual(table.rows[0]?.object, {
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: fresh.metadata,
    });
    assert.equal(table.rows[0]?.conditions, undefined);
  });

  it('honours includeObject', () => {
    assert.equal(
      renderTable(rt, [fresh], NOW, '1', { includeObject: 'None' }).rows[0]?.object,
      null,
    );
    assert.equal(
      renderTable(rt, [fresh], NOW, '1', { includeObject: 'Object' }).rows[0]?.object,
      fresh,
    );
  });

  it('renders a watch event as one row with the same columns', () => {
    const event = renderTableForWatchEvent(rt, running, NOW);
    assert.deepEqual(event.columnDefinitions, table.columnDefinitions);
    assert.equal(event.rows.length, 1);
    assert.deepEqual(event.rows[0]?.cells, table.rows[1]?.cells);
    assert.deepEqual(event.metadata, { resourceVersion: '42' });
  });

  it('serves a single Age column when the CRD defines none', () => {
    const bare = renderTable({ ...rt, printerColumns: [] }, [fresh], NOW, '1');
    assert.deepEqual(
      bare.columnDefinitions.map((c) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Age', 'date'],
      ],
    );
    assert.deepEqual(bare.rows[0]?.cells, ['demo', '15s']);
  });

  it('converts cells per column type like the apiextensions convertor', () => {
    const columns: PrinterColumn[] = [
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Replicas', type: 'string', jsonPath: '.spec.replicas' },
      { name: 'Ratio', type: 'string', jsonPath: '.spec.ratio' },
      { name: 'Paused', type: 'string', jsonPath: '.spec.paused' },
      { name: 'Selector', type: 'string', jsonPath: '.spec.selector' },
      { name: 'First', type: 'string', jsonPath: '.spec.items[*].name' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Floor', type: 'integer', jsonPath: '.spec.ratio' },
      { name: 'NotInt', type: 'integer', jsonPath: '.status.phase' },
      { name: 'Num', type: 'number', jsonPath: '.spec.ratio' },
      { name: 'Bool', type: 'boolean', jsonPath: '.spec.paused' },
      { name: 'When', type: 'date', jsonPath: '.status.when' },
      { name: 'Bad', type: 'date', jsonPath: '.status.phase' },
      { name: 'Broken', type: 'string', jsonPath: '.spec[' },
      { name: 'Wide', type: 'string', jsonPath: '.spec.replicas', priority: 1, format: 'int32' },
    ];
    const o = obj('x', {
      spec: {
        replicas: 3,
        ratio: 2.5,
        paused: true,
        selector: { matchLabels: { b: '2', a: '<1>' } },
        items: [{ name: 'one' }, { name: 'two' }],
      },
      status: {
        phase: 'Healthy',
        when: ago(90),
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
    const t = renderTable({ ...rt, printerColumns: columns }, [o], NOW, '1');
    assert.deepEqual(t.rows[0]?.cells, [
      'x',
      'Healthy',
      '3',
      '2.5',
      'true',
      '{"matchLabels":{"a":"\\u003c1\\u003e","b":"2"}}',
      'one',
      'True',
      2,
      null,
      2.5,
      true,
      '90s',
      '<invalid>',
      null,
      '3',
    ]);
    const wide = t.columnDefinitions.at(-1);
    assert.deepEqual([wide?.priority, wide?.format], [1, 'int32']);
    assert.equal(
      t.columnDefinitions[1]?.description,
      'Custom resource definition column (in JSONPath format): .status.phase',
    );
  });
});

describe('renderTable for built-ins', () => {
  it('prints Pods like printPod, wide columns included', () => {
    const rt = builtin('', 'v1', 'Pod', 'pods');
    const running = obj('web-1', {
      spec: { containers: [{ name: 'app', image: 'nginx' }], nodeName: 'node-a' },
      status: {
        phase: 'Running',
        podIP: '10.0.0.7',
        podIPs: [{ ip: '10.0.0.7' }],
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          { name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: ago(10) } } },
        ],
      },
    });
    const crashing = obj('web-2', {
      spec: {
        containers: [
          { name: 'app', image: 'nginx' },
          { name: 'side', image: 'envoy' },
        ],
      },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, finishedAt: ago(125) } },
          },
          { name: 'side', ready: true, restartCount: 0, state: { running: {} } },
        ],
      },
    });
    const terminating = obj('web-3', {
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
      status: { phase: 'Running' },
    });
    terminating.metadata.deletionTimestamp = ago(0);
    const done = obj('job-pod', {
      spec: { containers: [{ name: 'app', image: 'busybox' }] },
      status: {
        phase: 'Succeeded',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            state: { terminated: { exitCode: 0, reason: 'Completed' } },
          },
        ],
      },
    });
    const t = renderTable(rt, [running, crashing, terminating, done], NOW, '7');
    assert.deepEqual(
      t.columnDefinitions.map((c) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['Ready', 0],
        ['Status', 0],
        ['Restarts', 0],
        ['Age', 0],
        ['IP', 1],
        ['Node', 1],
        ['Nominated Node', 1],
        ['Readiness Gates', 1],
      ],
    );
    assert.deepEqual(t.rows[0]?.cells, [
      'web-1',
      '1/1',
      'Running',
      '0',
      '15s',
      '10.0.0.7',
      'node-a',
      '<none>',
      '<none>',
    ]);
    assert.deepEqual(t.rows[1]?.cells.slice(0, 4), [
      'web-2',
      '1/2',
      'CrashLoopBackOff',
      '4 (2m5s ago)',
    ]);
    assert.equal(cell(t, 2, 'Status'), 'Terminating');
    assert.equal(cell(t, 3, 'Status'), 'Completed');
    assert.deepEqual(t.rows[3]?.conditions, [
      {
        type: 'Completed',
        status: 'True',
        reason: 'Succeeded',
        message: 'The pod has completed successfully.',
      },
    ]);
  });

  it('prints init-container progress', () => {
    const rt = builtin('', 'v1', 'Pod', 'pods');
    const pod = obj('init', {
      spec: {
        initContainers: [
          { name: 'a', image: 'x' },
          { name: 'b', image: 'x' },
        ],
        containers: [{ name: 'app', image: 'x' }],
      },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'a', state: { terminated: { exitCode: 0 } } },
          { name: 'b', state: { running: {} } },
        ],
      },
    });
    assert.equal(cell(renderTable(rt, [pod], NOW, '1'), 0, 'Status'), 'Init:1/2');
  });

  it('prints Services like printService', () => {
    const rt = builtin('', 'v1', 'Service', 'services');
    const cluster = obj('demo-svc', {
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
        selector: { app: 'demo' },
      },
    });
    const nodePort = obj('np', {
      spec: {
        type: 'NodePort',
        clusterIPs: ['10.96.0.11'],
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 53, protocol: 'UDP' },
        ],
        selector: { tier: 'web', app: 'demo' },
      },
    });
    const lb = obj('lb', {
      spec: {
        type: 'LoadBalancer',
        clusterIPs: ['10.96.0.12'],
        ports: [{ port: 443, nodePort: 31443 }],
      },
    });
    const t = renderTable(rt, [cluster, nodePort, lb], NOW, '1');
    assert.deepEqual(
      t.columnDefinitions.map((c) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['Type', 0],
        ['Cluster-IP', 0],
        ['External-IP', 0],
        ['Port(s)', 0],
        ['Age', 0],
        ['Selector', 1],
      ],
    );
    assert.deepEqual(t.rows[0]?.cells, [
      'demo-svc',
      'ClusterIP',
      '10.96.0.10',
      '<none>',
      '80/TCP',
      '15s',
      'app=demo',
    ]);
    assert.deepEqual(t.rows[1]?.cells, [
      'np',
      'NodePort',
      '10.96.0.11',
      '<none>',
      '80:30080/TCP,53/UDP',
      '15s',
      'app=demo,tier=web',
    ]);
    assert.deepEqual(t.rows[2]?.cells, [
      'lb',
      'LoadBalancer',
      '10.96.0.12',
      '<pending>',
      '443:31443/TCP',
      '15s',
      '<none>',
    ]);
  });

  it('prints ReplicaSets like printReplicaSet', () => {
    const rt = builtin('apps', 'v1', 'ReplicaSet', 'replicasets');
    const rs = obj('demo-6f7d', {
      spec: {
        replicas: 3,
        selector: {
          matchLabels: { app: 'demo', 'rollouts-pod-template-hash': '6f7d' },
          matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'canary'] }],
        },
        template: {
          spec: {
            containers: [
              { name: 'app', image: 'nginx:1.25' },
              { name: 'side', image: 'envoy:1.30' },
            ],
          },
        },
      },
      status: { replicas: 3, readyReplicas: 2 },
    });
    const t = renderTable(rt, [rs], NOW, '1');
    assert.deepEqual(
      t.columnDefinitions.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Desired', 'integer', 0],
        ['Current', 'integer', 0],
        ['Ready', 'integer', 0],
        ['Age', 'string', 0],
        ['Containers', 'string', 1],
        ['Images', 'string', 1],
        ['Selector', 'string', 1],
      ],
    );
    assert.deepEqual(t.rows[0]?.cells, [
      'demo-6f7d',
      3,
      3,
      2,
      '15s',
      'app,side',
      'nginx:1.25,envoy:1.30',
      'app=demo,env in (canary,prod),rollouts-pod-template-hash=6f7d',
    ]);
  });

  it('prints Deployments like printDeployment', () => {
    const rt = builtin('apps', 'v1', 'Deployment', 'deployments');
    const d = obj(
      'demo',
      {
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'demo' } },
          template: { spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
        },
        status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
      },
      2 * 86400 + 3600,
    );
    const t = renderTable(rt, [d], NOW, '1');
    assert.deepEqual(
      t.columnDefinitions.map((c) => c.name),
      ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'],
    );
    assert.deepEqual(t.rows[0]?.cells, [
      'demo',
      '2/3',
      3,
      2,
      '2d1h',
      'app',
      'nginx:1.25',
      'app=demo',
    ]);
  });

  it('prints Ingresses like printIngress', () => {
    const rt = builtin('networking.k8s.io', 'v1', 'Ingress', 'ingresses');
    const plain = obj('web', {
      spec: { rules: [{ http: { paths: [] } }] },
    });
    const tls = obj('tls', {
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['a.example.com'] }],
        rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }],
      },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }, { hostname: 'lb.example.com' }] } },
    });
    const many = obj('many', {
      spec: { rules: [{ host: 'a' }, { host: 'b' }, { host: 'c' }, { host: 'd' }, { host: 'e' }] },
    });
    const t = renderTable(rt, [plain, tls, many], NOW, '1');
    assert.deepEqual(
      t.columnDefinitions.map((c) => c.name),
      ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age'],
    );
    assert.deepEqual(t.rows[0]?.cells, ['web', '<none>', '*', '', '80', '15s']);
    assert.deepEqual(t.rows[1]?.cells, [
      'tls',
      'nginx',
      'a.example.com,b.example.com',
      '192.0.2.10,lb.example.com',
      '80, 443',
      '15s',
    ]);
    assert.equal(cell(t, 2, 'Hosts'), 'a,b,c + 2 more...');
  });

  it('prints the smaller core kinds', () => {
    const cm = renderTable(
      builtin('', 'v1', 'ConfigMap', 'configmaps'),
      [obj('cfg', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } })],
      NOW,
      '1',
    );
    assert.deepEqual(cm.rows[0]?.cells, ['cfg', 3, '15s']);
    const secret = renderTable(
      builtin('', 'v1', 'Secret', 'secrets'),
      [obj('s', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } })],
      NOW,
      '1',
    );
    assert.deepEqual(secret.rows[0]?.cells, ['s', 'kubernetes.io/tls', 2, '15s']);
    const ns = renderTable(
      { ...builtin('', 'v1', 'Namespace', 'namespaces'), namespaced: false },
      [obj('default', { status: { phase: 'Active' } })],
      NOW,
      '1',
    );
    assert.deepEqual(ns.rows[0]?.cells, ['default', 'Active', '15s']);
    const ep = renderTable(
      builtin('', 'v1', 'Endpoints', 'endpoints'),
      [
        obj('demo', {
          subsets: [
            {
              addresses: [
                { ip: '10.0.0.1' },
                { ip: '10.0.0.2' },
                { ip: '10.0.0.3' },
                { ip: '10.0.0.4' },
              ],
              ports: [{ port: 8080 }],
            },
          ],
        }),
        obj('empty'),
      ],
      NOW,
      '1',
    );
    assert.deepEqual(
      ep.rows.map((r) => r.cells[1]),
      ['10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 1 more...', '<none>'],
    );
    const sa = renderTable(
      builtin('', 'v1', 'ServiceAccount', 'serviceaccounts'),
      [obj('default', { secrets: [{ name: 'tok' }] })],
      NOW,
      '1',
    );
    assert.deepEqual(sa.rows[0]?.cells, ['default', 1, '15s']);
    const lease = renderTable(
      builtin('coordination.k8s.io', 'v1', 'Lease', 'leases'),
      [obj('argo-rollouts-controller-lock', { spec: { holderIdentity: 'pod-1_abc' } })],
      NOW,
      '1',
    );
    assert.deepEqual(lease.rows[0]?.cells, ['argo-rollouts-controller-lock', 'pod-1_abc', '15s']);
  });

  it('prints Events of both API shapes', () => {
    const core = obj('demo.17a', {
      involvedObject: { kind: 'Rollout', name: 'demo', namespace: 'default' },
      reason: 'RolloutUpdated',
      message: ' Rollout updated to revision 2 ',
      type: 'Normal',
      source: { component: 'rollouts-controller' },
      firstTimestamp: ago(300),
      lastTimestamp: ago(30),
      count: 3,
    });
    const modern = obj('demo.17b', {
      regarding: { kind: 'Rollout', name: 'demo' },
      reason: 'Paused',
      note: 'Rollout is paused',
      type: 'Normal',
      eventTime: ago(45),
      reportingController: 'argo-rollouts',
      reportingInstance: 'pod-1',
    });
    for (const rt of [
      builtin('', 'v1', 'Event', 'events'),
      builtin('events.k8s.io', 'v1', 'Event', 'events'),
    ]) {
      const t = renderTable(rt, [core, modern], NOW, '1');
      assert.deepEqual(
        t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name),
        ['Last Seen', 'Type', 'Reason', 'Object', 'Message'],
      );
      const nameCol = t.columnDefinitions.find((c) => c.format === 'name');
      assert.deepEqual([nameCol?.name, nameCol?.priority], ['Name', 1]);
      assert.deepEqual(t.rows[0]?.cells, [
        '30s',
        'Normal',
        'RolloutUpdated',
        'rollout/demo',
        '',
        'rollouts-controller',
        'Rollout updated to revision 2',
        '5m',
        3,
        'demo.17a',
      ]);
      assert.deepEqual(t.rows[1]?.cells, [
        '45s',
        'Normal',
        'Paused',
        'rollout/demo',
        '',
        'argo-rollouts, pod-1',
        'Rollout is paused',
        '45s',
        1,
        'demo.17b',
      ]);
    }
  });

  it('prints Jobs like printJob', () => {
    const rt = builtin('batch', 'v1', 'Job', 'jobs');
    const done = obj('analysis-job', {
      spec: {
        completions: 1,
        template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      },
      status: {
        succeeded: 1,
        startTime: ago(100),
        completionTime: ago(40),
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    });
    const running = obj('running', {
      spec: { parallelism: 2 },
      status: { startTime: ago(20) },
    });
    const t = renderTable(rt, [done, running], NOW, '1');
    assert.deepEqual(
      t.columnDefinitions.map((c) => c.name),
      ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector'],
    );
    assert.deepEqual(t.rows[0]?.cells.slice(0, 6), [
      'analysis-job',
      'Complete',
      '1/1',
      '60s',
      '15s',
      'c',
    ]);
    assert.deepEqual(t.rows[1]?.cells.slice(1, 4), ['Running', '0/1 of 2', '20s']);
  });

  it('uses the default convertor (Created At) for CRDs and Roles, bindings show the role', () => {
    const crdType = {
      ...builtin(
        'apiextensions.k8s.io',
        'v1',
        'CustomResourceDefinition',
        'customresourcedefinitions',
      ),
      namespaced: false,
    };
    const created = '2026-02-27T08:30:15.123Z';
    const crd = renderTable(
      crdType,
      [obj('rollouts.argoproj.io', {}, 0)].map((o) => {
        o.metadata.creationTimestamp = created;
        return o;
      }),
      NOW,
      '1',
    );
    assert.deepEqual(
      crd.columnDefinitions.map((c) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Created At', 'date'],
      ],
    );
    assert.deepEqual(crd.rows[0]?.cells, ['rollouts.argoproj.io', '2026-02-27T08:30:15Z']);
    const role = renderTable(
      builtin('rbac.authorization.k8s.io', 'v1', 'Role', 'roles'),
      [obj('r')],
      NOW,
      '1',
    );
    assert.deepEqual(
      role.columnDefinitions.map((c) => c.name),
      ['Name', 'Created At'],
    );
    const rb = renderTable(
      builtin('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings'),
      [
        obj('rb', {
          roleRef: { kind: 'ClusterRole', name: 'argo-rollouts' },
          subjects: [
            { kind: 'ServiceAccount', name: 'argo-rollouts', namespace: 'argo-rollouts' },
            { kind: 'User', name: 'alice' },
          ],
        }),
      ],
      NOW,
      '1',
    );
    assert.deepEqual(rb.rows[0]?.cells, [
      'rb',
      'ClusterRole/argo-rollouts',
      '15s',
      'alice',
      '',
      'argo-rollouts/argo-rollouts',
    ]);
  });

  it('falls back to Name + Age for other built-ins', () => {
    const t = renderTable(
      builtin('apps', 'v1', 'ControllerRevision', 'controllerrevisions'),
      [obj('cr')],
      NOW,
      '',
    );
    assert.deepEqual(
      t.columnDefinitions.map((c) => [c.name, c.format]),
      [
        ['Name', 'name'],
        ['Age', ''],
      ],
    );
    assert.deepEqual(t.rows[0]?.cells, ['cr', '15s']);
    assert.deepEqual(t.metadata, {});
  });
});
