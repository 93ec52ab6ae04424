// The blue-green strategy against the emulator (rollout-semantics §7, traffic-routing §1.4):
// Argo's example and the rollouts-demo blue-green app, image changes, preview then active
// selectors, replica counts, the scale-down delay, auto-promotion, abort, and a controller
// restart between preview and promotion.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import {
  Cluster,
  FIXTURES,
  conditionOf,
  loadYamlDocs,
  minimalService,
  ownedReplicaSets,
  promote,
  serviceSelectorOf,
  startController,
  startCountingController,
  statusOf,
  waitForEvent,
  waitForPhase,
  withRetries,
  type ControllerHandle,
  type CountingControllerHandle,
  type RsInfo,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

const HASH = 'rollouts-pod-template-hash';

interface RunRef {
  name: string;
  status: string;
  message?: string;
}

interface BgStatus {
  activeSelector?: string;
  previewSelector?: string;
  scaleUpPreviewCheckPoint?: boolean;
  prePromotionAnalysisRunStatus?: RunRef;
  postPromotionAnalysisRunStatus?: RunRef;
}

const BG_DEMO = new URL('rollouts-demo/blue-green/', FIXTURES);

/** The rollouts-demo blue-green manifests (Rollout, both Services, both Ingresses). */
function demoDocs(blueGreen: Record<string, unknown> = {}): KubeObject[] {
  return [
    'bluegreen-service.yaml',
    'bluegreen-preview-service.yaml',
    'bluegreen-ingress.yaml',
    'bluegreen-preview-ingress.yaml',
    'bluegreen-rollout.yaml',
  ].flatMap((f) =>
    loadYamlDocs(new URL(f, BG_DEMO)).map((d) => {
      if (d.kind !== 'Rollout') return d;
      const spec = d.spec as { strategy: { blueGreen: Record<string, unknown> } };
      spec.strategy.blueGreen = { ...spec.strategy.blueGreen, ...blueGreen };
      return d;
    }),
  );
}

/** A small blue-green Rollout `name` with Services `<name>-active` / `<name>-preview`. */
function bgRollout(name: string, blueGreen: Record<string, unknown>, replicas = 2): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name },
    spec: {
      replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'example/app:v1' }] },
      },
      strategy: {
        blueGreen: {
          activeService: `${name}-active`,
          previewService: `${name}-preview`,
          ...blueGreen,
        },
      },
    },
  };
}

