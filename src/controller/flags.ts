// rollouts-controller command-line flags (cli-dashboard-ops.md §4.1), parsed with commander
// into a typed config. Flag names, defaults and pflag value syntax are Argo's, so existing
// Deployments' args keep working: `--flag value`, `--flag=value`, booleans as `--flag`,
// `--flag=false`, durations as Go durations (15s, 1m30s), repeatable list flags.
// Flags of the spec that this implementation does not act on are still accepted; they are
// listed in `config.ignored` for the caller to log (see IGNORED_FLAGS).
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { KubeConfig, type Cluster, type User } from '@kubernetes/client-node';
import { parseLogFormat, parseLogLevel, type LogFormat, type LogLevel } from './logger.ts';
import { parseDuration } from '../analysis/duration.ts';

export const SERVICE_ACCOUNT_NAMESPACE_FILE =
  '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
export const DEFAULT_CONTROLLER_NAMESPACE = 'argo-rollouts';

/** Accepted flags that have no effect here yet; the caller logs them when they are set. */
export const IGNORED_FLAGS: ReadonlySet<string> = new Set([
  'kloglevel',
  'enable-pprof-address',
  'aws-verify-target-group',
  'alb-verify-weight',
  'aws-target-group-binding-api-version',
  'alb-tag-key-resource-id',
  'as-group',
  'as-uid',
  'cache-dir',
  'disable-compression',
]);

export interface KubeOverrides {
  namespace?: string;
  context?: string;
  cluster?: string;
  user?: string;
  server?: string;
  token?: string;
  as?: string;
  asGroup: string[];
  asUid?: string;
  certificateAuthority?: string;
  clientCertificate?: string;
  clientKey?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  username?: string;
  password?: string;
  /** Go duration string, as given; 0 or unset = no timeout. */
  requestTimeoutMs?: number;
}

export interface ControllerConfig {
  kubeconfig: string;
  kube: KubeOverrides;
  namespaced: boolean;
  instanceId: string;
  rolloutResyncSeconds: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  klogLevel: number;
  metricsPort: number;
  healthzPort: number;
  qps: number;
  burst: number;
  rolloutThreads: number;
  experimentThreads: number;
  analysisThreads: number;
  serviceThreads: number;
  ingressThreads: number;
  ephemeralMetadataThreads: number;
  ephemeralMetadataUpdatePodRetries: number;
  leaderElect: boolean;
  leaderElectionLeaseDurationMs: number;
  leaderElectionRenewDeadlineMs: number;
  leaderElectionRetryPeriodMs: number;
  selfServiceNotificationEnabled: boolean;
  /** `--controllers`; empty = all. Only "analysis" is accepted. */
  controllers: string[];
  enablePprofAddress: string;
  /** `--version`: print the version and exit. */
  version: boolean;
  awsVerifyTargetGroup: boolean;
  awsTargetGroupBindingApiVersion: string;
  albTagKeyResourceId: string;
  albIngressClasses: string[];
  nginxIngressClasses: string[];
  istioApiVersion: string;
  ambassadorApiVersion: string;
  trafficSplitApiVersion: string;
  traefikApiGroup: string;
  traefikApiVersion: string;
  appmeshCrdVersion: string;
  ingressApiVersion: string;
  /** The controller's own namespace: POD_NAMESPACE, the service-account file, or argo-rollouts. */
  controllerNamespace: string;
  analysisJobNamespace?: string;
  analysisJobKubeconfig?: string;
  prometheusAddress?: string;
  rolloutVerifyRetryIntervalSeconds?: number;
  /** Flags given on the command line that have no effect in this implementation. */
  ignored: string[];
  /** Things to log at startup: deprecated aliases, an unknown log format … */
  notices: string[];
}

/** Help was asked for, or the flags are invalid: print `output` and exit with `exitCode`. */
export class FlagExit extends Error {
  override readonly name = 'FlagExit';
  constructor(
    readonly exitCode: number,
    readonly output: string,
  ) {
    super(output.trim());
  }
}

/** Go's time.ParseDuration (as pflag's Duration flags use it), in milliseconds. */
export function parseGoDuration(value: string): number {
  const d = parseDuration(value.trim());
  if (!d.ok) throw new Error(d.error);
  return d.ms;
}

/** strconv.ParseBool. */
export function parseGoBool(value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new Error(`strconv.ParseBool: parsing "${value}": invalid syntax`);
}

