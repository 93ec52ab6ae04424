// The read-only commands through the real kubectl against the emulator with our controller:
// get rollout (once and -w), list rollouts (table, -A, --name, -w), status (exit codes).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  Cluster,
  canaryRollout,
  startController,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import {
  pluginEnv,
  pluginRunner,
  type PluginEnv,
  type PluginRunner,
} from '../../support/plugin.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

const STEPS = [{ setWeight: 50 }, { pause: {} }, { setWeight: 75 }, { pause: {} }];
const CLEAR = '\x1b[H\x1b[2J\x1b[0;0H';

describe('kubectl argo rollouts: read-only commands', () => {
  let target: Target;
  let cluster: Cluster;
  let ctl: ControllerHandle;
  let env: PluginEnv;
  let k: PluginRunner;

  before(async () => {
    target = await openTarget();
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    ctl = await startController(target);
    env = pluginEnv();
    k = pluginRunner(env, target.kubeconfigPath, join(target.tmpDir, 'kube-cache'));
  });
  after(async () => {
    await ctl?.stop();
    env?.close();
    await target?.close();
  });

  async function healthy(prefix: string, name = 'app', replicas = 2) {
    const ns = await target.namespace(prefix);
    await cluster.apply(canaryRollout({ name, replicas, steps: STEPS }), ns);
    const s = await waitForPhase(cluster, ns, name, 'Healthy');
    return { ns, name, hash: s.currentPodHash! };
  }

  async function atFirstPause(prefix: string, name = 'app') {
    const r = await healthy(prefix, name, 4);
    await withRetries(() => cluster.setImage(r.ns, name, 'app', 'example/app:v2'));
    const s = await waitForPhase(cluster, r.ns, name, 'Paused', (st) => st.currentStepIndex === 1);
    return { ...r, h2: s.currentPodHash! };
  }

  test('get rollout: the header block and the tree (§2.2, §2.3)', async () => {
    const { ns, hash } = await healthy('plg-get');
    const r = await k.run(['get', 'rollout', 'app', '-n', ns, '--no-color']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n').map((l) => l.trimEnd());
    assert.deepEqual(lines.slice(0, 16), [
      'Name:            app',
      `Namespace:       ${ns}`,
      'Status:          ✔ Healthy',
      'Strategy:        Canary',
      '  Step:          4/4',
      '  SetWeight:     100',
      '  ActualWeight:  100',
      'Images:          example/app:v1 (stable)',
      'Replicas:',
      '  Desired:       2',
      '  Current:       2',
      '  Updated:       2',
      '  Ready:         2',
      '  Available:     2',
      '',
      lines[15],
    ]);
    assert.match(lines[15]!, /^NAME +KIND +STATUS +AGE +INFO$/);
    assert.match(lines[16]!, /^⟳ app +Rollout +✔ Healthy +\d+s$/);
    assert.equal(lines[17], '└──# revision:1');
    assert.match(
      lines[18]!,
      new RegExp(`^   └──⧉ app-${hash} +ReplicaSet +✔ Healthy +\\d+s +stable$`),
    );
    assert.match(
      lines[19]!,
      new RegExp(`^      ├──□ app-${hash}-\\w+ +Pod +✔ Running +\\d+s +ready:1/1$`),
    );
    assert.match(
      lines[20]!,
      new RegExp(`^      └──□ app-${hash}-\\w+ +Pod +✔ Running +\\d+s +ready:1/1$`),
    );
    assert.equal(lines[21], '');
    assert.equal(lines.length, 22);

    // Colour unless --no-color or TERM=dumb; the alias `ro` works.
    const colored = await k.run(['get', 'ro', 'app', '-n', ns], { env: { TERM: 'xterm' } });
    assert.equal(colored.code, 0, colored.stderr);
    assert.ok(colored.stdout.includes('\nStatus:          \x1b[32m✔\x1b[0m Healthy\n'));
  });

  test('get rollout -w: redraws with clear-screen, follows changes, ends at --timeout-seconds', async () => {
    const { ns } = await healthy('plg-getw');
    const w = k.stream(['get', 'rollout', 'app', '-w', '--timeout-seconds', '6', '-n', ns]);
    await eventually(() => w.stdout().includes('Status:          ✔ Healthy'), 'first draw', 15_000);
    const t0 = Date.now();
    await cluster.patchRollout(ns, 'app', { spec: { paused: true } });
    await eventually(
      () => w.stdout().includes('Message:         manually paused'),
      'redraw',
      10_000,
    );
    assert.ok(Date.now() - t0 < 5_000);
    const code = await w.exit;
    assert.equal(code, 0, w.stderr());
    const out = w.stdout();
    assert.ok(out.startsWith(CLEAR), JSON.stringify(out.slice(0, 20)));
    const draws = out.split(CLEAR).length - 1;
    // A redraw every second (ages stay current), never more than one per 200 ms.
    assert.ok(draws >= 3 && draws <= 30, `draws: ${draws}`);
    for (const frame of out.split(CLEAR).slice(1)) assert.match(frame, /^Name: {12}app\n/);
  });

  test('get rollout -w stops on SIGINT with exit 0', async () => {
    const { ns } = await healthy('plg-getint');
    const w = k.stream(['get', 'rollout', 'app', '-w', '-n', ns]);
    await eventually(() => w.stdout().includes('Name:'), 'first draw', 15_000);
    w.child.kill('SIGINT');
    assert.equal(await w.exit, 0);
  });

  test('list rollouts: fixed-width columns, -A, --name, --timestamps; none → stderr', async () => {
    const { ns } = await atFirstPause('plg-list');
    await cluster.apply(canaryRollout({ name: 'other', replicas: 1, steps: STEPS }), ns);
    await waitForPhase(cluster, ns, 'other', 'Healthy');
    const r = await k.run(['list', 'rollouts', '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      'NAME        STRATEGY   STATUS        STEP  SET-WEIGHT  READY  DESIRED  UP-TO-DATE  AVAILABLE\n' +
        'app         Canary     Paused        1/4   50          4/4    4        2           4        \n' +
        'other       Canary     Healthy       4/4   100         1/1    1        1           1        \n',
    );
    const one = await k.run(['list', 'ro', '--name', 'other', '-A', '--timestamps', '-n', ns]);
    assert.equal(one.code, 0, one.stderr);
    const [header, row, ...rest] = one.stdout.split('\n');
    assert.equal(
      header,
      `TIMESTAMP             ${'NAMESPACE'.padEnd(ns.length + 2)}NAME        STRATEGY   STATUS        STEP  SET-WEIGHT  READY  DESIRED  UP-TO-DATE  AVAILABLE`,
    );
    assert.match(
      row!,
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  ${ns}  other       Canary     Healthy  `,
      ),
    );
    assert.deepEqual(rest, ['']);

    const empty = await k.run(['list', 'rollouts', '--name', 'nothing', '-n', ns]);
    assert.equal(empty.code, 0);
    assert.equal(empty.stdout, '');
    assert.equal(empty.stderr, 'No resources found.\n');
  });

  test('list rollouts -w: the table, then a row each time a rollout row changes', async () => {
    const { ns } = await healthy('plg-listw');
    const w = k.stream(['list', 'rollouts', '-w', '-n', ns]);
    await eventually(() => w.stdout().includes('Healthy'), 'table', 15_000);
    await withRetries(() => cluster.setImage(ns, 'app', 'app', 'example/app:v2'));
    await eventually(() => /\napp +Canary +Paused +1\/4 /.test(w.stdout()), 'paused row', 20_000);
    w.child.kill('SIGINT');
    assert.equal(await w.exit, 0);
    const rows = w.stdout().trimEnd().split('\n');
    assert.match(rows[0]!, /^NAME +STRATEGY/);
    assert.match(rows[1]!, /^app +Canary +Healthy +4\/4 /);
    // Identical consecutive rows are never printed twice.
    for (let i = 2; i < rows.length; i++) assert.notEqual(rows[i], rows[i - 1]);
  });

  test('status: Healthy (0), Paused with --watch=false (0), timeout (1), Degraded (1)', async () => {
    const { ns } = await atFirstPause('plg-status');
    const once = await k.run(['status', 'app', '--watch=false', '-n', ns]);
    assert.equal(once.code, 0, once.stderr);
    assert.equal(once.stdout, 'Paused - CanaryPauseStep\n');
    assert.equal(once.stderr, '');

    const timeout = await k.run(['status', 'app', '-t', '2s', '-n', ns]);
    assert.equal(timeout.code, 1);
    assert.equal(timeout.stdout, 'Paused - CanaryPauseStep\n');
    assert.equal(timeout.stderr, 'Error: Rollout status watch exceeded timeout\n');

    // Watch until Healthy: promote --full while watching.
    const w = k.stream(['status', 'app', '-n', ns]);
    await eventually(() => w.stdout().includes('Paused - CanaryPauseStep'), 'first line', 15_000);
    await cluster.patchRolloutStatus(ns, 'app', { status: { promoteFull: true } });
    assert.equal(await w.exit, 0, w.stderr());
    const lines = w.stdout().trimEnd().split('\n');
    assert.equal(lines[0], 'Paused - CanaryPauseStep');
    assert.equal(lines.at(-1), 'Healthy');
    for (let i = 1; i < lines.length; i++) assert.notEqual(lines[i], lines[i - 1]);

    const ok = await k.run(['status', 'app', '-n', ns]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'Healthy\n');

    await withRetries(() => cluster.setImage(ns, 'app', 'app', 'example/app:v3'));
    await waitForPhase(cluster, ns, 'app', 'Paused', (s) => s.currentStepIndex === 1);
    await cluster.patchRolloutStatus(ns, 'app', { status: { abort: true } });
    await waitForPhase(cluster, ns, 'app', 'Degraded');
    const msg = 'RolloutAborted: Rollout aborted update to revision 3';
    const degraded = await k.run(['status', 'app', '-w=false', '-n', ns]);
    assert.equal(degraded.code, 1);
    assert.equal(degraded.stdout, 'Degraded\n');
    assert.equal(
      degraded.stderr,
      `Error: The rollout is in a degraded state with message: ${msg}\n`,
    );
    const watched = await k.run(['status', 'app', '-n', ns]);
    assert.equal(watched.code, 1);
    assert.equal(watched.stdout, `Degraded - ${msg}\n`);
    assert.equal(
      watched.stderr,
      `Error: The rollout is in a degraded state with message: ${msg}\n`,
    );
  });
});
