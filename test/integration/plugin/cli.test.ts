// The plugin's command-line behaviour through the real kubectl: errors (unknown rollout,
// unreachable server, bad flags, argument counts), lint on the shared fixtures and on broken
// documents, create -f / create analysisrun, version, dashboard, and shell completion.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simKubeconfig } from '../../../sim/kubeconfig.ts';
import { resourcePath } from '../../../src/kube/raw-client.ts';
import { Cluster, FIXTURES } from '../../support/controller.ts';
import {
  closedPort,
  PLUGIN_BIN,
  pluginEnv,
  pluginRunner,
  type PluginEnv,
  type PluginRunner,
} from '../../support/plugin.ts';
import { openTarget, type Target } from '../../support/target.ts';

const execFileAsync = promisify(execFile);

const ROLLOUT_YAML = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: demo
spec:
  replicas: 1
  selector:
    matchLabels: {app: demo}
  template:
    metadata:
      labels: {app: demo}
    spec:
      containers:
      - name: demo
        image: example/demo:v1
  strategy:
    canary:
      steps:
      - setWeight: 20
      - pause: {}
`;

const TEMPLATE_YAML = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: success-rate
spec:
  args:
  - name: service-name
  - name: threshold
    value: "0.95"
  metrics:
  - name: success-rate
    interval: 1m
    successCondition: result[0] >= 0.95
    provider:
      web:
        url: http://example.invalid/{{args.service-name}}
`;