function invalid(flag: string, value: string, why: string): never {
  throw new Error(`invalid argument "${value}" for "--${flag}" flag: ${why}`);
}

const intArg =
  (flag: string) =>
  (v: string): number => {
    if (!/^[-+]?\d+$/.test(v.trim()))
      invalid(flag, v, `strconv.ParseInt: parsing "${v}": invalid syntax`);
    return Number(v);
  };
const floatArg =
  (flag: string) =>
  (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n))
      invalid(flag, v, `strconv.ParseFloat: parsing "${v}": invalid syntax`);
    return n;
  };
const boolArg =
  (flag: string) =>
  (v: string): boolean => {
    try {
      return parseGoBool(v);
    } catch (e) {
      return invalid(flag, v, (e as Error).message);
    }
  };
const durationArg =
  (flag: string) =>
  (v: string): number => {
    try {
      return parseGoDuration(v);
    } catch (e) {
      return invalid(flag, v, (e as Error).message);
    }
  };
const listArg =
  (split: boolean) =>
  (v: string, prev: string[] | undefined): string[] => [
    ...(prev ?? []),
    ...(split
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [v]),
  ];

export interface ParseOptions {
  env?: NodeJS.ProcessEnv;
  /** Reads the service-account namespace file (tests inject it). */
  readFile?: (path: string) => string | undefined;
}

function defaultReadFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Parses the controller's arguments (without the node/script prefix). Throws FlagExit. */
export function parseControllerFlags(
  argv: readonly string[],
  opts: ParseOptions = {},
): ControllerConfig {
  const env = opts.env ?? process.env;
  const readFile = opts.readFile ?? defaultReadFile;
  let out = '';
  // Aliases share one value; the last occurrence on the command line wins, as with pflag.
  const last: Record<string, unknown> = {};
  const given = new Set<string>();
  const notices: string[] = [];
  const alias =
    <T>(key: string, parse: (v: string) => T) =>
    (v: string): T => {
      const value = parse(v);
      last[key] = value;
      return value;
    };

  const program = new Command('rollouts-controller')
    .description('rollouts-controller is a controller to operate on rollout CRD')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) })
    .helpOption('-h, --help', 'help for rollouts-controller')
    .allowExcessArguments(false);

  const str = (flag: string, desc: string, def?: string): Option => {
    const o = new Option(`--${flag} <string>`, desc);
    return def === undefined ? o : o.default(def);
  };
  const int = (flag: string, desc: string, def: number, key?: string): Option =>
    new Option(`--${flag} <int>`, desc)
      .default(def)
      .argParser(key ? alias(key, intArg(flag)) : intArg(flag));
  const bool = (flag: string, desc: string, def: boolean, key?: string): Option =>
    new Option(`--${flag} [bool]`, desc)
      .default(def)
      .preset('true')
      .argParser(key ? alias(key, boolArg(flag)) : boolArg(flag));
  const dur = (flag: string, desc: string, defMs: number, defText: string): Option =>
    new Option(`--${flag} <duration>`, desc).default(defMs, defText).argParser(durationArg(flag));

  program
    .addOption(str('kubeconfig', 'Path to a kube config. Only required if out-of-cluster', ''))
    // kubectl client override flags
    .addOption(
      new Option(
        '-n, --namespace <string>',
        'If present, the namespace scope for this CLI request',
      ),
    )
    .addOption(str('context', 'The name of the kubeconfig context to use'))
    .addOption(str('cluster', 'The name of the kubeconfig cluster to use'))
    .addOption(str('user', 'The name of the kubeconfig user to use'))
    .addOption(
      new Option('-s, --server <string>', 'The address and port of the Kubernetes API server'),
    )
    .addOption(str('token', 'Bearer token for authentication to the API server'))
    .addOption(str('as', 'Username to impersonate for the operation'))
    .addOption(
      new Option('--as-group <string>', 'Group to impersonate for the operation').argParser(
        listArg(false),
      ),
    )
    .addOption(str('as-uid', 'UID to impersonate for the operation'))
    .addOption(str('certificate-authority', 'Path to a cert file for the certificate authority'))
    .addOption(str('client-certificate', 'Path to a client certificate file for TLS'))
    .addOption(str('client-key', 'Path to a client key file for TLS'))
    .addOption(
      new Option(
        '--insecure-skip-tls-verify [bool]',
        'If true, the server certificate will not be checked for validity',
      )
        .preset('true')
        .argParser(boolArg('insecure-skip-tls-verify')),
    )
    .addOption(str('tls-server-name', 'Server name to use for server certificate validation'))
    .addOption(str('username', 'Username for basic authentication to the API server'))
    .addOption(str('password', 'Password for basic authentication to the API server'))
    .addOption(
      new Option(
        '--request-timeout <string>',
        'The length of time to wait before giving up on a single server request',
      ).argParser(durationArg('request-timeout')),
    )
    .addOption(str('cache-dir', 'Default cache directory'))
    .addOption(
      bool(
        'disable-compression',
        'If true, opt-out of response compression for all requests to the server',
        false,
      ),
    )
    // controller flags
    .addOption(
      bool(
        'namespaced',
        'runs controller in namespaced mode (does not require cluster RBAC)',
        false,
      ),
    )
    .addOption(
      str(
        'instance-id',
        'Indicates which argo rollout objects the controller should operate on',
        '',
      ),
    )
    .addOption(int('rollout-resync', 'Time period in seconds for rollouts resynchronization', 900))
    .addOption(str('loglevel', 'Set the logging level. One of: debug|info|warn|error', 'info'))
    .addOption(str('logformat', 'Set the logging format. One of: text|json', ''))
    .addOption(int('kloglevel', 'Set the klog logging level', 0))
    .addOption(
      int(
        'metricsPort',
        'Set the port the metrics endpoint should be exposed over',
        8090,
        'metricsPort',
      ),
    )
    .addOption(
      int(
        'metricsport',
        'Set the port the metrics endpoint should be exposed over',
        8090,
        'metricsPort',
      ).hideHelp(),
    )
    .addOption(int('healthzPort', 'Set the port the healthz endpoint should be exposed over', 8080))
    .addOption(
      new Option('--qps <float>', 'Maximum QPS to the master from this client')
        .default(40)
        .argParser(alias('qps', floatArg('qps'))),
    )
    .addOption(
      new Option('--kube-api-qps <float>', 'Alias of --qps').argParser(
        alias('qps', floatArg('kube-api-qps')),
      ),
    )
    .addOption(int('burst', 'Maximum burst for throttle', 80, 'burst'))
    .addOption(
      new Option('--kube-api-burst <int>', 'Alias of --burst').argParser(
        alias('burst', intArg('kube-api-burst')),
      ),
    )
    .addOption(
      int('rollout-threads', 'Set the number of worker threads for the Rollout controller', 10),
    )
    .addOption(
      int(
        'experiment-threads',
        'Set the number of worker threads for the Experiment controller',
        10,
      ),
    )
    .addOption(
      int('analysis-threads', 'Set the number of worker threads for the Experiment controller', 30),
    )
    .addOption(
      int('service-threads', 'Set the number of worker threads for the Service controller', 10),
    )
    .addOption(
      int('ingress-threads', 'Set the number of worker threads for the Ingress controller', 10),
    )
    .addOption(
      int(
        'ephemeral-metadata-threads',
        'Set the number of worker threads for the Ephemeral Metadata reconciler',
        10,
      ),
    )
    .addOption(
      int(
        'ephemeral-metadata-update-pod-retries',
        'Set the number of retries to update pod ephemeral metadata',
        3,
      ),
    )
    .addOption(
      bool(
        'leader-elect',
        'If true, controller will perform leader election between instances to ensure no more than one instance of controller operates at a time',
        true,
      ),
    )
    .addOption(
      dur(
        'leader-election-lease-duration',
        'The duration that non-leader candidates will wait after observing a leadership renewal until attempting to acquire leadership of a led but unrenewed leader slot',
        15_000,
        '15s',
      ),
    )
    .addOption(
      dur(
        'leader-election-renew-deadline',
        'The interval between attempts by the acting master to renew a leadership slot before it stops leading',
        10_000,
        '10s',
      ),
    )
    .addOption(
      dur(
        'leader-election-retry-period',
        'The duration the clients should wait between attempting acquisition and renewal of a leadership',
        2_000,
        '2s',
      ),
    )
    .addOption(
      bool(
        'self-service-notification-enabled',
        'Allows rollouts controller to pull notification config from the namespace that the rollout resource is in',
        false,
      ),
    )
    .addOption(
      new Option(
        '--controllers <strings>',
        "Explicitly specify the list of controllers to run, currently only supports 'analysis'",
      ).argParser(listArg(true)),
    )
    .addOption(
      str(
        'enable-pprof-address',
        'Enable pprof profiling on controller by providing a server address.',
        '',
      ),
    )
    .addOption(bool('version', 'Print version', false))
    .addOption(
      bool(
        'aws-verify-target-group',
        'Verify ALB target group before progressing through steps',
        false,
        'awsVerifyTargetGroup',
      ),
    )
    .addOption(
      bool(
        'alb-verify-weight',
        'Verify ALB target group before progressing through steps',
        false,
        'awsVerifyTargetGroup',
      ).hideHelp(),
    )
    .addOption(
      str(
        'aws-target-group-binding-api-version',
        'Set the default AWS TargetGroupBinding apiVersion that controller uses when verifying target group weights.',
        'elbv2.k8s.aws/v1beta1',
      ),
    )
    .addOption(
      str(
        'alb-tag-key-resource-id',
        'Set the default AWS LoadBalancer tag key for resource ID that controller uses when verifying target group weights.',
        'ingress.k8s.aws/resource',
      ),
    )
    .addOption(
      new Option(
        '--alb-ingress-classes <string>',
        'Defines all the ingress class annotations that the alb ingress controller operates on. Defaults to alb',
      ).argParser(listArg(false)),
    )
    .addOption(
      new Option(
        '--nginx-ingress-classes <string>',
        'Defines all the ingress class annotations that the nginx ingress controller operates on. Defaults to nginx',
      ).argParser(listArg(false)),
    )
    .addOption(
      str(
        'istio-api-version',
        'Set the default Istio apiVersion that controller should look when manipulating VirtualServices.',
        'v1alpha3',
      ),
    )
    .addOption(
      str(
        'ambassador-api-version',
        'Set the Ambassador apiVersion that controller should look when manipulating Ambassador Mappings.',
        'getambassador.io/v2',
      ),
    )
    .addOption(
      str(
        'traffic-split-api-version',
        'Set the default TrafficSplit apiVersion that controller uses when creating TrafficSplits.',
        'v1alpha1',
      ),
    )
    .addOption(
      str(
        'traefik-api-group',
        'Set the default Traefik apiGroup that controller uses.',
        'traefik.io',
      ),
    )
    .addOption(
      str(
        'traefik-api-version',
        'Set the default Traefik apiVersion that controller uses.',
        'traefik.io/v1alpha1',
      ),
    )
    .addOption(
      str(
        'appmesh-crd-version',
        'Set the default AppMesh CRD Version that controller uses when manipulating resources.',
        'v1beta2',
      ),
    )
    .addOption(
      str('ingress-api-version', 'Set the Ingress apiVersion that the controller should use.', ''),
    );

  program.on('option:metricsport', () =>
    notices.push('Flag --metricsport has been deprecated, use --metricsPort instead'),
  );
  program.on('option:alb-verify-weight', () =>
    notices.push(
      'Flag --alb-verify-weight has been deprecated, use --aws-verify-target-group instead',
    ),
  );
  for (const o of program.options) {
    const name = o.long?.replace(/^--/, '') ?? '';
    program.on(`option:${name}`, () => given.add(name));
  }

  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      const code = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 1;
      throw new FlagExit(code, out || `${e.message}\n`);
    }
    // An argParser threw (invalid value): commander lets it through.
    throw new FlagExit(1, `Error: ${e instanceof Error ? e.message : String(e)}\n`);
  }

  const o = program.opts<Record<string, unknown>>();
  const s = (k: string): string | undefined => o[k] as string | undefined;
  const n = (k: string): number => o[k] as number;
  const b = (k: string): boolean => o[k] as boolean;

  let logLevel: LogLevel;
  try {
    logLevel = parseLogLevel(s('loglevel') ?? 'info');
  } catch (e) {
    throw new FlagExit(1, `Error: ${(e as Error).message}\n`);
  }
  const lf = parseLogFormat(s('logformat') ?? '');
  if (lf.notice) notices.push(lf.notice);

  const controllers = (o.controllers as string[] | undefined) ?? [];
  for (const c of controllers) {
    if (c !== 'analysis') throw new FlagExit(1, `Error: unsupported controller: ${c}\n`);
  }

  const ignored = [...given].filter((f) => IGNORED_FLAGS.has(f)).sort();

  const kube: KubeOverrides = { asGroup: (o.asGroup as string[] | undefined) ?? [] };
  const setKube = <K extends keyof KubeOverrides>(k: K, v: KubeOverrides[K] | undefined): void => {
    if (v !== undefined) kube[k] = v;
  };
  setKube('namespace', s('namespace'));
  setKube('context', s('context'));
  setKube('cluster', s('cluster'));
  setKube('user', s('user'));
  setKube('server', s('server'));
  setKube('token', s('token'));
  setKube('as', s('as'));
  setKube('asUid', s('asUid'));
  setKube('certificateAuthority', s('certificateAuthority'));
  setKube('clientCertificate', s('clientCertificate'));
  setKube('clientKey', s('clientKey'));
  setKube('insecureSkipTlsVerify', o.insecureSkipTlsVerify as boolean | undefined);
  setKube('tlsServerName', s('tlsServerName'));
  setKube('username', s('username'));
  setKube('password', s('password'));
  setKube('requestTimeoutMs', o.requestTimeout as number | undefined);

  const resync = n('rolloutResync');
  const lease = n('leaderElectionLeaseDuration');
  const renew = n('leaderElectionRenewDeadline');
  const retry = n('leaderElectionRetryPeriod');

  const saNamespace = readFile(SERVICE_ACCOUNT_NAMESPACE_FILE)?.trim();
  const verifyInterval = env.ROLLOUT_VERIFY_RETRY_INTERVAL;

  return {
    kubeconfig: s('kubeconfig') ?? '',
    kube,
    namespaced: b('namespaced'),
    instanceId: s('instanceId') ?? '',
    rolloutResyncSeconds: resync,
    logLevel,
    logFormat: lf.format,
    klogLevel: n('kloglevel'),
    metricsPort: (last.metricsPort as number | undefined) ?? 8090,
    healthzPort: n('healthzPort'),
    qps: (last.qps as number | undefined) ?? 40,
    burst: (last.burst as number | undefined) ?? 80,
    rolloutThreads: n('rolloutThreads'),
    experimentThreads: n('experimentThreads'),
    analysisThreads: n('analysisThreads'),
    serviceThreads: n('serviceThreads'),
    ingressThreads: n('ingressThreads'),
    ephemeralMetadataThreads: n('ephemeralMetadataThreads'),
    ephemeralMetadataUpdatePodRetries: n('ephemeralMetadataUpdatePodRetries'),
    leaderElect: b('leaderElect'),
    leaderElectionLeaseDurationMs: lease,
    leaderElectionRenewDeadlineMs: renew,
    leaderElectionRetryPeriodMs: retry,
    selfServiceNotificationEnabled: b('selfServiceNotificationEnabled'),
    controllers,
    enablePprofAddress: s('enablePprofAddress') ?? '',
    version: b('version'),
    awsVerifyTargetGroup: (last.awsVerifyTargetGroup as boolean | undefined) ?? false,
    awsTargetGroupBindingApiVersion: s('awsTargetGroupBindingApiVersion')!,
    albTagKeyResourceId: s('albTagKeyResourceId')!,
    albIngressClasses: (o.albIngressClasses as string[] | undefined) ?? ['alb'],
    nginxIngressClasses: (o.nginxIngressClasses as string[] | undefined) ?? ['nginx'],
    istioApiVersion: s('istioApiVersion')!,
    ambassadorApiVersion: s('ambassadorApiVersion')!,
    trafficSplitApiVersion: s('trafficSplitApiVersion')!,
    traefikApiGroup: s('traefikApiGroup')!,
    traefikApiVersion: s('traefikApiVersion')!,
    appmeshCrdVersion: s('appmeshCrdVersion')!,
    ingressApiVersion: s('ingressApiVersion')!,
    controllerNamespace: env.POD_NAMESPACE || saNamespace || DEFAULT_CONTROLLER_NAMESPACE,
    ...(env.ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE
      ? { analysisJobNamespace: env.ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE }
      : {}),
    ...(env.ARGO_ROLLOUTS_ANALYSIS_JOB_KUBECONFIG
      ? { analysisJobKubeconfig: env.ARGO_ROLLOUTS_ANALYSIS_JOB_KUBECONFIG }
      : {}),
    ...(env.ARGO_ROLLOUTS_PROMETHEUS_ADDRESS
      ? { prometheusAddress: env.ARGO_ROLLOUTS_PROMETHEUS_ADDRESS }
      : {}),
    ...(verifyInterval && Number.isFinite(Number(verifyInterval))
      ? { rolloutVerifyRetryIntervalSeconds: Number(verifyInterval) }
      : {}),
    ignored,
    notices,
  };
}

