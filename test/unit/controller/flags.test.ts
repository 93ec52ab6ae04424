import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FlagExit,
  kubeConfigFromFlags,
  leaderElectionLeaseName,
  parseControllerFlags,
  parseGoBool,
  parseGoDuration,
  reportFlagNotices,
  watchNamespace,
  type ParseOptions,
} from '../../../src/controller/flags.ts';

const noFiles: ParseOptions = { env: {}, readFile: () => undefined };
const parse = (...argv: string[]) => parseControllerFlags(argv, noFiles);

function exitOf(fn: () => unknown): FlagExit {
  try {
    fn();
  } catch (e) {
    if (e instanceof FlagExit) return e;
    throw e;
  }
  assert.fail('expected a FlagExit');
}

describe('Go value syntax', () => {
  test('durations', () => {
    assert.equal(parseGoDuration('15s'), 15_000);
    assert.equal(parseGoDuration('1m30s'), 90_000);
    assert.equal(parseGoDuration('1.5h'), 5_400_000);
    assert.equal(parseGoDuration('500ms'), 500);
    assert.equal(parseGoDuration('0'), 0);
    assert.equal(parseGoDuration('-2s'), -2000);
    assert.throws(() => parseGoDuration('15'), /time: missing unit in duration "15"/);
    assert.throws(() => parseGoDuration('abc'), /invalid duration/);
  });

  test('booleans', () => {
    for (const t of ['1', 't', 'T', 'true', 'TRUE', 'True']) assert.equal(parseGoBool(t), true);
    for (const f of ['0', 'f', 'F', 'false', 'FALSE', 'False']) assert.equal(parseGoBool(f), false);
    assert.throws(() => parseGoBool('yes'), /invalid syntax/);
  });
});

