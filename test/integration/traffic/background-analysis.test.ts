// A routed canary (ALB) with a background analysis: each new revision gets its own run. The
// status pass once shared `status.canary` with the previous status, so with a router the reset
// for a new revision did not reach the diff: a revision set while the previous one was paused
// kept the old run (and never analysed the new image), and after an analysis abort every later
// revision was aborted at once by the stale Failed run. Found by `npm run demo`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import {
  Cluster,
  startController,
  statusOf,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';
import { applyAll, fixture, NAME, newHash } from './helpers.ts';

/** A Web metric measured every second; the endpoint's answer decides it. */
function template(url: string): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'health' },
    spec: {
      metrics: [
        {
          name: 'check',
          interval: '1s',
          successCondition: 'result.ok',
          provider: { web: { url, jsonPath: '{$}' } },
        },
      ],
    },
  };
}

/** getting-started/alb with a background analysis, setWeight 20, then an indefinite pause. */
function docs(url: string): KubeObject[] {
  return [
    template(url),
    ...fixture('alb').map((d) => {
      if (d.kind !== 'Rollout') return d;
      const spec = structuredClone(d.spec) as { strategy: { canary: Record<string, unknown> } };
      spec.strategy.canary.steps = [{ setWeight: 20 }, { pause: {} }];
      spec.strategy.canary.analysis = { templates: [{ templateName: 'health' }] };
      return { ...d, spec };
    }),
  ];
}

type BackgroundRun = { name: string; status: string } | undefined;
/** `status.canary.currentBackgroundAnalysisRunStatus` (the test support types `canary` loosely). */
const backgroundRun = (canary: unknown): BackgroundRun =>
  (canary as { currentBackgroundAnalysisRunStatus?: BackgroundRun } | undefined)
    ?.currentBackgroundAnalysisRunStatus;
const runOf = (ro: KubeObject): BackgroundRun => backgroundRun(statusOf(ro).canary);

describe('ALB: a background analysis per revision', () => {
  let target: Target;
  let cluster: Cluster;
  let ctl: ControllerHandle;
  let server: http.Server;
  let url: string;
  let healthy = true;

  before(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ok: healthy }));
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

  test('a revision set while paused, and one set after an abort, each get a new run', async () => {
    const ns = await target.namespace('alb-bg');
    await applyAll(cluster, ns, docs(url));
    const h1 = (await waitForPhase(cluster, ns, NAME, 'Healthy')).currentPodHash!;

    await withRetries(() => cluster.setImage(ns, NAME, '*', 'argoproj/rollouts-demo:yellow'));
    const h2 = await newHash(cluster, ns, h1);
    const ro2 = await eventually(async () => {
      const ro = await cluster.rollout(ns, NAME);
      return runOf(ro)?.name.includes(h2) && statusOf(ro).currentStepIndex === 1 ? ro : undefined;
    }, 'revision 2 paused with its own background run');
    const run2 = runOf(ro2)!.name;

    // A third revision while the second is paused: a new run for it, the old one is not kept.
    await withRetries(() => cluster.setImage(ns, NAME, '*', 'argoproj/rollouts-demo:green'));
    const h3 = await newHash(cluster, ns, h2);
    const ro3 = await eventually(async () => {
      const ro = await cluster.rollout(ns, NAME);
      const run = runOf(ro);
      return run && run.name !== run2 ? ro : undefined;
    }, 'revision 3 has a background run of its own');
    assert.ok(runOf(ro3)!.name.includes(h3), `run ${runOf(ro3)!.name} is for ${h3}`);

    // The analysis fails: revision 3 aborts.
    healthy = false;
    await waitForPhase(cluster, ns, NAME, 'Degraded', (st) => st.abort === true);
    const failedRun = runOf(await cluster.rollout(ns, NAME))?.name;

    // A fourth revision after the abort starts over with a fresh run, and is not aborted by the
    // failed one.
    healthy = true;
    await withRetries(() => cluster.setImage(ns, NAME, '*', 'argoproj/rollouts-demo:purple'));
    const h4 = await newHash(cluster, ns, h3);
    const s4 = await waitForPhase(
      cluster,
      ns,
      NAME,
      'Paused',
      (st) =>
        st.currentPodHash === h4 &&
        st.currentStepIndex === 1 &&
        (st.pauseConditions ?? []).some((p) => p.reason === 'CanaryPauseStep'),
    );
    assert.notEqual(s4.abort, true);
    const run4 = backgroundRun(s4.canary);
    assert.ok(run4, 'revision 4 has a background run');
    assert.notEqual(run4.name, failedRun);
    assert.ok(run4.name.includes(h4), `run ${run4.name} is for ${h4}`);
  });
});
