// spec.rollbackWindow against the emulator (rollout-semantics §6.9, §6.10): an update back to a
// revision at most `revisions` behind the stable one skips the steps, pauses and analysis and is
// promoted once available ("Rollback within window"); one further back goes through them again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster,
  canaryRollout,
  eventsOf,
  minimalService,
  ownedReplicaSets,
  promote,
  startController,
  statusOf,
  waitForEvent,
  waitForPhase,
  withRetries,
  type ControllerHandle,
  type RsInfo,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

describe('rollbackWindow', () => {
  let target: Target;
  let cluster: Cluster;
  let ctl: ControllerHandle;

  before(async () => {
    target = await openTarget({ kubeletReadyDelayMs: 50 });
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    ctl = await startController(target);
  });
  after(async () => {
    await ctl?.stop();
    await target?.close();
  });

  const rsByImage = async (ns: string, name: string, image: string) =>
    [...(await ownedReplicaSets(cluster, ns, name)).values()].find(
      (r) =>
        (r.obj.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
          .containers[0]!.image === image,
    );
  const rsOf = (ns: string, name: string, image: string): Promise<RsInfo> =>
    eventually(() => rsByImage(ns, name, image), `${name} ReplicaSet of ${image}`);
  const setImage = (ns: string, name: string, image: string) =>
    withRetries(() => cluster.setImage(ns, name, 'app', image));
  /**
   * Kubernetes keeps creation times in whole seconds and the window compares them, so the next
   * revision must be created in a later second than `rs` (a wait for a state, not a timing check).
   */
  const afterCreationSecondOf = (rs: RsInfo) =>
    eventually(
      () =>
        Math.floor(Date.now() / 1000) >
        Math.floor(Date.parse(rs.obj.metadata.creationTimestamp ?? '') / 1000),
      'the next second',
      3_000,
    );
  const pauseEvents = async (ns: string, name: string) =>
    (await eventsOf(cluster, ns, name))
      .filter((e) => e.reason === 'RolloutPaused')
      .reduce((n, e) => n + e.count, 0);

  test('canary: back one revision skips the steps; back two (revisions: 1) pauses again', async () => {
    const ns = await target.namespace('rw-canary');
    const name = 'rw-canary';
    await cluster.apply(
      canaryRollout({
        name,
        replicas: 2,
        steps: [{ setWeight: 50 }, { pause: {} }],
        spec: { rollbackWindow: { revisions: 1 } },
      }),
      ns,
    );
    await waitForPhase(cluster, ns, name, 'Healthy');
    const v1 = await rsOf(ns, name, 'example/app:v1');
    await afterCreationSecondOf(v1);
    await setImage(ns, name, 'example/app:v2');
    await waitForPhase(cluster, ns, name, 'Paused');
    const v2 = await rsOf(ns, name, 'example/app:v2');
    await promote(cluster, ns, name);
    await waitForPhase(cluster, ns, name, 'Healthy', (s) => s.stableRS === v2.hash);
    const pausesBefore = await pauseEvents(ns, name);

    // v1 is one revision behind the stable v2: straight back, no step, no pause.
    await setImage(ns, name, 'example/app:v1');
    const back = await waitForPhase(cluster, ns, name, 'Healthy', (s) => s.stableRS === v1.hash);
    assert.equal(back.currentPodHash, v1.hash);
    assert.equal(back.currentStepIndex, 2);
    await waitForEvent(
      cluster,
      ns,
      name,
      'RolloutCompleted',
      `Rollout completed update to revision 3 (${v1.hash}): Rollback within window`,
    );
    assert.equal(await pauseEvents(ns, name), pausesBefore, 'no pause on the way back');
    const v1Again = await rsOf(ns, name, 'example/app:v1');
    assert.equal(v1Again.revision, '3');
    assert.equal(v1Again.revisionHistory, '1');

    // v3, promoted. v1's ReplicaSet (created first) is now two behind: v2's was created between
    // it and v3's, which is outside revisions: 1, so going back to v1 runs the steps again.
    await afterCreationSecondOf(v2);
    await setImage(ns, name, 'example/app:v3');
    await waitForPhase(cluster, ns, name, 'Paused');
    const v3 = await rsOf(ns, name, 'example/app:v3');
    await promote(cluster, ns, name);
    await waitForPhase(cluster, ns, name, 'Healthy', (s) => s.stableRS === v3.hash);
    await setImage(ns, name, 'example/app:v1');
    const paused = await waitForPhase(
      cluster,
      ns,
      name,
      'Paused',
      (s) => s.currentPodHash === v1.hash,
    );
    assert.equal(paused.message, 'CanaryPauseStep');
    assert.equal(paused.stableRS, v3.hash);
    assert.equal(paused.currentStepIndex, 1);
  });

  test('blue-green: back one revision switches the active Service without the pause', async () => {
    const ns = await target.namespace('rw-bg');
    const name = 'rw-bg';
    await cluster.apply(minimalService(`${name}-active`, { app: name }), ns);
    await cluster.apply(minimalService(`${name}-preview`, { app: name }), ns);
    await cluster.apply(
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name },
        spec: {
          replicas: 2,
          rollbackWindow: { revisions: 1 },
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: 'app', image: 'example/app:v1' }] },
          },
          strategy: {
            blueGreen: {
              activeService: `${name}-active`,
              previewService: `${name}-preview`,
              autoPromotionEnabled: false,
              // The old active ReplicaSet goes to 0 soon, so the way back is not the
              // scale-down-delay fast track but the window's.
              scaleDownDelaySeconds: 1,
            },
          },
        },
      },
      ns,
    );
    await waitForPhase(cluster, ns, name, 'Healthy');
    const v1 = await rsOf(ns, name, 'example/app:v1');
    await afterCreationSecondOf(v1);
    await setImage(ns, name, 'example/app:v2');
    await waitForPhase(cluster, ns, name, 'Paused');
    const v2 = await rsOf(ns, name, 'example/app:v2');
    await promote(cluster, ns, name);
    await waitForPhase(cluster, ns, name, 'Healthy', (s) => s.stableRS === v2.hash);
    await eventually(async () => {
      const r = await rsByImage(ns, name, 'example/app:v1');
      return r && r.spec === 0 && r.annotations['scale-down-deadline'] === undefined;
    }, 'v1 scaled down after its delay');
    const pausesBefore = await pauseEvents(ns, name);

    await setImage(ns, name, 'example/app:v1');
    const back = await waitForPhase(cluster, ns, name, 'Healthy', (s) => s.stableRS === v1.hash);
    assert.deepEqual(back.blueGreen, { activeSelector: v1.hash, previewSelector: v1.hash });
    await waitForEvent(
      cluster,
      ns,
      name,
      'RolloutCompleted',
      `Rollout completed update to revision 3 (${v1.hash}): Rollback within window`,
    );
    assert.equal(await pauseEvents(ns, name), pausesBefore, 'no pause on the way back');
    assert.equal(statusOf(await cluster.rollout(ns, name)).pauseConditions, undefined);
  });
});
