// `setHeaderRoute` with ALB against the emulator with both controllers (traffic-routing §3.10,
// §3.6 "header and mirror routes", TR-22/TR-23; rollout-semantics §6.2): the
// `actions.<route>` (100 % to the canary) and `conditions.<route>` annotations byte for byte, the
// `/*` use-annotation path put first, the keys appended to the bookkeeping, the main action
// keeping its split meanwhile; then their removal by a step without `match`, by the full
// promotion at the end of the steps, and by an abort. Every Ingress state seen is checked with
// the LBC rules of test/support/alb-check.ts, every annotation included.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import {
  Cluster,
  promote,
  startController,
  statusOf,
  waitForEvent,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import { checkAlbIngress, servicesLookup } from '../../support/alb-check.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';
import {
  abort,
  applyAll,
  expectedWeights,
  fixture,
  NAME,
  newHash,
  waitForSelectors,
  waitForWeights,
} from './helpers.ts';

const INGRESS = 'rollouts-demo-ingress';
const ROUTE = 'header-route';
const ACTION_KEY = 'alb.ingress.kubernetes.io/actions.rollouts-demo-root';
const ROUTE_ACTION_KEY = `alb.ingress.kubernetes.io/actions.${ROUTE}`;
const ROUTE_CONDITION_KEY = `alb.ingress.kubernetes.io/conditions.${ROUTE}`;
const MANAGED_KEY = 'rollouts.argoproj.io/managed-alb-annotations';

const MATCH = [
  { headerName: 'Custom-Header', headerValue: { exact: 'Mozilla' } },
  { headerName: 'X-Beta', headerValue: { exact: 'yes' } },
  // A second exact value for the same header is merged into the first condition (TR-23).
  { headerName: 'Custom-Header', headerValue: { exact: 'Chrome' } },
];

/**
 * Step indexes: 0 setWeight 20, 1 setHeaderRoute (add), 2 pause, 3 setHeaderRoute without match
 * (remove), 4 pause, 5 setHeaderRoute (add again), 6 pause; then the end of the steps.
 */
const STEPS = [
  { setWeight: 20 },
  { setHeaderRoute: { name: ROUTE, match: MATCH } },
  { pause: {} },
  { setHeaderRoute: { name: ROUTE } },
  { pause: {} },
  { setHeaderRoute: { name: ROUTE, match: MATCH } },
  { pause: {} },
];

function action(canaryWeight: number): string {
  return (
    '{"Type":"forward","ForwardConfig":{"TargetGroups":[' +
    `{"ServiceName":"rollouts-demo-canary","ServicePort":"80","Weight":${canaryWeight}},` +
    `{"ServiceName":"rollouts-demo-stable","ServicePort":"80","Weight":${100 - canaryWeight}}]}}`
  );
}

/** traffic-routing §3.10, exactly. */
const ROUTE_ACTION =
  '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"rollouts-demo-canary","ServicePort":"80","Weight":100}]}}';
const ROUTE_CONDITION =
  '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"Custom-Header","values":["Mozilla","Chrome"]}},' +
  '{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Beta","values":["yes"]}}]';
const MANAGED_WITH_ROUTE = JSON.stringify({
  [NAME]: [ACTION_KEY, ROUTE_ACTION_KEY, ROUTE_CONDITION_KEY],
});
const MANAGED_WITHOUT_ROUTE = JSON.stringify({ [NAME]: [ACTION_KEY] });

function docs(): KubeObject[] {
  return fixture('alb').map((d) => {
    if (d.kind !== 'Rollout') return d;
    const spec = structuredClone(d.spec) as {
      strategy: { canary: { steps: unknown[]; trafficRouting: Record<string, unknown> } };
    };
    spec.strategy.canary.steps = STEPS;
    spec.strategy.canary.trafficRouting.managedRoutes = [{ name: ROUTE }];
    return { ...d, spec };
  });
}

const USER_SPEC = fixture('alb').find((d) => d.kind === 'Ingress')!.spec;

/** The user's Ingress spec with the header-route path put first (§3.10 "Spec change"). */
const SPEC_WITH_ROUTE = (() => {
  const spec = structuredClone(USER_SPEC) as {
    rules: { http: { paths: unknown[] } }[];
  };
  for (const rule of spec.rules) {
    rule.http.paths = [
      {
        path: '/*',
        pathType: 'ImplementationSpecific',
        backend: { service: { name: ROUTE, port: { name: 'use-annotation' } } },
      },
      ...rule.http.paths,
    ];
  }
  return spec;
})();

