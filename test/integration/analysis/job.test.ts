// The Job provider against the Kubernetes API emulator. The emulator runs no Job controller, so
// each test plays that controller itself: it writes the Job's `status` (conditions
// Complete/Failed, succeeded/failed counts) through the /status subresource and checks what the
// provider reads from it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import {
  ANALYSIS_RUN_METRIC_ANNOTATION,
  ANALYSIS_RUN_NAME_ANNOTATION,
  ANALYSIS_RUN_NAMESPACE_ANNOTATION,
  ANALYSIS_RUN_UID_LABEL,
  jobName,
  JobProvider,
  owningRun,
} from '../../../src/analysis/providers/job.ts';
import {
  evaluateWithoutConditions,
  type AnalysisRunLike,
  type Measurement,
  type Metric,
  type ProviderContext,
  type StoredMeasurement,
} from '../../../src/analysis/providers/provider.ts';
import { isNotFound, RawClient, resourcePath } from '../../../src/kube/raw-client.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

let target: Target;
let client: RawClient;
let ns = '';
let otherNs = '';
let provider: JobProvider;

const JOB_SPEC = {
  backoffLimit: 0,
  template: {
    metadata: { labels: { app: 'analysis' } },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'check', image: 'busybox:1.36', command: ['sh', '-c', 'exit 0'] }],
    },
  },
};

function metric(name = 'smoke'): Metric {
  return {
    name,
    provider: {
      job: {
        metadata: { labels: { team: 'qa' }, annotations: { note: 'from-template' } },
        spec: JOB_SPEC,
      },
    },
  };
}

const jobsPath = (namespace: string, name?: string, subresource?: string): string =>
  resourcePath({
    group: 'batch',
    version: 'v1',
    resource: 'jobs',
    namespace,
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  });

/** Creates a real AnalysisRun so the Jobs' ownerReference points at an existing owner. */
async function createRun(
  name: string,
  metricResults: { name: string; count?: number; error?: number }[] = [],
): Promise<AnalysisRunLike> {
  const created = await client.create<KubeObject>(
    resourcePath({
      group: 'argoproj.io',
      version: 'v1alpha1',
      resource: 'analysisruns',
      namespace: ns,
    }),
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name, namespace: ns },
      spec: { metrics: [metric()] },
    },
  );
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name,
      namespace: ns,
      ...(created.metadata.uid ? { uid: created.metadata.uid } : {}),
    },
    status: { metricResults },
  };
}

function ctx(run: AnalysisRunLike, now?: Date): ProviderContext {
  return { run, evaluate: evaluateWithoutConditions, ...(now ? { now: () => now } : {}) };
}

/** What a Job controller writes when the pod finished. */
async function setJobStatus(
  namespace: string,
  name: string,
  outcome: 'Complete' | 'Failed',
): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const status =
    outcome === 'Complete'
      ? {
          startTime: now,
          completionTime: now,
          succeeded: 1,
          conditions: [
            { type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: now },
            { type: 'Complete', status: 'True', lastTransitionTime: now },
          ],
        }
      : {
          startTime: now,
          failed: 1,
          conditions: [
            { type: 'FailureTarget', status: 'True', lastTransitionTime: now },
            {
              type: 'Failed',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
              lastTransitionTime: now,
            },
          ],
        };
  await client.patch(jobsPath(namespace, name, 'status'), { status }, 'merge');
}

async function getJob(namespace: string, name: string): Promise<KubeObject> {
  return client.get<KubeObject>(jobsPath(namespace, name));
}

