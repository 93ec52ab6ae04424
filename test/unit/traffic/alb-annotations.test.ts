import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import type { Rollout } from '../../../src/api/rollout.ts';
import {
  albConditionsValue,
  albConfig,
  albHeaderRouteDesired,
  albHeaderRoutePatch,
  albRemoveManagedRoutesPatch,
  albResetForDeletedRollouts,
  albResetPort,
  albWeightActionValue,
  albWeightAnnotations,
  albWeightPatch,
  formatIngressProblem,
  LEGACY_MANAGED_ALB_ACTIONS,
  MANAGED_ALB_ANNOTATIONS,
  parseManagedAlbAnnotations,
  STICKINESS_RANGE_MESSAGE,
  validateAlbIngresses,
  withManagedKeys,
  type ParsedAction,
} from '../../../src/traffic/alb-annotations.ts';
import type { WeightDestination } from '../../../src/traffic/router.ts';
import {
  albIngress,
  albRollout,
  applyMergePatch,
  assertAlbIngressValid,
  assertAlbValid,
  CANARY,
  lookupOf,
  STABLE,
} from './helpers.ts';

const ACTION = 'alb.ingress.kubernetes.io/actions.stable-svc';
const LOOKUP = lookupOf(STABLE, CANARY, 'ex-svc-1', 'ex-svc-2', 'root-svc', 'ping-svc', 'pong-svc');
const tg = (svc: string, w: number, port = '443'): string =>
  `{"ServiceName":"${svc}","ServicePort":"${port}","Weight":${w}}`;
const action = (tgs: string[], sticky = ''): string =>
  `{"Type":"forward","ForwardConfig":{"TargetGroups":[${tgs.join(',')}]${sticky}}}`;

