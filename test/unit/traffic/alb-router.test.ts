import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeApiError } from '../../../src/kube/raw-client.ts';
import { AlbRouter } from '../../../src/traffic/alb.ts';
import { MANAGED_ALB_ANNOTATIONS } from '../../../src/traffic/alb-annotations.ts';
import { newTrafficRouters } from '../../../src/traffic/routers.ts';
import { TrafficRoutingError } from '../../../src/traffic/router.ts';
import {
  albIngress,
  albRollout,
  assertAlbIngressValid,
  CANARY,
  eventSink,
  checkedAlbOps,
  FakeIngressOps,
  lookupOf,
  STABLE,
} from './helpers.ts';

const ACTION = 'alb.ingress.kubernetes.io/actions.stable-svc';
const LOOKUP = lookupOf(STABLE, CANARY, 'ex-svc');
const multi = albRollout({ alb: { ingress: undefined, ingresses: ['a', 'b', 'c'] } });

describe('AlbRouter', () => {
  it('TR-13 every listed Ingress gets the identical action; events per patch', async () => {
    const ops = checkedAlbOps(
      ['a', 'b', 'c'].map((n) => albIngress(n, STABLE)),
      LOOKUP,
    );
    const sink = eventSink();
    const r = new AlbRouter(multi, { ops, emit: sink.emit });
    await r.setWeight(20);
    const values = ['a', 'b', 'c'].map((n) => ops.objects.get(n)?.metadata.annotations?.[ACTION]);
    assert.equal(new Set(values).size, 1);
    assert.equal(
      values[0],
      '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"canary-svc","ServicePort":"443","Weight":20},{"ServiceName":"stable-svc","ServicePort":"443","Weight":80}]}}',
    );
    assert.deepEqual(
      sink.events.map((e) => `${e.reason}: ${e.message}`),
      ['a', 'b', 'c'].map(
        (n) => `PatchingALBIngress: Updating Ingress \`${n}\` to desiredWeight '20'`,
      ),
    );
    for (const n of ['a', 'b', 'c']) assertAlbIngressValid(ops.objects.get(n)!, LOOKUP);
  });

  it('Q1 fixed: an up-to-date first Ingress does not stop the others', async () => {
    const ops = checkedAlbOps(
      ['a', 'b', 'c'].map((n) => albIngress(n, STABLE)),
      LOOKUP,
    );
    const r = new AlbRouter(multi, { ops });
    await r.setWeight(10);
    // Someone reverts b by hand; a is already right.
    const b = ops.objects.get('b')!;
    b.metadata.annotations = {};
    await r.setWeight(10);
    assert.deepEqual(
      ops.writes().map((c) => `${c.verb} ${c.name}`),
      ['patch a', 'patch b', 'patch c', 'patch b'],
    );
  });

  it('TR-05 no change ⇒ zero writes', async () => {
    const ops = checkedAlbOps([albIngress('ingress', STABLE)], LOOKUP);
    const r = new AlbRouter(albRollout(), { ops });
    await r.setWeight(5);
    const before = ops.writes().length;
    await r.setWeight(5);
    assert.equal(ops.writes().length, before);
  });

  it('patches carry the read resourceVersion (stale read ⇒ 409)', async () => {
    const ops = checkedAlbOps([albIngress('ingress', STABLE)], LOOKUP);
    const r = new AlbRouter(albRollout(), { ops });
    await r.setWeight(5);
    const patch = ops.writes()[0]?.body as { metadata: { resourceVersion: string } };
    assert.equal(patch.metadata.resourceVersion, '7');
    ops.failNext.patch = new KubeApiError(409, 'Conflict', 'the object has been modified');
    await assert.rejects(r.setWeight(6), {
      name: 'TrafficRoutingError',
      message: 'error patching alb ingress `ingress`: the object has been modified',
    });
  });

  it('an error stops the pass at that Ingress', async () => {
    const ops = checkedAlbOps([albIngress('a', STABLE), albIngress('c', STABLE)], LOOKUP);
    const r = new AlbRouter(multi, { ops });
    await assert.rejects(r.setWeight(10), {
      message: 'ingress.networking.k8s.io "b" not found',
    });
    assert.deepEqual(
      ops.writes().map((c) => c.name),
      ['a'],
    );
  });

  it('missing rule ⇒ TrafficRoutingError with the spec text', async () => {
    const ops = checkedAlbOps([albIngress('ingress', 'other')], LOOKUP);
    await assert.rejects(new AlbRouter(albRollout(), { ops }).setWeight(10), (e) => {
      assert.ok(e instanceof TrafficRoutingError);
      assert.equal(e.message, 'ingress does not have service `stable-svc` in rules');
      return true;
    });
    assert.equal(ops.writes().length, 0);
  });

  it('experiment destinations flow through', async () => {
    const ops = checkedAlbOps([albIngress('ingress', STABLE)], LOOKUP);
    await new AlbRouter(albRollout(), { ops }).setWeight(10, [
      { serviceName: 'ex-svc', weight: 20 },
    ]);
    assertAlbIngressValid(ops.objects.get('ingress')!, LOOKUP);
    assert.match(
      ops.objects.get('ingress')!.metadata.annotations![ACTION]!,
      /"ex-svc","ServicePort":"443","Weight":20\},\{"ServiceName":"stable-svc","ServicePort":"443","Weight":70/,
    );
  });

  it('header route then removeManagedRoutes round-trips the Ingress', async () => {
    const rollout = albRollout({ canary: { trafficRouting: { managedRoutes: [{ name: 'hr' }] } } });
    const ops = checkedAlbOps([albIngress('ingress', STABLE)], LOOKUP);
    const sink = eventSink();
    const r = new AlbRouter(rollout, { ops, emit: sink.emit });
    await r.setWeight(20);
    const afterWeight = structuredClone(ops.objects.get('ingress')!);
    await r.setHeaderRoute({
      name: 'hr',
      match: [{ headerName: 'x', headerValue: { exact: 'y' } }],
    });
    assertAlbIngressValid(ops.objects.get('ingress')!, lookupOf(STABLE, CANARY));
    await r.removeManagedRoutes();
    const end = ops.objects.get('ingress')!;
    assert.deepEqual(end.spec, afterWeight.spec);
    assert.deepEqual(end.metadata.annotations, afterWeight.metadata.annotations);
    assert.deepEqual(
      sink.events.map((e) => e.message),
      [
        "Updating Ingress `ingress` to desiredWeight '20'",
        "Updating Ingress `ingress` to headerRoute 'hr'",
        'Updating Ingress `ingress` removing managed routes',
      ],
    );
  });

  it('removeManagedRoutes without managedRoutes makes no call at all', async () => {
    const ops = checkedAlbOps([albIngress('ingress', STABLE)], LOOKUP);
    await new AlbRouter(albRollout(), { ops }).removeManagedRoutes();
    assert.equal(ops.calls.length, 0);
  });

  it('verifyWeight: undefined without a verifier, else the verifier answer', async () => {
    const ops = checkedAlbOps([albIngress('ingress', STABLE)], LOOKUP);
    assert.equal(await new AlbRouter(albRollout(), { ops }).verifyWeight(10), undefined);
    const seen: number[] = [];
    const r = new AlbRouter(albRollout(), {
      ops,
      verifier: {
        verify: (input) => {
          seen.push(input.desiredWeight, input.ingresses.length);
          return Promise.resolve(false);
        },
      },
    });
    assert.equal(await r.verifyWeight(10), false);
    assert.deepEqual(seen, [10, 1]);
  });

  it('type, no-op updateHash/setMirrorRoute', async () => {
    const ops = new FakeIngressOps();
    const r = new AlbRouter(albRollout(), { ops });
    assert.equal(r.type(), 'ALB');
    await r.updateHash('a', 'b');
    await r.setMirrorRoute({ name: 'm' });
    assert.equal(ops.calls.length, 0);
  });

  it('newTrafficRouters: NGINX before ALB; unsupported listed', () => {
    const rollout = albRollout({
      canary: { trafficRouting: { nginx: { stableIngress: 'x' }, smi: {} } },
    });
    const { routers, unsupported } = newTrafficRouters(rollout, { ops: new FakeIngressOps() });
    assert.deepEqual(
      routers.map((r) => r.type()),
      ['Nginx', 'ALB'],
    );
    assert.deepEqual(unsupported, ['smi']);
  });

  it('bookkeeping written once and stable across passes', async () => {
    const ops = checkedAlbOps([albIngress('ingress', STABLE)], LOOKUP);
    const r = new AlbRouter(albRollout(), { ops });
    for (const w of [0, 5, 50, 100, 0]) await r.setWeight(w);
    assert.equal(
      ops.objects.get('ingress')!.metadata.annotations![MANAGED_ALB_ANNOTATIONS],
      `{"rollout":["${ACTION}"]}`,
    );
    assert.equal(ops.writes().length, 5);
  });
});