describe('parseControllerFlags', () => {
  test('defaults match the spec', () => {
    const c = parse();
    assert.equal(c.kubeconfig, '');
    assert.equal(c.namespaced, false);
    assert.equal(c.instanceId, '');
    assert.equal(c.rolloutResyncSeconds, 900);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.logFormat, 'text');
    assert.equal(c.klogLevel, 0);
    assert.equal(c.metricsPort, 8090);
    assert.equal(c.healthzPort, 8080);
    assert.equal(c.qps, 40);
    assert.equal(c.burst, 80);
    assert.deepEqual(
      [
        c.rolloutThreads,
        c.experimentThreads,
        c.analysisThreads,
        c.serviceThreads,
        c.ingressThreads,
      ],
      [10, 10, 30, 10, 10],
    );
    assert.equal(c.ephemeralMetadataThreads, 10);
    assert.equal(c.ephemeralMetadataUpdatePodRetries, 3);
    assert.equal(c.leaderElect, true);
    assert.equal(c.leaderElectionLeaseDurationMs, 15_000);
    assert.equal(c.leaderElectionRenewDeadlineMs, 10_000);
    assert.equal(c.leaderElectionRetryPeriodMs, 2_000);
    assert.equal(c.selfServiceNotificationEnabled, false);
    assert.deepEqual(c.controllers, []);
    assert.equal(c.version, false);
    assert.equal(c.awsVerifyTargetGroup, false);
    assert.equal(c.awsTargetGroupBindingApiVersion, 'elbv2.k8s.aws/v1beta1');
    assert.equal(c.albTagKeyResourceId, 'ingress.k8s.aws/resource');
    assert.deepEqual(c.albIngressClasses, ['alb']);
    assert.deepEqual(c.nginxIngressClasses, ['nginx']);
    assert.equal(c.istioApiVersion, 'v1alpha3');
    assert.equal(c.ambassadorApiVersion, 'getambassador.io/v2');
    assert.equal(c.trafficSplitApiVersion, 'v1alpha1');
    assert.equal(c.traefikApiGroup, 'traefik.io');
    assert.equal(c.traefikApiVersion, 'traefik.io/v1alpha1');
    assert.equal(c.appmeshCrdVersion, 'v1beta2');
    assert.equal(c.ingressApiVersion, '');
    assert.equal(c.controllerNamespace, 'argo-rollouts');
    assert.deepEqual(c.kube, { asGroup: [] });
    assert.deepEqual(c.ignored, []);
    assert.deepEqual(c.notices, []);
  });

  test('values in both pflag forms, booleans, durations and lists', () => {
    const c = parse(
      '--kubeconfig=/tmp/kc',
      '--namespaced',
      '-n',
      'team-a',
      '--instance-id',
      'blue',
      '--rollout-resync=60',
      '--loglevel',
      'debug',
      '--logformat=json',
      '--metricsPort=9090',
      '--healthzPort',
      '9091',
      '--qps=12.5',
      '--burst=30',
      '--rollout-threads=4',
      '--analysis-threads',
      '7',
      '--leader-elect=false',
      '--leader-election-lease-duration=1m',
      '--leader-election-renew-deadline',
      '45s',
      '--leader-election-retry-period=500ms',
      '--self-service-notification-enabled',
      '--controllers=analysis',
      '--nginx-ingress-classes',
      'nginx',
      '--nginx-ingress-classes',
      'nginx-internal',
      '--istio-api-version=v1beta1',
    );
    assert.equal(c.kubeconfig, '/tmp/kc');
    assert.equal(c.namespaced, true);
    assert.equal(c.kube.namespace, 'team-a');
    assert.equal(c.instanceId, 'blue');
    assert.equal(c.rolloutResyncSeconds, 60);
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.logFormat, 'json');
    assert.equal(c.metricsPort, 9090);
    assert.equal(c.healthzPort, 9091);
    assert.equal(c.qps, 12.5);
    assert.equal(c.burst, 30);
    assert.equal(c.rolloutThreads, 4);
    assert.equal(c.analysisThreads, 7);
    assert.equal(c.leaderElect, false);
    assert.equal(c.leaderElectionLeaseDurationMs, 60_000);
    assert.equal(c.leaderElectionRenewDeadlineMs, 45_000);
    assert.equal(c.leaderElectionRetryPeriodMs, 500);
    assert.equal(c.selfServiceNotificationEnabled, true);
    assert.deepEqual(c.controllers, ['analysis']);
    assert.deepEqual(c.nginxIngressClasses, ['nginx', 'nginx-internal']);
    assert.equal(c.istioApiVersion, 'v1beta1');
    assert.equal(leaderElectionLeaseName(c), 'argo-rollouts-controller-lock-blue');
    assert.equal(leaderElectionLeaseName(parse()), 'argo-rollouts-controller-lock');
  });

  test('aliases: --metricsport (deprecated), --kube-api-qps/--kube-api-burst, --alb-verify-weight; last wins', () => {
    const c = parse('--metricsport', '7000');
    assert.equal(c.metricsPort, 7000);
    assert.deepEqual(c.notices, [
      'Flag --metricsport has been deprecated, use --metricsPort instead',
    ]);
    assert.equal(parse('--metricsport=7000', '--metricsPort=7001').metricsPort, 7001);
    assert.equal(parse('--metricsPort=7001', '--metricsport=7000').metricsPort, 7000);
    const q = parse('--kube-api-qps=5', '--kube-api-burst=6');
    assert.deepEqual([q.qps, q.burst], [5, 6]);
    assert.deepEqual(
      [parse('--kube-api-qps=5', '--qps=9').qps, parse('--qps=9', '--kube-api-qps=5').qps],
      [9, 5],
    );
    const alb = parse('--alb-verify-weight');
    assert.equal(alb.awsVerifyTargetGroup, true);
    assert.match(alb.notices[0] ?? '', /--alb-verify-weight has been deprecated/);
  });

  test('flags we do not implement are accepted and reported as ignored', () => {
    const c = parse(
      '--kloglevel=4',
      '--enable-pprof-address=:6060',
      '--aws-verify-target-group',
      '--as-group',
      'a',
      '--as-group=b',
    );
    assert.equal(c.klogLevel, 4);
    assert.equal(c.enablePprofAddress, ':6060');
    assert.deepEqual(c.kube.asGroup, ['a', 'b']);
    assert.deepEqual(c.ignored, [
      'as-group',
      'aws-verify-target-group',
      'enable-pprof-address',
      'kloglevel',
    ]);
    const logged: string[] = [];
    reportFlagNotices(c, {
      warn: (m) => logged.push(`W ${m}`),
      info: (m) => logged.push(`I ${m}`),
    });
    assert.equal(logged.length, 4);
    assert.match(logged[0]!, /^I Flag --as-group is accepted for compatibility but has no effect/);
  });

  test('kubectl override flags', () => {
    const c = parse(
      '--context=ctx2',
      '--cluster',
      'c',
      '--user=u',
      '-s',
      'https://k:6443',
      '--token=t',
      '--as=alice',
      '--certificate-authority=/ca',
      '--client-certificate=/crt',
      '--client-key=/key',
      '--insecure-skip-tls-verify',
      '--tls-server-name=k',
      '--request-timeout=30s',
    );
    assert.deepEqual(c.kube, {
      asGroup: [],
      context: 'ctx2',
      cluster: 'c',
      user: 'u',
      server: 'https://k:6443',
      token: 't',
      as: 'alice',
      certificateAuthority: '/ca',
      clientCertificate: '/crt',
      clientKey: '/key',
      insecureSkipTlsVerify: true,
      tlsServerName: 'k',
      requestTimeoutMs: 30_000,
    });
  });

  test('errors: invalid log level, unknown log format, bad values, unsupported controllers, unknown flags', () => {
    const lvl = exitOf(() => parse('--loglevel=loud'));
    assert.equal(lvl.exitCode, 1);
    assert.match(lvl.output, /not a valid logrus Level: "loud"/);

    const fmt = parse('--logformat=xml');
    assert.equal(fmt.logFormat, 'text');
    assert.deepEqual(fmt.notices, ['Unknown log format "xml", using text']);

    assert.match(
      exitOf(() => parse('--qps=fast')).output,
      /invalid argument "fast" for "--qps" flag/,
    );
    assert.match(
      exitOf(() => parse('--rollout-threads=1.5')).output,
      /invalid argument "1.5" for "--rollout-threads" flag/,
    );
    assert.match(
      exitOf(() => parse('--leader-elect=maybe')).output,
      /invalid argument "maybe" for "--leader-elect" flag/,
    );
    assert.match(
      exitOf(() => parse('--leader-election-lease-duration=15')).output,
      /invalid argument "15" for "--leader-election-lease-duration" flag: time: missing unit in duration "15"/,
    );
    assert.match(
      exitOf(() => parse('--controllers=rollouts')).output,
      /unsupported controller: rollouts/,
    );
    assert.match(
      exitOf(() => parse('--controllers=analysis,experiments')).output,
      /unsupported controller: experiments/,
    );
    const unknown = exitOf(() => parse('--no-such-flag'));
    assert.equal(unknown.exitCode, 1);
    assert.match(unknown.output, /unknown option '--no-such-flag'/);
  });

  test('--help exits 0 with usage; --version is reported', () => {
    const help = exitOf(() => parse('--help'));
    assert.equal(help.exitCode, 0);
    assert.match(help.output, /--leader-election-lease-duration <duration>/);
    assert.doesNotMatch(help.output, /--metricsport /, 'deprecated alias hidden');
    assert.equal(parse('--version').version, true);
  });

  test('environment: controller namespace and analysis settings', () => {
    const c = parseControllerFlags([], {
      env: {
        POD_NAMESPACE: 'rollouts-system',
        ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE: 'jobs',
        ARGO_ROLLOUTS_PROMETHEUS_ADDRESS: 'http://prom:9090',
        ROLLOUT_VERIFY_RETRY_INTERVAL: '5',
      },
      readFile: () => 'from-sa\n',
    });
    assert.equal(c.controllerNamespace, 'rollouts-system');
    assert.equal(c.analysisJobNamespace, 'jobs');
    assert.equal(c.prometheusAddress, 'http://prom:9090');
    assert.equal(c.rolloutVerifyRetryIntervalSeconds, 5);
    assert.equal(
      parseControllerFlags([], { env: {}, readFile: () => 'from-sa\n' }).controllerNamespace,
      'from-sa',
    );
    assert.equal(parseControllerFlags([], noFiles).controllerNamespace, 'argo-rollouts');
  });
});