before(async () => {
  // The simulated kubelet would mark hand-made pods Running: keep it out of the way.
  target = await openTarget({ kubeletReadyDelayMs: 3_600_000 });
  client = new RawClient(target.kc, { qps: 0 });
  const crds = yaml
    .loadAll(
      readFileSync(new URL('../../../crds/analysis-run-crd.yaml', import.meta.url), 'utf8'),
      undefined,
      {
        schema: yaml.CORE_SCHEMA,
      },
    )
    .filter((d): d is KubeObject => typeof d === 'object' && d !== null);
  for (const crd of crds) {
    await client
      .create(
        resourcePath({
          group: 'apiextensions.k8s.io',
          version: 'v1',
          resource: 'customresourcedefinitions',
        }),
        crd,
      )
      .catch((e: { code?: number }) => {
        if (e.code !== 409) throw e;
      });
  }
  await eventually(
    () =>
      client
        .list(
          resourcePath({
            group: 'argoproj.io',
            version: 'v1alpha1',
            resource: 'analysisruns',
            namespace: 'default',
          }),
        )
        .then(() => true),
    'the AnalysisRun CRD to be served',
  );
  ns = await target.namespace('job-provider');
  otherNs = await target.namespace('job-elsewhere');
  provider = new JobProvider({ client, jobNamespace: '', customKubeconfig: false });
});

after(async () => {
  client?.close();
  await target?.close();
});

