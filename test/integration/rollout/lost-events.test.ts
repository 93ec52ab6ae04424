// No event lost for a write that succeeded (rollout-semantics §4.4): a pass whose status patch
// fails has already scaled a ReplicaSet; its ScalingReplicaSet event must still be recorded,
// and the next pass must not record it again. Injected errors hit Rollout status patches only,
// so every ReplicaSet write succeeds and the new ReplicaSet's ScalingReplicaSet events must form
// an unbroken chain 0 → … → R, with one NewReplicaSetCreated event.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster,
  canaryRollout,
  eventsOf,
  startController,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import { openTarget, type Target } from '../../support/target.ts';

describe('no event lost for a write that succeeded', () => {
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
    target?.sim?.faults.reset();
    await ctl?.stop();
    await target?.close();
  });

  test('ScalingReplicaSet events chain 0 → R although status patches fail', async () => {
    const ns = await target.namespace('pend-lost');
    const name = 'app';
    const R = 6;
    await cluster.apply(canaryRollout({ name, replicas: R }), ns); // no steps: rolling update
    const s0 = await waitForPhase(cluster, ns, name, 'Healthy');
    target.sim!.faults.set({
      errors: [{ verbs: ['patch'], resources: ['rollouts'], rate: 0.5 }],
    });
    await withRetries(() => cluster.setImage(ns, name, 'app', 'example/app:v2'));
    const s = await waitForPhase(
      cluster,
      ns,
      name,
      'Healthy',
      (st) => !!st.stableRS && st.stableRS !== s0.stableRS,
      30_000,
    );
    target.sim!.faults.reset();
    await ctl.controller.events.flush();
    const rsName = `${name}-${s.currentPodHash}`;
    const re = new RegExp(
      `^Scaled up ReplicaSet ${rsName} \\(revision 2\\) from (\\d+) to (\\d+)$`,
    );
    const steps = (await eventsOf(cluster, ns, name))
      .map((e) => re.exec(e.message))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [Number(m[1]), Number(m[2])] as const)
      .sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [from, to] of steps) {
      assert.equal(from, at, `chain broken: ${JSON.stringify(steps)}`);
      at = to;
    }
    assert.equal(at, R, `chain ends at R: ${JSON.stringify(steps)}`);
    const created = (await eventsOf(cluster, ns, name)).filter(
      (e) =>
        e.reason === 'NewReplicaSetCreated' &&
        e.message === `Created ReplicaSet ${rsName} (revision 2)`,
    );
    assert.equal(created.length, 1, 'NewReplicaSetCreated recorded');
  });
});
