// Leader election on a coordination.k8s.io/v1 Lease against the emulator over real HTTP.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { startSim, type Sim } from '../../../sim/index.ts';
import {
  DEFAULT_LEASE_NAME,
  LeaderElector,
  leaseName,
  microTime,
  type Lease,
  type LeaderElectionOptions,
} from '../../../src/kube/leader-election.ts';
import { isNotFound, RawClient, resourcePath } from '../../../src/kube/raw-client.ts';
import { eventually } from '../../support/target.ts';

let sim: Sim;
let kc: KubeConfig;
let client: RawClient;
let nsCounter = 0;

before(async () => {
  sim = await startSim();
  kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  client = new RawClient(kc, { qps: 0 });
});

/** Electors a test started; stopped after each test even when it fails. */
const electors: LeaderElector[] = [];

afterEach(async () => {
  sim.faults.reset();
  await Promise.all(electors.splice(0).map((e) => e.stop({ release: false })));
});

after(async () => {
  client.close();
  await sim.stop();
});

async function namespace(): Promise<string> {
  const name = `le-${++nsCounter}`;
  await client.create('/api/v1/namespaces', { metadata: { name } });
  return name;
}

async function readLease(ns: string, name = DEFAULT_LEASE_NAME): Promise<Lease | undefined> {
  try {
    return await client.get<Lease>(
      resourcePath({
        group: 'coordination.k8s.io',
        version: 'v1',
        resource: 'leases',
        namespace: ns,
        name,
      }),
    );
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

interface Candidate {
  elector: LeaderElector;
  running: Promise<void>;
  started: number;
  stopped: number;
  signal?: AbortSignal;
}

const FAST = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100 };

function candidate(ns: string, id: string, extra: Partial<LeaderElectionOptions> = {}): Candidate {
  const c = { started: 0, stopped: 0 } as Candidate;
  c.elector = new LeaderElector({
    client,
    namespace: ns,
    identity: id,
    ...FAST,
    onStartedLeading: (signal) => {
      c.started++;
      c.signal = signal;
    },
    onStoppedLeading: () => c.stopped++,
    ...extra,
  });
  electors.push(c.elector);
  c.running = c.elector.run();
  return c;
}

async function renewals(ns: string, n: number): Promise<void> {
  const seen = new Set<string>();
  await eventually(async () => {
    const l = await readLease(ns);
    if (l?.spec?.renewTime) seen.add(l.spec.renewTime);
    return seen.size >= n;
  }, `${n} lease renewals`);
}

describe('LeaderElector', () => {
  test('helpers: lease name, MicroTime, default identity, option validation', () => {
    assert.equal(leaseName(), 'argo-rollouts-controller-lock');
    assert.equal(leaseName('blue'), 'argo-rollouts-controller-lock-blue');
    assert.equal(microTime(Date.UTC(2024, 0, 2, 3, 4, 5, 678)), '2024-01-02T03:04:05.678000Z');
    const e = new LeaderElector({ client, namespace: 'x', onStartedLeading: () => undefined });
    assert.match(e.identity, /^[^_]+_[0-9a-f-]{36}$/);
    assert.throws(
      () =>
        new LeaderElector({
          client,
          namespace: 'x',
          leaseDurationMs: 5,
          renewDeadlineMs: 10,
          onStartedLeading: () => undefined,
        }),
      /leaseDuration must be greater than renewDeadline/,
    );
    assert.throws(
      () =>
        new LeaderElector({
          client,
          namespace: 'x',
          renewDeadlineMs: 2000,
          retryPeriodMs: 2000,
          onStartedLeading: () => undefined,
        }),
      /renewDeadline must be greater/,
    );
  });

  test('of two candidates exactly one leads, and keeps renewing', async () => {
    const ns = await namespace();
    const a = candidate(ns, 'host-a_1');
    const b = candidate(ns, 'host-b_2');
    await eventually(() => a.elector.isLeader() || b.elector.isLeader(), 'a leader');
    await renewals(ns, 4);
    const [leader, follower] = a.elector.isLeader() ? [a, b] : [b, a];
    assert.equal(leader.elector.isLeader(), true);
    assert.equal(follower.elector.isLeader(), false);
    assert.equal(leader.started, 1);
    assert.equal(follower.started, 0, 'the follower never started leading');
    const lease = await readLease(ns);
    assert.equal(lease?.spec?.holderIdentity, leader.elector.identity);
    assert.equal(lease?.spec?.leaseDurationSeconds, 1);
    assert.equal(lease?.spec?.leaseTransitions, 0);
    assert.match(lease?.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(follower.elector.getLeader(), leader.elector.identity);
    await follower.elector.stop();
    await leader.elector.stop();
    await Promise.all([a.running, b.running]);
  });

  test('a graceful stop releases the lease and the other candidate takes over at once', async () => {
    const ns = await namespace();
    // A long lease: without the release, the takeover would need 30 s.
    const slow = { leaseDurationMs: 30_000, renewDeadlineMs: 10_000, retryPeriodMs: 100 };
    const a = candidate(ns, 'host-a_1', slow);
    await eventually(() => a.elector.isLeader(), 'a to lead');
    const b = candidate(ns, 'host-b_2', slow);
    await eventually(() => b.elector.getLeader() === 'host-a_1', 'b to observe a');

    await a.elector.stop();
    await a.running;
    assert.equal(a.elector.isLeader(), false);
    assert.equal(a.signal?.aborted, true, 'the leading signal aborts');
    assert.equal(a.stopped, 1);
    await eventually(
      () => b.elector.isLeader(),
      'b to take over well before the 30 s lease expires',
      5000,
    );
    const lease = await readLease(ns);
    assert.equal(lease?.spec?.holderIdentity, 'host-b_2');
    assert.equal(lease?.spec?.leaseTransitions, 1);
    await b.elector.stop();
    const released = await readLease(ns);
    assert.equal(released?.spec?.holderIdentity, '');
  });

  test('a killed leader (no release) is replaced after the lease expires', async () => {
    const ns = await namespace();
    const a = candidate(ns, 'host-a_1');
    await eventually(() => a.elector.isLeader(), 'a to lead');
    const b = candidate(ns, 'host-b_2');
    await eventually(() => b.elector.getLeader() === 'host-a_1', 'b to observe a');

    await a.elector.stop({ release: false });
    const stale = await readLease(ns);
    assert.equal(stale?.spec?.holderIdentity, 'host-a_1', 'not released');
    assert.equal(b.elector.isLeader(), false);
    await eventually(() => b.elector.isLeader(), 'b to lead after expiry');
    assert.equal(b.started, 1);
    assert.equal((await readLease(ns))?.spec?.holderIdentity, 'host-b_2');
    await b.elector.stop();
  });

  test(
    'a leader that cannot renew within renewDeadline stops leading',
    { timeout: 60_000 },
    async () => {
      const ns = await namespace();
      const a = candidate(ns, 'host-a_1');
      await eventually(() => a.elector.isLeader(), 'a to lead');
      sim.faults.set({
        errors: [{ verbs: ['get', 'update'], resources: ['leases'], rate: 1, code: 503 }],
      });
      await a.running; // run() resolves once leadership is lost
      sim.faults.reset();
      assert.equal(a.elector.isLeader(), false);
      assert.equal(a.signal?.aborted, true);
      assert.equal(a.stopped, 1);
      // Lost leadership is not released (it may not be ours any more).
      assert.equal((await readLease(ns))?.spec?.holderIdentity, 'host-a_1');
      const b = candidate(ns, 'host-b_2');
      await eventually(() => b.elector.isLeader(), 'b to lead after expiry');
      await b.elector.stop();
    },
  );

  test('renewal conflicts (409) are retried and tolerated until renewDeadline', async () => {
    const ns = await namespace();
    const a = candidate(ns, 'host-a_1', {
      leaseDurationMs: 30_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 100,
    });
    await eventually(() => a.elector.isLeader(), 'a to lead');
    const before = sim.faults.injected.conflicts;
    sim.faults.set({ conflicts: { count: 5, resources: ['leases'] } });
    await eventually(() => sim.faults.injected.conflicts - before >= 5, 'conflicts to be injected');
    await renewals(ns, 2);
    assert.equal(a.elector.isLeader(), true);
    assert.equal(a.stopped, 0);
    await a.elector.stop();
  });

  test(
    'a leader whose lease was taken over stops leading and does not overwrite it',
    { timeout: 60_000 },
    async () => {
      const ns = await namespace();
      const a = candidate(ns, 'host-a_1');
      await eventually(() => a.elector.isLeader(), 'a to lead');
      // Someone else writes the lease (e.g. a replica with a skewed view): a's renewals now see
      // a foreign, fresh holder and fail; after renewDeadline it steps down.
      const path = resourcePath({
        group: 'coordination.k8s.io',
        version: 'v1',
        resource: 'leases',
        namespace: ns,
        name: DEFAULT_LEASE_NAME,
      });
      // One writer at a time, back to back: once it has won, the record keeps changing, so a
      // never sees it expire and can never write again.
      let intruding = true;
      const intruder = (async () => {
        while (intruding) {
          try {
            const l = await client.get<Lease>(path);
            await client.update(path, {
              ...l,
              spec: { ...l.spec, holderIdentity: 'intruder', renewTime: microTime(Date.now()) },
            });
          } catch {
            // 409 when a renewed in between: try again
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      try {
        await a.running;
      } finally {
        intruding = false;
        await intruder;
      }
      assert.equal(a.elector.isLeader(), false);
      assert.equal(a.signal?.aborted, true);
      assert.equal(a.elector.getLeader(), 'intruder');
      assert.equal((await readLease(ns))?.spec?.holderIdentity, 'intruder');
    },
  );
});