describe('job provider: run', () => {
  test('creates the Job: name, labels, annotations, owner; measurement Running', async () => {
    const run = await createRun('run-create');
    const now = new Date('2030-01-01T00:00:00Z');
    const m = await provider.run(metric(), ctx(run, now));
    const uid = run.metadata.uid ?? '';
    const name = `${uid}.smoke.1`;
    assert.deepEqual(m, {
      phase: 'Running',
      startedAt: '2030-01-01T00:00:00Z',
      metadata: { 'job-name': name, 'job-namespace': ns },
      resumeAt: '2030-01-01T00:00:00Z',
    });
    const job = await getJob(ns, name);
    assert.deepEqual(job.metadata.labels, { team: 'qa', [ANALYSIS_RUN_UID_LABEL]: uid });
    assert.deepEqual(job.metadata.annotations, {
      note: 'from-template',
      [ANALYSIS_RUN_NAME_ANNOTATION]: 'run-create',
      [ANALYSIS_RUN_NAMESPACE_ANNOTATION]: ns,
      [ANALYSIS_RUN_METRIC_ANNOTATION]: 'smoke',
    });
    assert.deepEqual(job.metadata.ownerReferences, [
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisRun',
        name: 'run-create',
        uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    const spec = job.spec as typeof JOB_SPEC;
    assert.deepEqual(spec.template.metadata.labels, {
      app: 'analysis',
      [ANALYSIS_RUN_UID_LABEL]: uid,
    });
    const [container] = spec.template.spec.containers;
    assert.equal(container?.image, 'busybox:1.36');
    assert.deepEqual(container?.command, ['sh', '-c', 'exit 0']);
    assert.deepEqual(owningRun(job), { namespace: ns, name: 'run-create' });
  });

  test('N counts previous measurements and errors; long names are cut to 63', async () => {
    const run = await createRun('run-count', [{ name: 'smoke', count: 2, error: 1 }]);
    const m = await provider.run(metric(), ctx(run));
    assert.equal(m.metadata?.['job-name'], `${run.metadata.uid ?? ''}.smoke.4`);

    // 36 (uid) + 1 + 24 + 2 = 63: the metric part is cut to its first 24 characters.
    const long = 'averylongmetricnamethatdoesnotfitinajobname';
    const name = jobName(run, long);
    assert.equal(name, `${run.metadata.uid ?? ''}.averylongmetricnamethatd.1`);
    assert.equal(name.length, 63);
    const created = await provider.run(metric(long), ctx(run));
    assert.equal(created.phase, 'Running', created.message);
    assert.equal(created.metadata?.['job-name'], name);
  });

  test('an existing Job of the same run is adopted; one of another run is an error', async () => {
    const run = await createRun('run-adopt');
    const first = await provider.run(metric(), ctx(run));
    const again = await provider.run(metric(), ctx(run));
    assert.equal(again.phase, 'Running', again.message);
    assert.deepEqual(again.metadata, first.metadata);

    // A Job with the name another run would use, but labelled for someone else: not adopted.
    const impostor: AnalysisRunLike = {
      metadata: { name: 'other', namespace: ns, uid: 'another-uid' },
    };
    await client.create<KubeObject>(jobsPath(ns), {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'another-uid.smoke.1',
        namespace: ns,
        labels: { [ANALYSIS_RUN_UID_LABEL]: 'someone-else' },
      },
      spec: JOB_SPEC,
    });
    const refused = await provider.run(metric(), ctx(impostor));
    assert.equal(refused.phase, 'Error');
    assert.match(refused.message ?? '', /already exists/);
    assert.ok(refused.finishedAt);
  });

  test('a Job namespace other than the run’s: no ownerReference', async () => {
    const run = await createRun('run-elsewhere');
    const p = new JobProvider({ client, jobNamespace: otherNs, customKubeconfig: false });
    const m = await p.run(metric(), ctx(run));
    assert.equal(m.metadata?.['job-namespace'], otherNs);
    const job = await getJob(otherNs, m.metadata?.['job-name'] ?? '');
    assert.equal(job.metadata.ownerReferences, undefined);
    assert.deepEqual(owningRun(job), { namespace: ns, name: 'run-elsewhere' });
  });

  test('a create error (invalid Job) is an Error measurement', async () => {
    const run = await createRun('run-invalid');
    const bad: Metric = { name: 'UPPER_case', provider: { job: { spec: JOB_SPEC } } };
    const m = await provider.run(bad, ctx(run));
    assert.equal(m.phase, 'Error');
    assert.ok((m.message ?? '').length > 0);
    assert.ok(m.finishedAt);
  });
});

describe('job provider: resume', () => {
  test('Running until the Job completes, then Successful', async () => {
    const run = await createRun('run-success');
    const start = new Date('2030-01-01T00:00:00Z');
    const m = await provider.run(metric(), ctx(run, start));
    const name = m.metadata?.['job-name'] ?? '';

    const later = new Date('2030-01-01T00:00:50Z');
    const polled = await provider.resume(metric(), m, ctx(run, later));
    assert.equal(polled.phase, 'Running');
    assert.equal(polled.finishedAt, undefined);
    // resumeAt = now + sqrt(2 × 50 s) = now + 10 s
    assert.equal(polled.resumeAt, '2030-01-01T00:01:00Z');

    await setJobStatus(ns, name, 'Complete');
    const done = await provider.resume(metric(), polled, ctx(run, later));
    assert.equal(done.phase, 'Successful');
    assert.equal(done.finishedAt, '2030-01-01T00:00:50Z');
    assert.deepEqual(done.metadata, m.metadata);
    const status = (await getJob(ns, name)).status as { succeeded?: number };
    assert.equal(status.succeeded, 1);
  });

  test('a Failed condition → Failed', async () => {
    const run = await createRun('run-failed', [{ name: 'smoke', count: 1 }]);
    const m = await provider.run(metric(), ctx(run));
    const name = m.metadata?.['job-name'] ?? '';
    assert.ok(name.endsWith('.2'));
    await setJobStatus(ns, name, 'Failed');
    const done = await provider.resume(metric(), m, ctx(run));
    assert.equal(done.phase, 'Failed');
    assert.ok(done.finishedAt);
  });

  test('a pod stuck pulling its image → Inconclusive with the reason', async () => {
    const run = await createRun('run-image');
    const m = await provider.run(metric(), ctx(run));
    const name = m.metadata?.['job-name'] ?? '';
    const podsPath = resourcePath({ version: 'v1', resource: 'pods', namespace: ns });
    await client.create(podsPath, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'analysis-pod', namespace: ns, labels: { 'job-name': name } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'check', image: 'nope:missing' }] },
    });
    await client.patch(
      resourcePath({
        version: 'v1',
        resource: 'pods',
        namespace: ns,
        name: 'analysis-pod',
        subresource: 'status',
      }),
      {
        status: {
          phase: 'Pending',
          containerStatuses: [
            {
              name: 'check',
              image: 'nope:missing',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { waiting: { reason: 'ErrImagePull', message: 'pull access denied' } },
            },
          ],
        },
      },
      'merge',
    );
    const res = await provider.resume(metric(), m, ctx(run));
    assert.equal(res.phase, 'Inconclusive');
    assert.equal(
      res.message,
      'Pod analysis-pod, container check has terminal error (ErrImagePull): pull access denied\n',
    );
    assert.ok(res.finishedAt);
  });

  test('missing metadata or a missing Job → Error', async () => {
    const run = await createRun('run-missing');
    const noMeta: StoredMeasurement = { phase: 'Running', startedAt: '2030-01-01T00:00:00Z' };
    const a = await provider.resume(metric(), noMeta, ctx(run));
    assert.equal(a.phase, 'Error');
    assert.equal(a.message, 'job metadata reference missing');
    const gone: Measurement = {
      phase: 'Running',
      metadata: { 'job-name': 'does-not-exist', 'job-namespace': ns },
    };
    const b = await provider.resume(metric(), gone, ctx(run));
    assert.equal(b.phase, 'Error');
    assert.match(b.message ?? '', /not found/);
  });
});

