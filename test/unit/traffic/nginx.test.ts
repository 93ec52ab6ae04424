import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import yaml from 'js-yaml';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import { rollout as rolloutSchema, type Rollout } from '../../../src/api/rollout.ts';
import { KubeApiError } from '../../../src/kube/raw-client.ts';
import { formatIngressProblem } from '../../../src/traffic/ingress.ts';
import { NginxRouter } from '../../../src/traffic/nginx.ts';
import {
  canaryIngressName,
  canaryIngressPatch,
  desiredCanaryIngress,
  nginxConfig,
  orphanedCanaryIngresses,
  validateNginxIngresses,
} from '../../../src/traffic/nginx-ingress.ts';
import { eventSink, FakeIngressOps } from './helpers.ts';

const FIXTURES = new URL(
  '../../../../shared/fixtures/argo-rollouts/getting-started/',
  import.meta.url,
);

function loadDocs(rel: string): KubeObject[] {
  return yaml.loadAll(readFileSync(new URL(rel, FIXTURES), 'utf8')).filter(Boolean) as KubeObject[];
}

function fixtureRollout(dir: string): Rollout {
  const raw = loadDocs(`${dir}/rollout.yaml`)[0]!;
  const ro = rolloutSchema.parse(raw);
  ro.metadata.namespace = 'default';
  ro.metadata.uid = 'uid-demo';
  return ro;
}

function fixtureIngress(dir: string): KubeObject {
  const ing = loadDocs(`${dir}/ingress.yaml`)[0]!;
  ing.metadata.namespace = 'default';
  ing.metadata.resourceVersion = '1';
  return ing;
}

const P = 'nginx.ingress.kubernetes.io';
const OWNER = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  name: 'rollouts-demo',
  uid: 'uid-demo',
  controller: true,
  blockOwnerDeletion: true,
};

function nginxRollout(over: {
  nginx?: Record<string, unknown>;
  maxTrafficWeight?: number;
  name?: string;
}): Rollout {
  return rolloutSchema.parse({
    metadata: { name: over.name ?? 'ro', namespace: 'default', uid: 'uid-ro' },
    spec: {
      strategy: {
        canary: {
          stableService: 'stable',
          canaryService: 'canary',
          trafficRouting: {
            nginx: { stableIngress: 'stable-ing', ...over.nginx },
            ...(over.maxTrafficWeight !== undefined
              ? { maxTrafficWeight: over.maxTrafficWeight }
              : {}),
          },
        },
      },
    },
  });
}

function stableIngress(name = 'stable-ing', extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', resourceVersion: '3' },
    spec: {
      rules: [
        {
          host: 'a.example',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'stable', port: { number: 80 } } },
              },
              {
                path: '/other',
                pathType: 'Prefix',
                backend: { service: { name: 'other', port: { number: 80 } } },
              },
            ],
          },
        },
        {
          host: 'b.example',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'other', port: { number: 80 } } },
              },
            ],
          },
        },
      ],
      ...extra,
    },
  };
}

