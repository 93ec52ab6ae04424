// Connection to the cluster for the plugin: the kubeconfig as kubectl (cli-runtime ConfigFlags)
// resolves it from --kubeconfig / $KUBECONFIG / ~/.kube/config, then --context, --cluster,
// --user, --server, --token, --as … applied on top; the namespace from -n, else the context's,
// else "default". Errors keep the apimachinery / client-go wording.
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import yaml from 'js-yaml';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  KubeApiError,
  RawClient,
  resourcePath,
  type KubeObject,
  type ResourceRef,
} from '../src/kube/raw-client.ts';
import { parseDuration } from '../src/analysis/duration.ts';

export interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  token?: string;
  as?: string;
  asGroup?: string[];
  asUid?: string;
  certificateAuthority?: string;
  clientCertificate?: string;
  clientKey?: string;
  tlsServerName?: string;
  insecureSkipTlsVerify?: boolean;
  cacheDir?: string;
  requestTimeout?: string;
  disableCompression?: boolean;
  kloglevel?: string;
  loglevel?: string;
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** The persistent flags of the root command (§1.2). */
export function registerGlobalFlags(program: Command): void {
  program
    .option('--kubeconfig <string>', 'Path to the kubeconfig file to use for CLI requests.')
    .option('--context <string>', 'The name of the kubeconfig context to use')
    .option('--cluster <string>', 'The name of the kubeconfig cluster to use')
    .option('--user <string>', 'The name of the kubeconfig user to use')
    .option('-n, --namespace <string>', 'If present, the namespace scope for this CLI request')
    .option('-s, --server <string>', 'The address and port of the Kubernetes API server')
    .option('--token <string>', 'Bearer token for authentication to the API server')
    .option(
      '--as <string>',
      'Username to impersonate for the operation. User could be a regular user or a service account in a namespace.',
    )
    .option(
      '--as-group <stringArray>',
      'Group to impersonate for the operation, this flag can be repeated to specify multiple groups.',
      collect,
    )
    .option('--as-uid <string>', 'UID to impersonate for the operation.')
    .option('--certificate-authority <string>', 'Path to a cert file for the certificate authority')
    .option('--client-certificate <string>', 'Path to a client certificate file for TLS')
    .option('--client-key <string>', 'Path to a client key file for TLS')
    .option(
      '--tls-server-name <string>',
      'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used',
    )
    .option(
      '--insecure-skip-tls-verify',
      "If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure",
    )
    .option('--cache-dir <string>', 'Default cache directory', '$HOME/.kube/cache')
    .option(
      '--request-timeout <string>',
      "The length of time to wait before giving up on a single server request. Non-zero values should contain a corresponding time unit (e.g. 1s, 2m, 3h). A value of zero means don't timeout requests.",
      '0',
    )
    .option(
      '--disable-compression',
      'If true, opt-out of response compression for all requests to the server',
    )
    .option('-v, --kloglevel <int>', 'Log level for kubernetes client library', '0')
    .option('--loglevel <string>', 'Log level for kubectl argo rollouts', 'info');
}

const LOG_LEVELS = ['panic', 'fatal', 'error', 'warn', 'warning', 'info', 'debug', 'trace'];

/** Checks --loglevel / --kloglevel as the original does (logrus.ParseLevel, an int flag). */
export function checkLogFlags(flags: GlobalFlags): void {
  const level = flags.loglevel ?? 'info';
  if (!LOG_LEVELS.includes(level.toLowerCase())) {
    throw new Error(`not a valid logrus Level: "${level}"`);
  }
  const k = flags.kloglevel ?? '0';
  if (!/^[+-]?\d+$/.test(k)) {
    throw new Error(
      `invalid argument "${k}" for "-v, --kloglevel" flag: strconv.ParseInt: parsing "${k}": invalid syntax`,
    );
  }
}

/** --request-timeout: a bare integer is seconds, else a Go duration; "0" means none. */
export function parseRequestTimeout(v: string | undefined): number {
  if (v === undefined || v === '' || v === '0') return 0;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const d = parseDuration(v);
  if (!d.ok) {
    throw new Error(
      'Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)',
    );
  }
  return d.ms;
}

