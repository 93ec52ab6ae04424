// Our additions to the dashboard API, against the emulator with our controller running: the
// single-rollout info (and its watch) carries the Rollout's conditions, pauseConditions and,
// for a timed canary pause, pauseEndsAt; `GET …/{name}/events` answers the Rollout's own
// Events newest first. The list keeps Argo's payload unchanged.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import { rfc3339 } from '../../../src/util/time.ts';
import { startDashboard, type Dashboard } from '../../../plugin/dashboard/server.ts';
import { loadKube } from '../../../plugin/kube.ts';
import {
  Cluster,
  canaryRollout,
  startController,
  statusOf,
  waitForEvent,
  waitForPhase,
  type ControllerHandle,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';
import { getJson, putJson, StreamReader, zeroValuePaths } from './support.ts';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

interface Info {
  objectMeta: { name: string; resourceVersion?: string };
  status?: string;
  conditions?: Condition[];
  pauseConditions?: { reason: string; startTime: string }[];
  pauseEndsAt?: string;
}

interface Event {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
}

const TIMED = [{ setWeight: 50 }, { pause: { duration: '1h' } }];
const INDEFINITE = [{ setWeight: 50 }, { pause: {} }];

describe('dashboard API additions: conditions, pause end, events', () => {
  let target: Target;
  let cluster: Cluster;
  let ctl: ControllerHandle;
  let dash: Dashboard;
  let ns: string;
  let api: string;
  const readers: StreamReader[] = [];

  /** The info and the Rollout read at the same resourceVersion (the controller may still write). */
  async function infoWithRollout(name: string): Promise<{ info: Info; ro: KubeObject }> {
    return eventually(async () => {
      const ro = await cluster.rollout(ns, name);
      const info = (await getJson<Info>(`${api}/rollouts/${ns}/${name}/info`)).body;
      return info.objectMeta.resourceVersion === ro.metadata.resourceVersion
        ? { info, ro }
        : undefined;
    }, `a settled info of ${name}`);
  }

  before(async () => {
    target = await openTarget();
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    ns = await target.namespace('extras');
    ctl = await startController(target, { namespace: ns });
    await cluster.apply(canaryRollout({ name: 'timed', replicas: 2, steps: TIMED }), ns);
    await cluster.apply(canaryRollout({ name: 'manual', replicas: 2, steps: INDEFINITE }), ns);
    await cluster.apply(canaryRollout({ name: 'plain', replicas: 1 }), ns);
    for (const name of ['timed', 'manual', 'plain'])
      await waitForPhase(cluster, ns, name, 'Healthy');
    for (const name of ['timed', 'manual']) {
      await cluster.setImage(ns, name, 'app', 'example/app:v2');
      await waitForPhase(cluster, ns, name, 'Paused', (s) => s.currentStepIndex === 1);
    }
    const kube = await loadKube(
      { kubeconfig: target.kubeconfigPath, namespace: ns },
      { full: true },
    );
    dash = await startDashboard({ kube, port: 0 });
    api = `http://127.0.0.1:${dash.port}/rollouts/api/v1`;
  });

  after(async () => {
    for (const r of readers) r.close();
    await dash?.close();
    await ctl?.stop();
    await target?.close();
  });

  test('info of a timed canary pause: conditions and pauseConditions verbatim, pauseEndsAt', async () => {
    const { info, ro } = await infoWithRollout('timed');
    const status = statusOf(ro) as { conditions?: unknown[]; pauseConditions?: unknown[] };
    assert.deepEqual(info.conditions, status.conditions);
    assert.deepEqual(info.pauseConditions, status.pauseConditions);
    const paused = info.conditions?.find((c) => c.type === 'Paused');
    assert.equal(paused?.status, 'True');
    assert.equal(paused?.reason, 'RolloutPaused');
    assert.equal(info.pauseConditions?.length, 1);
    const pause = info.pauseConditions?.[0];
    assert.ok(pause);
    assert.equal(pause.reason, 'CanaryPauseStep');
    // The step's 1h from the pause condition's start: the instant the controller moves on.
    assert.equal(info.pauseEndsAt, rfc3339(new Date(Date.parse(pause.startTime) + 3_600_000)));
    assert.deepEqual(zeroValuePaths(info), []);
  });

  test('info of an indefinite pause has pauseConditions but no pauseEndsAt', async () => {
    const { info } = await infoWithRollout('manual');
    assert.deepEqual(
      info.pauseConditions?.map((p) => p.reason),
      ['CanaryPauseStep'],
    );
    assert.equal('pauseEndsAt' in info, false);
  });

  test('info of a Healthy rollout: its conditions, nothing about pauses', async () => {
    const { info, ro } = await infoWithRollout('plain');
    assert.deepEqual(info.conditions, (statusOf(ro) as { conditions?: unknown[] }).conditions);
    assert.equal(info.conditions?.find((c) => c.type === 'Available')?.status, 'True');
    assert.equal('pauseConditions' in info, false);
    assert.equal('pauseEndsAt' in info, false);
  });

  test('the list keeps Argo’s RolloutInfo: no additions', async () => {
    const r = await getJson<{ rollouts: Record<string, unknown>[] }>(`${api}/rollouts/${ns}/info`);
    assert.equal(r.body.rollouts.length, 3);
    for (const info of r.body.rollouts) {
      for (const k of ['conditions', 'pauseConditions', 'pauseEndsAt']) {
        assert.equal(k in info, false, k);
      }
    }
  });

  test('?fields= applies to the additions', async () => {
    const r = await getJson(`${api}/rollouts/${ns}/timed/info?fields=pauseConditions.reason`);
    assert.deepEqual(r.body, { pauseConditions: [{ reason: 'CanaryPauseStep' }] });
  });

  test('events: only the Rollout’s own, newest first, in the small shape', async () => {
    await waitForEvent(
      cluster,
      ns,
      'timed',
      'RolloutPaused',
      'Rollout is paused (CanaryPauseStep)',
    );
    const ro = await cluster.rollout(ns, 'timed');
    const r = await getJson<{ events: Event[] }>(`${api}/rollouts/${ns}/timed/events`);
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body), ['events']);
    const events = r.body.events;

    // Exactly the Events whose involvedObject is this Rollout (other rollouts' and the
    // ReplicaSets' events in the namespace are left out).
    const all = (await cluster.events(ns)) as (KubeObject & {
      involvedObject?: { uid?: string };
      reason?: string;
      message?: string;
    })[];
    const mine = all.filter((e) => e.involvedObject?.uid === ro.metadata.uid);
    assert.ok(all.length > mine.length, 'the namespace holds other objects’ events too');
    const key = (e: { reason?: string; message?: string }) => `${e.reason}|${e.message}`;
    assert.deepEqual(events.map(key).sort(), mine.map(key).sort());

    const messages = events.map((e) => e.message);
    assert.ok(messages.includes('Rollout updated to revision 1'));
    assert.ok(messages.includes('Rollout updated to revision 2'));
    assert.ok(messages.includes('Rollout is paused (CanaryPauseStep)'));
    // Newest first: the update to revision 2 came after the one to revision 1.
    assert.ok(
      messages.indexOf('Rollout updated to revision 2') <
        messages.indexOf('Rollout updated to revision 1'),
    );
    for (let i = 1; i < events.length; i++) {
      assert.ok(
        Date.parse(events[i - 1]!.lastTimestamp!) >= Date.parse(events[i]!.lastTimestamp!),
        'lastTimestamp never increases down the list',
      );
    }
    for (const e of events) {
      assert.deepEqual(Object.keys(e).sort(), [
        'count',
        'firstTimestamp',
        'lastTimestamp',
        'message',
        'reason',
        'type',
      ]);
      assert.equal(e.type, 'Normal');
      assert.ok(e.count! >= 1);
    }
  });

  test('events: ?fields=, a missing Rollout is the info endpoint’s 500, PUT is 405', async () => {
    const f = await getJson<{ events: object[] }>(
      `${api}/rollouts/${ns}/plain/events?fields=events.reason`,
    );
    assert.ok(f.body.events.length > 0);
    assert.ok(f.body.events.every((e) => Object.keys(e).join() === 'reason'));

    const missing = await getJson(`${api}/rollouts/${ns}/nope/events`);
    assert.equal(missing.status, 500);
    assert.deepEqual(missing.body, { code: 2, message: 'rollout.argoproj.io "nope" not found' });

    const wrongMethod = await putJson(`${api}/rollouts/${ns}/plain/events`, {});
    assert.equal(wrongMethod.status, 405);
  });

  test('the single watch carries the additions and follows them (promote clears the pause)', async () => {
    const s = await StreamReader.open(`${api}/rollouts/${ns}/manual/info/watch`, { sse: true });
    readers.push(s);
    const first = await s.waitFor<Info>(() => true, 'the first info');
    assert.deepEqual(
      first.pauseConditions?.map((p) => p.reason),
      ['CanaryPauseStep'],
    );
    assert.equal(first.conditions?.find((c) => c.type === 'Paused')?.status, 'True');

    const from = s.results().length;
    assert.equal((await putJson(`${api}/rollouts/${ns}/manual/promote`, {})).status, 200);
    const healthy = await s.waitFor<Info>(
      (i) => i.status === 'Healthy' && !i.pauseConditions,
      'Healthy without pause conditions',
      from,
    );
    assert.equal(healthy.conditions?.find((c) => c.type === 'Paused')?.status, 'False');
    assert.deepEqual(s.framingErrors, []);
  });

  test('the single watch of a timed pause sends pauseEndsAt; a manual pause removes it', async () => {
    const s = await StreamReader.open(`${api}/rollouts/${ns}/timed/info/watch`, { sse: true });
    readers.push(s);
    const first = await s.waitFor<Info>(() => true, 'the first info');
    const start = first.pauseConditions?.[0]?.startTime ?? '';
    assert.equal(first.pauseEndsAt, rfc3339(new Date(Date.parse(start) + 3_600_000)));

    // A manual pause holds the rollout past the step's end: no end to count down to.
    const from = s.results().length;
    assert.equal((await putJson(`${api}/rollouts/${ns}/timed/pause`, {})).status, 200);
    await s.waitFor<Info>((i) => !('pauseEndsAt' in i), 'pauseEndsAt gone', from);
  });
});