describe('ALB action value (§3.4 exact bytes)', () => {
  const rows: {
    name: string;
    rollout: Rollout;
    weight: number;
    additional?: WeightDestination[];
    key: string;
    want: string;
  }[] = [
    {
      name: 'TR-07 weight 0 (Weight:0 written out)',
      rollout: albRollout(),
      weight: 0,
      key: ACTION,
      want: action([tg(CANARY, 0), tg(STABLE, 100)]),
    },
    {
      name: 'weight 20',
      rollout: albRollout(),
      weight: 20,
      key: ACTION,
      want: action([tg(CANARY, 20), tg(STABLE, 80)]),
    },
    {
      name: 'TR-07 weight 25 (spec example)',
      rollout: albRollout(),
      weight: 25,
      key: ACTION,
      want: '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"canary-svc","ServicePort":"443","Weight":25},{"ServiceName":"stable-svc","ServicePort":"443","Weight":75}]}}',
    },
    {
      name: 'TR-07 weight 100 (stable Weight:0)',
      rollout: albRollout(),
      weight: 100,
      key: ACTION,
      want: action([tg(CANARY, 100), tg(STABLE, 0)]),
    },
    {
      name: 'TR-08 stickiness enabled 300 s',
      rollout: albRollout({ alb: { stickinessConfig: { enabled: true, durationSeconds: 300 } } }),
      weight: 25,
      key: ACTION,
      want: '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"canary-svc","ServicePort":"443","Weight":25},{"ServiceName":"stable-svc","ServicePort":"443","Weight":75}],"TargetGroupStickinessConfig":{"Enabled":true,"DurationSeconds":300}}}',
    },
    {
      name: 'TR-08 stickiness disabled: no block, no range check',
      rollout: albRollout({ alb: { stickinessConfig: { enabled: false, durationSeconds: 0 } } }),
      weight: 0,
      key: ACTION,
      want: action([tg(CANARY, 0), tg(STABLE, 100)]),
    },
    {
      name: 'stickiness at the 604800 s limit',
      rollout: albRollout({
        alb: { stickinessConfig: { enabled: true, durationSeconds: 604800 } },
      }),
      weight: 100,
      key: ACTION,
      want: action(
        [tg(CANARY, 100), tg(STABLE, 0)],
        ',"TargetGroupStickinessConfig":{"Enabled":true,"DurationSeconds":604800}',
      ),
    },
    {
      name: 'TR-12 experiment destinations in order, stable gets 85',
      rollout: albRollout(),
      weight: 10,
      additional: [
        { serviceName: 'ex-svc-1', weight: 2 },
        { serviceName: 'ex-svc-2', weight: 3 },
      ],
      key: ACTION,
      want: '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"canary-svc","ServicePort":"443","Weight":10},{"ServiceName":"ex-svc-1","ServicePort":"443","Weight":2},{"ServiceName":"ex-svc-2","ServicePort":"443","Weight":3},{"ServiceName":"stable-svc","ServicePort":"443","Weight":85}]}}',
    },
    {
      name: 'TR-10 experiment 10/20/70',
      rollout: albRollout(),
      weight: 10,
      additional: [{ serviceName: 'ex-svc-1', weight: 20 }],
      key: ACTION,
      want: action([tg(CANARY, 10), tg('ex-svc-1', 20), tg(STABLE, 70)]),
    },
    {
      name: 'TR-11 experiment without setWeight 0/20/20/60',
      rollout: albRollout(),
      weight: 0,
      additional: [
        { serviceName: 'ex-svc-1', weight: 20 },
        { serviceName: 'ex-svc-2', weight: 20 },
      ],
      key: ACTION,
      want: action([tg(CANARY, 0), tg('ex-svc-1', 20), tg('ex-svc-2', 20), tg(STABLE, 60)]),
    },
    {
      name: 'rootService names the key; target groups stay canary/stable',
      rollout: albRollout({ alb: { rootService: 'root-svc', servicePort: 80 } }),
      weight: 5,
      key: 'alb.ingress.kubernetes.io/actions.root-svc',
      want: action([tg(CANARY, 5, '80'), tg(STABLE, 95, '80')]),
    },
    {
      name: 'TR-09 custom annotationPrefix changes the key',
      rollout: albRollout({ alb: { annotationPrefix: 'custom.alb.ingress.kubernetes.io' } }),
      weight: 20,
      key: 'custom.alb.ingress.kubernetes.io/actions.stable-svc',
      want: action([tg(CANARY, 20), tg(STABLE, 80)]),
    },
    {
      name: 'TR-14 ping-pong, stable=ping: pong is canary, listed first',
      rollout: albRollout({
        alb: { rootService: 'root-svc' },
        canary: {
          stableService: undefined,
          canaryService: undefined,
          pingPong: { pingService: 'ping-svc', pongService: 'pong-svc' },
        },
        status: { canary: { stablePingPong: 'ping' } },
      }),
      weight: 25,
      key: 'alb.ingress.kubernetes.io/actions.root-svc',
      want: action([tg('pong-svc', 25), tg('ping-svc', 75)]),
    },
    {
      name: 'TR-14 ping-pong, empty stablePingPong: pong is stable',
      rollout: albRollout({
        alb: { rootService: 'root-svc' },
        canary: { pingPong: { pingService: 'ping-svc', pongService: 'pong-svc' } },
      }),
      weight: 0,
      key: 'alb.ingress.kubernetes.io/actions.root-svc',
      want: action([tg('ping-svc', 0), tg('pong-svc', 100)]),
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const cfg = albConfig(row.rollout);
      const value = albWeightActionValue(cfg, row.weight, row.additional);
      assert.equal(value, row.want);
      const annotations = albWeightAnnotations(cfg, undefined, row.weight, row.additional);
      assert.equal(annotations[row.key], row.want);
      assert.equal(
        annotations[MANAGED_ALB_ANNOTATIONS],
        JSON.stringify({ [cfg.rolloutName]: [row.key] }),
      );
      const prefix = row.key.slice(0, row.key.indexOf('/actions.'));
      assertAlbValid(annotations, LOOKUP, prefix);
    });
  }

  const bad: { name: string; durationSeconds: number }[] = [
    { name: 'TR-08 duration 0 rejected', durationSeconds: 0 },
    { name: 'TR-08 duration 604801 rejected', durationSeconds: 604801 },
    { name: 'TR-08 negative duration rejected', durationSeconds: -5 },
  ];
  for (const row of bad) {
    it(row.name, () => {
      const cfg = albConfig(
        albRollout({
          alb: { stickinessConfig: { enabled: true, durationSeconds: row.durationSeconds } },
        }),
      );
      assert.throws(() => albWeightActionValue(cfg, 10), { message: STICKINESS_RANGE_MESSAGE });
    });
  }

  it('Go escaping of <>& in service names', () => {
    const cfg = { ...albConfig(albRollout()), canaryService: 'a<b>&c' };
    assert.match(albWeightActionValue(cfg, 1), /"ServiceName":"a\\u003cb\\u003e\\u0026c"/);
  });
});