export interface Kube {
  kc: KubeConfig;
  client: RawClient;
  /** -n, else the context namespace, else "default". */
  namespace: string;
  /** True when -n was given (create uses the file's namespace before it). */
  namespaceFromFlag: boolean;
}

type KubeConfigClass = typeof import('@kubernetes/client-node').KubeConfig;

/** A cluster entry of a kubeconfig (client-node's field names). */
interface KcCluster {
  name: string;
  server: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
}

/** A user entry of a kubeconfig (client-node's field names, plus `as-groups`). */
interface KcUser {
  name: string;
  token?: string;
  certData?: string;
  certFile?: string;
  keyData?: string;
  keyFile?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  authProvider?: unknown;
  impersonateUser?: string;
  impersonateGroups?: string[];
}

interface KcContext {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
}

interface KcFile {
  clusters: KcCluster[];
  users: KcUser[];
  contexts: KcContext[];
  currentContext: string;
}

const rec = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const optStr = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Parses one kubeconfig file the way client-node does (paths made absolute to its directory). */
function parseKubeconfigFile(file: string): KcFile {
  let doc: unknown;
  try {
    doc = yaml.load(readFileSync(file, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') {
      throw new Error(`stat ${file}: no such file or directory`, { cause: e });
    }
    throw new Error(`error loading config file "${file}": ${err.message}`, { cause: e });
  }
  const root = rec(doc);
  const dir = dirname(file);
  const abs = (p: string | undefined): string | undefined =>
    p === undefined ? undefined : isAbsolute(p) ? p : resolvePath(dir, p);
  const clusters: KcCluster[] = [];
  for (const e of list(root.clusters)) {
    const c = rec(rec(e).cluster);
    const name = optStr(rec(e).name);
    const server = optStr(c.server);
    if (!name || !server) continue;
    clusters.push({
      name,
      server: server.replace(/\/$/, ''),
      skipTLSVerify: c['insecure-skip-tls-verify'] === true,
      ...(optStr(c['certificate-authority-data'])
        ? { caData: optStr(c['certificate-authority-data']) }
        : {}),
      ...(optStr(c['certificate-authority'])
        ? { caFile: abs(optStr(c['certificate-authority'])) }
        : {}),
      ...(optStr(c['tls-server-name']) ? { tlsServerName: optStr(c['tls-server-name']) } : {}),
      ...(optStr(c['proxy-url']) ? { proxyUrl: optStr(c['proxy-url']) } : {}),
    });
  }
  const users: KcUser[] = [];
  for (const e of list(root.users)) {
    const u = rec(rec(e).user);
    const name = optStr(rec(e).name);
    if (!name) continue;
    let token = optStr(u.token);
    const tokenFile = optStr(u['token-file']) ?? optStr(u.tokenFile);
    if (!token && tokenFile) token = readFileSync(abs(tokenFile)!, 'utf8').trim();
    const user: KcUser = { name };
    if (token) user.token = token;
    if (optStr(u['client-certificate-data'])) user.certData = optStr(u['client-certificate-data']);
    if (optStr(u['client-certificate'])) user.certFile = abs(optStr(u['client-certificate']));
    if (optStr(u['client-key-data'])) user.keyData = optStr(u['client-key-data']);
    if (optStr(u['client-key'])) user.keyFile = abs(optStr(u['client-key']));
    if (optStr(u.username)) user.username = optStr(u.username);
    if (optStr(u.password)) user.password = optStr(u.password);
    if (u.exec) user.exec = u.exec;
    if (u['auth-provider']) user.authProvider = u['auth-provider'];
    if (optStr(u.as)) user.impersonateUser = optStr(u.as);
    const groups = list(u['as-groups']).filter((g): g is string => typeof g === 'string');
    if (groups.length) user.impersonateGroups = groups;
    users.push(user);
  }
  const contexts: KcContext[] = [];
  for (const e of list(root.contexts)) {
    const c = rec(rec(e).context);
    const name = optStr(rec(e).name);
    if (!name) continue;
    contexts.push({
      name,
      cluster: optStr(c.cluster) ?? '',
      user: optStr(c.user) ?? '',
      ...(optStr(c.namespace) ? { namespace: optStr(c.namespace) } : {}),
    });
  }
  return { clusters, users, contexts, currentContext: optStr(root['current-context']) ?? '' };
}

/**
 * The kubeconfig kubectl would read: --kubeconfig, else every file of $KUBECONFIG merged (the
 * first file to define a name wins, as in kubectl), else ~/.kube/config. Undefined when there is
 * none (client-node then tries the in-cluster config).
 */
function readKubeconfig(flags: GlobalFlags): KcFile | undefined {
  if (flags.kubeconfig) return parseKubeconfigFile(flags.kubeconfig);
  const env = process.env.KUBECONFIG;
  const files = env
    ? env.split(delimiter).filter((f) => f !== '' && existsSync(f))
    : [join(homedir(), '.kube', 'config')].filter((f) => existsSync(f));
  if (files.length === 0) return undefined;
  const merged: KcFile = { clusters: [], users: [], contexts: [], currentContext: '' };
  for (const f of files) {
    const one = parseKubeconfigFile(f);
    const add = <T extends { name: string }>(into: T[], from: T[]): void => {
      for (const x of from) if (!into.some((y) => y.name === x.name)) into.push(x);
    };
    add(merged.clusters, one.clusters);
    add(merged.users, one.users);
    add(merged.contexts, one.contexts);
    merged.currentContext ||= one.currentContext;
  }
  return merged;
}

/** client-node's KubeConfig, loaded on demand (its generated API clients take a second to import). */
async function kubeConfigClass(): Promise<KubeConfigClass> {
  return (await import('@kubernetes/client-node')).KubeConfig;
}

/** The impersonation headers client-node does not send (--as-group, --as-uid). */
function addImpersonation(
  opts: { headers?: Record<string, unknown> },
  groups: string[],
  uid: string | undefined,
): void {
  if (groups.length === 0 && uid === undefined) return;
  opts.headers ??= {};
  if (groups.length > 0) opts.headers['Impersonate-Group'] = groups;
  if (uid !== undefined) opts.headers['Impersonate-Uid'] = uid;
}

/** A client-node KubeConfig that also sends --as-group / --as-uid. */
function pluginKubeConfigClass(Base: KubeConfigClass) {
  return class PluginKubeConfig extends Base {
    impersonateGroups: string[] = [];
    impersonateUid: string | undefined;

    override async applyToHTTPSOptions(
      opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0],
    ): Promise<void> {
      await super.applyToHTTPSOptions(opts);
      addImpersonation(
        opts as { headers?: Record<string, unknown> },
        this.impersonateGroups,
        this.impersonateUid,
      );
    }
  };
}

