// An abort decided by analysis moves the ALB weight back in the same reconcile (the controller's
// canary pass, src/rollout/canary.ts): the first Rollout status that says `abort: true` already
// records canary weight 0, and the Ingress carried the 0/100 action before that status was
// written. Upstream runs the routers before analysis and leaves this step's weight on the canary
// until the next pass. Both objects are followed with a real watch (our ListWatcher), so every
// version is seen, not a sample.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import { ListWatcher } from '../../../src/kube/list-watcher.ts';
import { resourcePath } from '../../../src/kube/raw-client.ts';
import {
  Cluster,
  startController,
  statusOf,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import { checkAlbIngress, servicesLookup } from '../../support/alb-check.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';
import {
  applyAll,
  expectedWeights,
  fixture,
  NAME,
  newHash,
  waitForSelectors,
  waitForWeights,
  weightsOf,
} from './helpers.ts';

const INGRESS = 'rollouts-demo-ingress';
const ACTION_KEY = 'alb.ingress.kubernetes.io/actions.rollouts-demo-root';

function action(canaryWeight: number): string {
  return (
    '{"Type":"forward","ForwardConfig":{"TargetGroups":[' +
    `{"ServiceName":"rollouts-demo-canary","ServicePort":"80","Weight":${canaryWeight}},` +
    `{"ServiceName":"rollouts-demo-stable","ServicePort":"80","Weight":${100 - canaryWeight}}]}}`
  );
}

/** A Web metric that fails on its only measurement (the endpoint answers `{"ok":false}`). */
function failingTemplate(url: string): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'always-fails' },
    spec: {
      metrics: [
        {
          name: 'check',
          count: 1,
          successCondition: 'result.ok',
          provider: { web: { url, jsonPath: '{$}' } },
        },
      ],
    },
  };
}

/** getting-started/alb with setWeight 20, then a step analysis that fails, then a pause. */
function docs(url: string): KubeObject[] {
  return [
    failingTemplate(url),
    ...fixture('alb').map((d) => {
      if (d.kind !== 'Rollout') return d;
      const spec = structuredClone(d.spec) as { strategy: { canary: Record<string, unknown> } };
      spec.strategy.canary.steps = [
        { setWeight: 20 },
        { analysis: { templates: [{ templateName: 'always-fails' }] } },
        { pause: {} },
      ];
      return { ...d, spec };
    }),
  ];
}

describe('ALB: abort by analysis', () => {
  let target: Target;
  let cluster: Cluster;
  let ctl: ControllerHandle;
  let server: http.Server;
  let url: string;

  before(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":false}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    target = await openTarget();
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    ctl = await startController(target);
  });
  after(async () => {
    await ctl?.stop();
    await target?.close();
    await new Promise<void>((r) => server?.close(() => r()));
  });

  test('the status that records the abort already records weight 0', async () => {
    const ns = await target.namespace('alb-ab');
    await applyAll(cluster, ns, docs(url));
    const s1 = await waitForPhase(cluster, ns, NAME, 'Healthy');
    const h1 = s1.currentPodHash!;
    await waitForWeights(cluster, ns, expectedWeights(0, h1, h1));

    // Every version of the Rollout and of the Ingress from here on, in order.
    const versions: { kind: string; rv: number; obj: KubeObject }[] = [];
    const watchers = (['rollouts', 'ingresses'] as const).map((resource) => {
      const lw = new ListWatcher({
        kc: target.kc,
        client: cluster.client,
        path: resourcePath({
          group: resource === 'rollouts' ? 'argoproj.io' : 'networking.k8s.io',
          version: resource === 'rollouts' ? 'v1alpha1' : 'v1',
          resource,
          namespace: ns,
        }),
      });
      const seen = (obj: KubeObject) =>
        versions.push({ kind: resource, rv: Number(obj.metadata.resourceVersion), obj });
      lw.onAdd(seen);
      lw.onUpdate((_, obj) => seen(obj));
      return lw.start();
    });
    try {
      await Promise.all(watchers.map((w) => w.synced));
      await withRetries(() => cluster.setImage(ns, NAME, '*', 'argoproj/rollouts-demo:yellow'));
      const h2 = await newHash(cluster, ns, h1);
      const s2 = await waitForPhase(cluster, ns, NAME, 'Degraded', (st) => st.abort === true);
      assert.match(String(s2.message), /^RolloutAborted: Rollout aborted update to revision 2: /);
      await waitForWeights(cluster, ns, expectedWeights(0, h2, h1));
      await waitForSelectors(cluster, ns, { canary: h1, stable: h1 });
      // The last Ingress version must have arrived too before the versions are read.
      await eventually(async () => {
        const rv = (await cluster.get('Ingress', ns, INGRESS)).metadata.resourceVersion;
        return versions.some(
          (v) => v.kind === 'ingresses' && v.obj.metadata.resourceVersion === rv,
        );
      }, 'the watch caught up with the Ingress');

      // 20 reached the Ingress before the analysis step (so the abort had weight to take back).
      const ingresses = versions.filter((v) => v.kind === 'ingresses');
      const at20 = ingresses.find((v) => v.obj.metadata.annotations?.[ACTION_KEY] === action(20));
      assert.ok(at20, 'the canary had 20 before the abort');

      const firstAborted = versions.find(
        (v) => v.kind === 'rollouts' && statusOf(v.obj).abort === true,
      );
      assert.ok(firstAborted, 'a Rollout version with abort: true');
      assert.deepEqual(weightsOf(firstAborted.obj), expectedWeights(0, h2, h1));
      // The Ingress went back to 0/100 after it had 20 and before the abort was recorded.
      // (resourceVersions are one counter in the emulator; on a real cluster they are etcd
      // revisions, which also grow, though clients are told to treat them as opaque.)
      const back = ingresses.find(
        (v) => v.rv > at20.rv && v.obj.metadata.annotations?.[ACTION_KEY] === action(0),
      );
      assert.ok(back, 'the Ingress went back to 0');
      assert.ok(
        back.rv < firstAborted.rv,
        `Ingress at 0 (rv ${back.rv}) before abort (rv ${firstAborted.rv})`,
      );
      const services = await Promise.all(
        ['rollouts-demo-root', 'rollouts-demo-canary', 'rollouts-demo-stable'].map((n) =>
          cluster.get('Service', ns, n),
        ),
      );
      for (const v of ingresses)
        assert.deepEqual(checkAlbIngress(v.obj, { lookup: servicesLookup(services) }), []);
    } finally {
      await Promise.all(watchers.map((w) => w.stop()));
    }
  });
});
