// Invalid specs (rollout-semantics §9, §4.1, §4.2): an InvalidSpec condition whose message
// names the field, a Warning event, phase Degraded, and the ReplicaSets left alone; fixing the
// spec (or creating the missing Service) clears it and the Rollout proceeds.
// Field paths are Argo's, quirk included: spec checks of the canary strategy are reported
// under `spec.strategy.<field>` (no `canary`), referenced-object checks under the full path.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster,
  canaryRollout,
  conditionOf,
  eventsOf,
  minimalService,
  ownedReplicaSets,
  startController,
  statusOf,
  waitForEvent,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

describe('invalid spec', () => {
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

  /** Degraded with InvalidSpec `message`, observed at the current generation. */
  async function expectInvalid(ns: string, name: string, message: string) {
    const gen = String((await cluster.rollout(ns, name)).metadata.generation);
    const s = await waitForPhase(
      cluster,
      ns,
      name,
      'Degraded',
      (st) => st.observedGeneration === gen && conditionOf(st, 'InvalidSpec')?.message === message,
    );
    const c = conditionOf(s, 'InvalidSpec')!;
    assert.equal(c.status, 'True');
    assert.equal(c.reason, 'InvalidSpec');
    assert.equal(s.message, `InvalidSpec: ${message}`);
    await waitForEvent(cluster, ns, name, 'InvalidSpec', message, 'Warning');
    return s;
  }

  test('setWeight 120 at creation: no ReplicaSet until the step is fixed', async () => {
    const ns = await target.namespace('inv-weight');
    const name = 'heavy';
    await cluster.apply(canaryRollout({ name, steps: [{ setWeight: 120 }, { pause: {} }] }), ns);
    await expectInvalid(
      ns,
      name,
      `The Rollout "${name}" is invalid: spec.strategy.steps[0].setWeight: Invalid value: 120: SetWeight needs to be between 0 and 100`,
    );
    assert.equal((await ownedReplicaSets(cluster, ns, name)).size, 0, 'no ReplicaSet created');
    assert.equal((await cluster.replicaSets(ns)).length, 0);

    await cluster.patchRollout(ns, name, {
      spec: { strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } },
    });
    const s = await waitForPhase(cluster, ns, name, 'Healthy');
    assert.equal(conditionOf(s, 'InvalidSpec'), undefined, 'InvalidSpec removed');
    assert.equal((await ownedReplicaSets(cluster, ns, name)).size, 1);
  });

  test('canaryService == stableService on a running Rollout: the new template is not rolled out', async () => {
    const ns = await target.namespace('inv-same-svc');
    const name = 'same';
    await cluster.apply(minimalService('svc-a', { app: name }), ns);
    await cluster.apply(minimalService('svc-b', { app: name }), ns);
    await cluster.apply(
      canaryRollout({
        name,
        steps: [{ setWeight: 50 }, { pause: {} }],
        canary: { canaryService: 'svc-a', stableService: 'svc-b' },
      }),
      ns,
    );
    const s0 = await waitForPhase(cluster, ns, name, 'Healthy');
    const before = await ownedReplicaSets(cluster, ns, name);
    const rv = before.get(s0.currentPodHash!)!.obj.metadata.resourceVersion;

    // One update: a new image and the same Service twice.
    await withRetries(async () => {
      const ro = await cluster.rollout(ns, name);
      const spec = ro.spec as {
        template: { spec: { containers: { image: string }[] } };
        strategy: { canary: { canaryService: string } };
      };
      spec.template.spec.containers[0]!.image = 'example/app:v2';
      spec.strategy.canary.canaryService = 'svc-b';
      await cluster.client.update(cluster.path('Rollout', ns, name), ro);
    });
    const s = await expectInvalid(
      ns,
      name,
      `The Rollout "${name}" is invalid: spec.strategy.stableService: Invalid value: "svc-b": This rollout uses the same service for the stable and canary services, but two different services are required.`,
    );
    const after = await ownedReplicaSets(cluster, ns, name);
    assert.equal(after.size, 1, 'no ReplicaSet for the new template');
    assert.equal(
      after.get(s0.currentPodHash!)!.obj.metadata.resourceVersion,
      rv,
      'the existing ReplicaSet is untouched',
    );
    assert.equal(s.stableRS, s0.currentPodHash);

    // Fix: the Rollout proceeds with the pending template.
    await cluster.patchRollout(ns, name, {
      spec: { strategy: { canary: { canaryService: 'svc-a' } } },
    });
    const p = await waitForPhase(
      cluster,
      ns,
      name,
      'Paused',
      (st) => st.currentStepIndex === 1 && (st.pauseConditions?.length ?? 0) > 0,
    );
    assert.equal(conditionOf(p, 'InvalidSpec'), undefined);
    assert.notEqual(p.currentPodHash, s0.currentPodHash);
    assert.equal((await ownedReplicaSets(cluster, ns, name)).size, 2);
  });

  test('missing canary Service: invalid until the Service exists', async () => {
    const ns = await target.namespace('inv-missing-svc');
    const name = 'lonely';
    await cluster.apply(minimalService('lonely-stable', { app: name }), ns);
    await cluster.apply(
      canaryRollout({
        name,
        steps: [{ setWeight: 50 }, { pause: {} }],
        canary: { canaryService: 'lonely-canary', stableService: 'lonely-stable' },
      }),
      ns,
    );
    const message = `The Rollout "${name}" is invalid: spec.strategy.canary.canaryService: Invalid value: "lonely-canary": service "lonely-canary" not found`;
    await expectInvalid(ns, name, message);
    assert.equal((await ownedReplicaSets(cluster, ns, name)).size, 0);
    const warnings = (await eventsOf(cluster, ns, name)).filter((e) => e.reason === 'InvalidSpec');
    assert.equal(warnings.length, 1, 'one event (repeats are counted on it)');

    // Creating the Service is enough: the Service watch brings the Rollout back.
    await cluster.apply(minimalService('lonely-canary', { app: name }), ns);
    const s = await waitForPhase(cluster, ns, name, 'Healthy');
    assert.equal(conditionOf(s, 'InvalidSpec'), undefined);
    await eventually(async () => {
      const svc = await cluster.get('Service', ns, 'lonely-canary');
      return (
        (svc.spec as { selector: Record<string, string> }).selector[
          'rollouts-pod-template-hash'
        ] === s.currentPodHash
      );
    }, 'canary Service selector set');
    assert.equal(statusOf(await cluster.rollout(ns, name)).phase, 'Healthy');
  });
});