/**
 * What RawClient needs of a KubeConfig, without client-node: for users authenticated by token,
 * client certificate or basic auth (no exec / auth-provider plugin) and clusters without a
 * proxy. Commands that only send requests start about a second faster with it.
 */
class LiteKubeConfig {
  constructor(
    private readonly cluster: KcCluster,
    private readonly user: KcUser,
    private readonly impersonateGroups: string[],
    private readonly impersonateUid: string | undefined,
  ) {}

  getCurrentCluster(): KcCluster {
    return this.cluster;
  }

  getCurrentUser(): KcUser {
    return this.user;
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    const { cluster, user } = this;
    const file = (path: string | undefined, data: string | undefined): Buffer | undefined =>
      data ? Buffer.from(data, 'base64') : path ? readFileSync(path) : undefined;
    const ca = file(cluster.caFile, cluster.caData);
    const cert = file(user.certFile, user.certData);
    const key = file(user.keyFile, user.keyData);
    if (ca) opts.ca = ca;
    if (cert) opts.cert = cert;
    if (key) opts.key = key;
    if (cluster.skipTLSVerify) opts.rejectUnauthorized = false;
    if (cluster.tlsServerName) opts.servername = cluster.tlsServerName;
    const headers: Record<string, unknown> = { ...(opts.headers as Record<string, unknown>) };
    if (user.token) headers.Authorization = `Bearer ${user.token}`;
    if (user.username) opts.auth = `${user.username}:${user.password ?? ''}`;
    if (user.impersonateUser) headers['Impersonate-User'] = user.impersonateUser;
    opts.headers = headers as http.OutgoingHttpHeaders;
    addImpersonation(
      opts as { headers?: Record<string, unknown> },
      this.impersonateGroups,
      this.impersonateUid,
    );
    opts.agent = cluster.server.startsWith('https:')
      ? new https.Agent({
          ...(ca ? { ca } : {}),
          ...(cert ? { cert } : {}),
          ...(key ? { key } : {}),
          ...(cluster.skipTLSVerify ? { rejectUnauthorized: false } : {}),
          ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
        })
      : new http.Agent();
  }
}