/** An AnalysisTemplate with one Web metric, count 1 unless told, succeeding iff `result.ok`. */
function webTemplate(name: string, url: string, metric: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name },
    spec: {
      metrics: [
        {
          name: 'check',
          count: 1,
          successCondition: 'result.ok',
          provider: { web: { url, jsonPath: '{$}' } },
          ...metric,
        },
      ],
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('blue-green', () => {
  let target: Target;
  let cluster: Cluster;
  let ctl: ControllerHandle;
  /** Answers `{ ok: true }` on /ok and `{ ok: false }` on /fail (the Web metric's endpoint). */
  let server: http.Server;
  let base: string;

  before(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ok: req.url?.startsWith('/ok') === true }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    target = await openTarget({ kubeletReadyDelayMs: 50 });
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    ctl = await startController(target);
  });
  after(async () => {
    await ctl?.stop();
    await target?.close();
    await new Promise<void>((r) => server?.close(() => r()));
  });

  const bgOf = async (ns: string, name: string): Promise<BgStatus> =>
    statusOf(await cluster.rollout(ns, name)).blueGreen ?? {};
  const selector = async (ns: string, svc: string) =>
    serviceSelectorOf(await cluster.get('Service', ns, svc))[HASH];
  const rsByRevision = async (ns: string, name: string, revision: number) => {
    const rs = [...(await ownedReplicaSets(cluster, ns, name)).values()].find(
      (r) => r.revision === String(revision),
    );
    return rs;
  };
  const rsOf = async (ns: string, name: string, revision: number): Promise<RsInfo> =>
    eventually(() => rsByRevision(ns, name, revision), `${name} revision ${revision}`);
  const setImage = (ns: string, name: string, container: string, image: string) =>
    withRetries(() => cluster.setImage(ns, name, container, image));
  const runOf = (ns: string, name: string) =>
    cluster.get('AnalysisRun', ns, name) as Promise<
      KubeObject & { status?: { phase?: string; message?: string } }
    >;

  /** Applies `docs` into a fresh namespace and waits until `name` is Healthy on revision 1. */
  async function deployed(prefix: string, name: string, docs: KubeObject[]) {
    const ns = await target.namespace(prefix);
    for (const d of docs) await cluster.apply(d, ns);
    await waitForPhase(cluster, ns, name, 'Healthy');
    const rs1 = await rsOf(ns, name, 1);
    return { ns, rs1 };
  }

  /** bgRollout plus its two Services, deployed. */
  const deployedBg = (
    prefix: string,
    name: string,
    blueGreen: Record<string, unknown>,
    replicas = 2,
  ) =>
    deployed(prefix, name, [
      minimalService(`${name}-active`, { app: name }),
      minimalService(`${name}-preview`, { app: name }),
      bgRollout(name, blueGreen, replicas),
    ]);

  test('examples/rollout-bluegreen.yaml: preview first, pause, promote, old kept for the delay', async () => {
    const ns = await target.namespace('bg-example');
    const docs = loadYamlDocs(new URL('argo-rollouts/examples/rollout-bluegreen.yaml', FIXTURES));
    for (const d of docs) await cluster.apply(d, ns);
    await waitForPhase(cluster, ns, 'rollout-bluegreen', 'Healthy');
    const rs1 = (await rsByRevision(ns, 'rollout-bluegreen', 1))!;
    assert.equal(await selector(ns, 'rollout-bluegreen-active'), rs1.hash);
    assert.equal(await selector(ns, 'rollout-bluegreen-preview'), rs1.hash);
    assert.deepEqual(await bgOf(ns, 'rollout-bluegreen'), {
      activeSelector: rs1.hash,
      previewSelector: rs1.hash,
    });
    assert.equal(statusOf(await cluster.rollout(ns, 'rollout-bluegreen')).stableRS, rs1.hash);

    await withRetries(() =>
      cluster.setImage(ns, 'rollout-bluegreen', 'rollouts-demo', 'argoproj/rollouts-demo:green'),
    );
    const paused = await waitForPhase(cluster, ns, 'rollout-bluegreen', 'Paused');
    assert.equal(paused.message, 'BlueGreenPause');
    const rs2 = (await rsByRevision(ns, 'rollout-bluegreen', 2))!;
    assert.equal(rs2.spec, 2);
    assert.equal(rs2.available, 2);
    assert.equal(await selector(ns, 'rollout-bluegreen-preview'), rs2.hash);
    assert.equal(await selector(ns, 'rollout-bluegreen-active'), rs1.hash);
    assert.equal((await rsByRevision(ns, 'rollout-bluegreen', 1))!.spec, 2);
    assert.deepEqual(await bgOf(ns, 'rollout-bluegreen'), {
      activeSelector: rs1.hash,
      previewSelector: rs2.hash,
    });

    await promote(cluster, ns, 'rollout-bluegreen');
    const healthy = await waitForPhase(cluster, ns, 'rollout-bluegreen', 'Healthy');
    assert.equal(healthy.stableRS, rs2.hash);
    assert.equal(await selector(ns, 'rollout-bluegreen-active'), rs2.hash);
    // The old active ReplicaSet stays up for scaleDownDelaySeconds (default 30 s).
    const old = await eventually(async () => {
      const r = await rsByRevision(ns, 'rollout-bluegreen', 1);
      return r?.annotations['scale-down-deadline'] ? r : undefined;
    }, 'the scale-down deadline');
    assert.equal(old.spec, 2);
    const deadline = Date.parse(old.annotations['scale-down-deadline'] ?? '');
    assert.ok(deadline - Date.now() > 20_000 && deadline - Date.now() <= 31_000, String(deadline));
  });
  test('rollouts-demo blue-green: preview then active, 3 replicas each, promote to Healthy', async () => {
    const name = 'bluegreen-demo';
    const { ns, rs1 } = await deployed('bg-demo', name, demoDocs());
    assert.equal(rs1.spec, 3);
    assert.equal(rs1.available, 3);
    assert.equal(await selector(ns, 'bluegreen-demo'), rs1.hash);
    assert.equal(await selector(ns, 'bluegreen-demo-preview'), rs1.hash);
    const s1 = statusOf(await cluster.rollout(ns, name));
    assert.equal(s1.stableRS, rs1.hash);
    assert.equal(s1.selector, `app=bluegreen-demo,${HASH}=${rs1.hash}`);
    assert.deepEqual(s1.blueGreen, { activeSelector: rs1.hash, previewSelector: rs1.hash });

    await setImage(ns, name, 'bluegreen-demo', 'argoproj/rollouts-demo:green');
    // The Paused/RolloutPaused conditions follow one reconcile after the pause itself (§4.3).
    const paused = await waitForPhase(
      cluster,
      ns,
      name,
      'Paused',
      (s) => conditionOf(s, 'Paused')?.status === 'True',
    );
    assert.equal(paused.message, 'BlueGreenPause');
    assert.deepEqual(
      paused.pauseConditions?.map((p) => p.reason),
      ['BlueGreenPause'],
    );
    assert.equal(paused.controllerPause, true);
    assert.equal(conditionOf(paused, 'Paused')?.status, 'True');
    assert.equal(conditionOf(paused, 'Progressing')?.reason, 'RolloutPaused');
    const rs2 = await rsOf(ns, name, 2);
    assert.deepEqual([rs2.spec, rs2.available], [3, 3]);
    assert.deepEqual([(await rsOf(ns, name, 1)).spec, (await rsOf(ns, name, 1)).available], [3, 3]);
    assert.equal(await selector(ns, 'bluegreen-demo-preview'), rs2.hash);
    assert.equal(await selector(ns, 'bluegreen-demo'), rs1.hash);
    assert.deepEqual(paused.blueGreen, { activeSelector: rs1.hash, previewSelector: rs2.hash });
    assert.equal(paused.stableRS, rs1.hash);
    assert.equal(paused.currentPodHash, rs2.hash);
    // Status counts come from the active ReplicaSet (§7.3 step 9).
    assert.equal(paused.availableReplicas, 3);
    assert.equal(paused.HPAReplicas, 3);
    assert.equal(paused.selector, `app=bluegreen-demo,${HASH}=${rs1.hash}`);
    assert.equal(paused.replicas, 6);
    assert.equal(paused.updatedReplicas, 3);

    await promote(cluster, ns, name);
    const healthy = await waitForPhase(cluster, ns, name, 'Healthy');
    assert.equal(healthy.stableRS, rs2.hash);
    assert.deepEqual(healthy.blueGreen, { activeSelector: rs2.hash, previewSelector: rs2.hash });
    assert.equal(healthy.selector, `app=bluegreen-demo,${HASH}=${rs2.hash}`);
    assert.equal(healthy.pauseConditions, undefined);
    assert.equal(await selector(ns, 'bluegreen-demo'), rs2.hash);
    await waitForEvent(
      cluster,
      ns,
      name,
      'RolloutCompleted',
      `Rollout completed update to revision 2 (${rs2.hash}): Completed blue-green update`,
    );
    await waitForEvent(
      cluster,
      ns,
      name,
      'SwitchService',
      `Switched selector for service 'bluegreen-demo' from '${rs1.hash}' to '${rs2.hash}'`,
    );
    // Default scaleDownDelaySeconds (30): the previous active RS is kept at 3 until then.
    const old = await eventually(async () => {
      const r = await rsOf(ns, name, 1);
      return r.annotations['scale-down-deadline'] ? r : undefined;
    }, 'the scale-down deadline');
    assert.equal(old.spec, 3);
    const left = Date.parse(old.annotations['scale-down-deadline'] ?? '') - Date.now();
    assert.ok(left > 25_000 && left <= 31_000, `deadline in ${left} ms`);
  });

  test('scaleDownDelaySeconds: 2: the old active RS stays at R with a deadline, then goes to 0', async () => {
    const name = 'bluegreen-demo';
    const { ns, rs1 } = await deployed('bg-delay', name, demoDocs({ scaleDownDelaySeconds: 2 }));
    await setImage(ns, name, 'bluegreen-demo', 'argoproj/rollouts-demo:green');
    await waitForPhase(cluster, ns, name, 'Paused');
    const rs2 = await rsOf(ns, name, 2);
    await promote(cluster, ns, name);
    await waitForPhase(cluster, ns, name, 'Healthy', (s) => s.stableRS === rs2.hash);
    const promotedAt = Date.now();
    const kept = await eventually(async () => {
      const r = await rsOf(ns, name, 1);
      return r.annotations['scale-down-deadline'] ? r : undefined;
    }, 'the scale-down deadline');
    assert.equal(kept.hash, rs1.hash);
    assert.equal(kept.spec, 3);
    const deadline = Date.parse(kept.annotations['scale-down-deadline'] ?? '');
    assert.ok(
      deadline - promotedAt <= 3_000,
      `deadline ${deadline - promotedAt} ms after promotion`,
    );
    const gone = await eventually(
      async () => {
        const r = await rsOf(ns, name, 1);
        return r.spec === 0 ? r : undefined;
      },
      'the old RS scaled to 0',
      15_000,
    );
    const at = Date.now();
    assert.equal(gone.spec, 0);
    assert.ok(at >= deadline - 1_000, `scaled down ${deadline - at} ms before the deadline`);
    const s = statusOf(await cluster.rollout(ns, name));
    assert.equal(s.phase, 'Healthy');
    assert.equal(s.replicas, 3);
    assert.equal((await rsOf(ns, name, 2)).spec, 3);
  });

  test('autoPromotionSeconds: 2: pauses with BlueGreenPause, then promotes itself', async () => {
    const name = 'auto';
    const { ns, rs1 } = await deployedBg('bg-auto', name, {
      autoPromotionEnabled: true,
      autoPromotionSeconds: 2,
      scaleDownDelaySeconds: 2,
    });
    await setImage(ns, name, 'app', 'example/app:v2');
    const paused = await waitForPhase(cluster, ns, name, 'Paused');
    assert.equal(paused.message, 'BlueGreenPause');
    const started = Date.parse(
      (paused.pauseConditions as { startTime: string }[] | undefined)?.[0]?.startTime ?? '',
    );
    assert.ok(Number.isFinite(started));
    assert.equal(await selector(ns, `${name}-active`), rs1.hash);
    const rs2 = await rsOf(ns, name, 2);
    assert.equal(await selector(ns, `${name}-preview`), rs2.hash);

    // No user action from here on.
    const healthy = await waitForPhase(
      cluster,
      ns,
      name,
      'Healthy',
      (s) => s.stableRS === rs2.hash,
    );
    const after = Date.now();
    // startTime is whole seconds (truncated), so at least 1 s of the 2 s is certain.
    assert.ok(after - started >= 2_000, `promoted ${after - started} ms after the pause started`);
    assert.equal(healthy.pauseConditions, undefined);
    assert.equal(await selector(ns, `${name}-active`), rs2.hash);
    assert.deepEqual(healthy.blueGreen, { activeSelector: rs2.hash, previewSelector: rs2.hash });
  });

  test('abort before promotion: active stays old, preview stays new, new RS to 0 after 2 s; retry resumes', async () => {
    const name = 'abort';
    const { ns, rs1 } = await deployedBg('bg-abort', name, {
      autoPromotionEnabled: false,
      abortScaleDownDelaySeconds: 2,
      scaleDownDelaySeconds: 2,
    });
    await setImage(ns, name, 'app', 'example/app:v2');
    await waitForPhase(cluster, ns, name, 'Paused');
    const rs2 = await rsOf(ns, name, 2);
    assert.equal(rs2.spec, 2);

    await cluster.patchRolloutStatus(ns, name, { status: { abort: true } });
    const abortedAt = Date.now();
    const s = await waitForPhase(cluster, ns, name, 'Degraded');
    assert.equal(s.message, 'RolloutAborted: Rollout aborted update to revision 2');
    const prog = conditionOf(s, 'Progressing');
    assert.equal(prog?.status, 'False');
    assert.equal(prog?.reason, 'RolloutAborted');
    assert.equal(s.abort, true);
    assert.equal(typeof s.abortedAt, 'string');
    assert.equal(s.stableRS, rs1.hash);
    assert.equal(await selector(ns, `${name}-active`), rs1.hash);
    assert.equal(await selector(ns, `${name}-preview`), rs2.hash);
    assert.equal((await rsOf(ns, name, 1)).spec, 2);

    const marked = await eventually(async () => {
      const r = await rsOf(ns, name, 2);
      return r.annotations['scale-down-deadline'] ? r : undefined;
    }, 'the abort scale-down deadline');
    assert.equal(marked.spec, 2, 'kept up until the deadline');
    const abortDeadline = Date.parse(marked.annotations['scale-down-deadline'] ?? '');
    assert.ok(
      abortDeadline - abortedAt > 0 && abortDeadline - abortedAt <= 3_000,
      `abort deadline ${abortDeadline - abortedAt} ms after the abort`,
    );
    const down = await eventually(
      async () => ((await rsOf(ns, name, 2)).spec === 0 ? Date.now() : undefined),
      'the aborted RS scaled to 0',
      15_000,
    );
    assert.ok(down - abortedAt >= 1_000, `scaled down ${down - abortedAt} ms after the abort`);
    const st = statusOf(await cluster.rollout(ns, name));
    assert.equal(st.phase, 'Degraded');
    assert.equal(await selector(ns, `${name}-active`), rs1.hash);
    assert.equal(await selector(ns, `${name}-preview`), rs2.hash);

    // retry: the update starts again: the new RS comes back and the Rollout pauses again.
    await cluster.patchRolloutStatus(ns, name, { status: { abort: false } });
    const again = await waitForPhase(
      cluster,
      ns,
      name,
      'Paused',
      (x) => x.message === 'BlueGreenPause',
    );
    assert.equal(again.abort, undefined);
    assert.equal(again.abortedAt, undefined);
    const back = await rsOf(ns, name, 2);
    assert.deepEqual([back.spec, back.available], [2, 2]);
    assert.equal(back.annotations['scale-down-deadline'], undefined);
    assert.equal(await selector(ns, `${name}-active`), rs1.hash);
    await promote(cluster, ns, name);
    const healthy = await waitForPhase(
      cluster,
      ns,
      name,
      'Healthy',
      (x) => x.stableRS === rs2.hash,
    );
    assert.equal(await selector(ns, `${name}-active`), rs2.hash);
    assert.equal(healthy.abort, undefined);
  });

  test('previewReplicaCount: 1: preview at 1 while paused, scaled to R before the active switch', async () => {
    const name = 'preview';
    const { ns, rs1 } = await deployedBg(
      'bg-preview',
      name,
      { autoPromotionEnabled: false, previewReplicaCount: 1, scaleDownDelaySeconds: 2 },
      3,
    );
    assert.equal(rs1.spec, 3, 'the initial deploy is full size');
    await setImage(ns, name, 'app', 'example/app:v2');
    const paused = await waitForPhase(cluster, ns, name, 'Paused');
    assert.equal(paused.message, 'BlueGreenPause');
    const rs2 = await rsOf(ns, name, 2);
    assert.deepEqual([rs2.spec, rs2.available], [1, 1]);
    assert.equal(await selector(ns, `${name}-preview`), rs2.hash);
    assert.equal(await selector(ns, `${name}-active`), rs1.hash);
    assert.equal((await rsOf(ns, name, 1)).spec, 3);
    await sleep(300);
    assert.equal((await rsOf(ns, name, 2)).spec, 1, 'stays at previewReplicaCount while paused');

    // Watch the promotion closely: the active Service may only move once RS2 is 3/3.
    let sawCheckpoint = false;
    const violations: string[] = [];
    let done = false;
    const watch = (async () => {
      while (!done) {
        const [bg, active, r2] = await Promise.all([
          bgOf(ns, name),
          selector(ns, `${name}-active`),
          rsOf(ns, name, 2),
        ]);
        if (bg.scaleUpPreviewCheckPoint) sawCheckpoint = true;
        if (active === rs2.hash && (r2.spec !== 3 || r2.available !== 3))
          violations.push(`active switched with RS2 at ${r2.spec}/${r2.available}`);
        await sleep(5);
      }
    })();
    await promote(cluster, ns, name);
    const healthy = await waitForPhase(
      cluster,
      ns,
      name,
      'Healthy',
      (s) => s.stableRS === rs2.hash,
    );
    done = true;
    await watch;
    assert.deepEqual(violations, []);
    assert.ok(sawCheckpoint, 'status.blueGreen.scaleUpPreviewCheckPoint was set before the switch');
    assert.equal(healthy.blueGreen?.['scaleUpPreviewCheckPoint' as never], undefined);
    const r2 = await rsOf(ns, name, 2);
    assert.deepEqual([r2.spec, r2.available], [3, 3]);
    assert.equal(await selector(ns, `${name}-active`), rs2.hash);
  });

  test('prePromotionAnalysis failing: active stays old, Rollout aborted; run <ro>-<hash>-2-pre', async () => {
    const name = 'prefail';
    const ns = await target.namespace('bg-pre-fail');
    await cluster.apply(webTemplate('pre', `${base}/fail`), ns);
    for (const d of [
      minimalService(`${name}-active`, { app: name }),
      minimalService(`${name}-preview`, { app: name }),
      bgRollout(name, { prePromotionAnalysis: { templates: [{ templateName: 'pre' }] } }),
    ])
      await cluster.apply(d, ns);
    await waitForPhase(cluster, ns, name, 'Healthy');
    const rs1 = await rsOf(ns, name, 1);
    // The initial deploy runs no pre-promotion analysis.
    assert.equal((await bgOf(ns, name)).prePromotionAnalysisRunStatus, undefined);

    await setImage(ns, name, 'app', 'example/app:v2');
    const rs2 = await rsOf(ns, name, 2);
    const s = await waitForPhase(cluster, ns, name, 'Degraded');
    const prog = conditionOf(s, 'Progressing');
    assert.equal(prog?.reason, 'RolloutAborted');
    assert.ok(
      prog?.message?.startsWith(
        'Rollout aborted update to revision 2: Blue/green pre-promotion analysis phase error/failed',
      ),
      prog?.message,
    );
    assert.equal(s.abort, true);
    assert.equal(s.stableRS, rs1.hash);
    assert.equal(await selector(ns, `${name}-active`), rs1.hash);
    assert.equal(await selector(ns, `${name}-preview`), rs2.hash);

    const runName = `${name}-${rs2.hash}-2-pre`;
    const run = await runOf(ns, runName);
    assert.equal(run.status?.phase, 'Failed');
    assert.equal(run.metadata.labels?.['rollout-type'], 'PrePromotion');
    assert.equal(run.metadata.labels?.[HASH], rs2.hash);
    assert.equal(run.metadata.annotations?.['rollout.argoproj.io/revision'], '2');
    assert.equal(run.metadata.ownerReferences?.[0]?.name, name);
    const bg = await bgOf(ns, name);
    assert.equal(bg.prePromotionAnalysisRunStatus?.name, runName);
    assert.equal(bg.prePromotionAnalysisRunStatus?.status, 'Failed');
    await sleep(300);
    assert.equal(await selector(ns, `${name}-active`), rs1.hash, 'never switched');
  });

  test('prePromotionAnalysis passing: the Rollout promotes after the run is Successful', async () => {
    const name = 'preok';
    const ns = await target.namespace('bg-pre-ok');
    await cluster.apply(webTemplate('pre', `${base}/ok`), ns);
    for (const d of [
      minimalService(`${name}-active`, { app: name }),
      minimalService(`${name}-preview`, { app: name }),
      bgRollout(name, {
        prePromotionAnalysis: { templates: [{ templateName: 'pre' }] },
        scaleDownDelaySeconds: 2,
      }),
    ])
      await cluster.apply(d, ns);
    await waitForPhase(cluster, ns, name, 'Healthy');
    await setImage(ns, name, 'app', 'example/app:v2');
    const rs2 = await rsOf(ns, name, 2);
    const healthy = await waitForPhase(
      cluster,
      ns,
      name,
      'Healthy',
      (s) => s.stableRS === rs2.hash,
    );
    const runName = `${name}-${rs2.hash}-2-pre`;
    const run = await runOf(ns, runName);
    assert.equal(run.status?.phase, 'Successful');
    assert.equal(run.metadata.labels?.['rollout-type'], 'PrePromotion');
    assert.deepEqual((healthy.blueGreen as BgStatus | undefined)?.prePromotionAnalysisRunStatus, {
      name: runName,
      status: 'Successful',
    });
    assert.equal(await selector(ns, `${name}-active`), rs2.hash);
  });

  test('postPromotionAnalysis failing: active switched back to the old revision, aborted', async () => {
    const name = 'postfail';
    const ns = await target.namespace('bg-post-fail');
    await cluster.apply(webTemplate('post', `${base}/fail`), ns);
    for (const d of [
      minimalService(`${name}-active`, { app: name }),
      minimalService(`${name}-preview`, { app: name }),
      bgRollout(name, { postPromotionAnalysis: { templates: [{ templateName: 'post' }] } }),
    ])
      await cluster.apply(d, ns);
    await waitForPhase(cluster, ns, name, 'Healthy');
    const rs1 = await rsOf(ns, name, 1);
    await setImage(ns, name, 'app', 'example/app:v2');
    const rs2 = await rsOf(ns, name, 2);
    const s = await waitForPhase(cluster, ns, name, 'Degraded');
    const prog = conditionOf(s, 'Progressing');
    assert.equal(prog?.reason, 'RolloutAborted');
    assert.ok(
      prog?.message?.startsWith(
        'Rollout aborted update to revision 2: Blue/green post-promotion analysis phase error/failed',
      ),
      prog?.message,
    );
    assert.equal(s.stableRS, rs1.hash);
    const runName = `${name}-${rs2.hash}-2-post`;
    const run = await runOf(ns, runName);
    assert.equal(run.status?.phase, 'Failed');
    assert.equal(run.metadata.labels?.['rollout-type'], 'PostPromotion');
    // The switch to RS2 happened (the run exists), then the active Service went back.
    await waitForEvent(
      cluster,
      ns,
      name,
      'SwitchService',
      `Switched selector for service '${name}-active' from '${rs1.hash}' to '${rs2.hash}'`,
    );
    await eventually(
      async () => (await selector(ns, `${name}-active`)) === rs1.hash,
      'active back on the old revision',
    );
    await waitForEvent(
      cluster,
      ns,
      name,
      'SwitchService',
      `Switched selector for service '${name}-active' from '${rs2.hash}' to '${rs1.hash}'`,
    );
    assert.equal(await selector(ns, `${name}-preview`), rs2.hash);
    // The old RS was never scaled down (no explicit scaleDownDelaySeconds, post not Successful).
    const r1 = await rsOf(ns, name, 1);
    assert.equal(r1.spec, 2);
    const bg = await bgOf(ns, name);
    assert.equal(bg.activeSelector, rs1.hash);
    assert.equal(bg.postPromotionAnalysisRunStatus?.name, runName);
  });

  test('postPromotionAnalysis passing: the new RS becomes stable only once the run is Successful', async () => {
    const name = 'postok';
    const ns = await target.namespace('bg-post-ok');
    // Two measurements 2 s apart keep the run Running for a while after the switch.
    await cluster.apply(webTemplate('post', `${base}/ok`, { count: 2, interval: '2s' }), ns);
    for (const d of [
      minimalService(`${name}-active`, { app: name }),
      minimalService(`${name}-preview`, { app: name }),
      bgRollout(name, { postPromotionAnalysis: { templates: [{ templateName: 'post' }] } }),
    ])
      await cluster.apply(d, ns);
    await waitForPhase(cluster, ns, name, 'Healthy');
    const rs1 = await rsOf(ns, name, 1);
    await setImage(ns, name, 'app', 'example/app:v2');
    const rs2 = await rsOf(ns, name, 2);
    const runName = `${name}-${rs2.hash}-2-post`;

    // After the switch, while the run is Running, the old revision is still stable.
    const waiting = await waitForPhase(
      cluster,
      ns,
      name,
      'Progressing',
      (s) => (s.blueGreen as BgStatus | undefined)?.activeSelector === rs2.hash,
    );
    assert.equal(waiting.stableRS, rs1.hash);
    assert.equal(waiting.message, 'waiting for analysis to complete');
    assert.equal(await selector(ns, `${name}-active`), rs2.hash);
    assert.equal((await rsOf(ns, name, 1)).spec, 2, 'old RS kept while post analysis runs');

    let stableBeforeSuccess = false;
    const healthy = await eventually(
      async () => {
        const s = statusOf(await cluster.rollout(ns, name));
        if (s.stableRS === rs2.hash) {
          const run = await runOf(ns, runName);
          if (run.status?.phase !== 'Successful') stableBeforeSuccess = true;
        }
        return s.phase === 'Healthy' && s.stableRS === rs2.hash ? s : undefined;
      },
      'Healthy on revision 2',
      20_000,
    );
    assert.equal(stableBeforeSuccess, false, 'stableRS moved before the run was Successful');
    assert.equal((await runOf(ns, runName)).status?.phase, 'Successful');
    assert.equal(
      (healthy.blueGreen as BgStatus | undefined)?.postPromotionAnalysisRunStatus?.status,
      'Successful',
    );
    await waitForEvent(
      cluster,
      ns,
      name,
      'RolloutCompleted',
      `Rollout completed update to revision 2 (${rs2.hash}): Completed blue-green update`,
    );
  });

  test('manual pause, then autoPromotionEnabled turned on: the pause no longer blocks the switch', async () => {
    const name = 'turnon';
    const { ns, rs1 } = await deployedBg('bg-turn-on', name, {
      autoPromotionEnabled: false,
      scaleDownDelaySeconds: 2,
    });
    await setImage(ns, name, 'app', 'example/app:v2');
    await waitForPhase(cluster, ns, name, 'Paused', (s) => s.message === 'BlueGreenPause');
    const rs2 = await rsOf(ns, name, 2);
    assert.equal(await selector(ns, `${name}-active`), rs1.hash);
    // Not a template change: no new revision, the BlueGreenPause condition stays in place.
    await cluster.patchRollout(ns, name, {
      spec: { strategy: { blueGreen: { autoPromotionEnabled: true } } },
    });
    const healthy = await waitForPhase(
      cluster,
      ns,
      name,
      'Healthy',
      (s) => s.stableRS === rs2.hash,
    );
    assert.equal(healthy.pauseConditions, undefined);
    assert.equal(await selector(ns, `${name}-active`), rs2.hash);
  });

  test('activeService == previewService: InvalidSpec', async () => {
    const ns = await target.namespace('bg-inv-same');
    const name = 'same';
    await cluster.apply(minimalService('svc', { app: name }), ns);
    await cluster.apply(bgRollout(name, { activeService: 'svc', previewService: 'svc' }), ns);
    const message = `The Rollout "${name}" is invalid: spec.strategy.activeService: Invalid value: "svc": This rollout uses the same service for the active and preview services, but two different services are required.`;
    const s = await waitForPhase(cluster, ns, name, 'Degraded');
    const c = conditionOf(s, 'InvalidSpec');
    assert.equal(c?.status, 'True');
    assert.equal(c?.message, message);
    assert.equal(s.message, `InvalidSpec: ${message}`);
    assert.equal((await ownedReplicaSets(cluster, ns, name)).size, 0);
  });

  test('missing activeService Service: InvalidSpec naming the field; creating it fixes the Rollout', async () => {
    const ns = await target.namespace('bg-inv-missing');
    const name = 'missing';
    await cluster.apply(minimalService(`${name}-preview`, { app: name }), ns);
    await cluster.apply(bgRollout(name, {}), ns);
    const message = `The Rollout "${name}" is invalid: spec.strategy.blueGreen.activeService: Invalid value: "${name}-active": service "${name}-active" not found`;
    const s = await waitForPhase(cluster, ns, name, 'Degraded');
    assert.equal(conditionOf(s, 'InvalidSpec')?.message, message);
    assert.equal(s.message, `InvalidSpec: ${message}`);
    await waitForEvent(cluster, ns, name, 'InvalidSpec', message, 'Warning');

    await cluster.apply(minimalService(`${name}-active`, { app: name }), ns);
    const healthy = await waitForPhase(cluster, ns, name, 'Healthy', () => true, 30_000);
    assert.equal(conditionOf(healthy, 'InvalidSpec'), undefined);
  });

  test('controller restart between preview and promotion changes nothing; promote still works', async () => {
    const name = 'restart';
    const { ns, rs1 } = await deployedBg('bg-restart', name, {
      autoPromotionEnabled: false,
      scaleDownDelaySeconds: 2,
    });
    await setImage(ns, name, 'app', 'example/app:v2');
    await waitForPhase(cluster, ns, name, 'Paused', (s) => s.message === 'BlueGreenPause');
    await sleep(300); // let the pause settle (no further writes expected)
    const rs2 = await rsOf(ns, name, 2);
    const snapshot = async () => {
      const ro = await cluster.rollout(ns, name);
      const st = statusOf(ro);
      const rss = [...(await ownedReplicaSets(cluster, ns, name)).values()]
        .map(
          (r) => `${r.revision}:${r.hash}:${r.spec}:${r.annotations['scale-down-deadline'] ?? ''}`,
        )
        .sort();
      return {
        rss,
        active: await selector(ns, `${name}-active`),
        preview: await selector(ns, `${name}-preview`),
        phase: st.phase,
        message: st.message,
        pauseConditions: st.pauseConditions,
        controllerPause: st.controllerPause,
        blueGreen: st.blueGreen,
        stableRS: st.stableRS,
        currentPodHash: st.currentPodHash,
        conditions: st.conditions,
        rolloutRv: ro.metadata.resourceVersion,
      };
    };
    const before = await snapshot();
    assert.equal(before.active, rs1.hash);
    assert.equal(before.preview, rs2.hash);

    await ctl.stop();
    const counting: CountingControllerHandle = await startCountingController(target);
    ctl = counting;
    await eventually(() => counting.reconciles(ns, name) >= 1, 'a reconcile by the new controller');
    await sleep(500);
    const after = await snapshot();
    assert.deepEqual(after, before);

    await promote(cluster, ns, name);
    const healthy = await waitForPhase(
      cluster,
      ns,
      name,
      'Healthy',
      (s) => s.stableRS === rs2.hash,
    );
    assert.equal(await selector(ns, `${name}-active`), rs2.hash);
    assert.deepEqual(healthy.blueGreen, { activeSelector: rs2.hash, previewSelector: rs2.hash });
  });
});
