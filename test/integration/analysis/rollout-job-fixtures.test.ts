// The Argo Rollouts example Rollouts with Job-based analysis, run end to end against the
// emulator with both controllers: step analysis (rollout-analysis-step.yaml) and background
// analysis (rollout-background-analysis.yaml) over the example AnalysisTemplates and
// ClusterAnalysisTemplates, loaded unchanged. The emulator has no Job controller, so a test
// helper (test/support/job-runner.ts) plays it and decides how each measurement Job ends.
// Checked: run names, labels, annotations and ownership (analysis.md §7.4), when runs are
// created, kept and cancelled (§7.5), what their phases do to the Rollout (§7.6), the Rollout
// status fields (§7.9), history limits (§7.8), Job termination (§3.10, §5.2), and the
// ReplicaSets, phase, conditions and events of the Rollout (rollout-semantics §4, §6).
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
  ownedReplicaSets,
  promote,
  startController,
  statusOf,
  waitForEvent,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import {
  scriptedOutcomes,
  startJobRunner,
  type DecideJob,
  type JobRunner,
} from '../../support/job-runner.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

const EXAMPLES = new URL('argo-rollouts/examples/', FIXTURES);
const CONTAINER = 'rollouts-demo';
const HASH = 'rollouts-pod-template-hash';
const REVISION = 'rollout.argoproj.io/revision';
const RUN_UID = 'analysisrun.argoproj.io/uid';

interface RunStatusEntry {
  name: string;
  status: string;
  message?: string;
}

interface CanaryStatus {
  currentStepAnalysisRunStatus?: RunStatusEntry;
  currentBackgroundAnalysisRunStatus?: RunStatusEntry;
}

interface Measurement {
  phase: string;
  message?: string;
  finishedAt?: string;
  metadata?: Record<string, string>;
}

interface MetricResult {
  name: string;
  phase: string;
  message?: string;
  count?: number;
  successful?: number;
  failed?: number;
  inconclusive?: number;
  measurements?: Measurement[];
}

interface Run extends KubeObject {
  spec: { metrics: { name: string }[]; terminate?: boolean; args?: unknown[] };
  status?: {
    phase?: string;
    message?: string;
    metricResults?: MetricResult[];
    runSummary?: Record<string, number>;
  };
}

const templates = loadYamlDocs(new URL('analysis-templates.yaml', EXAMPLES));
const clusterTemplates = loadYamlDocs(new URL('cluster-analysis-templates.yaml', EXAMPLES));
const stepRollout = loadYamlDocs(new URL('rollout-analysis-step.yaml', EXAMPLES))[0]!;
const backgroundRollout = loadYamlDocs(new URL('rollout-background-analysis.yaml', EXAMPLES))[0]!;

const canaryOf = (s: Record<string, unknown>): CanaryStatus => s.canary ?? {};

function metric(run: Run, name: string): MetricResult | undefined {
  return run.status?.metricResults?.find((m) => m.name === name);
}