export interface Kube {
  kc: KubeConfig;
  client: RawClient;
  /** -n, else the context namespace, else "default". */
  namespace: string;
  /** True when -n was given (create uses the file's namespace before it). */
  namespaceFromFlag: boolean;
}

export interface LoadKubeOptions {
  /**
   * A real client-node KubeConfig (watches use client-node's Watch). Without it, a lighter one
   * is used when the credentials allow.
   */
  full?: boolean;
}

/** Builds the client from the global flags. Throws (one-line messages) on a bad kubeconfig. */
export async function loadKube(flags: GlobalFlags, o: LoadKubeOptions = {}): Promise<Kube> {
  const file = readKubeconfig(flags);
  if (file === undefined) {
    // No kubeconfig: client-node's defaults (in-cluster service account, else localhost:8080).
    const KubeConfig = await kubeConfigClass();
    const kc = new KubeConfig();
    kc.loadFromDefault();
    const c = kc.getContextObject(kc.getCurrentContext());
    const cl = kc.getCurrentCluster();
    const us = kc.getCurrentUser();
    return build(
      flags,
      {
        clusters: cl ? [{ ...cl }] : [],
        users: us ? [{ ...(us as KcUser) }] : [],
        contexts: c ? [{ ...c }] : [],
        currentContext: kc.getCurrentContext(),
      },
      o,
    );
  }
  return build(flags, file, o);
}