describe('managed-alb-annotations bookkeeping (§3.3)', () => {
  const K1 = 'alb.ingress.kubernetes.io/actions.a';
  const K2 = 'alb.ingress.kubernetes.io/conditions.a';
  const rows: {
    name: string;
    before: string | undefined;
    rollout: string;
    add: boolean;
    keys: string[];
    want: string;
  }[] = [
    {
      name: 'absent → new entry',
      before: undefined,
      rollout: 'r',
      add: true,
      keys: [K1],
      want: `{"r":["${K1}"]}`,
    },
    {
      name: 'no duplicates, first-added order kept',
      before: `{"r":["${K2}","${K1}"]}`,
      rollout: 'r',
      add: true,
      keys: [K1, K2],
      want: `{"r":["${K2}","${K1}"]}`,
    },
    {
      name: 'top-level keys sorted; other rollouts kept',
      before: `{"zeta":["x"]}`,
      rollout: 'alpha',
      add: true,
      keys: [K1],
      want: `{"alpha":["${K1}"],"zeta":["x"]}`,
    },
    {
      name: 'removal keeps an empty list (as upstream)',
      before: `{"r":["${K1}","${K2}"]}`,
      rollout: 'r',
      add: false,
      keys: [K1, K2],
      want: '{"r":[]}',
    },
    {
      name: 'removal of one key',
      before: `{"r":["${K1}","${K2}"]}`,
      rollout: 'r',
      add: false,
      keys: [K2],
      want: `{"r":["${K1}"]}`,
    },
    {
      name: 'null value treated as empty',
      before: 'null',
      rollout: 'r',
      add: true,
      keys: [K1],
      want: `{"r":["${K1}"]}`,
    },
    {
      name: 'another rollout with a null list stays null',
      before: '{"other":null}',
      rollout: 'r',
      add: true,
      keys: [K1],
      want: `{"other":null,"r":["${K1}"]}`,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const before: Record<string, string> =
        row.before === undefined ? {} : { [MANAGED_ALB_ANNOTATIONS]: row.before };
      const after = withManagedKeys(before, row.rollout, row.add, row.keys);
      assert.equal(after[MANAGED_ALB_ANNOTATIONS], row.want);
    });
  }

  const invalid = ['not json', '["a"]', '{"r":"a"}', '{"r":[1]}', '"x"'];
  for (const value of invalid) {
    it(`rejects ${value}`, () => {
      assert.throws(() => parseManagedAlbAnnotations(value), /managed-alb-annotations/);
    });
  }

  it('a bad bookkeeping value makes SetWeight fail before anything is written', () => {
    const cfg = albConfig(albRollout());
    const ing = albIngress('ingress', STABLE, { [MANAGED_ALB_ANNOTATIONS]: '{oops' });
    assert.throws(() => albWeightPatch(cfg, ing, 10), /managed-alb-annotations/);
  });
});