describe('job provider: terminate and garbage collection', () => {
  test('terminate deletes the Job → Inconclusive; a second terminate is fine', async () => {
    const run = await createRun('run-terminate');
    const m = await provider.run(metric(), ctx(run));
    const name = m.metadata?.['job-name'] ?? '';
    const t = await provider.terminate(metric(), m, ctx(run));
    assert.equal(t.phase, 'Inconclusive');
    assert.ok(t.finishedAt);
    await eventually(
      () =>
        getJob(ns, name).then(
          (j) => !!j.metadata.deletionTimestamp,
          (e: unknown) => isNotFound(e),
        ),
      'the Job to be deleted',
    );
    const again = await provider.terminate(metric(), m, ctx(run));
    assert.equal(again.phase, 'Inconclusive', again.message);
  });

  test('garbageCollect keeps the newest `limit` Jobs of the metric', async () => {
    const run = await createRun('run-gc');
    const names: string[] = [];
    for (let count = 0; count < 4; count++) {
      const r = { ...run, status: { metricResults: [{ name: 'smoke', count }] } };
      const m = await provider.run(metric(), ctx(r));
      names.push(m.metadata?.['job-name'] ?? '');
    }
    // A Job of another metric of the same run is not touched.
    const other = await provider.run(metric('other'), ctx(run));
    const err = await provider.garbageCollect(metric(), 2, ctx(run));
    assert.equal(err, undefined);
    const remaining = await eventually(async () => {
      const list = await client.list<KubeObject>(jobsPath(ns), {
        labelSelector: `${ANALYSIS_RUN_UID_LABEL}=${run.metadata.uid ?? ''}`,
      });
      const live = list.items
        .filter((j) => !j.metadata.deletionTimestamp)
        .map((j) => j.metadata.name);
      return live.length === 3 ? live : undefined;
    }, 'garbage collection');
    assert.deepEqual(
      [...remaining].sort(),
      [names[2], names[3], other.metadata?.['job-name']].sort(),
    );
  });

  test('deleting the AnalysisRun cascades to its Jobs (ownerReference)', async () => {
    const run = await createRun('run-cascade');
    const m = await provider.run(metric(), ctx(run));
    const name = m.metadata?.['job-name'] ?? '';
    await client.delete(
      resourcePath({
        group: 'argoproj.io',
        version: 'v1alpha1',
        resource: 'analysisruns',
        namespace: ns,
        name: 'run-cascade',
      }),
    );
    await eventually(
      () =>
        getJob(ns, name).then(
          (j) => !!j.metadata.deletionTimestamp,
          (e: unknown) => isNotFound(e),
        ),
      'the Job to be garbage collected',
    );
  });
});