async function build(flags: GlobalFlags, file: KcFile, o: LoadKubeOptions): Promise<Kube> {
  const contextName = flags.context ?? file.currentContext;
  const ctx = file.contexts.find((c) => c.name === contextName);
  if (flags.context && !ctx) {
    throw new Error(`context was not found for specified context: ${flags.context}`);
  }
  const clusterName = flags.cluster ?? ctx?.cluster;
  const userName = flags.user ?? ctx?.user;
  const baseCluster = file.clusters.find((c) => c.name === clusterName);
  if (flags.cluster && !baseCluster) {
    throw new Error(`cluster "${flags.cluster}" does not exist`);
  }
  const baseUser = file.users.find((u) => u.name === userName);
  if (flags.user && !baseUser) {
    throw new Error(`auth info "${flags.user}" does not exist`);
  }

  const server = flags.server ?? baseCluster?.server;
  if (!server) {
    throw new Error(
      'invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable',
    );
  }
  const normalizedServer = /^[a-z]+:\/\//i.test(server) ? server : `https://${server}`;
  const cluster: KcCluster = {
    ...(baseCluster ?? {}),
    name: clusterName || 'cluster',
    server: normalizedServer,
    // kubectl talks plain http to an http:// server; client-node only does with this flag set.
    skipTLSVerify:
      flags.insecureSkipTlsVerify === true ||
      baseCluster?.skipTLSVerify === true ||
      normalizedServer.startsWith('http:'),
  };
  if (flags.certificateAuthority) {
    cluster.caFile = resolvePath(flags.certificateAuthority);
    delete cluster.caData;
  }
  if (flags.tlsServerName) cluster.tlsServerName = flags.tlsServerName;
  const user: KcUser = { ...(baseUser ?? {}), name: userName || 'user' };
  if (flags.token) {
    user.token = flags.token;
    delete user.exec;
    delete user.authProvider;
    delete user.username;
    delete user.password;
  }
  if (flags.clientCertificate) {
    user.certFile = resolvePath(flags.clientCertificate);
    delete user.certData;
  }
  if (flags.clientKey) {
    user.keyFile = resolvePath(flags.clientKey);
    delete user.keyData;
  }
  if (flags.as) user.impersonateUser = flags.as;
  const groups = flags.asGroup ?? user.impersonateGroups ?? [];
  const context: KcContext = {
    name: contextName || 'context',
    cluster: cluster.name,
    user: user.name,
    ...(ctx?.namespace ? { namespace: ctx.namespace } : {}),
  };

  let kc: KubeConfig;
  if (!o.full && !user.exec && !user.authProvider && !cluster.proxyUrl) {
    kc = new LiteKubeConfig(cluster, user, groups, flags.asUid) as unknown as KubeConfig;
  } else {
    const PluginKubeConfig = pluginKubeConfigClass(await kubeConfigClass());
    const full = new PluginKubeConfig();
    full.loadFromOptions({
      clusters: [cluster],
      users: [user],
      contexts: [context],
      currentContext: context.name,
    });
    full.impersonateGroups = groups;
    full.impersonateUid = flags.asUid;
    kc = full;
  }

  const namespace = flags.namespace || ctx?.namespace || 'default';
  const client = new RawClient(kc, {
    qps: 0,
    timeoutMs: parseRequestTimeout(flags.requestTimeout),
  });
  return { kc, client, namespace, namespaceFromFlag: Boolean(flags.namespace) };
}

// ---- resources ----------------------------------------------------------------------------

export interface Gvr {
  group: string;
  version: string;
  resource: string;
  /** Singular (lister errors, create output). */
  singular: string;
  kind: string;
  namespaced: boolean;
}

const argo = (resource: string, singular: string, kind: string, namespaced = true): Gvr => ({
  group: 'argoproj.io',
  version: 'v1alpha1',
  resource,
  singular,
  kind,
  namespaced,
});

export const ROLLOUTS = argo('rollouts', 'rollout', 'Rollout');
export const EXPERIMENTS = argo('experiments', 'experiment', 'Experiment');
export const ANALYSIS_RUNS = argo('analysisruns', 'analysisrun', 'AnalysisRun');
export const ANALYSIS_TEMPLATES = argo('analysistemplates', 'analysistemplate', 'AnalysisTemplate');
export const CLUSTER_ANALYSIS_TEMPLATES = argo(
  'clusteranalysistemplates',
  'clusteranalysistemplate',
  'ClusterAnalysisTemplate',
  false,
);
export const REPLICA_SETS: Gvr = {
  group: 'apps',
  version: 'v1',
  resource: 'replicasets',
  singular: 'replicaset',
  kind: 'ReplicaSet',
  namespaced: true,
};
export const DEPLOYMENTS: Gvr = {
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  singular: 'deployment',
  kind: 'Deployment',
  namespaced: true,
};
export const PODS: Gvr = {
  group: '',
  version: 'v1',
  resource: 'pods',
  singular: 'pod',
  kind: 'Pod',
  namespaced: true,
};
export const POD_TEMPLATES: Gvr = {
  group: '',
  version: 'v1',
  resource: 'podtemplates',
  singular: 'podtemplate',
  kind: 'PodTemplate',
  namespaced: true,
};