describe('SetWeight patch on one Ingress', () => {
  const cfg = albConfig(albRollout());
  const current5 = albWeightAnnotations(cfg, { other: 'x' }, 5);

  it('TR-04 existing 5% → 10%: only the action changes', () => {
    const ing = albIngress('ingress', STABLE, current5);
    const patch = albWeightPatch(cfg, ing, 10);
    assertAlbIngressValid(applyMergePatch(ing, patch) as KubeObject, LOOKUP);
    assert.deepEqual(patch, {
      metadata: {
        annotations: { [ACTION]: action([tg(CANARY, 10), tg(STABLE, 90)]) },
        resourceVersion: '7',
      },
    });
  });

  it('TR-05 weight already correct: no patch', () => {
    assert.equal(albWeightPatch(cfg, albIngress('ingress', STABLE, current5), 5), undefined);
  });

  it('TR-06 no annotations: action and bookkeeping in one patch', () => {
    const ing = albIngress('ingress', STABLE);
    const patch = albWeightPatch(cfg, ing, 0);
    assert.deepEqual(patch, {
      metadata: {
        annotations: {
          [ACTION]: action([tg(CANARY, 0), tg(STABLE, 100)]),
          [MANAGED_ALB_ANNOTATIONS]: `{"rollout":["${ACTION}"]}`,
        },
        resourceVersion: '7',
      },
    });
    const after = applyMergePatch(ing, patch) as KubeObject;
    assertAlbIngressValid(after, LOOKUP);
  });

  it('legacy extensions/v1beta1 Ingress works the same', () => {
    const ing = albIngress('ingress', STABLE, undefined, { legacy: true });
    const after = applyMergePatch(ing, albWeightPatch(cfg, ing, 30)) as KubeObject;
    assert.equal(after.metadata.annotations?.[ACTION], action([tg(CANARY, 30), tg(STABLE, 70)]));
    assertAlbIngressValid(after, LOOKUP);
  });

  it('missing rule: SetWeight error text', () => {
    const ing = albIngress('ingress', 'someone-else');
    assert.throws(() => albWeightPatch(cfg, ing, 10), {
      message: 'ingress does not have service `stable-svc` in rules',
    });
  });

  it('TR-09 custom prefix: bookkeeping key unchanged, managed list holds the custom key', () => {
    const c = albConfig(
      albRollout({ alb: { annotationPrefix: 'custom.alb.ingress.kubernetes.io' } }),
    );
    const ann = albWeightAnnotations(c, undefined, 0);
    assert.deepEqual(Object.keys(ann).sort(), [
      'custom.alb.ingress.kubernetes.io/actions.stable-svc',
      MANAGED_ALB_ANNOTATIONS,
    ]);
    assert.equal(
      ann[MANAGED_ALB_ANNOTATIONS],
      '{"rollout":["custom.alb.ingress.kubernetes.io/actions.stable-svc"]}',
    );
  });

  it('two Rollouts share one Ingress', () => {
    const a = albConfig(albRollout({ name: 'b-rollout' }));
    const b = albConfig(albRollout({ name: 'a-rollout', alb: { rootService: 'root-svc' } }));
    const ann = albWeightAnnotations(b, albWeightAnnotations(a, undefined, 10), 20);
    assert.equal(
      ann[MANAGED_ALB_ANNOTATIONS],
      '{"a-rollout":["alb.ingress.kubernetes.io/actions.root-svc"],"b-rollout":["alb.ingress.kubernetes.io/actions.stable-svc"]}',
    );
    assertAlbValid(ann, LOOKUP);
  });
});

