// Releasing what a deleted ALB Rollout leaves behind when no controller saw the deletion
// (traffic-routing §3.7, §3.11, §1.5; Q5): the Rollout of getting-started/alb is deleted while
// the controller is stopped; the next controller finds our bookkeeping on the Ingress, resets
// the rootService-keyed action to 100% on the root Service, drops the bookkeeping and gives the
// Services their own selectors back. A Rollout another controller instance manages (not in this
// controller's cache) is left alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import { createLogger } from '../../../src/controller/logger.ts';
import { RolloutController } from '../../../src/controller/rollout-controller.ts';
import { RawClient } from '../../../src/kube/raw-client.ts';
import { INSTANCE_ID_LABEL } from '../../../src/rollout/labels.ts';
import {
  Cluster,
  serviceSelectorOf,
  startController,
  waitForPhase,
  type ControllerHandle,
} from '../../support/controller.ts';
import { checkAlbIngress, servicesLookup } from '../../support/alb-check.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';
import {
  applyAll,
  deleteRollout,
  expectedWeights,
  fixture,
  NAME,
  waitForWeights,
} from './helpers.ts';

const INGRESS = 'rollouts-demo-ingress';
const ACTION_KEY = 'alb.ingress.kubernetes.io/actions.rollouts-demo-root';
const MANAGED_KEY = 'rollouts.argoproj.io/managed-alb-annotations';
const MANAGED_BY = 'argo-rollouts.argoproj.io/managed-by-rollouts';
const ROOT_100 =
  '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"rollouts-demo-root","ServicePort":"80","Weight":100}]}}';
const SERVICES = ['rollouts-demo-root', 'rollouts-demo-canary', 'rollouts-demo-stable'];

describe('ALB: a Rollout deleted while no controller ran', () => {
  let target: Target;
  let cluster: Cluster;
  let ctl: ControllerHandle | undefined;

  before(async () => {
    target = await openTarget();
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
  });
  after(async () => {
    await ctl?.stop();
    await target?.close();
  });

  test('the next controller resets the action and releases the Services', async () => {
    const ns = await target.namespace('alb-del');
    ctl = await startController(target);
    await applyAll(cluster, ns, fixture('alb'));
    const h1 = (await waitForPhase(cluster, ns, NAME, 'Healthy')).currentPodHash!;
    await waitForWeights(cluster, ns, expectedWeights(0, h1, h1));
    await eventually(
      async () =>
        (await cluster.get('Ingress', ns, INGRESS)).metadata.annotations?.[MANAGED_KEY] !==
        undefined,
      'bookkeeping written',
    );
    await ctl.stop();
    ctl = undefined;

    await deleteRollout(cluster, ns);
    // Nothing runs: the Ingress still carries the Rollout's action and bookkeeping.
    const left = await cluster.get('Ingress', ns, INGRESS);
    assert.equal(left.metadata.annotations?.[MANAGED_KEY], `{"${NAME}":["${ACTION_KEY}"]}`);

    ctl = await startController(target);
    const reset = await eventually(
      async () => {
        const i = await cluster.get('Ingress', ns, INGRESS);
        return i.metadata.annotations?.[MANAGED_KEY] === undefined ? i : undefined;
      },
      'bookkeeping removed by the new controller',
      20_000,
    );
    assert.deepEqual(reset.metadata.annotations, {
      'kubernetes.io/ingress.class': 'alb',
      [ACTION_KEY]: ROOT_100,
    });
    const services = await Promise.all(SERVICES.map((n) => cluster.get('Service', ns, n)));
    assert.deepEqual(checkAlbIngress(reset, { lookup: servicesLookup(services) }), []);
    await eventually(async () => {
      for (const n of ['rollouts-demo-canary', 'rollouts-demo-stable']) {
        const svc: KubeObject = await cluster.get('Service', ns, n);
        if (svc.metadata.annotations?.[MANAGED_BY] !== undefined) return false;
        if (JSON.stringify(serviceSelectorOf(svc)) !== '{"app":"rollouts-demo"}') return false;
      }
      return true;
    }, 'Services released');
  });

  test("another instance's Rollout is not released", async () => {
    const ns = await target.namespace('alb-other');
    // Deployed and managed by a controller started with --instance-id=other.
    const kc = new KubeConfig();
    kc.loadFromFile(target.kubeconfigPath);
    const other = new RolloutController({
      kc,
      client: new RawClient(kc, { qps: 0 }),
      logger: createLogger({ level: 'error' }),
      instanceId: 'other',
      resyncMs: 0,
    });
    await other.start();
    const docs = fixture('alb').map((d) =>
      d.kind === 'Rollout'
        ? { ...d, metadata: { ...d.metadata, labels: { [INSTANCE_ID_LABEL]: 'other' } } }
        : d,
    );
    let h1: string;
    try {
      await applyAll(cluster, ns, docs);
      h1 = (await waitForPhase(cluster, ns, NAME, 'Healthy')).currentPodHash!;
      await waitForWeights(cluster, ns, expectedWeights(0, h1, h1));
    } finally {
      await other.stop();
    }
    const before = await cluster.get('Ingress', ns, INGRESS);
    assert.equal(before.metadata.annotations?.[MANAGED_KEY], `{"${NAME}":["${ACTION_KEY}"]}`);

    // This controller (no instance id) does not cache that Rollout, sees our bookkeeping on the
    // Ingress, looks the Rollout up on the server, finds it and leaves everything as it is.
    // A later Ingress change makes it look again: still nothing.
    await cluster.client.patch(
      cluster.path('Ingress', ns, INGRESS),
      { metadata: { labels: { touched: 'yes' } } },
      'merge',
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await cluster.get('Ingress', ns, INGRESS);
    assert.deepEqual(after.metadata.annotations, before.metadata.annotations);
    const stable = await cluster.get('Service', ns, 'rollouts-demo-stable');
    assert.equal(stable.metadata.annotations?.[MANAGED_BY], NAME);
    assert.equal(serviceSelectorOf(stable)['rollouts-pod-template-hash'], h1);
  });
});