describe('kubeConfigFromFlags / watchNamespace', () => {
  const yaml = `apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: "http://127.0.0.1:1", insecure-skip-tls-verify: true}
- name: c2
  cluster: {server: "https://other:6443"}
users:
- name: u1
  user: {token: tok1}
contexts:
- name: ctx1
  context: {cluster: c1, user: u1, namespace: ns1}
- name: ctx2
  context: {cluster: c2, user: u1}
current-context: ctx1
`;

  test('loads --kubeconfig and applies overrides', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flags-'));
    try {
      const path = join(dir, 'config');
      writeFileSync(path, yaml);
      const plain = kubeConfigFromFlags(parseControllerFlags(['--kubeconfig', path], noFiles));
      assert.equal(plain.getCurrentCluster()?.server, 'http://127.0.0.1:1');
      assert.equal(plain.getCurrentUser()?.token, 'tok1');

      const cfg = parseControllerFlags(
        [
          '--kubeconfig',
          path,
          '--context=ctx2',
          '--server=https://override:6443',
          '--token=tok2',
          '--as=alice',
          '--insecure-skip-tls-verify',
        ],
        noFiles,
      );
      const kc = kubeConfigFromFlags(cfg);
      assert.equal(kc.getCurrentContext(), 'ctx2');
      assert.equal(kc.getCurrentCluster()?.server, 'https://override:6443');
      assert.equal(kc.getCurrentCluster()?.skipTLSVerify, true);
      assert.equal(kc.getCurrentUser()?.token, 'tok2');
      assert.equal(kc.getCurrentUser()?.impersonateUser, 'alice');

      assert.throws(
        () =>
          kubeConfigFromFlags(
            parseControllerFlags(['--kubeconfig', path, '--context=nope'], noFiles),
          ),
        /context was not found/,
      );

      // Namespaced mode: -n, else the context namespace, else the SA file, else default.
      const nsOf = (...args: string[]): string => {
        const c = parseControllerFlags(['--kubeconfig', path, ...args], noFiles);
        return watchNamespace(c, kubeConfigFromFlags(c), () => undefined);
      };
      assert.equal(nsOf(), '');
      assert.equal(nsOf('--namespaced'), 'ns1');
      assert.equal(nsOf('--namespaced', '-n', 'team'), 'team');
      assert.equal(nsOf('--namespaced', '--context=ctx2'), 'default');
      const c2 = parseControllerFlags(
        ['--kubeconfig', path, '--namespaced', '--context=ctx2'],
        noFiles,
      );
      assert.equal(
        watchNamespace(c2, kubeConfigFromFlags(c2), () => 'sa-ns'),
        'sa-ns',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