describe('ALB header routes (§3.10)', () => {
  const rollout = albRollout({
    canary: { trafficRouting: { managedRoutes: [{ name: 'header-route' }] } },
  });
  const cfg = albConfig(rollout);
  const HA = 'alb.ingress.kubernetes.io/actions.header-route';
  const HC = 'alb.ingress.kubernetes.io/conditions.header-route';
  const route = {
    name: 'header-route',
    match: [{ headerName: 'Custom-Header', headerValue: { exact: 'Mozilla*' } }],
  };

  const condRows: { name: string; match: NonNullable<(typeof route)['match']>; want: string }[] = [
    {
      name: 'one exact header',
      match: route.match,
      want: '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"Custom-Header","values":["Mozilla*"]}}]',
    },
    {
      name: 'TR-23 same header merged',
      match: [
        { headerName: 'X', headerValue: { exact: 'a' } },
        { headerName: 'X', headerValue: { exact: 'b' } },
      ],
      want: '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X","values":["a","b"]}}]',
    },
    {
      name: 'TR-23 different headers separate, first-appearance order',
      match: [
        { headerName: 'B', headerValue: { exact: '1' } },
        { headerName: 'A', headerValue: { exact: '2' } },
        { headerName: 'B', headerValue: { exact: '3' } },
      ],
      want: '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"B","values":["1","3"]}},{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"A","values":["2"]}}]',
    },
  ];
  for (const row of condRows) {
    it(`condition: ${row.name}`, () => assert.equal(albConditionsValue(row.match), row.want));
  }

  it('TR-22 add: action 100% canary, condition, bookkeeping, /* path first', () => {
    const ing = albIngress('ingress', STABLE, albWeightAnnotations(cfg, undefined, 20));
    const desired = albHeaderRouteDesired(cfg, ing, route);
    assert.equal(desired.annotations[HA], action([tg(CANARY, 100)]));
    assert.equal(desired.annotations[HC], condRows[0]!.want);
    assert.equal(desired.annotations[ACTION], action([tg(CANARY, 20), tg(STABLE, 80)]));
    assert.equal(
      desired.annotations[MANAGED_ALB_ANNOTATIONS],
      `{"rollout":["${ACTION}","${HA}","${HC}"]}`,
    );
    assert.deepEqual(desired.spec.rules?.[0]?.http?.paths?.[0], {
      path: '/*',
      pathType: 'ImplementationSpecific',
      backend: { service: { name: 'header-route', port: { name: 'use-annotation' } } },
    });
    assert.equal(desired.spec.rules?.[0]?.http?.paths?.length, 2);
    const after = applyMergePatch(ing, albHeaderRoutePatch(cfg, ing, route)) as KubeObject;
    assertAlbValid(after.metadata.annotations, LOOKUP);
    assertAlbIngressValid(after, LOOKUP);
    // A second identical step changes nothing.
    assert.equal(albHeaderRoutePatch(cfg, after, route), undefined);
  });

  it('header route with stickiness carries the stickiness block', () => {
    const c = albConfig(
      albRollout({
        alb: { stickinessConfig: { enabled: true, durationSeconds: 60 } },
        canary: { trafficRouting: { managedRoutes: [{ name: 'header-route' }] } },
      }),
    );
    const d = albHeaderRouteDesired(c, albIngress('ingress', STABLE), route);
    assert.equal(
      d.annotations[HA],
      action(
        [tg(CANARY, 100)],
        ',"TargetGroupStickinessConfig":{"Enabled":true,"DurationSeconds":60}',
      ),
    );
  });

  it('legacy Ingress gets a serviceName/servicePort path', () => {
    const d = albHeaderRouteDesired(
      cfg,
      albIngress('ingress', STABLE, {}, { legacy: true }),
      route,
    );
    assert.deepEqual(d.spec.rules?.[0]?.http?.paths?.[0]?.backend, {
      serviceName: 'header-route',
      servicePort: 'use-annotation',
    });
  });

  it('TR-22 remove (no match): keys, bookkeeping and path go', () => {
    const ing = albIngress('ingress', STABLE, albWeightAnnotations(cfg, undefined, 20));
    const added = applyMergePatch(ing, albHeaderRoutePatch(cfg, ing, route)) as KubeObject;
    const patch = albHeaderRoutePatch(cfg, added, { name: 'header-route' });
    const after = applyMergePatch(added, patch) as KubeObject;
    assert.equal(after.metadata.annotations?.[HA], undefined);
    assert.equal(after.metadata.annotations?.[HC], undefined);
    assert.equal(
      after.metadata.annotations?.[MANAGED_ALB_ANNOTATIONS],
      `{"rollout":["${ACTION}"]}`,
    );
    assert.deepEqual(after.spec, ing.spec);
    assertAlbIngressValid(after, LOOKUP);
  });

  it('empty match is a removal (deviation: upstream would write a null condition)', () => {
    const ing = albIngress('ingress', STABLE);
    const d = albHeaderRouteDesired(cfg, ing, { name: 'header-route', match: [] });
    assert.equal(d.annotations[HC], undefined);
    assert.equal(d.spec.rules?.[0]?.http?.paths?.length, 1);
  });

  it('paths sorted by managedRoutes order, others keep their order', () => {
    const r = albRollout({
      canary: { trafficRouting: { managedRoutes: [{ name: 'first' }, { name: 'second' }] } },
    });
    const c = albConfig(r);
    const ing = albIngress(
      'ingress',
      STABLE,
      {},
      {
        extraPaths: [
          { path: '/x', backend: { service: { name: 'other', port: { number: 80 } } } },
          {
            path: '/*',
            backend: { service: { name: 'second', port: { name: 'use-annotation' } } },
          },
        ],
      },
    );
    const d = albHeaderRouteDesired(c, ing, {
      name: 'first',
      match: [{ headerName: 'h', headerValue: { exact: 'v' } }],
    });
    const names = d.spec.rules?.[0]?.http?.paths?.map(
      (p) => (p.backend as { service: { name: string } }).service.name,
    );
    assert.deepEqual(names, ['first', 'second', STABLE, 'other']);
  });

  it('RemoveManagedRoutes drops every managed route; none configured ⇒ nothing', () => {
    const ing = albIngress('ingress', STABLE, albWeightAnnotations(cfg, undefined, 20));
    const added = applyMergePatch(ing, albHeaderRoutePatch(cfg, ing, route)) as KubeObject;
    const after = applyMergePatch(added, albRemoveManagedRoutesPatch(cfg, added)) as KubeObject;
    assert.deepEqual(Object.keys(after.metadata.annotations ?? {}).sort(), [
      ACTION,
      MANAGED_ALB_ANNOTATIONS,
    ]);
    assert.deepEqual(after.spec, ing.spec);
    assert.equal(albRemoveManagedRoutesPatch(cfg, after), undefined);
    assert.equal(albRemoveManagedRoutesPatch(albConfig(albRollout()), added), undefined);
  });
});