describe('ALB setHeaderRoute', () => {
  let target: Target;
  let cluster: Cluster;
  let ctl: ControllerHandle;

  before(async () => {
    target = await openTarget();
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    ctl = await startController(target);
  });
  after(async () => {
    await ctl?.stop();
    await target?.close();
  });

  /** Every Ingress state a test reads goes through the LBC rules, every annotation included. */
  async function checkedIngress(ns: string): Promise<KubeObject> {
    const ing = await cluster.get('Ingress', ns, INGRESS);
    const services = await Promise.all(
      ['rollouts-demo-root', 'rollouts-demo-canary', 'rollouts-demo-stable'].map((n) =>
        cluster.get('Service', ns, n),
      ),
    );
    assert.deepEqual(
      checkAlbIngress(ing, { lookup: servicesLookup(services) }),
      [],
      JSON.stringify(ing.metadata.annotations),
    );
    return ing;
  }

  /** Waits for the Ingress to carry the main action at `weight`, with or without the route. */
  async function waitForIngress(ns: string, weight: number, route: boolean): Promise<KubeObject> {
    const ing = await eventually(
      async () => {
        const i = await checkedIngress(ns);
        const a = i.metadata.annotations ?? {};
        const ok =
          a[ACTION_KEY] === action(weight) &&
          (route ? a[ROUTE_ACTION_KEY] !== undefined : a[ROUTE_ACTION_KEY] === undefined);
        return ok ? i : undefined;
      },
      `ALB action at ${weight}, header route ${route ? 'present' : 'absent'}`,
      20_000,
    );
    const a = ing.metadata.annotations ?? {};
    if (route) {
      assert.equal(a[ROUTE_ACTION_KEY], ROUTE_ACTION);
      assert.equal(a[ROUTE_CONDITION_KEY], ROUTE_CONDITION);
      assert.equal(a[MANAGED_KEY], MANAGED_WITH_ROUTE);
      assert.deepEqual(ing.spec, SPEC_WITH_ROUTE);
    } else {
      assert.equal(a[ROUTE_CONDITION_KEY], undefined);
      assert.equal(a[MANAGED_KEY], MANAGED_WITHOUT_ROUTE);
      assert.deepEqual(ing.spec, USER_SPEC);
    }
    // Only our keys and the user's class annotation: nothing else is written.
    assert.deepEqual(
      Object.keys(a).sort(),
      [
        'kubernetes.io/ingress.class',
        ACTION_KEY,
        MANAGED_KEY,
        ...(route ? [ROUTE_ACTION_KEY, ROUTE_CONDITION_KEY] : []),
      ].sort(),
    );
    return ing;
  }

  function waitForPauseAt(ns: string, index: number) {
    return waitForPhase(
      cluster,
      ns,
      NAME,
      'Paused',
      (st) =>
        st.currentStepIndex === index &&
        (st.pauseConditions ?? []).some((p) => p.reason === 'CanaryPauseStep'),
    );
  }

  test('added by a step with match, removed by one without, by promotion and by abort', async () => {
    const ns = await target.namespace('alb-hdr');
    await applyAll(cluster, ns, docs());

    // Revision 1: no header route on the first deploy (steps are skipped), 0/100.
    const s1 = await waitForPhase(cluster, ns, NAME, 'Healthy');
    const h1 = s1.currentPodHash!;
    await waitForWeights(cluster, ns, expectedWeights(0, h1, h1));
    await waitForIngress(ns, 0, false);

    // Revision 2: setWeight 20, then the header route; paused at index 2 with both in place.
    // The main action keeps its 20/80 split while the route sends its matches to the canary.
    await withRetries(() => cluster.setImage(ns, NAME, '*', 'argoproj/rollouts-demo:yellow'));
    const h2 = await newHash(cluster, ns, h1);
    await waitForPauseAt(ns, 2);
    await waitForWeights(cluster, ns, expectedWeights(20, h2, h1));
    await waitForIngress(ns, 20, true);
    await waitForSelectors(cluster, ns, { canary: h2, stable: h1 });
    await waitForEvent(
      cluster,
      ns,
      NAME,
      'PatchingALBIngress',
      `Updating Ingress \`${INGRESS}\` to headerRoute '${ROUTE}'`,
    );
    // Argo's CanaryStepString has no case for setHeaderRoute, so its label is "invalid".
    await waitForEvent(
      cluster,
      ns,
      NAME,
      'RolloutStepCompleted',
      'Rollout step 2/7 completed (invalid)',
    );

    // The step without match takes the route away again: annotations, bookkeeping, path.
    await promote(cluster, ns, NAME);
    await waitForPauseAt(ns, 4);
    await waitForIngress(ns, 20, false);
    assert.equal(
      JSON.stringify(
        (statusOf(await cluster.rollout(ns, NAME)).canary as { weights?: unknown }).weights,
      ),
      JSON.stringify(expectedWeights(20, h2, h1)),
    );

    // Added again, then the end of the steps: 100 to the canary, promotion, and the managed
    // routes go with the full promotion (RemoveManagedRoutes).
    await promote(cluster, ns, NAME);
    await waitForPauseAt(ns, 6);
    await waitForIngress(ns, 20, true);
    await promote(cluster, ns, NAME);
    await waitForPhase(cluster, ns, NAME, 'Healthy', (st) => st.stableRS === h2);
    await waitForWeights(cluster, ns, expectedWeights(0, h2, h2));
    await waitForIngress(ns, 0, false);
    await waitForEvent(
      cluster,
      ns,
      NAME,
      'PatchingALBIngress',
      `Updating Ingress \`${INGRESS}\` removing managed routes`,
    );

    // Revision 3 up to the route, then abort: weight back to 0 and the route removed.
    await withRetries(() => cluster.setImage(ns, NAME, '*', 'argoproj/rollouts-demo:green'));
    const h3 = await newHash(cluster, ns, h2);
    await waitForPauseAt(ns, 2);
    await waitForIngress(ns, 20, true);
    await abort(cluster, ns);
    await waitForPhase(cluster, ns, NAME, 'Degraded', (st) => st.abort === true);
    await waitForWeights(cluster, ns, expectedWeights(0, h3, h2));
    await waitForIngress(ns, 0, false);
    await waitForSelectors(cluster, ns, { canary: h2, stable: h2 });
    // It stays removed while aborted: the setHeaderRoute step is not applied again.
    await new Promise((r) => setTimeout(r, 1_000));
    await waitForIngress(ns, 0, false);
  });
});