describe('kubectl argo rollouts: CLI behaviour', () => {
  let target: Target;
  let cluster: Cluster;
  let env: PluginEnv;
  let k: PluginRunner;
  let ns: string;
  const file = (name: string, text: string): string => {
    const p = join(target.tmpDir, name);
    writeFileSync(p, text);
    return p;
  };

  before(async () => {
    target = await openTarget();
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    env = pluginEnv();
    k = pluginRunner(env, target.kubeconfigPath, join(target.tmpDir, 'kube-cache'));
    ns = await target.namespace('plg-cli');
  });
  after(async () => {
    env?.close();
    await target?.close();
  });

  test('an unknown rollout: the apimachinery NotFound text, exit 1', async () => {
    for (const args of [
      ['get', 'rollout', 'does-not-exist'],
      ['get', 'rollout', 'does-not-exist', '-w'],
      ['status', 'does-not-exist'],
    ]) {
      const r = await k.run([...args, '-n', ns]);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, 'Error: rollout.argoproj.io "does-not-exist" not found\n');
    }
    for (const args of [
      ['promote', 'nope'],
      ['abort', 'nope'],
      ['undo', 'nope'],
    ]) {
      const r = await k.run([...args, '-n', ns]);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stderr, 'Error: rollouts.argoproj.io "nope" not found\n');
    }
  });

  test('no cluster reachable: one line, exit 1', async () => {
    const port = await closedPort();
    const kubeconfig = file('closed.kubeconfig', simKubeconfig(`http://127.0.0.1:${port}`));
    const r = await k.run(['get', 'rollout', 'x'], { kubeconfig });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `Error: Get "http://127.0.0.1:${port}/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/x": dial tcp 127.0.0.1:${port}: connect: connection refused\n`,
    );
    const p = await k.run(['pause', 'x', '-n', 'other'], { kubeconfig });
    assert.equal(p.code, 1);
    assert.equal(
      p.stderr,
      `Error: Patch "http://127.0.0.1:${port}/apis/argoproj.io/v1alpha1/namespaces/other/rollouts/x": dial tcp 127.0.0.1:${port}: connect: connection refused\n`,
    );
    // --server overrides the kubeconfig's cluster.
    const s = await k.run(['list', 'rollouts', '--server', `http://127.0.0.1:${port}`]);
    assert.equal(s.code, 1);
    assert.match(
      s.stderr,
      /^Error: Get "http:\/\/127\.0\.0\.1:\d+\/apis\/argoproj\.io\/v1alpha1\/namespaces\/default\/rollouts": dial tcp .*connection refused\n$/,
    );
  });

  test('flag errors, argument counts and bare groups', async () => {
    const bad = await k.run(['promote', 'x', '--bogus', '-n', ns]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, '');
    assert.equal(bad.stderr, 'Error: unknown flag: --bogus\n');
    const short = await k.run(['get', 'rollout', 'x', '-z']);
    assert.equal(short.code, 1);
    assert.equal(short.stderr, "Error: unknown shorthand flag: 'z' in -z\n");
    const missing = await k.run(['status', 'x', '--timeout']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error: flag needs an argument: --timeout\n');
    const duration = await k.run(['status', 'x', '--timeout', 'soon']);
    assert.equal(duration.code, 1);
    assert.equal(
      duration.stderr,
      'Error: invalid argument "soon" for "-t, --timeout" flag: time: invalid duration "soon"\n',
    );
    const level = await k.run(['pause', 'x', '--loglevel', 'loud']);
    assert.equal(level.code, 1);
    assert.equal(level.stderr, 'Error: not a valid logrus Level: "loud"\n');
    const unknown = await k.run(['frobnicate']);
    assert.equal(unknown.code, 1);
    assert.equal(
      unknown.stderr,
      'Error: unknown command "frobnicate" for "kubectl-argo-rollouts"\n',
    );

    for (const args of [
      ['promote'],
      ['promote', 'a', 'b'],
      ['get', 'rollout'],
      ['status', 'a', 'b'],
      ['undo'],
      ['abort'],
      ['set', 'image', 'a'],
    ]) {
      const r = await k.run(args);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
      assert.match(
        r.stderr,
        new RegExp(`^Usage: kubectl argo rollouts ${args[0]!} `),
        args.join(' '),
      );
      assert.doesNotMatch(r.stderr, /Error:/, args.join(' '));
    }
    for (const args of [[], ['get'], ['list'], ['set'], ['retry'], ['terminate']]) {
      const r = await k.run(args);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^Usage: kubectl argo rollouts/, args.join(' '));
    }
    const help = await k.run(['promote', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: kubectl argo rollouts promote ROLLOUT_NAME \[flags\]\n/);
    assert.match(help.stdout, /--full/);
  });

  test('lint: every fixture Rollout is valid (no output, exit 0)', async () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) {
          if (e !== 'crds') walk(p);
        } else if (p.endsWith('.yaml') && /^kind: Rollout$/m.test(readFileSync(p, 'utf8'))) {
          files.push(p);
        }
      }
    };
    walk(new URL('.', FIXTURES).pathname);
    assert.ok(files.length >= 15, `fixtures found: ${files.length}`);
    // The getting-started guides with their Services and Ingresses in one file (references checked).
    for (const guide of ['basic', 'alb', 'nginx', 'mixed']) {
      const dir = new URL(`argo-rollouts/getting-started/${guide}/`, FIXTURES).pathname;
      const docs = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
      files.push(file(`${guide}-all.yaml`, docs.join('\n---\n')));
    }
    for (const f of files) {
      const r = await k.run(['lint', '-f', f]);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', ''], f);
    }
  });

  test('lint: broken documents name the field', async () => {
    const bad = file('bad-weight.yaml', ROLLOUT_YAML.replace('setWeight: 20', 'setWeight: 120'));
    const r = await k.run(['lint', '-f', bad]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'Invalid value: 120: SetWeight needs to be between 0 and 100\n');
    assert.equal(
      r.stderr,
      'Error: spec.strategy.steps[0].setWeight: Invalid value: 120: SetWeight needs to be between 0 and 100\n',
    );

    const unknown = file(
      'unknown.yaml',
      ROLLOUT_YAML.replace('  replicas: 1', '  replicas: 1\n  replica: 2'),
    );
    const u = await k.run(['lint', '-f', unknown]);
    assert.equal(u.code, 1);
    assert.equal(u.stdout, '');
    assert.equal(
      u.stderr,
      'Error: error unmarshaling JSON: while decoding JSON: json: unknown field "replica"\n',
    );

    // A Service of the same file whose selector does not match the pod template.
    const dir = new URL('argo-rollouts/getting-started/nginx/', FIXTURES).pathname;
    const docs = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
    const broken = docs
      .join('\n---\n')
      .replace('  selector:\n    app: rollouts-demo\n', '  selector:\n    app: wrong\n');
    const s = await k.run(['lint', '-f', file('nginx-broken.yaml', broken)]);
    assert.equal(s.code, 1);
    assert.equal(
      s.stdout,
      'Invalid value: "rollouts-demo-canary": Service "rollouts-demo-canary" has unmatch label "app" in rollout\n',
    );
    assert.equal(
      s.stderr,
      'Error: spec.strategy.canary.canaryService: Invalid value: "rollouts-demo-canary": Service "rollouts-demo-canary" has unmatch label "app" in rollout\n',
    );

    const none = await k.run(['lint', '-f', join(target.tmpDir, 'missing.yaml')]);
    assert.equal(none.code, 1);
    assert.equal(
      none.stderr,
      `Error: open ${join(target.tmpDir, 'missing.yaml')}: no such file or directory\n`,
    );
    const noFlag = await k.run(['lint']);
    assert.equal(noFlag.code, 1);
    assert.match(noFlag.stderr, /^Usage: kubectl argo rollouts lint/);
  });

  test('create -f: Argo kinds created from YAML or JSON, strictly decoded', async () => {
    const r = await k.run(['create', '-f', file('ro.yaml', ROLLOUT_YAML), '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'rollout.argoproj.io/demo created\n');
    const ro = await cluster.rollout(ns, 'demo');
    assert.equal((ro.spec as { replicas: number }).replicas, 1);

    const tmpl = await k.run(['create', '-f', file('at.yaml', TEMPLATE_YAML), '-n', ns]);
    assert.equal(tmpl.code, 0, tmpl.stderr);
    assert.equal(tmpl.stdout, 'analysistemplate.argoproj.io/success-rate created\n');

    const json = JSON.stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'run-json', namespace: ns },
      spec: { metrics: [{ name: 'm', provider: { web: { url: 'http://example.invalid/' } } }] },
    });
    const jr = await k.run(['create', '-f', file('ar.json', `  ${json}`)]);
    assert.equal(jr.code, 0, jr.stderr);
    assert.equal(jr.stdout, 'analysisrun.argoproj.io/run-json created\n');

    const svc = await k.run([
      'create',
      '-f',
      file('svc.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n'),
      '-n',
      ns,
    ]);
    assert.equal(svc.code, 1);
    assert.equal(svc.stderr, 'Error: creates of /Service unsupported\n');
    const strict = await k.run([
      'create',
      '-f',
      file('bad.yaml', ROLLOUT_YAML.replace('name: demo\n', 'name: demo2\n  bogus: 1\n')),
      '-n',
      ns,
    ]);
    assert.equal(strict.code, 1);
    assert.equal(
      strict.stderr,
      'Error: error unmarshaling JSON: while decoding JSON: json: unknown field "bogus"\n',
    );
    const exists = await k.run(['create', '-f', file('ro.yaml', ROLLOUT_YAML), '-n', ns]);
    assert.equal(exists.code, 1);
    assert.equal(exists.stderr, 'Error: rollouts.argoproj.io "demo" already exists\n');
    const two = await k.run(['create', '-w', '-f', 'a.yaml', '-f', 'b.yaml', '-n', ns]);
    assert.equal(two.code, 1);
    assert.equal(two.stderr, 'Error: Cannot watch multiple resources\n');
  });

  test('create analysisrun --from: args merged, name generated from the template', async () => {
    await k.run([
      'create',
      '-f',
      file('at2.yaml', TEMPLATE_YAML.replace('name: success-rate', 'name: rate2')),
      '-n',
      ns,
    ]);
    const missing = await k.run(['create', 'analysisrun', '--from', 'rate2', '-n', ns]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error: args.service-name was not resolved\n');
    const r = await k.run([
      'create',
      'ar',
      '--from',
      'rate2',
      '-a',
      'service-name=web',
      '--instance-id',
      'blue',
      '-n',
      ns,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const m = /^analysisrun\.argoproj\.io\/(rate2-\w+) created\n$/.exec(r.stdout);
    assert.ok(m, r.stdout);
    const run = await cluster.client.get(
      resourcePath({
        group: 'argoproj.io',
        version: 'v1alpha1',
        resource: 'analysisruns',
        namespace: ns,
        name: m[1]!,
      }),
    );
    assert.deepEqual((run.spec as { args: unknown }).args, [
      { name: 'service-name', value: 'web' },
      { name: 'threshold', value: '0.95' },
    ]);
    assert.deepEqual(run.metadata.labels, {
      'argo-rollouts.argoproj.io/controller-instance-id': 'blue',
    });
    const neither = await k.run(['create', 'analysisrun', '-n', ns]);
    assert.equal(neither.code, 1);
    assert.equal(neither.stderr, 'Error: one of --from or --from-file must be specified\n');
  });

  test('version, dashboard', async () => {
    const v = await k.run(['version']);
    assert.equal(v.code, 0, v.stderr);
    const lines = v.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^kubectl-argo-rollouts: v\d+\.\d+\.\d+\+(\w{7}|unknown)$/);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(':')[0]),
      ['  BuildDate', '  GitCommit', '  GitTreeState', '  GoVersion', '  Compiler', '  Platform'],
    );
    assert.match(lines[6]!, /^ {2}Platform: \w+\/\w+$/);
    const short = await k.run(['version', '--short']);
    assert.equal(short.stdout, `${lines[0]!}\n`);

    // The running dashboard command: test/integration/dashboard/command.test.ts.
    const badPort = await k.run(['dashboard', '--port', 'http']);
    assert.equal(badPort.code, 1);
    assert.match(badPort.stderr, /^Error: invalid argument "http" for "-p, --port" flag/);
  });

  test('completion: scripts for the four shells; bash sources it and completes commands and names', async () => {
    const bash = await k.run(['completion', 'bash']);
    assert.equal(bash.code, 0, bash.stderr);
    assert.ok(bash.stdout.length > 200);
    const script = file('completion.bash', bash.stdout);
    execFileSync('bash', ['-n', script]);
    for (const shell of ['zsh', 'fish', 'powershell']) {
      const r = await k.run(['completion', shell]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /kubectl-argo-rollouts/);
    }
    const bad = await k.run(['completion', 'tcsh']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Usage: kubectl argo rollouts completion/);

    // Source the script in a real bash and ask for completions.
    await cluster.apply(
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'completion-me' },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'c' } },
          template: {
            metadata: { labels: { app: 'c' } },
            spec: { containers: [{ name: 'c', image: 'c:1' }] },
          },
          strategy: { canary: {} },
        },
      },
      ns,
    );
    // Asynchronously: the emulator runs in this process and must keep answering.
    const complete = async (words: string[]): Promise<string[]> => {
      const r = await execFileAsync(
        'bash',
        [
          '-c',
          `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; __kubectl_argo_rollouts_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { env: { ...process.env, ...env.env, KUBECONFIG: target.kubeconfigPath } },
      );
      return r.stdout.split('\n').filter(Boolean);
    };
    assert.deepEqual(await complete(['kubectl-argo-rollouts', 'pro']), ['promote']);
    assert.ok((await complete(['kubectl-argo-rollouts', ''])).includes('status'));
    assert.deepEqual(await complete(['kubectl-argo-rollouts', 'get', 'r']), ['rollout']);
    assert.deepEqual(await complete(['kubectl-argo-rollouts', 'promote', '--fu']), ['--full']);
    assert.deepEqual(await complete(['kubectl-argo-rollouts', 'promote', '-n', ns, 'comp']), [
      'completion-me',
    ]);
    assert.deepEqual(await complete(['kubectl-argo-rollouts', 'completion', 'f']), ['fish']);
    assert.ok(PLUGIN_BIN.endsWith('kubectl-argo-rollouts.js'));
  });
});