/** The URL path of a collection (name undefined) or object of that resource. */
export function pathOf(
  gvr: Gvr,
  namespace: string | undefined,
  name?: string,
  subresource?: string,
): string {
  const ref: ResourceRef = {
    group: gvr.group,
    version: gvr.version,
    resource: gvr.resource,
    ...(gvr.namespaced && namespace ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
  return resourcePath(ref);
}

/** The lister's NotFound (informer-backed commands): `rollout.argoproj.io "x" not found`. */
export function listerNotFound(gvr: Gvr, name: string): Error {
  const qualified = gvr.group ? `${gvr.singular}.${gvr.group}` : gvr.singular;
  return new Error(`${qualified} "${name}" not found`);
}

/**
 * Status-first merge patch: PATCH /status; on 404 the same body (or `fallback`) as a main patch,
 * for CRDs without the status subresource.
 */
export async function patchStatusFirst(
  client: RawClient,
  gvr: Gvr,
  namespace: string,
  name: string,
  body: unknown,
  fallback: unknown = body,
): Promise<KubeObject> {
  try {
    return await client.patch(pathOf(gvr, namespace, name, 'status'), body, 'merge');
  } catch (e) {
    if (e instanceof KubeApiError && e.code === 404) {
      return client.patch(pathOf(gvr, namespace, name), fallback, 'merge');
    }
    throw e;
  }
}

/** Lists a collection; a 404 (the CRD is not installed) is an empty list. */
export async function listOrEmpty(
  client: RawClient,
  gvr: Gvr,
  namespace: string | undefined,
  query?: Record<string, string>,
): Promise<{ items: KubeObject[]; resourceVersion: string | undefined }> {
  try {
    const l = await client.list(pathOf(gvr, namespace), query);
    return { items: l.items, resourceVersion: l.metadata.resourceVersion };
  } catch (e) {
    if (e instanceof KubeApiError && e.code === 404)
      return { items: [], resourceVersion: undefined };
    throw e;
  }
}

// ---- error text ---------------------------------------------------------------------------

const GO_METHOD: Record<string, string> = {
  GET: 'Get',
  POST: 'Post',
  PUT: 'Put',
  PATCH: 'Patch',
  DELETE: 'Delete',
};

/** A connection failure as client-go words it: `Get "<url>": dial tcp <addr>: connect: connection refused`. */
function connectionMessage(e: KubeApiError, server: string | undefined): string {
  const m = /^(\w+) (\S+): /.exec(e.message);
  const cause = e.cause as
    (NodeJS.ErrnoException & { address?: string; port?: number }) | undefined;
  const method = m ? (GO_METHOD[m[1]!] ?? m[1]!) : 'Get';
  const url = m && server ? `${server.replace(/\/+$/, '')}${m[2]!}` : (m?.[2] ?? '');
  let host: string;
  try {
    const u = new URL(server ?? '');
    host = `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    host = '';
  }
  let detail: string;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      detail = `dial tcp ${cause.address && cause.port ? `${cause.address}:${cause.port}` : host}: connect: connection refused`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      detail = `dial tcp: lookup ${host.replace(/:\d+$/, '')}: no such host`;
      break;
    case 'ETIMEDOUT':
      detail = `dial tcp ${host}: i/o timeout`;
      break;
    case 'ECONNRESET':
      detail = 'read: connection reset by peer';
      break;
    case 'ABORT_ERR':
    case undefined:
      detail =
        cause?.name === 'TimeoutError' || cause?.name === 'AbortError'
          ? 'context deadline exceeded'
          : (cause?.message ?? e.message);
      break;
    default:
      detail = cause?.message ?? e.message;
  }
  return `${method} "${url}": ${detail}`;
}

/** One line for any error the commands raise. */
export function errorMessage(e: unknown, server?: string): string {
  if (e instanceof KubeApiError) {
    if (e.code === 0) return connectionMessage(e, server);
    const st = e.status;
    if (e.code === 422 && st?.details) {
      const d = st.details as {
        kind?: string;
        name?: string;
        causes?: { field?: string; message?: string }[];
      };
      if (d.causes?.length) {
        const causes = d.causes.map((c) => `${c.field ?? ''}: ${c.message ?? ''}`);
        return `${d.kind ?? ''} "${d.name ?? ''}" is invalid: ${causes.length === 1 ? causes[0]! : `[${causes.join(', ')}]`}`;
      }
    }
    return e.message;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}
