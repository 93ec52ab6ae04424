// The Argo Rollouts example Rollouts that need no analysis, experiment or traffic router, run
// end to end against the emulator: initial deploy, an image change, and every step walked with
// `promote`, checking ReplicaSets, pods, Services, status and events after each step
// (rollout-semantics §3, §4, §6.2, §6.4, §6.6, §6.7, §8).
//
// Fixtures covered (examples/ and getting-started/basic/):
//   rollout-canary.yaml, rollout-rolling-update.yaml, workload-ref.yaml,
//   rollout-template-ref.yaml, getting-started/basic/{rollout,service}.yaml.
// Left out because they need analysis, experiments, traffic routing or blue-green:
//   rollout-analysis-step, rollout-background-analysis, rollout-secret, rollout-experiment-step,
//   rollout-canary-preview, rollout-baseline-vs-canary, rollout-alb-experiment-step,
//   experiment-with-analysis, rollout-bluegreen, getting-started/{alb,nginx,mixed}.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import { resolveFenceposts } from '../../../src/rollout/fenceposts.ts';
import { approx } from '../../../src/rollout/replica-math.ts';
import {
  Cluster,
  FIXTURES,
  conditionOf,
  eventsOf,
  loadYamlDocs,
  minimalService,
  ownedReplicaSets,
  podsByHash,
  promote,
  serviceSelectorOf,
  startController,
  statusOf,
  waitForEvent,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

const HASH = 'rollouts-pod-template-hash';
const MANAGED_BY = 'argo-rollouts.argoproj.io/managed-by-rollouts';

interface Step {
  setWeight?: number;
  pause?: { duration?: string | number };
}

interface RolloutSpec {
  replicas: number;
  strategy: {
    canary: {
      steps?: Step[];
      maxSurge?: number | string;
      maxUnavailable?: number | string;
      canaryService?: string;
      stableService?: string;
    };
  };
}

function stepText(s: Step): string {
  if (s.setWeight !== undefined) return `setWeight: ${s.setWeight}`;
  const d = s.pause?.duration;
  return d === undefined ? 'pause' : `pause: ${d}`;
}

/** Weight in force at step index i: the nearest setWeight at or before it (§6.3.2). */
function weightAt(steps: Step[], i: number): number {
  for (let j = Math.min(i, steps.length - 1); j >= 0; j--) {
    const w = steps[j]!.setWeight;
    if (w !== undefined) return w;
  }
  return 0;
}

describe('Argo Rollouts example Rollouts (canary, no analysis/experiment/router)', () => {
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

  function fixture(path: string): KubeObject[] {
    return loadYamlDocs(new URL(`argo-rollouts/${path}`, FIXTURES));
  }

  async function specOf(ns: string, name: string): Promise<RolloutSpec> {
    return (await cluster.rollout(ns, name)).spec as RolloutSpec;
  }

  /** Initial deploy: one ReplicaSet at full size, promoted at once, steps skipped (§6.10). */
  async function checkInitialDeploy(ns: string, name: string): Promise<string> {
    const s = await waitForPhase(cluster, ns, name, 'Healthy');
    const ro = await cluster.rollout(ns, name);
    const spec = ro.spec as RolloutSpec;
    const steps = spec.strategy.canary.steps ?? [];
    const hash = s.currentPodHash!;
    assert.equal(s.stableRS, hash);
    assert.equal(s.currentStepIndex, steps.length > 0 ? steps.length : undefined);
    assert.equal(s.observedGeneration, String(ro.metadata.generation));
    assert.equal(ro.metadata.annotations?.['rollout.argoproj.io/revision'], '1');
    const rss = await ownedReplicaSets(cluster, ns, name);
    assert.equal(rss.size, 1);
    const rs = rss.get(hash)!;
    assert.equal(rs.name, `${name}-${hash}`);
    assert.equal(rs.spec, spec.replicas);
    assert.equal(rs.revision, '1');
    assert.equal(rs.annotations['rollout.argoproj.io/desired-replicas'], String(spec.replicas));
    await eventually(
      async () => (await podsByHash(cluster, ns)).get(hash)?.total === spec.replicas,
      'initial pods',
    );
    await waitForEvent(
      cluster,
      ns,
      name,
      'NewReplicaSetCreated',
      `Created ReplicaSet ${name}-${hash} (revision 1)`,
    );
    await waitForEvent(
      cluster,
      ns,
      name,
      'RolloutCompleted',
      `Rollout completed update to revision 1 (${hash}): Initial deploy`,
    );
    assert.equal(conditionOf(s, 'Completed')?.status, 'True');
    assert.equal(conditionOf(s, 'Available')?.status, 'True');
    assert.equal(conditionOf(s, 'Available')?.reason, 'AvailableReason');
    assert.equal(conditionOf(s, 'Progressing')?.reason, 'NewReplicaSetAvailable');
    return hash;
  }

  /**
   * After an image change, walks every step: at each pause step (after the controller added its
   * CanaryPauseStep condition) checks the whole picture, then promotes; setWeight steps complete
   * by themselves once the ReplicaSets reach their counts.
   */
  async function walkSteps(
    ns: string,
    name: string,
    oldHash: string,
    o: { unmanagedServices?: string[] } = {},
  ): Promise<string> {
    const ro = await cluster.rollout(ns, name);
    const spec = ro.spec as RolloutSpec;
    const steps = spec.strategy.canary.steps ?? [];
    const R = spec.replicas;
    const { maxSurge } = resolveFenceposts(
      R,
      spec.strategy.canary.maxSurge,
      spec.strategy.canary.maxUnavailable,
    );
    const n = steps.length;
    const first = await eventually(async () => {
      const s = statusOf(await cluster.rollout(ns, name));
      return s.currentPodHash && s.currentPodHash !== oldHash ? s : undefined;
    }, 'a new revision');
    const newHash = first.currentPodHash!;
    const newName = `${name}-${newHash}`;
    const oldName = `${name}-${oldHash}`;
    await waitForEvent(
      cluster,
      ns,
      name,
      'NewReplicaSetCreated',
      `Created ReplicaSet ${newName} (revision 2)`,
    );
    await waitForEvent(cluster, ns, name, 'RolloutUpdated', 'Rollout updated to revision 2');

    let prevCanary = 0;
    let prevStable = R;

    for (let i = 0; i < n; i++) {
      const step = steps[i]!;
      if (!step.pause) continue;
      // Pause step i: the controller has added its pause condition.
      const s = await waitForPhase(
        cluster,
        ns,
        name,
        'Paused',
        // The pre-pass of the next reconcile (§4.3 step 1) records the pause in the conditions.
        (st) =>
          st.currentStepIndex === i &&
          (st.pauseConditions ?? []).some((p) => p.reason === 'CanaryPauseStep') &&
          conditionOf(st, 'Progressing')?.reason === 'RolloutPaused',
      );
      const w = weightAt(steps, i);
      const want = approx(R, w, 100, maxSurge);
      const what = `step ${i} (weight ${w})`;

      // ReplicaSets (§6.4): settled at this weight.
      const rss = await ownedReplicaSets(cluster, ns, name);
      assert.equal(rss.size, 2, `${what}: two ReplicaSets`);
      const canary = rss.get(newHash)!;
      const stable = rss.get(oldHash)!;
      assert.equal(canary.name, newName);
      assert.equal(stable.name, oldName);
      assert.equal(canary.spec, want.canary, `${what}: canary spec`);
      assert.equal(canary.available, want.canary, `${what}: canary available`);
      assert.equal(stable.spec, want.stable, `${what}: stable spec`);
      assert.equal(stable.replicas, want.stable, `${what}: stable status.replicas`);
      assert.equal(canary.revision, '2');
      assert.equal(stable.revision, '1');
      for (const rs of [canary, stable])
        assert.equal(rs.annotations['rollout.argoproj.io/desired-replicas'], String(R));

      // Pods in the emulator.
      await eventually(async () => {
        const pods = await podsByHash(cluster, ns);
        return (
          (pods.get(newHash)?.total ?? 0) === want.canary &&
          (pods.get(oldHash)?.total ?? 0) === want.stable
        );
      }, `${what}: pod counts ${want.canary}/${want.stable}`);

      // Status (§3, §4.1, §4.2).
      const ro2 = await cluster.rollout(ns, name);
      assert.equal(s.stableRS, oldHash);
      assert.equal(s.currentPodHash, newHash);
      assert.equal(s.observedGeneration, String(ro2.metadata.generation));
      assert.equal(s.message, 'CanaryPauseStep');
      assert.deepEqual(
        s.pauseConditions?.map((p) => p.reason),
        ['CanaryPauseStep'],
      );
      assert.equal(s.controllerPause, true);
      assert.equal(s.replicas, want.canary + want.stable);
      assert.equal(s.updatedReplicas, want.canary);
      assert.equal(s.availableReplicas, want.canary + want.stable);
      const prog = conditionOf(s, 'Progressing');
      assert.equal(prog?.status, 'Unknown', `${what}: Progressing`);
      assert.equal(prog?.reason, 'RolloutPaused');
      assert.equal(prog?.message, 'Rollout is paused');
      assert.equal(conditionOf(s, 'Paused')?.status, 'True');
      assert.equal(conditionOf(s, 'Paused')?.reason, 'RolloutPaused');
      assert.equal(conditionOf(s, 'Completed')?.status, 'False');
      assert.equal(conditionOf(s, 'Completed')?.reason, 'RolloutCompleted');
      assert.equal(conditionOf(s, 'Available')?.status, 'True');
      assert.equal(conditionOf(s, 'Healthy')?.status, 'False');

      // Events (§4.4).
      if (i > 0) {
        await waitForEvent(
          cluster,
          ns,
          name,
          'RolloutStepCompleted',
          `Rollout step ${i}/${n} completed (${stepText(steps[i - 1]!)})`,
        );
      }
      if (want.canary !== prevCanary) {
        await waitForEvent(
          cluster,
          ns,
          name,
          'ScalingReplicaSet',
          new RegExp(
            `^Scaled up ReplicaSet ${newName} \\(revision 2\\) from \\d+ to ${want.canary}$`,
          ),
        );
      }
      if (want.stable !== prevStable) {
        await waitForEvent(
          cluster,
          ns,
          name,
          'ScalingReplicaSet',
          new RegExp(
            `^Scaled down ReplicaSet ${oldName} \\(revision 1\\) from \\d+ to ${want.stable}$`,
          ),
        );
      }
      prevCanary = want.canary;
      prevStable = want.stable;
      await waitForEvent(cluster, ns, name, 'RolloutPaused', 'Rollout is paused (CanaryPauseStep)');
      for (const svc of o.unmanagedServices ?? []) {
        const obj = await cluster.get('Service', ns, svc);
        assert.equal(serviceSelectorOf(obj)[HASH], undefined, `${svc} is not managed`);
        assert.equal(obj.metadata.annotations?.[MANAGED_BY], undefined);
      }

      await promote(cluster, ns, name);
      await eventually(async () => {
        const st = statusOf(await cluster.rollout(ns, name));
        return (st.currentStepIndex ?? 0) > i || st.stableRS === newHash;
      }, `step ${i} completes after promote`);
    }

    // All steps done: the canary goes to 100% and is promoted (§6.7).
    const done = await waitForPhase(cluster, ns, name, 'Healthy', (st) => st.stableRS === newHash);
    assert.equal(done.currentStepIndex, n > 0 ? n : undefined);
    assert.equal(done.currentPodHash, newHash);
    assert.equal(done.pauseConditions, undefined);
    assert.equal(done.message ?? '', '');
    const rss = await ownedReplicaSets(cluster, ns, name);
    assert.equal(rss.get(newHash)?.spec, R);
    assert.equal(rss.get(newHash)?.available, R);
    assert.equal(rss.get(oldHash)?.spec, 0);
    await eventually(async () => {
      const pods = await podsByHash(cluster, ns);
      return pods.get(newHash)?.total === R && !pods.has(oldHash);
    }, 'only new pods are left');
    assert.equal(conditionOf(done, 'Completed')?.status, 'True');
    assert.equal(conditionOf(done, 'Healthy')?.status, 'True');
    assert.equal(conditionOf(done, 'Healthy')?.reason, 'RolloutHealthy');
    assert.equal(conditionOf(done, 'Available')?.status, 'True');
    const prog = conditionOf(done, 'Progressing');
    assert.equal(prog?.status, 'True');
    assert.equal(prog?.reason, 'NewReplicaSetAvailable');
    assert.equal(prog?.message, `ReplicaSet "${newName}" has successfully progressed.`);
    assert.equal(
      (await cluster.rollout(ns, name)).metadata.annotations?.['rollout.argoproj.io/revision'],
      '2',
    );
    if (n > 0) {
      await waitForEvent(
        cluster,
        ns,
        name,
        'RolloutStepCompleted',
        `Rollout step ${n}/${n} completed (${stepText(steps[n - 1]!)})`,
      );
    }
    await waitForEvent(
      cluster,
      ns,
      name,
      'RolloutCompleted',
      `Rollout completed update to revision 2 (${newHash}): Completed all ${n} canary steps`,
    );
    await waitForEvent(
      cluster,
      ns,
      name,
      'ScalingReplicaSet',
      new RegExp(`^Scaled down ReplicaSet ${oldName} \\(revision 1\\) from \\d+ to 0$`),
    );
    // Every step completed exactly once (a repeat bumps the event's count); event timestamps
    // have second precision, so no order is checked.
    const stepEvents = (await eventsOf(cluster, ns, name))
      .filter((e) => e.reason === 'RolloutStepCompleted')
      .flatMap((e) => Array<string>(e.count).fill(e.message))
      .sort();
    assert.deepEqual(
      stepEvents,
      steps.map((s, i) => `Rollout step ${i + 1}/${n} completed (${stepText(s)})`).sort(),
    );
    return newHash;
  }

  test('examples/rollout-canary.yaml: 20/40/60/80 with pauses, promoted step by step', async () => {
    const ns = await target.namespace('fx-canary');
    const name = 'rollout-canary';
    // The fixture references no Service.
    for (const d of fixture('examples/rollout-canary.yaml')) await cluster.apply(d, ns);
    const h1 = await checkInitialDeploy(ns, name);
    await withRetries(() =>
      cluster.setImage(ns, name, 'rollouts-demo', 'argoproj/rollouts-demo:yellow'),
    );
    await walkSteps(ns, name, h1);
  });

  test('getting-started/basic: rollout + its (unmanaged) Service', async () => {
    const ns = await target.namespace('fx-basic');
    const name = 'rollouts-demo';
    for (const f of ['getting-started/basic/service.yaml', 'getting-started/basic/rollout.yaml'])
      for (const d of fixture(f)) await cluster.apply(d, ns);
    const h1 = await checkInitialDeploy(ns, name);
    const svcBefore = serviceSelectorOf(await cluster.get('Service', ns, name));
    await withRetries(() =>
      cluster.setImage(ns, name, 'rollouts-demo', 'argoproj/rollouts-demo:yellow'),
    );
    await walkSteps(ns, name, h1, { unmanagedServices: [name] });
    assert.deepEqual(serviceSelectorOf(await cluster.get('Service', ns, name)), svcBefore);
  });

  test('examples/rollout-canary.yaml with canaryService/stableService: selectors per step', async () => {
    const ns = await target.namespace('fx-svc');
    const name = 'rollout-canary';
    // The fixture sets no Services; this variant adds two minimal ones (same selector as the
    // Rollout) to check the selector switching of §6.6 at every step.
    const [ro] = fixture('examples/rollout-canary.yaml');
    const canary = (ro!.spec as RolloutSpec).strategy.canary;
    canary.canaryService = 'rollout-canary-canary';
    canary.stableService = 'rollout-canary-stable';
    await cluster.apply(minimalService('rollout-canary-canary', { app: name }), ns);
    await cluster.apply(minimalService('rollout-canary-stable', { app: name }), ns);
    await cluster.apply(ro!, ns);
    const h1 = await checkInitialDeploy(ns, name);
    const selectors = async () => ({
      canary: await cluster.get('Service', ns, 'rollout-canary-canary'),
      stable: await cluster.get('Service', ns, 'rollout-canary-stable'),
    });
    await eventually(async () => {
      const s = await selectors();
      return serviceSelectorOf(s.canary)[HASH] === h1 && serviceSelectorOf(s.stable)[HASH] === h1;
    }, 'both Services on the first revision');
    for (const svc of Object.values(await selectors())) {
      assert.equal(svc.metadata.annotations?.[MANAGED_BY], name);
      assert.equal(serviceSelectorOf(svc).app, name, 'other selector keys are kept');
    }

    await withRetries(() =>
      cluster.setImage(ns, name, 'rollouts-demo', 'argoproj/rollouts-demo:yellow'),
    );
    // At the first pause step the canary Service points at the new ReplicaSet, the stable one
    // at the old ReplicaSet.
    const s1 = await waitForPhase(
      cluster,
      ns,
      name,
      'Paused',
      (s) => s.currentStepIndex === 1 && (s.pauseConditions?.length ?? 0) > 0,
    );
    const h2 = s1.currentPodHash!;
    await eventually(async () => {
      const s = await selectors();
      return serviceSelectorOf(s.canary)[HASH] === h2 && serviceSelectorOf(s.stable)[HASH] === h1;
    }, 'canary Service → new RS, stable Service → old RS');
    await waitForEvent(
      cluster,
      ns,
      name,
      'SwitchService',
      `Switched selector for service 'rollout-canary-canary' from '${h1}' to '${h2}'`,
    );
    await walkSteps(ns, name, h1);
    await eventually(async () => {
      const s = await selectors();
      return serviceSelectorOf(s.canary)[HASH] === h2 && serviceSelectorOf(s.stable)[HASH] === h2;
    }, 'both Services on the new revision after promotion');
    await waitForEvent(
      cluster,
      ns,
      name,
      'SwitchService',
      `Switched selector for service 'rollout-canary-stable' from '${h1}' to '${h2}'`,
    );
  });

  test('examples/rollout-rolling-update.yaml: no steps, maxSurge 1 / maxUnavailable 1', async () => {
    const ns = await target.namespace('fx-rolling');
    const name = 'rollout-rollingupdate';
    for (const d of fixture('examples/rollout-rolling-update.yaml')) await cluster.apply(d, ns);
    const h1 = await checkInitialDeploy(ns, name);
    const R = (await specOf(ns, name)).replicas;
    await withRetries(() =>
      cluster.setImage(ns, name, 'rollouts-demo', 'argoproj/rollouts-demo:yellow'),
    );

    // Sample while it runs: never more than R + maxSurge pods asked for, never fewer than
    // R − maxUnavailable ready pods (§6.4.1: 1 and 1).
    let sampling = true;
    const violations: string[] = [];
    const sampler = (async () => {
      while (sampling) {
        const rss = [...(await ownedReplicaSets(cluster, ns, name)).values()];
        const total = rss.reduce((n, r) => n + r.spec, 0);
        if (total > R + 1) violations.push(`Σspec ${total}`);
        const pods = [...(await podsByHash(cluster, ns)).values()];
        const ready = pods.reduce((n, p) => n + p.ready, 0);
        if (ready < R - 1) violations.push(`ready ${ready}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const s = await waitForPhase(
      cluster,
      ns,
      name,
      'Healthy',
      (st) => !!st.stableRS && st.stableRS !== h1,
    );
    sampling = false;
    await sampler;
    assert.deepEqual(violations, []);
    const h2 = s.currentPodHash!;
    assert.equal(s.stableRS, h2);
    assert.equal(s.currentStepIndex, undefined, 'no steps: no currentStepIndex');
    const rss = await ownedReplicaSets(cluster, ns, name);
    assert.equal(rss.size, 2);
    assert.equal(rss.get(h2)?.spec, R);
    assert.equal(rss.get(h1)?.spec, 0);
    assert.equal(rss.get(h2)?.revision, '2');
    await waitForEvent(
      cluster,
      ns,
      name,
      'RolloutCompleted',
      `Rollout completed update to revision 2 (${h2}): Completed all 0 canary steps`,
    );
    const events = await eventsOf(cluster, ns, name);
    assert.equal(
      events.filter((e) => e.reason === 'RolloutStepCompleted').length,
      0,
      'no step events',
    );
  });

  for (const file of ['examples/workload-ref.yaml', 'examples/rollout-template-ref.yaml']) {
    test(`${file}: workloadRef to a Deployment; the Deployment's image changes`, async () => {
      const ns = await target.namespace('fx-wref');
      const name = 'rollout-ref-deployment';
      // The file holds the Deployment and the Rollout; no Service is referenced.
      for (const d of fixture(file)) await cluster.apply(d, ns);
      const h1 = await checkInitialDeploy(ns, name);
      const dep0 = await cluster.get('Deployment', ns, name);
      const ro0 = await cluster.rollout(ns, name);
      assert.equal(
        ro0.metadata.annotations?.['rollout.argoproj.io/workload-generation'],
        String(dep0.metadata.generation),
      );
      assert.equal(statusOf(ro0).workloadObservedGeneration, String(dep0.metadata.generation));
      // The Rollout's ReplicaSet took the Deployment's selector and template.
      const rs = (await ownedReplicaSets(cluster, ns, name)).get(h1)!;
      assert.deepEqual(
        (rs.obj.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
        { app: name, [HASH]: h1 },
      );

      // `kubectl argo rollouts set image` on a workloadRef Rollout updates the Deployment.
      await withRetries(async () => {
        const dep = await cluster.get('Deployment', ns, name);
        (
          dep.spec as { template: { spec: { containers: { image: string }[] } } }
        ).template.spec.containers[0]!.image = 'argoproj/rollouts-demo:yellow';
        await cluster.client.update(cluster.path('Deployment', ns, name), dep);
      });
      await walkSteps(ns, name, h1);
      const dep2 = await cluster.get('Deployment', ns, name);
      const ro2 = await cluster.rollout(ns, name);
      assert.equal(
        statusOf(ro2).workloadObservedGeneration,
        String(dep2.metadata.generation),
        'workloadObservedGeneration follows the Deployment',
      );
      // scaleDown is unset (never): the Deployment is left as it was.
      assert.equal((dep2.spec as { replicas: number }).replicas, 0);
    });
  }
});