describe('ingress watcher reset of a deleted Rollout (§3.11, Q5)', () => {
  const cfg = albConfig(albRollout());

  it('TR-19 resets to 100% on the action service, drops bookkeeping and legacy annotation', () => {
    const ann = {
      ...albWeightAnnotations(cfg, undefined, 30),
      [LEGACY_MANAGED_ALB_ACTIONS]: `rollout:${ACTION}`,
    };
    const res = albResetForDeletedRollouts(albIngress('ingress', STABLE, ann), () => false);
    assert.deepEqual(res.enqueue, []);
    assert.deepEqual(res.annotations, { [ACTION]: action([tg(STABLE, 100)]) });
    assert.deepEqual(res.patch, {
      metadata: {
        annotations: {
          [ACTION]: action([tg(STABLE, 100)]),
          [MANAGED_ALB_ANNOTATIONS]: null,
          [LEGACY_MANAGED_ALB_ACTIONS]: null,
        },
        resourceVersion: '7',
      },
    });
    assertAlbValid(res.annotations, LOOKUP);
  });

  it('stickiness carried over', () => {
    const c = albConfig(
      albRollout({ alb: { stickinessConfig: { enabled: true, durationSeconds: 30 } } }),
    );
    const res = albResetForDeletedRollouts(
      albIngress('ingress', STABLE, albWeightAnnotations(c, undefined, 50)),
      () => false,
    );
    assert.equal(
      res.annotations?.[ACTION],
      action(
        [tg(STABLE, 100)],
        ',"TargetGroupStickinessConfig":{"Enabled":true,"DurationSeconds":30}',
      ),
    );
  });

  it('TR-20 live Rollout is enqueued and nothing is written; bad bookkeeping ignored', () => {
    const ing = albIngress('ingress', STABLE, albWeightAnnotations(cfg, undefined, 30));
    const res = albResetForDeletedRollouts(ing, (n) => n === 'rollout');
    assert.deepEqual(res, { enqueue: ['rollout'], skipped: [] });
    const bad = albIngress('ingress', STABLE, { [MANAGED_ALB_ANNOTATIONS]: 'garbage' });
    assert.deepEqual(
      albResetForDeletedRollouts(bad, () => false),
      { enqueue: [], skipped: [] },
    );
  });

  it('ping-pong root-service key: reset to 100% on the root Service with the common port', () => {
    const pp = albConfig(
      albRollout({
        name: 'gone',
        alb: { rootService: 'root-svc' },
        canary: { pingPong: { pingService: 'ping-svc', pongService: 'pong-svc' } },
      }),
    );
    const ann = albWeightAnnotations(cfg, albWeightAnnotations(pp, undefined, 40), 10);
    const res = albResetForDeletedRollouts(
      albIngress('ingress', STABLE, ann),
      (n) => n === 'rollout',
    );
    assert.deepEqual(res.enqueue, ['rollout']);
    assert.deepEqual(res.skipped, []);
    assert.equal(res.annotations?.[MANAGED_ALB_ANNOTATIONS], `{"rollout":["${ACTION}"]}`);
    assert.equal(
      res.annotations?.['alb.ingress.kubernetes.io/actions.root-svc'],
      action([tg('root-svc', 100)]),
    );
    // The live Rollout's action is untouched.
    assert.equal(res.annotations?.[ACTION], ann[ACTION]);
    assertAlbValid(res.annotations, LOOKUP);
  });

  it('rootService key (getting-started/alb): reset to the root Service, bookkeeping gone', () => {
    const root = albConfig(albRollout({ alb: { rootService: 'root-svc' } }));
    const rootKey = 'alb.ingress.kubernetes.io/actions.root-svc';
    const ann = albWeightAnnotations(root, undefined, 0);
    const res = albResetForDeletedRollouts(albIngress('ingress', 'root-svc', ann), () => false);
    assert.deepEqual(res.annotations, { [rootKey]: action([tg('root-svc', 100)]) });
    assert.deepEqual(res.skipped, []);
    assertAlbIngressValid(albIngress('ingress', 'root-svc', res.annotations), LOOKUP);
  });

  it('header-route keys are left (no Service to reset to), their entry still dropped', () => {
    const c = albConfig(
      albRollout({ canary: { trafficRouting: { managedRoutes: [{ name: 'hdr' }] } } }),
    );
    const ing = albIngress('ingress', STABLE, albWeightAnnotations(c, undefined, 20));
    const withRoute = applyMergePatch(
      ing,
      albHeaderRoutePatch(c, ing, {
        name: 'hdr',
        match: [{ headerName: 'X', headerValue: { exact: 'a' } }],
      })!,
    ) as KubeObject;
    const before = withRoute.metadata.annotations ?? {};
    const res = albResetForDeletedRollouts(withRoute, () => false);
    assert.deepEqual(res.skipped, ['alb.ingress.kubernetes.io/actions.hdr']);
    assert.deepEqual(res.annotations, {
      [ACTION]: action([tg(STABLE, 100)]),
      'alb.ingress.kubernetes.io/actions.hdr': before['alb.ingress.kubernetes.io/actions.hdr'],
      'alb.ingress.kubernetes.io/conditions.hdr':
        before['alb.ingress.kubernetes.io/conditions.hdr'],
    });
  });
});