/** Logs the startup notices and the ignored flags of a parsed config. */
export function reportFlagNotices(
  cfg: Pick<ControllerConfig, 'notices' | 'ignored'>,
  log: { warn(msg: string): void; info(msg: string): void },
): void {
  for (const n of cfg.notices) log.warn(n);
  for (const f of cfg.ignored)
    log.info(`Flag --${f} is accepted for compatibility but has no effect in this controller`);
}

/** Lease name of the controller's leader election (argo-rollouts-controller-lock[-<instanceID>]). */
export function leaderElectionLeaseName(cfg: Pick<ControllerConfig, 'instanceId'>): string {
  return cfg.instanceId
    ? `argo-rollouts-controller-lock-${cfg.instanceId}`
    : 'argo-rollouts-controller-lock';
}

/**
 * The KubeConfig for the flags: --kubeconfig, else $KUBECONFIG / ~/.kube/config / in-cluster
 * (client-node's loadFromDefault), with the kubectl override flags applied.
 */
export function kubeConfigFromFlags(
  cfg: Pick<ControllerConfig, 'kubeconfig' | 'kube'>,
): KubeConfig {
  const kc = new KubeConfig();
  if (cfg.kubeconfig) kc.loadFromFile(cfg.kubeconfig);
  else kc.loadFromDefault();
  const k = cfg.kube;
  if (k.context) {
    if (!kc.getContextObject(k.context))
      throw new Error(`context was not found for specified context: ${k.context}`);
    kc.setCurrentContext(k.context);
  }
  const ctx = kc.getContextObject(kc.getCurrentContext());
  const clusterName = k.cluster ?? ctx?.cluster ?? '';
  const userName = k.user ?? ctx?.user ?? '';
  const baseCluster = kc.getCluster(clusterName);
  if (!baseCluster && !k.server)
    throw new Error(`cluster "${clusterName}" not found in the kubeconfig`);
  const cluster: Cluster = {
    ...(baseCluster ?? { skipTLSVerify: false }),
    name: clusterName || 'flags',
    server: k.server ?? baseCluster?.server ?? '',
    ...(k.insecureSkipTlsVerify !== undefined ? { skipTLSVerify: k.insecureSkipTlsVerify } : {}),
    ...(k.certificateAuthority ? { caFile: k.certificateAuthority, caData: undefined } : {}),
    ...(k.tlsServerName ? { tlsServerName: k.tlsServerName } : {}),
  };
  const baseUser = kc.getUser(userName);
  const user: User = {
    ...(baseUser ?? {}),
    name: userName || 'flags',
    ...(k.token ? { token: k.token } : {}),
    ...(k.clientCertificate ? { certFile: k.clientCertificate, certData: undefined } : {}),
    ...(k.clientKey ? { keyFile: k.clientKey, keyData: undefined } : {}),
    ...(k.username ? { username: k.username } : {}),
    ...(k.password ? { password: k.password } : {}),
    ...(k.as ? { impersonateUser: k.as } : {}),
  };
  const contextName = ctx?.name ?? 'flags';
  const context = {
    name: contextName,
    cluster: cluster.name,
    user: user.name,
    ...((k.namespace ?? ctx?.namespace) ? { namespace: k.namespace ?? ctx?.namespace } : {}),
  };
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: [...kc.getClusters().filter((c) => c.name !== cluster.name), cluster],
    users: [...kc.getUsers().filter((u) => u.name !== user.name), user],
    contexts: [...kc.getContexts().filter((c) => c.name !== contextName), context],
    currentContext: contextName,
  });
  return out;
}

/**
 * The namespace to watch: '' (all namespaces) unless --namespaced, then -n, the kubeconfig
 * context's namespace, the service-account namespace in-cluster, or "default".
 */
export function watchNamespace(
  cfg: Pick<ControllerConfig, 'namespaced' | 'kube'>,
  kc: KubeConfig,
  readFile: (path: string) => string | undefined = defaultReadFile,
): string {
  if (!cfg.namespaced) return '';
  return (
    cfg.kube.namespace ||
    kc.getContextObject(kc.getCurrentContext())?.namespace ||
    readFile(SERVICE_ACCOUNT_NAMESPACE_FILE)?.trim() ||
    'default'
  );
}