describe('Argo Rollouts example Rollouts with Job analysis', () => {
  let target: Target;
  let cluster: Cluster;
  let ctl: ControllerHandle;

  before(async () => {
    target = await openTarget();
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    for (const t of clusterTemplates) {
      await cluster.apply(t).catch((e: { code?: number }) => {
        if (e.code !== 409) throw e;
      });
    }
    ctl = await startController(target);
  });
  after(async () => {
    await ctl?.stop();
    await target?.close();
  });

  async function runs(ns: string): Promise<Run[]> {
    return (await cluster.client.list<Run>(cluster.path('AnalysisRun', ns))).items;
  }

  async function getRun(ns: string, name: string): Promise<Run> {
    return (await cluster.get('AnalysisRun', ns, name)) as Run;
  }

  function waitRun(
    ns: string,
    name: string,
    what: string,
    ok: (r: Run) => boolean,
    timeoutMs = 20_000,
  ): Promise<Run> {
    return eventually(
      async () => {
        const r = await getRun(ns, name).catch(() => undefined);
        return r && ok(r) ? r : undefined;
      },
      `run ${name}: ${what}`,
      timeoutMs,
    );
  }

  async function gone(kind: string, ns: string, name: string): Promise<boolean> {
    try {
      await cluster.get(kind, ns, name);
      return false;
    } catch (e) {
      return (e as { code?: number }).code === 404;
    }
  }

  /**
   * A fresh namespace with the example AnalysisTemplates and the Rollout deployed (initial deploy
   * done, Healthy), plus a Job runner for it.
   */
  async function setup(
    rollout: KubeObject,
    decide: DecideJob,
  ): Promise<{ ns: string; name: string; uid: string; oldHash: string; runner: JobRunner }> {
    const ns = await target.namespace('rjob');
    for (const t of templates) await cluster.apply(t, ns);
    await cluster.apply(rollout, ns);
    const name = rollout.metadata.name ?? '';
    const s = await waitForPhase(cluster, ns, name, 'Healthy');
    assert.equal(s.stableRS, s.currentPodHash);
    // Initial deploy: no analysis at all (§7.5 global cancellation).
    assert.deepEqual(await runs(ns), []);
    const uid = (await cluster.rollout(ns, name)).metadata.uid ?? '';
    const runner = startJobRunner(cluster, ns, decide);
    return { ns, name, uid, oldHash: s.stableRS!, runner };
  }

  /** Changes the image; returns the new pod-template hash. */
  async function update(ns: string, name: string, image: string, from: string): Promise<string> {
    // GET + update, like the plugin: retried when the controller wrote in between (409).
    await withRetries(() => cluster.setImage(ns, name, CONTAINER, image));
    const s = await eventually(async () => {
      const st = statusOf(await cluster.rollout(ns, name));
      return st.currentPodHash && st.currentPodHash !== from ? st : undefined;
    }, 'a new revision');
    return s.currentPodHash!;
  }

  function assertOwnedBy(run: Run, name: string, uid: string): void {
    assert.deepEqual(run.metadata.ownerReferences, [
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name,
        uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  }

  const want25 = approx(4, 25, 100, resolveFenceposts(4, undefined, undefined).maxSurge);

  async function assertCanaryAt25(ns: string, name: string, oldHash: string, newHash: string) {
    await eventually(async () => {
      const rss = await ownedReplicaSets(cluster, ns, name);
      const c = rss.get(newHash);
      const st = rss.get(oldHash);
      return (
        c?.spec === want25.canary &&
        c.available === want25.canary &&
        st?.spec === want25.stable &&
        st.replicas === want25.stable
      );
    }, `ReplicaSets at 25%: canary ${want25.canary}, stable ${want25.stable}`);
  }

  test(
    'rollout-analysis-step: one merged step run; every Job completes → Successful → Healthy',
    { timeout: 60_000 },
    async () => {
      let release = false;
      const { ns, name, uid, oldHash, runner } = await setup(stepRollout, () =>
        release ? 'Complete' : 'Running',
      );
      try {
        const newHash = await update(ns, name, 'argoproj/rollouts-demo:yellow', oldHash);
        const runName = `${name}-${newHash}-2-1`;

        // setWeight 25 completes, then the analysis step (index 1) creates exactly one run.
        const run = await waitRun(ns, runName, 'Running', (r) => r.status?.phase === 'Running');
        assert.deepEqual(
          (await runs(ns)).map((r) => r.metadata.name),
          [runName],
        );
        assert.deepEqual(run.metadata.labels, {
          app: name,
          [HASH]: newHash,
          'rollout-type': 'Step',
          'step-index': '1',
        });
        assert.deepEqual(run.metadata.annotations, { [REVISION]: '2' });
        assertOwnedBy(run, name, uid);
        // AnalysisTemplate metrics first, then ClusterAnalysisTemplate metrics (§7.2).
        assert.deepEqual(
          run.spec.metrics.map((m) => m.name),
          ['random-fail', 'pass'],
        );
        assert.notEqual(run.spec.terminate, true);

        // One Job per metric is in flight, named <run uid>.<metric>.1 and owned by the run.
        const runUid = run.metadata.uid ?? '';
        await eventually(() => runner.jobs().length === 2, 'two Jobs');
        assert.deepEqual(runner.jobs().sort(), [`${runUid}.pass.1`, `${runUid}.random-fail.1`]);
        const job = await cluster.get('Job', ns, `${runUid}.random-fail.1`);
        assert.equal(job.metadata.labels?.[RUN_UID], runUid);
        assert.equal(job.metadata.annotations?.['analysisrun.argoproj.io/name'], runName);
        assert.equal(
          job.metadata.annotations?.['analysisrun.argoproj.io/metric-name'],
          'random-fail',
        );
        assert.equal(job.metadata.ownerReferences?.[0]?.kind, 'AnalysisRun');
        assert.equal(job.metadata.ownerReferences?.[0]?.uid, runUid);

        // While the run is running, the Rollout waits at the analysis step at 25%.
        const waiting = await waitForPhase(
          cluster,
          ns,
          name,
          'Progressing',
          (st) => canaryOf(st).currentStepAnalysisRunStatus?.status === 'Running',
        );
        assert.equal(waiting.currentStepIndex, 1);
        assert.deepEqual(canaryOf(waiting).currentStepAnalysisRunStatus, {
          name: runName,
          status: 'Running',
        });
        assert.equal(canaryOf(waiting).currentBackgroundAnalysisRunStatus, undefined);
        await assertCanaryAt25(ns, name, oldHash, newHash);
        await waitForEvent(
          cluster,
          ns,
          name,
          'AnalysisRunRunning',
          `Step Analysis Run '${runName}' Status New: 'Running' Previous: ''`,
        );

        // Let every Job complete: random-fail twice (count 2, 5 s apart), pass once.
        release = true;
        const done = await waitRun(
          ns,
          runName,
          'Successful',
          (r) => r.status?.phase === 'Successful',
        );
        assert.equal(done.status?.message, undefined);
        assert.deepEqual(done.status?.runSummary, { count: 2, successful: 2 });
        assert.equal(metric(done, 'random-fail')?.count, 2);
        assert.equal(metric(done, 'random-fail')?.successful, 2);
        assert.equal(metric(done, 'pass')?.count, 1);
        assert.equal(runner.jobs().length, 3);

        // The step completes, the canary goes to 100 % and becomes stable.
        const healthy = await waitForPhase(
          cluster,
          ns,
          name,
          'Healthy',
          (st) => st.stableRS === newHash,
        );
        assert.equal(healthy.currentStepIndex, 2);
        assert.equal(healthy.abort, undefined);
        assert.equal(canaryOf(healthy).currentStepAnalysisRunStatus, undefined);
        assert.equal(canaryOf(healthy).currentBackgroundAnalysisRunStatus, undefined);
        assert.equal(conditionOf(healthy, 'Completed')?.status, 'True');
        await eventually(async () => {
          const rss = await ownedReplicaSets(cluster, ns, name);
          return rss.get(newHash)?.spec === 4 && rss.get(newHash)?.available === 4
            ? rss.get(oldHash)?.spec === 0
            : false;
        }, 'new RS at 4, old RS at 0');
        await waitForEvent(
          cluster,
          ns,
          name,
          'AnalysisRunSuccessful',
          `Step Analysis Run '${runName}' Status New: 'Successful' Previous: 'Running'`,
        );
        await waitForEvent(
          cluster,
          ns,
          name,
          'RolloutStepCompleted',
          'Rollout step 1/2 completed (setWeight: 25)',
        );
        await waitForEvent(
          cluster,
          ns,
          name,
          'RolloutStepCompleted',
          'Rollout step 2/2 completed (analysis)',
        );
        await waitForEvent(
          cluster,
          ns,
          name,
          'RolloutCompleted',
          `Rollout completed update to revision 2 (${newHash}): Completed all 2 canary steps`,
        );
        // A completed run is kept (history) and never cancelled; no other run was ever made.
        const kept = await getRun(ns, runName);
        assert.equal(kept.status?.phase, 'Successful');
        assert.notEqual(kept.spec.terminate, true);
        assert.deepEqual(
          (await runs(ns)).map((r) => r.metadata.name),
          [runName],
        );
      } finally {
        await runner.stop();
      }
    },
  );

  test(
    'rollout-analysis-step: random-fail fails twice → run Failed → abort; retry creates <name>.1',
    { timeout: 60_000 },
    async () => {
      const { ns, name, uid, oldHash, runner } = await setup(
        stepRollout,
        scriptedOutcomes({ 'random-fail': ['Failed', 'Failed'] }, 'Complete'),
      );
      try {
        const newHash = await update(ns, name, 'argoproj/rollouts-demo:yellow', oldHash);
        const runName = `${name}-${newHash}-2-1`;
        const failedMsg =
          'Metric "random-fail" assessed Failed due to failed (2) > failureLimit (1)';
        const failed = await waitRun(ns, runName, 'Failed', (r) => r.status?.phase === 'Failed');
        assert.equal(failed.status?.message, failedMsg);
        assert.equal(metric(failed, 'random-fail')?.phase, 'Failed');
        assert.equal(metric(failed, 'random-fail')?.failed, 2);
        assert.equal(metric(failed, 'pass')?.phase, 'Successful');
        assertOwnedBy(failed, name, uid);

        // The Rollout aborts: canary to 0, stable back to 4, Degraded.
        const abortMsg = `Rollout aborted update to revision 2: Step-based analysis phase error/failed: ${failedMsg}`;
        const aborted = await waitForPhase(
          cluster,
          ns,
          name,
          'Degraded',
          (st) => st.abort === true,
        );
        assert.ok(
          conditionOf(aborted, 'Progressing')?.message?.startsWith(
            'Rollout aborted update to revision 2: Step-based analysis phase error/failed',
          ),
        );
        assert.equal(conditionOf(aborted, 'Progressing')?.message, abortMsg);
        assert.equal(conditionOf(aborted, 'Progressing')?.status, 'False');
        assert.equal(conditionOf(aborted, 'Progressing')?.reason, 'RolloutAborted');
        assert.equal(aborted.message, `RolloutAborted: ${abortMsg}`);
        assert.ok(aborted.abortedAt, 'abortedAt is set');
        assert.equal(aborted.currentStepIndex, 0);
        assert.equal(aborted.stableRS, oldHash);
        assert.equal(aborted.pauseConditions, undefined);
        // The failed run stays visible next to the Degraded status (§7.9).
        assert.deepEqual(canaryOf(aborted).currentStepAnalysisRunStatus, {
          name: runName,
          status: 'Failed',
          message: failedMsg,
        });
        await eventually(async () => {
          const rss = await ownedReplicaSets(cluster, ns, name);
          return rss.get(newHash)?.spec === 0 && rss.get(oldHash)?.spec === 4
            ? rss.get(oldHash)?.available === 4
            : false;
        }, 'canary RS at 0, stable RS back to 4');
        await waitForEvent(
          cluster,
          ns,
          name,
          'AnalysisRunFailed',
          `Step Analysis Run '${runName}' Status New: 'Failed' Previous: 'Running'`,
          'Warning',
        );
        await waitForEvent(cluster, ns, name, 'RolloutAborted', abortMsg, 'Warning');

        // Retry (kubectl argo rollouts retry): the update restarts; the analysis step creates a
        // fresh run, whose name collides with the completed one and gets the `.1` suffix.
        await cluster.patchRolloutStatus(ns, name, { status: { abort: false } });
        const retryName = `${runName}.1`;
        const retry = await waitRun(ns, retryName, 'created', () => true);
        assert.deepEqual(retry.metadata.labels, {
          app: name,
          [HASH]: newHash,
          'rollout-type': 'Step',
          'step-index': '1',
        });
        assert.deepEqual(retry.metadata.annotations, { [REVISION]: '2' });
        assertOwnedBy(retry, name, uid);
        assert.deepEqual((await runs(ns)).map((r) => r.metadata.name).sort(), [runName, retryName]);
        // The old failed run is left alone (completed runs are never cancelled).
        assert.notEqual((await getRun(ns, runName)).spec.terminate, true);

        // Later random-fail Jobs complete: the retry succeeds and the update finishes.
        const ok = await waitRun(
          ns,
          retryName,
          'Successful',
          (r) => r.status?.phase === 'Successful',
        );
        assert.equal(metric(ok, 'random-fail')?.successful, 2);
        const healthy = await waitForPhase(
          cluster,
          ns,
          name,
          'Healthy',
          (st) => st.stableRS === newHash,
        );
        assert.equal(healthy.abort, undefined);
        assert.equal(healthy.abortedAt, undefined);
        assert.equal(healthy.currentStepIndex, 2);
        await waitForEvent(
          cluster,
          ns,
          name,
          'AnalysisRunSuccessful',
          `Step Analysis Run '${retryName}' Status New: 'Successful' Previous: 'Running'`,
        );
        assert.deepEqual((await runs(ns)).map((r) => r.metadata.name).sort(), [runName, retryName]);
      } finally {
        await runner.stop();
      }
    },
  );

  test(
    'rollout-background-analysis: promoted while a Job is in flight → run terminated, Job deleted, Inconclusive',
    { timeout: 60_000 },
    async () => {
      // No Job ever finishes: the first random-fail measurement is in flight at promotion.
      const { ns, name, uid, oldHash, runner } = await setup(backgroundRollout, () => 'Running');
      try {
        const newHash = await update(ns, name, 'argoproj/rollouts-demo:yellow', oldHash);
        const runName = `${name}-${newHash}-2`;
        const run = await waitRun(
          ns,
          runName,
          'a measurement in flight',
          (r) => metric(r, 'random-fail')?.measurements?.[0]?.phase === 'Running',
        );
        assert.deepEqual(run.metadata.labels, {
          app: name,
          [HASH]: newHash,
          'rollout-type': 'Background',
        });
        assert.deepEqual(run.metadata.annotations, { [REVISION]: '2' });
        assertOwnedBy(run, name, uid);
        assert.deepEqual(
          run.spec.metrics.map((m) => m.name),
          ['random-fail'],
        );
        const jobName = `${run.metadata.uid ?? ''}.random-fail.1`;
        assert.equal(
          metric(run, 'random-fail')?.measurements?.[0]?.metadata?.['job-name'],
          jobName,
        );

        // The Rollout pauses at `pause: {}` with the background run running.
        const paused = await waitForPhase(
          cluster,
          ns,
          name,
          'Paused',
          (st) =>
            st.currentStepIndex === 1 &&
            (st.pauseConditions ?? []).some((p) => p.reason === 'CanaryPauseStep') &&
            canaryOf(st).currentBackgroundAnalysisRunStatus?.status === 'Running',
        );
        assert.deepEqual(canaryOf(paused).currentBackgroundAnalysisRunStatus, {
          name: runName,
          status: 'Running',
        });
        assert.equal(canaryOf(paused).currentStepAnalysisRunStatus, undefined);
        await assertCanaryAt25(ns, name, oldHash, newHash);
        assert.deepEqual(
          (await runs(ns)).map((r) => r.metadata.name),
          [runName],
        );
        assert.ok(!(await gone('Job', ns, jobName)), 'the Job runs');

        await promote(cluster, ns, name);

        // Fully promoted: the background run is cancelled and dropped from the status (the pass
        // that promotes still carries it; the next one, seeing stableRS == currentPodHash, drops it).
        const healthy = await waitForPhase(
          cluster,
          ns,
          name,
          'Healthy',
          (st) =>
            st.stableRS === newHash &&
            canaryOf(st).currentBackgroundAnalysisRunStatus === undefined,
        );
        assert.equal(healthy.currentStepIndex, 2);
        // §3.10 / §5.2: the in-flight Job is deleted and its measurement becomes Inconclusive
        // ("Metric Terminated"), which makes the metric, and so the run, Inconclusive.
        const ended = await waitRun(
          ns,
          runName,
          'completed',
          (r) => !!r.status?.phase && !['Running', 'Pending'].includes(r.status.phase),
        );
        assert.equal(ended.spec.terminate, true);
        assert.equal(ended.status?.phase, 'Inconclusive');
        const m = metric(ended, 'random-fail');
        assert.equal(m?.phase, 'Inconclusive');
        assert.equal(m?.inconclusive, 1);
        assert.equal(m?.measurements?.length, 1);
        assert.equal(m?.measurements?.[0]?.phase, 'Inconclusive');
        assert.equal(m?.measurements?.[0]?.message, 'Metric Terminated');
        assert.equal(
          ended.status?.message,
          'Metric "random-fail" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0): "Error Message: Metric Terminated"',
        );
        await eventually(() => gone('Job', ns, jobName), 'the Job to be deleted');

        // The verdict arrives after promotion: it no longer touches the Rollout.
        await new Promise((r) => setTimeout(r, 500));
        const later = statusOf(await cluster.rollout(ns, name));
        assert.equal(later.phase, 'Healthy');
        assert.equal(later.pauseConditions, undefined);
        assert.equal(later.abort, undefined);
        assert.ok(
          !(await eventsOf(cluster, ns, name)).some((e) => e.reason === 'AnalysisRunInconclusive'),
          'no Inconclusive event on the Rollout for a run it no longer tracks',
        );
        await eventually(async () => {
          const rss = await ownedReplicaSets(cluster, ns, name);
          return rss.get(newHash)?.spec === 4 && rss.get(oldHash)?.spec === 0;
        }, 'new RS at 4, old RS at 0');
        await waitForEvent(
          cluster,
          ns,
          name,
          'AnalysisRunRunning',
          `Background Analysis Run '${runName}' Status New: 'Running' Previous: ''`,
        );
      } finally {
        await runner.stop();
      }
    },
  );

  test(
    'rollout-background-analysis: promoted between measurements → run Successful, "Run Terminated"',
    { timeout: 60_000 },
    async () => {
      // The first random-fail Job completes once the Rollout is paused; the second one (due 5 s
      // later) would stay running, but the promotion comes first.
      let paused = false;
      const first = scriptedOutcomes({ 'random-fail': ['Complete'] }, 'Running');
      const { ns, name, oldHash, runner } = await setup(backgroundRollout, (job) =>
        paused ? first(job) : 'Running',
      );
      try {
        const newHash = await update(ns, name, 'argoproj/rollouts-demo:yellow', oldHash);
        const runName = `${name}-${newHash}-2`;
        await waitForPhase(cluster, ns, name, 'Paused', (st) =>
          (st.pauseConditions ?? []).some((p) => p.reason === 'CanaryPauseStep'),
        );
        paused = true;
        const between = await waitRun(
          ns,
          runName,
          'one completed measurement',
          (r) => metric(r, 'random-fail')?.count === 1,
        );
        assert.equal(between.status?.phase, 'Running');
        assert.equal(metric(between, 'random-fail')?.measurements?.length, 1);
        await promote(cluster, ns, name);

        const ended = await waitRun(
          ns,
          runName,
          'completed',
          (r) => !!r.status?.phase && !['Running', 'Pending'].includes(r.status.phase),
        );
        assert.equal(ended.spec.terminate, true);
        assert.equal(ended.status?.phase, 'Successful');
        assert.equal(ended.status?.message, 'Run Terminated');
        const m = metric(ended, 'random-fail');
        assert.equal(m?.phase, 'Successful');
        assert.equal(m?.count, 1, 'no second measurement after termination');
        assert.deepEqual(runner.jobs(), [`${ended.metadata.uid ?? ''}.random-fail.1`]);
        const healthy = await waitForPhase(
          cluster,
          ns,
          name,
          'Healthy',
          (st) =>
            st.stableRS === newHash &&
            canaryOf(st).currentBackgroundAnalysisRunStatus === undefined,
        );
        assert.equal(healthy.currentStepIndex, 2);
      } finally {
        await runner.stop();
      }
    },
  );

  test(
    'rollout-background-analysis: random-fail fails twice → run Failed → abort',
    { timeout: 60_000 },
    async () => {
      const { ns, name, oldHash, runner } = await setup(
        backgroundRollout,
        scriptedOutcomes({ 'random-fail': ['Failed', 'Failed'] }, 'Complete'),
      );
      try {
        const newHash = await update(ns, name, 'argoproj/rollouts-demo:yellow', oldHash);
        const runName = `${name}-${newHash}-2`;
        // The Rollout reaches its pause step while the run measures.
        await waitForPhase(cluster, ns, name, 'Paused', (st) =>
          (st.pauseConditions ?? []).some((p) => p.reason === 'CanaryPauseStep'),
        );
        const failedMsg =
          'Metric "random-fail" assessed Failed due to failed (2) > failureLimit (1)';
        const failed = await waitRun(ns, runName, 'Failed', (r) => r.status?.phase === 'Failed');
        assert.equal(failed.status?.message, failedMsg);
        assert.equal(failed.metadata.labels?.['rollout-type'], 'Background');

        const abortMsg = `Rollout aborted update to revision 2: Background analysis phase error/failed: ${failedMsg}`;
        const aborted = await waitForPhase(
          cluster,
          ns,
          name,
          'Degraded',
          (st) => st.abort === true,
        );
        const prog = conditionOf(aborted, 'Progressing');
        assert.ok(
          prog?.message?.startsWith(
            'Rollout aborted update to revision 2: Background analysis phase error/failed',
          ),
        );
        assert.equal(prog?.message, abortMsg);
        assert.equal(prog?.reason, 'RolloutAborted');
        assert.equal(prog?.status, 'False');
        assert.equal(aborted.message, `RolloutAborted: ${abortMsg}`);
        assert.equal(aborted.currentStepIndex, 0);
        assert.equal(aborted.pauseConditions, undefined, 'the step pause is dropped on abort');
        assert.deepEqual(canaryOf(aborted).currentBackgroundAnalysisRunStatus, {
          name: runName,
          status: 'Failed',
          message: failedMsg,
        });
        await eventually(async () => {
          const rss = await ownedReplicaSets(cluster, ns, name);
          return rss.get(newHash)?.spec === 0 && rss.get(oldHash)?.spec === 4
            ? rss.get(oldHash)?.available === 4
            : false;
        }, 'canary RS at 0, stable RS back to 4');
        await waitForEvent(
          cluster,
          ns,
          name,
          'AnalysisRunFailed',
          `Background Analysis Run '${runName}' Status New: 'Failed' Previous: 'Running'`,
          'Warning',
        );
        await waitForEvent(cluster, ns, name, 'RolloutAborted', abortMsg, 'Warning');
        // Exactly one background run was ever created.
        assert.deepEqual(
          (await runs(ns)).map((r) => r.metadata.name),
          [runName],
        );
      } finally {
        await runner.stop();
      }
    },
  );

  test(
    'history limits: only the newest successful / unsuccessful runs are kept',
    { timeout: 60_000 },
    async () => {
      const ro = structuredClone(stepRollout);
      ro.metadata.name = 'rollout-analysis-history';
      const spec = ro.spec as Record<string, unknown>;
      // Keep every ReplicaSet, so only the run history limits delete runs (§7.8).
      spec.revisionHistoryLimit = 10;
      spec.analysis = { successfulRunHistoryLimit: 1, unsuccessfulRunHistoryLimit: 1 };
      // random-fail Jobs, in order: update 1 passes, updates 2 and 3 fail, update 4 passes.
      const { ns, name, oldHash, runner } = await setup(
        ro,
        scriptedOutcomes(
          { 'random-fail': ['Complete', 'Complete', 'Failed', 'Failed', 'Failed', 'Failed'] },
          'Complete',
        ),
      );
      const names = async () => (await runs(ns)).map((r) => r.metadata.name ?? '').sort();
      try {
        // Update 1 (revision 2): Successful.
        const h2 = await update(ns, name, 'argoproj/rollouts-demo:yellow', oldHash);
        const s2 = `${name}-${h2}-2-1`;
        await waitRun(ns, s2, 'Successful', (r) => r.status?.phase === 'Successful');
        await waitForPhase(cluster, ns, name, 'Healthy', (st) => st.stableRS === h2);

        // Update 2 (revision 3): Failed → aborted. The successful run is kept (1 ≤ 1).
        const h3 = await update(ns, name, 'argoproj/rollouts-demo:green', h2);
        const f3 = `${name}-${h3}-3-1`;
        await waitRun(ns, f3, 'Failed', (r) => r.status?.phase === 'Failed');
        await waitForPhase(cluster, ns, name, 'Degraded', (st) => st.abort === true);
        assert.deepEqual(await names(), [s2, f3].sort());

        // Update 3 (revision 4) while aborted: a new update starts; Failed again → aborted.
        const h4 = await update(ns, name, 'argoproj/rollouts-demo:purple', h3);
        const f4 = `${name}-${h4}-4-1`;
        await waitRun(ns, f4, 'Failed', (r) => r.status?.phase === 'Failed');
        await waitForPhase(
          cluster,
          ns,
          name,
          'Degraded',
          (st) => st.abort === true && st.currentPodHash === h4,
        );
        // f4 is current; the older failure is still within the limit among the others.
        assert.deepEqual(await names(), [s2, f3, f4].sort());

        // Update 4 (revision 5): Successful. Once f4 is no longer current, only the newest
        // unsuccessful run (f4) and the newest successful one (s5) remain.
        const h5 = await update(ns, name, 'argoproj/rollouts-demo:orange', h4);
        const s5 = `${name}-${h5}-5-1`;
        await waitRun(ns, s5, 'Running', (r) => r.status?.phase === 'Running');
        // While s5 runs: others are s2 (successful, kept), f4 (newest unsuccessful, kept), f3.
        await eventually(
          async () => JSON.stringify(await names()) === JSON.stringify([s2, f4, s5].sort()),
          `runs ${[s2, f4, s5].join(', ')} while the last update runs`,
        );
        await waitRun(ns, s5, 'Successful', (r) => r.status?.phase === 'Successful');
        await waitForPhase(cluster, ns, name, 'Healthy', (st) => st.stableRS === h5);
        await eventually(
          async () => JSON.stringify(await names()) === JSON.stringify([f4, s5].sort()),
          `only ${f4} and ${s5} remain`,
        );
        // Every ReplicaSet is still there: the runs went by the history limits alone.
        assert.equal((await ownedReplicaSets(cluster, ns, name)).size, 5);
        const evs = await eventsOf(cluster, ns, name);
        assert.ok(evs.some((e) => e.reason === 'AnalysisRunFailed' && e.message.includes(f4)));
      } finally {
        await runner.stop();
      }
    },
  );
});
