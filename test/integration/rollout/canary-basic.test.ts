import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster,
  FIXTURES,
  loadYamlDocs,
  startController,
  statusOf,
  waitForPhase,
  type ControllerHandle,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

describe('basic canary (getting-started/basic)', () => {
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

  test('initial deploy goes straight to Healthy, then an image change walks the steps', async () => {
    const ns = await target.namespace('canary');
    const docs = [
      ...loadYamlDocs(new URL('argo-rollouts/getting-started/basic/service.yaml', FIXTURES)),
      ...loadYamlDocs(new URL('argo-rollouts/getting-started/basic/rollout.yaml', FIXTURES)),
    ];
    for (const d of docs) await cluster.apply(d, ns);
    const name = 'rollouts-demo';
    const s0 = await waitForPhase(cluster, ns, name, 'Healthy');
    const ro0 = await cluster.rollout(ns, name);
    const steps = (ro0.spec as { strategy: { canary: { steps: unknown[] } } }).strategy.canary
      .steps;
    assert.equal(s0.currentStepIndex, steps.length, 'initial deploy skips the steps');
    assert.equal(s0.stableRS, s0.currentPodHash);
    const rs0 = await cluster.replicaSets(ns, ro0.metadata.uid);
    assert.equal(rs0.length, 1);
    assert.equal(rs0[0]!.metadata.name, `${name}-${s0.currentPodHash}`);
    assert.equal((rs0[0]!.spec as { replicas: number }).replicas, 5);
    const svc = await cluster.get('Service', ns, name);
    assert.equal(
      svc.metadata.annotations?.['argo-rollouts.argoproj.io/managed-by-rollouts'],
      undefined,
      'no service in the basic example is managed',
    );

    await cluster.setImage(ns, name, 'rollouts-demo', 'argoproj/rollouts-demo:yellow');
    const s1 = await waitForPhase(cluster, ns, name, 'Paused', (s) => s.currentStepIndex === 1);
    assert.notEqual(s1.currentPodHash, s0.currentPodHash);
    assert.deepEqual(
      s1.pauseConditions?.map((p) => p.reason),
      ['CanaryPauseStep'],
    );
    const rss = await cluster.replicaSets(ns, ro0.metadata.uid);
    const byHash = (h: unknown) =>
      rss.find((r) => r.metadata.labels?.['rollouts-pod-template-hash'] === h)!;
    // setWeight 20 of 5 replicas: 1 canary, 4 stable (rollout-semantics §6.4).
    assert.equal((byHash(s1.currentPodHash).spec as { replicas: number }).replicas, 1);
    assert.equal((byHash(s0.currentPodHash).spec as { replicas: number }).replicas, 4);

    // promote: clear the pause condition (the plugin's patch).
    await cluster.patchRolloutStatus(ns, name, { status: { pauseConditions: null } });
    await waitForPhase(cluster, ns, name, 'Paused', (s) => (s.currentStepIndex ?? 0) >= 3);
    const s3 = statusOf(await cluster.rollout(ns, name));
    assert.equal(s3.currentStepIndex, 3);

    // promote --full
    await cluster.patchRolloutStatus(ns, name, { status: { promoteFull: true } });
    const done = await waitForPhase(
      cluster,
      ns,
      name,
      'Healthy',
      (s) => s.stableRS === s1.currentPodHash,
    );
    assert.equal(done.currentStepIndex, steps.length);
    await eventually(async () => {
      const all = await cluster.replicaSets(ns, ro0.metadata.uid);
      const old = all.find(
        (r) => r.metadata.labels?.['rollouts-pod-template-hash'] === s0.currentPodHash,
      );
      return (old?.spec as { replicas: number }).replicas === 0;
    }, 'old ReplicaSet scaled to 0');
  });
});