describe('albResetPort (§3.11 reset port, Q5)', () => {
  const split = (...tgs: [string, string | undefined][]): ParsedAction => ({
    targetGroups: tgs.map(([serviceName, servicePort]) => ({
      serviceName,
      ...(servicePort !== undefined ? { servicePort } : {}),
    })),
  });
  const rows: {
    name: string;
    svc: string;
    parsed: ParsedAction | undefined;
    headerRoute?: boolean;
    want: string | undefined;
  }[] = [
    {
      name: 'stable-keyed: the own target group (upstream)',
      svc: 's',
      parsed: split(['c', '80'], ['s', '80']),
      want: '80',
    },
    {
      name: 'own target group wins over a different common port',
      svc: 's',
      parsed: split(['c', '81'], ['s', '80']),
      want: '80',
    },
    {
      name: 'root-keyed: the one port all target groups share',
      svc: 'root',
      parsed: split(['c', '80'], ['s', '80']),
      want: '80',
    },
    {
      name: 'root-keyed with experiment destinations',
      svc: 'root',
      parsed: split(['c', '443'], ['ex', '443'], ['s', '443']),
      want: '443',
    },
    {
      name: 'root-keyed, target groups disagree: unresolvable',
      svc: 'root',
      parsed: split(['c', '80'], ['s', '81']),
      want: undefined,
    },
    {
      name: 'root-keyed, a target group without port: unresolvable',
      svc: 'root',
      parsed: split(['c', '80'], ['s', undefined]),
      want: undefined,
    },
    {
      name: 'header route (conditions key in the entry): unresolvable',
      svc: 'hdr',
      parsed: split(['c', '80'], ['s', '80']),
      headerRoute: true,
      want: undefined,
    },
    {
      name: 'single target group naming another Service: unresolvable',
      svc: 'hdr',
      parsed: split(['c', '80']),
      want: undefined,
    },
    { name: 'old value did not parse', svc: 's', parsed: undefined, want: undefined },
  ];
  for (const row of rows) {
    it(row.name, () =>
      assert.equal(albResetPort(row.svc, row.parsed, row.headerRoute ?? false), row.want),
    );
  }
});

