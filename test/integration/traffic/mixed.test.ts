// getting-started/mixed (NGINX + SMI) against the emulator: SMI has no router here yet, so only
// the NGINX half runs; it must behave exactly as with NGINX alone (traffic-routing §3.6: every
// router gets the same weight; an unsupported one is reported once and skipped).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster,
  eventsOf,
  promote,
  startController,
  waitForEvent,
  waitForPhase,
  type ControllerHandle,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';
import {
  applyAll,
  expectedWeights,
  fixture,
  NAME,
  newHash,
  waitForPauseStep,
  waitForSelectors,
  waitForWeights,
} from './helpers.ts';

const CANARY_INGRESS = 'rollouts-demo-rollouts-demo-stable-canary';

describe('getting-started/mixed (NGINX + SMI)', () => {
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

  async function canaryWeight(ns: string, weight: number): Promise<void> {
    await eventually(
      async () =>
        (await cluster.get('Ingress', ns, CANARY_INGRESS).catch(() => undefined))?.metadata
          .annotations?.['nginx.ingress.kubernetes.io/canary-weight'] === String(weight),
      `canary-weight ${weight}`,
      20_000,
    );
  }

  test('the NGINX canary Ingress follows the steps', async () => {
    const ns = await target.namespace('mixed');
    await applyAll(cluster, ns, fixture('mixed'));
    const h1 = (await waitForPhase(cluster, ns, NAME, 'Healthy')).currentPodHash!;
    await waitForWeights(cluster, ns, expectedWeights(0, h1, h1));
    await canaryWeight(ns, 0);

    await cluster.setImage(ns, NAME, '*', 'argoproj/rollouts-demo:yellow');
    const h2 = await newHash(cluster, ns, h1);
    await waitForPauseStep(cluster, ns);
    await waitForWeights(cluster, ns, expectedWeights(5, h2, h1));
    await canaryWeight(ns, 5);
    await waitForSelectors(cluster, ns, { canary: h2, stable: h1 });

    await promote(cluster, ns, NAME);
    const s = await waitForPhase(cluster, ns, NAME, 'Healthy', (st) => st.stableRS === h2);
    assert.equal(s.currentStepIndex, 2);
    await waitForWeights(cluster, ns, expectedWeights(0, h2, h2));
    await canaryWeight(ns, 0);
    await waitForSelectors(cluster, ns, { canary: h2, stable: h2 });

    // SMI is reported once, not on each of the many passes above (the recorder would have
    // bumped the event's count for every repeat).
    const notice =
      'Traffic routing via smi is not supported by this controller: it is left untouched and gets no weight';
    await waitForEvent(cluster, ns, NAME, 'TrafficRouterNotSupported', notice, 'Warning');
    const notices = (await eventsOf(cluster, ns, NAME)).filter(
      (e) => e.reason === 'TrafficRouterNotSupported',
    );
    assert.deepEqual(notices, [
      {
        type: 'Warning',
        reason: 'TrafficRouterNotSupported',
        message: notice,
        object: NAME,
        count: 1,
      },
    ]);
  });
});