describe('NGINX canary Ingress (§4.2)', () => {
  it('TR-26 from the getting-started/nginx fixture', () => {
    const ro = fixtureRollout('nginx');
    const stable = fixtureIngress('nginx');
    const got = desiredCanaryIngress(nginxConfig(ro), ro, stable, 0);
    assert.deepEqual(got, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'rollouts-demo-rollouts-demo-stable-canary',
        namespace: 'default',
        annotations: {
          'kubernetes.io/ingress.class': 'nginx',
          [`${P}/canary`]: 'true',
          [`${P}/canary-weight`]: '0',
        },
        ownerReferences: [OWNER],
      },
      spec: {
        rules: [
          {
            host: 'rollouts-demo.local',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'rollouts-demo-canary', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
    // The stable Ingress is never modified.
    assert.deepEqual(stable, fixtureIngress('nginx'));
  });

  it('TR-30 mixed fixture (nginx + smi) builds the same canary Ingress', () => {
    const ro = fixtureRollout('mixed');
    const got = desiredCanaryIngress(nginxConfig(ro), ro, fixtureIngress('mixed'), 5);
    assert.equal(got.metadata.name, 'rollouts-demo-rollouts-demo-stable-canary');
    assert.equal(got.metadata.annotations?.[`${P}/canary-weight`], '5');
  });

  const annotationRows: {
    name: string;
    rollout: Rollout;
    want: Record<string, string>;
  }[] = [
    {
      name: 'TR-28 additional annotations get the prefix unless they have it',
      rollout: nginxRollout({
        nginx: {
          additionalIngressAnnotations: {
            'canary-by-header': 'X-Canary',
            [`${P}/canary-by-header-value`]: 'yes',
          },
        },
      }),
      want: {
        [`${P}/canary-by-header`]: 'X-Canary',
        [`${P}/canary-by-header-value`]: 'yes',
        [`${P}/canary`]: 'true',
        [`${P}/canary-weight`]: '10',
      },
    },
    {
      name: 'TR-28 canaryIngressAnnotations verbatim, winning over additional',
      rollout: nginxRollout({
        nginx: {
          additionalIngressAnnotations: { 'canary-by-cookie': 'a' },
          canaryIngressAnnotations: { [`${P}/canary-by-cookie`]: 'b', 'team.example/owner': 'me' },
        },
      }),
      want: {
        [`${P}/canary-by-cookie`]: 'b',
        'team.example/owner': 'me',
        [`${P}/canary`]: 'true',
        [`${P}/canary-weight`]: '10',
      },
    },
    {
      name: 'canary and canary-weight always win',
      rollout: nginxRollout({
        nginx: { canaryIngressAnnotations: { [`${P}/canary-weight`]: '99' } },
      }),
      want: { [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '10' },
    },
    {
      name: 'custom annotationPrefix',
      rollout: nginxRollout({
        nginx: {
          annotationPrefix: 'custom.nginx.org',
          additionalIngressAnnotations: { 'canary-by-header': 'h' },
        },
      }),
      want: {
        'custom.nginx.org/canary-by-header': 'h',
        'custom.nginx.org/canary': 'true',
        'custom.nginx.org/canary-weight': '10',
      },
    },
    {
      name: 'maxTrafficWeight adds canary-weight-total',
      rollout: nginxRollout({ maxTrafficWeight: 1000 }),
      want: {
        [`${P}/canary`]: 'true',
        [`${P}/canary-weight`]: '10',
        [`${P}/canary-weight-total`]: '1000',
      },
    },
  ];
  for (const row of annotationRows) {
    it(row.name, () => {
      const got = desiredCanaryIngress(nginxConfig(row.rollout), row.rollout, stableIngress(), 10);
      assert.deepEqual(got.metadata.annotations, row.want);
    });
  }

  it('copies ingressClassName and tls, drops defaultBackend and rules without the stable service', () => {
    const ro = nginxRollout({});
    const tls = [{ hosts: ['a.example'], secretName: 's' }];
    const got = desiredCanaryIngress(
      nginxConfig(ro),
      ro,
      stableIngress('stable-ing', {
        ingressClassName: 'nginx',
        tls,
        defaultBackend: { service: { name: 'x' } },
      }),
      0,
    );
    assert.deepEqual(got.spec, {
      ingressClassName: 'nginx',
      tls,
      rules: [
        {
          host: 'a.example',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'canary', port: { number: 80 } } },
              },
              {
                path: '/other',
                pathType: 'Prefix',
                backend: { service: { name: 'other', port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    });
    assert.notEqual((got.spec as { tls: unknown }).tls, tls);
  });

  it('legacy extensions/v1beta1 stable Ingress', () => {
    const ro = nginxRollout({});
    const stable: KubeObject = {
      apiVersion: 'extensions/v1beta1',
      kind: 'Ingress',
      metadata: { name: 'stable-ing' },
      spec: {
        rules: [{ http: { paths: [{ backend: { serviceName: 'stable', servicePort: 80 } }] } }],
      },
    };
    const got = desiredCanaryIngress(nginxConfig(ro), ro, stable, 3);
    assert.equal(got.apiVersion, 'extensions/v1beta1');
    assert.deepEqual(got.spec, {
      rules: [{ http: { paths: [{ backend: { serviceName: 'canary', servicePort: 80 } }] } }],
    });
  });

  it('TR-29 no rule using the stable service', () => {
    const ro = nginxRollout({});
    const stable = stableIngress();
    (stable.spec as { rules: unknown[] }).rules.splice(0, 1);
    assert.throws(() => desiredCanaryIngress(nginxConfig(ro), ro, stable, 0), {
      message: 'ingress `stable-ing` has no rules using service stable backend',
    });
  });

  const nameRows: { rollout: string; ingress: string; want: string }[] = [
    { rollout: 'ro', ingress: 'ing', want: 'ro-ing-canary' },
    {
      rollout: 'r'.repeat(200),
      ingress: 'i'.repeat(45),
      want: `${'r'.repeat(200)}-${'i'.repeat(45)}-canary`,
    },
    {
      rollout: 'r'.repeat(200),
      ingress: 'i'.repeat(60),
      want: `${'r'.repeat(200)}-${'i'.repeat(45)}-canary`,
    },
  ];
  for (const row of nameRows) {
    it(`canary name ${row.rollout.length}+${row.ingress.length} chars`, () => {
      const name = canaryIngressName(row.rollout, row.ingress);
      assert.equal(name, row.want);
      assert.ok(name.length <= 253);
    });
  }
});

describe('NGINX canary Ingress patch (§4.3)', () => {
  const ro = nginxRollout({});
  const cfg = nginxConfig(ro);

  it('TR-27 weight 10 → 15 patches only canary-weight (plus resourceVersion)', () => {
    const current = { ...desiredCanaryIngress(cfg, ro, stableIngress(), 10) };
    current.metadata = { ...current.metadata, resourceVersion: '9' };
    const patch = canaryIngressPatch(current, desiredCanaryIngress(cfg, ro, stableIngress(), 15));
    assert.deepEqual(patch, {
      metadata: { annotations: { [`${P}/canary-weight`]: '15' }, resourceVersion: '9' },
    });
  });

  it('TR-27 with maxTrafficWeight 1000 adds canary-weight-total', () => {
    const current = desiredCanaryIngress(cfg, ro, stableIngress(), 10);
    const ro2 = nginxRollout({ maxTrafficWeight: 1000 });
    const patch = canaryIngressPatch(
      current,
      desiredCanaryIngress(nginxConfig(ro2), ro2, stableIngress(), 15),
    );
    assert.deepEqual(patch, {
      metadata: {
        annotations: { [`${P}/canary-weight`]: '15', [`${P}/canary-weight-total`]: '1000' },
      },
    });
  });

  it('Q6 kept: extra annotations stay; labels are removed; spec follows the stable Ingress', () => {
    const current = desiredCanaryIngress(cfg, ro, stableIngress(), 10);
    current.metadata.annotations = {
      ...current.metadata.annotations,
      [`${P}/canary-by-header`]: 'old',
    };
    current.metadata.labels = { foo: 'bar' };
    const stable = stableIngress();
    (stable.spec as { rules: { host: string }[] }).rules[0]!.host = 'new.example';
    const patch = canaryIngressPatch(current, desiredCanaryIngress(cfg, ro, stable, 10)) as {
      metadata: { annotations?: unknown; labels: unknown };
      spec: { rules: { host: string }[] };
    };
    assert.equal(patch.metadata.annotations, undefined);
    assert.deepEqual(patch.metadata.labels, { foo: null });
    assert.equal(patch.spec.rules[0]!.host, 'new.example');
  });

  it('identical ⇒ no patch', () => {
    const d = desiredCanaryIngress(cfg, ro, stableIngress(), 10);
    assert.equal(canaryIngressPatch(d, d), undefined);
  });
});

describe('NginxRouter', () => {
  it('TR-26 create, then 0 → 5 → 0 by patches that touch only canary-weight', async () => {
    const ro = fixtureRollout('nginx');
    const ops = new FakeIngressOps([fixtureIngress('nginx')]);
    const sink = eventSink();
    const r = new NginxRouter(ro, { ops, emit: sink.emit });
    await r.setWeight(0);
    await r.setWeight(0);
    await r.setWeight(5);
    await r.setWeight(0);
    const name = 'rollouts-demo-rollouts-demo-stable-canary';
    assert.deepEqual(
      ops.writes().map((c) => `${c.verb} ${c.name}`),
      [`create ${name}`, `patch ${name}`, `patch ${name}`],
    );
    assert.deepEqual(
      ops
        .writes()
        .slice(1)
        .map((c) => c.body),
      [
        { metadata: { annotations: { [`${P}/canary-weight`]: '5' }, resourceVersion: '101' } },
        { metadata: { annotations: { [`${P}/canary-weight`]: '0' }, resourceVersion: '102' } },
      ],
    );
    assert.deepEqual(
      sink.events.map((e) => `${e.reason}: ${e.message}`),
      [
        `CreatingCanaryIngress: Creating canary ingress \`${name}\` with weight \`0\``,
        `PatchingCanaryIngress: Updating Ingress \`${name}\` to desiredWeight '5'`,
        `PatchingCanaryIngress: Updating Ingress \`${name}\` to desiredWeight '0'`,
      ],
    );
    assert.deepEqual(ops.objects.get('rollouts-demo-stable'), fixtureIngress('nginx'));
    assert.deepEqual(r.type(), 'Nginx');
    assert.equal(await r.verifyWeight(5), undefined);
  });

  it('create racing with another pass: AlreadyExists ⇒ live GET ⇒ patch', async () => {
    const ro = nginxRollout({});
    const existing = desiredCanaryIngress(nginxConfig(ro), ro, stableIngress(), 0);
    existing.metadata.resourceVersion = '50';
    const ops = new FakeIngressOps([stableIngress(), existing]);
    ops.hiddenFromCache.add('ro-stable-ing-canary');
    await new NginxRouter(ro, { ops }).setWeight(20);
    assert.deepEqual(
      ops.calls.map((c) => c.verb),
      ['get', 'get', 'create', 'getLive', 'patch'],
    );
    assert.equal(
      ops.objects.get('ro-stable-ing-canary')?.metadata.annotations?.[`${P}/canary-weight`],
      '20',
    );
  });

  const errorRows: {
    name: string;
    objects: () => KubeObject[];
    failCreate?: unknown;
    want: string;
  }[] = [
    {
      name: 'TR-29 stable Ingress missing',
      objects: () => [],
      want: 'error retrieving stableIngress `stable-ing` from cache: ingress.networking.k8s.io "stable-ing" not found',
    },
    {
      name: 'TR-29 canary controlled by something else',
      objects: () => [
        stableIngress(),
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: {
            name: 'ro-stable-ing-canary',
            ownerReferences: [{ ...OWNER, name: 'other', uid: 'uid-other' }],
          },
        },
      ],
      want: 'canary ingress `ro-stable-ing-canary` controlled by different object',
    },
    {
      name: 'TR-29 wrong backend',
      objects: () => [stableIngress('stable-ing', { rules: [] })],
      want: 'ingress `stable-ing` has no rules using service stable backend',
    },
    {
      name: 'create fails',
      objects: () => [stableIngress()],
      failCreate: new KubeApiError(403, 'Forbidden', 'forbidden'),
      want: 'error creating canary ingress `ro-stable-ing-canary`: forbidden',
    },
  ];
  for (const row of errorRows) {
    it(row.name, async () => {
      const ops = new FakeIngressOps(row.objects());
      if (row.failCreate) ops.failNext.create = row.failCreate;
      await assert.rejects(new NginxRouter(nginxRollout({}), { ops }).setWeight(10), {
        name: 'TrafficRoutingError',
        message: row.want,
      });
      assert.equal(ops.writes().filter((c) => c.verb !== 'create').length, 0);
    });
  }

  it('stableIngresses: one canary per stable Ingress', async () => {
    const ro = nginxRollout({ nginx: { stableIngress: undefined, stableIngresses: ['s1', 's2'] } });
    const ops = new FakeIngressOps([stableIngress('s1'), stableIngress('s2')]);
    await new NginxRouter(ro, { ops }).setWeight(30);
    assert.deepEqual(
      ops.writes().map((c) => c.name),
      ['ro-s1-canary', 'ro-s2-canary'],
    );
  });

  it('orphaned canary Ingresses (deviation, opt-in) are found and deleted', async () => {
    const ro = nginxRollout({ nginx: { stableIngress: undefined, stableIngresses: ['s1'] } });
    const mk = (name: string, uid: string): KubeObject => ({
      metadata: { name, uid: `u-${name}`, ownerReferences: [{ ...OWNER, name: 'ro', uid }] },
    });
    const all = [
      mk('ro-s1-canary', 'uid-ro'),
      mk('ro-s2-canary', 'uid-ro'),
      mk('x-s3-canary', 'uid-x'),
      mk('ro-other', 'uid-ro'),
    ];
    assert.deepEqual(
      orphanedCanaryIngresses(ro, all).map((i) => i.metadata.name),
      ['ro-s2-canary'],
    );
    const ops = new FakeIngressOps(all);
    assert.deepEqual(await new NginxRouter(ro, { ops }).deleteOrphans(all), ['ro-s2-canary']);
    assert.equal(ops.objects.has('ro-s2-canary'), false);
  });

  it('validateNginxIngresses', () => {
    const ro = nginxRollout({
      nginx: { stableIngress: undefined, stableIngresses: ['s1', 's2', 's3'] },
    });
    const problems = validateNginxIngresses(ro, (n) =>
      n === 's1'
        ? stableIngress('s1')
        : n === 's3'
          ? stableIngress('s3', { rules: [] })
          : undefined,
    );
    assert.deepEqual(problems.map(formatIngressProblem), [
      'spec.strategy.canary.trafficRouting.nginx.stableIngresses: Invalid value: "s2": ingress.networking.k8s.io "s2" not found',
      'spec.strategy.canary.trafficRouting.nginx.stableIngresses: Invalid value: "s3": ingress `s3` has no rules using service stable backend',
    ]);
  });
});
