// Two controller processes with leader election: exactly one acts; SIGKILL it (no lease
// release) and the other takes over after the lease expires and continues the rollout.
// SIGTERM is graceful: exit 0 and the lease released at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  Cluster,
  FIXTURES,
  loadYamlDocs,
  statusOf,
  waitForPhase,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

const CLI = fileURLToPath(new URL('../../../src/controller/cli.ts', import.meta.url));
const LEASE =
  '/apis/coordination.k8s.io/v1/namespaces/argo-rollouts/leases/argo-rollouts-controller-lock';

interface Proc {
  child: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

function startReplica(target: Target): Proc {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      CLI,
      '--kubeconfig',
      target.kubeconfigPath,
      '--metricsPort',
      '0',
      '--healthzPort',
      '0',
      '--leader-election-lease-duration',
      '2s',
      '--leader-election-renew-deadline',
      '1s',
      '--leader-election-retry-period',
      '200ms',
    ],
    { env: { ...process.env, POD_NAMESPACE: 'argo-rollouts' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, log: () => out, exited };
}

const leads = (p: Proc) => p.log().includes('became leader');

describe('leader election between two controller processes', () => {
  let target: Target;
  let cluster: Cluster;
  const procs: Proc[] = [];

  before(async () => {
    target = await openTarget();
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    await cluster.client.create('/api/v1/namespaces', { metadata: { name: 'argo-rollouts' } });
  });
  after(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await target?.close();
  });

  test('one leads; SIGKILL it and the other continues the rollout', async () => {
    procs.push(startReplica(target), startReplica(target));
    const [a, b] = procs as [Proc, Proc];
    await eventually(() => leads(a) || leads(b), 'a leader', 30_000);
    const ns = await target.namespace('le');
    for (const f of ['service.yaml', 'rollout.yaml']) {
      for (const d of loadYamlDocs(new URL(`argo-rollouts/getting-started/basic/${f}`, FIXTURES))) {
        await cluster.apply(d, ns);
      }
    }
    await waitForPhase(cluster, ns, 'rollouts-demo', 'Healthy', undefined, 30_000);
    assert.ok(leads(a) !== leads(b), 'exactly one replica leads');
    const leader = leads(a) ? a : b;
    const standby = leader === a ? b : a;

    await cluster.setImage(ns, 'rollouts-demo', 'rollouts-demo', 'argoproj/rollouts-demo:yellow');
    await waitForPhase(cluster, ns, 'rollouts-demo', 'Paused', (s) => s.currentStepIndex === 1);

    leader.child.kill('SIGKILL');
    await leader.exited;
    const lease = await cluster.client.get(LEASE);
    assert.ok(
      (lease.spec as { holderIdentity?: string }).holderIdentity,
      'a killed leader leaves its lease held',
    );

    await cluster.patchRolloutStatus(ns, 'rollouts-demo', { status: { pauseConditions: null } });
    await eventually(() => leads(standby), 'the standby takes over', 30_000);
    await waitForPhase(
      cluster,
      ns,
      'rollouts-demo',
      'Paused',
      (s) => (s.currentStepIndex ?? 0) >= 3,
      30_000,
    );
    const s = statusOf(await cluster.rollout(ns, 'rollouts-demo'));
    assert.equal(
      s.currentStepIndex,
      3,
      'continued from step 1 to the next pause, skipping nothing',
    );
    assert.equal((await cluster.replicaSets(ns)).length, 2, 'no extra ReplicaSet');

    standby.child.kill('SIGTERM');
    assert.equal(await standby.exited, 0, 'SIGTERM exits cleanly');
    const released = await cluster.client.get(LEASE);
    assert.ok(
      !(released.spec as { holderIdentity?: string }).holderIdentity,
      'a graceful stop releases the lease',
    );
  });
});