describe('Ingress validation against the Rollout (§3.2, TR-17/18)', () => {
  const rows: {
    name: string;
    rollout: Rollout;
    ingresses: Record<string, KubeObject>;
    want: string[];
    severities?: string[];
  }[] = [
    {
      name: 'valid',
      rollout: albRollout(),
      ingresses: { ingress: albIngress('ingress', STABLE) },
      want: [],
    },
    {
      name: 'TR-18 missing Ingress',
      rollout: albRollout(),
      ingresses: {},
      want: [
        'spec.strategy.canary.trafficRouting.alb.ingress: Invalid value: "ingress": ingress.networking.k8s.io "ingress" not found',
      ],
    },
    {
      name: 'TR-17 no rule with the stable service',
      rollout: albRollout(),
      ingresses: { ingress: albIngress('ingress', 'other') },
      want: [
        'spec.strategy.canary.trafficRouting.alb.ingress: Invalid value: "ingress": ingress `ingress` has no rules using service stable-svc backend',
      ],
    },
    {
      name: 'TR-17 rootService must be routed, not stable',
      rollout: albRollout({ alb: { rootService: 'root-svc' } }),
      ingresses: { ingress: albIngress('ingress', STABLE) },
      want: [
        'spec.strategy.canary.trafficRouting.alb.ingress: Invalid value: "ingress": ingress `ingress` has no rules using service root-svc backend',
      ],
    },
    {
      name: 'backend with a real port: a warning',
      rollout: albRollout(),
      ingresses: { ingress: albIngress('ingress', STABLE, {}, { port: 80 }) },
      want: [
        'spec.strategy.canary.trafficRouting.alb.ingress: Invalid value: "ingress": ingress `ingress` path "/" sends service stable-svc to port 80 instead of `use-annotation`: the AWS Load Balancer Controller ignores the alb.ingress.kubernetes.io/actions.stable-svc annotation there and no traffic split happens',
      ],
      severities: ['warning'],
    },
    {
      name: 'multiple Ingresses: every problem, in order, on .ingresses',
      rollout: albRollout({ alb: { ingress: undefined, ingresses: ['a', 'b', 'c'] } }),
      ingresses: { a: albIngress('a', STABLE), c: albIngress('c', 'x') },
      want: [
        'spec.strategy.canary.trafficRouting.alb.ingresses: Invalid value: "b": ingress.networking.k8s.io "b" not found',
        'spec.strategy.canary.trafficRouting.alb.ingresses: Invalid value: "c": ingress `c` has no rules using service stable-svc backend',
      ],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const problems = validateAlbIngresses(row.rollout, (n) => row.ingresses[n]);
      assert.deepEqual(problems.map(formatIngressProblem), row.want);
      assert.deepEqual(
        problems.map((p) => p.severity),
        row.severities ?? row.want.map(() => 'error'),
      );
    });
  }

  it('ingress + ingresses are both used, without duplicates', () => {
    const cfg = albConfig(albRollout({ alb: { ingress: 'a', ingresses: ['b', 'a', 'c'] } }));
    assert.deepEqual(
      cfg.ingresses.map((i) => i.name),
      ['a', 'b', 'c'],
    );
  });
});
