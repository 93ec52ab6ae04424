// Semantic pod-template equality and new-ReplicaSet lookup (../shared/spec/rollout-semantics.md
// §5.1 "Finding the new RS"; argo-rollouts utils/replicaset FindNewReplicaSet /
// ReplicaSetTemplateMatchesRollout / PodTemplateEqualIgnoreHash).
//
// The hash label is only a fast path: it changes whenever the Go libraries that serialise the
// template change, so an RS whose template is *semantically* the desired one must be reused.
// Equality here = Go's `apiequality.Semantic.DeepEqual` on the typed structs after:
//   - stripping from the RS template the ephemeral labels/annotations recorded in its
//     `rollout.argoproj.io/ephemeral-metadata` annotation and the injected anti-affinity term;
//   - deleting `rollouts-pod-template-hash` on both sides;
//   - Kubernetes pod-template defaulting (SetObjectDefaults_PodTemplate) on both sides;
//   - treating the deprecated `spec.serviceAccount` as an alias: Go blanks it on both sides; we
//     first copy it into an empty `serviceAccountName` (what the API server's conversion does
//     for the stored RS) and then drop it.
// The typed comparison (go-json.ts `goTypedCanonical`) drops unknown fields, makes absent and
// zero scalars, nil and empty lists/maps, `creationTimestamp: null` and absent identical, and
// compares quantities by value (`0.5` = `500m`, `1Gi` = `1073741824`).
import { isDeepStrictEqual } from 'node:util';
import { goTypedCanonical, parseQuantity, quantityToString, roundUpToMilli } from './go-json.ts';

export const POD_TEMPLATE_HASH_LABEL = 'rollouts-pod-template-hash';
export const EPHEMERAL_METADATA_ANNOTATION = 'rollout.argoproj.io/ephemeral-metadata';

export interface EphemeralMetadata {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** `spec.strategy.{canary,blueGreen}.antiAffinity` of the Rollout. */
export interface AntiAffinityConfig {
  preferredDuringSchedulingIgnoredDuringExecution?: { weight?: number } | null;
  requiredDuringSchedulingIgnoredDuringExecution?: object | null;
}

export interface TemplateEqualityOptions {
  /** Labels/annotations the controller injected into the RS template (its ephemeral-metadata annotation). */
  ephemeralMetadata?: EphemeralMetadata;
  /**
   * The Rollout's antiAffinity strategy. When set, the injected term is removed exactly like Go's
   * RemoveInjectedAntiAffinityRule: the first term (in the configured list) that has a
   * `rollouts-pod-template-hash` match expression, whatever its value.
   */
  antiAffinity?: AntiAffinityConfig;
  /**
   * Without `antiAffinity`: remove a term of the exact injected shape (`rollouts-pod-template-hash In
   * [<hash>]`, topologyKey kubernetes.io/hostname) from either list.
   */
  stableHashForAntiAffinity?: string;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objAt(o: Obj, key: string): Obj | undefined {
  const v = o[key];
  return isObj(v) ? v : undefined;
}

function listAt(o: Obj, key: string): unknown[] {
  const v = o[key];
  return Array.isArray(v) ? v : [];
}

function setDefault(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null || o[key] === '') o[key] = value;
}

function setDefaultNumber(o: Obj, key: string, value: number): void {
  const v = o[key];
  if (typeof v !== 'number' || v === 0) o[key] = value;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes defaulting (pkg/apis/core/v1 defaults.go + zz_generated.defaults.go, PodTemplate)

const IMAGE_PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const IMAGE_DOMAIN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;
const IMAGE_DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/**
 * SetDefaults_Container's imagePullPolicy: `Always` when parsers.ParseImageName yields tag "latest"
 * (explicit, or no tag and no digest), `IfNotPresent` otherwise — including unparsable references.
 */
export function defaultImagePullPolicy(image: unknown): 'Always' | 'IfNotPresent' {
  if (typeof image !== 'string' || image === '') return 'IfNotPresent';
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = '';
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  const hasDomain =
    parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasDomain && !IMAGE_DOMAIN.test(first)) return 'IfNotPresent';
  const path = hasDomain ? parts.slice(1) : parts;
  if (path.length === 0 || !path.every((c) => IMAGE_PATH_COMPONENT.test(c))) return 'IfNotPresent';
  if (tag !== '' && !IMAGE_TAG.test(tag)) return 'IfNotPresent';
  if (digest !== undefined && !IMAGE_DIGEST.test(digest)) return 'IfNotPresent';
  if (tag === '' && digest === undefined) tag = 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** SetDefaults_ResourceList: every quantity rounded up to milli units. */
function defaultResourceList(list: unknown): void {
  if (!isObj(list)) return;
  for (const [k, v] of Object.entries(list)) {
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    const q = parseQuantity(v);
    if (q && q.scale < -3) list[k] = quantityToString(roundUpToMilli(q));
  }
}

function defaultHttpGet(h: unknown): void {
  if (!isObj(h)) return;
  setDefault(h, 'path', '/');
  setDefault(h, 'scheme', 'HTTP');
}

function defaultProbe(p: unknown): void {
  if (!isObj(p)) return;
  setDefaultNumber(p, 'timeoutSeconds', 1);
  setDefaultNumber(p, 'periodSeconds', 10);
  setDefaultNumber(p, 'successThreshold', 1);
  setDefaultNumber(p, 'failureThreshold', 3);
  defaultHttpGet(p.httpGet);
  const grpc = objAt(p, 'grpc');
  if (grpc && (grpc.service === undefined || grpc.service === null)) grpc.service = '';
}

function defaultFieldRef(ref: unknown): void {
  if (isObj(ref)) setDefault(ref, 'apiVersion', 'v1');
}

function defaultContainer(c: unknown): void {
  if (!isObj(c)) return;
  setDefault(c, 'imagePullPolicy', defaultImagePullPolicy(c.image));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  for (const port of listAt(c, 'ports')) if (isObj(port)) setDefault(port, 'protocol', 'TCP');
  for (const env of listAt(c, 'env')) {
    if (isObj(env) && isObj(env.valueFrom)) defaultFieldRef(env.valueFrom.fieldRef);
  }
  const resources = objAt(c, 'resources');
  if (resources) {
    defaultResourceList(resources.limits);
    defaultResourceList(resources.requests);
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  const lifecycle = objAt(c, 'lifecycle');
  if (lifecycle) {
    for (const hook of ['postStart', 'preStop']) {
      const h = objAt(lifecycle, hook);
      if (h) defaultHttpGet(h.httpGet);
    }
  }
}

const VOLUME_SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

function defaultDownwardItems(items: unknown[]): void {
  for (const item of items) if (isObj(item)) defaultFieldRef(item.fieldRef);
}

function defaultVolume(vol: unknown): void {
  if (!isObj(vol)) return;
  if (VOLUME_SOURCES.every((k) => vol[k] === undefined || vol[k] === null)) vol.emptyDir = {};
  const hostPath = objAt(vol, 'hostPath');
  if (hostPath && (hostPath.type === undefined || hostPath.type === null)) hostPath.type = '';
  for (const k of ['secret', 'configMap']) {
    const src = objAt(vol, k);
    if (src) setDefault(src, 'defaultMode', 420);
  }
  const downward = objAt(vol, 'downwardAPI');
  if (downward) {
    setDefault(downward, 'defaultMode', 420);
    defaultDownwardItems(listAt(downward, 'items'));
  }
  const projected = objAt(vol, 'projected');
  if (projected) {
    setDefault(projected, 'defaultMode', 420);
    for (const s of listAt(projected, 'sources')) {
      if (!isObj(s)) continue;
      const d = objAt(s, 'downwardAPI');
      if (d) defaultDownwardItems(listAt(d, 'items'));
      const token = objAt(s, 'serviceAccountToken');
      if (token) setDefault(token, 'expirationSeconds', 3600);
    }
  }
  const iscsi = objAt(vol, 'iscsi');
  if (iscsi) setDefault(iscsi, 'iscsiInterface', 'default');
  const rbd = objAt(vol, 'rbd');
  if (rbd) {
    setDefault(rbd, 'pool', 'rbd');
    setDefault(rbd, 'user', 'admin');
    setDefault(rbd, 'keyring', '/etc/ceph/keyring');
  }
  const azureDisk = objAt(vol, 'azureDisk');
  if (azureDisk) {
    setDefault(azureDisk, 'cachingMode', 'ReadWrite');
    setDefault(azureDisk, 'fsType', 'ext4');
    if (azureDisk.readOnly === undefined || azureDisk.readOnly === null) azureDisk.readOnly = false;
    setDefault(azureDisk, 'kind', 'Shared');
  }
  const scaleIO = objAt(vol, 'scaleIO');
  if (scaleIO) {
    setDefault(scaleIO, 'storageMode', 'ThinProvisioned');
    setDefault(scaleIO, 'fsType', 'xfs');
  }
  const claim = objAt(objAt(vol, 'ephemeral') ?? {}, 'volumeClaimTemplate');
  const claimSpec = claim && objAt(claim, 'spec');
  if (claimSpec) {
    setDefault(claimSpec, 'volumeMode', 'Filesystem');
    const res = objAt(claimSpec, 'resources');
    if (res) {
      defaultResourceList(res.limits);
      defaultResourceList(res.requests);
    }
  }
  const image = objAt(vol, 'image');
  if (image) setDefault(image, 'pullPolicy', defaultImagePullPolicy(image.reference));
}

/**
 * A defaulted deep copy of a pod template, as the API server stores it in a ReplicaSet
 * (SetObjectDefaults_PodTemplate). Idempotent, so it can be applied to stored templates too.
 */
export function applyPodTemplateDefaults(template: unknown): Record<string, unknown> {
  const t: Obj = isObj(template) ? structuredClone(template) : {};
  if (!isObj(t.spec)) t.spec = {};
  const spec = t.spec as Obj;
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  if (typeof spec.terminationGracePeriodSeconds !== 'number')
    spec.terminationGracePeriodSeconds = 30;
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const vol of listAt(spec, 'volumes')) defaultVolume(vol);
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of listAt(spec, key)) defaultContainer(c);
  }
  defaultResourceList(spec.overhead);
  const podResources = objAt(spec, 'resources');
  if (podResources) {
    defaultResourceList(podResources.limits);
    defaultResourceList(podResources.requests);
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Controller-injected content

/** The ephemeral-metadata annotation of an RS, parsed; undefined if absent or malformed. */
export function parseEphemeralMetadataAnnotation(
  annotations: Record<string, string> | undefined,
): EphemeralMetadata | undefined {
  const raw = annotations?.[EPHEMERAL_METADATA_ANNOTATION];
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!isObj(parsed)) return undefined;
    const out: EphemeralMetadata = {};
    if (isObj(parsed.labels)) out.labels = parsed.labels as Record<string, string>;
    if (isObj(parsed.annotations)) out.annotations = parsed.annotations as Record<string, string>;
    return out;
  } catch {
    return undefined;
  }
}

function hasHashExpression(term: unknown): boolean {
  if (!isObj(term)) return false;
  const selector = objAt(term, 'labelSelector');
  if (!selector) return false;
  return listAt(selector, 'matchExpressions').some(
    (e) => isObj(e) && e.key === POD_TEMPLATE_HASH_LABEL,
  );
}

function isInjectedShape(term: unknown, hash: string): boolean {
  if (!isObj(term) || term.topologyKey !== 'kubernetes.io/hostname') return false;
  const selector = objAt(term, 'labelSelector');
  if (!selector) return false;
  return listAt(selector, 'matchExpressions').some(
    (e) =>
      isObj(e) &&
      e.key === POD_TEMPLATE_HASH_LABEL &&
      e.operator === 'In' &&
      Array.isArray(e.values) &&
      e.values.length === 1 &&
      e.values[0] === hash,
  );
}

const PREFERRED = 'preferredDuringSchedulingIgnoredDuringExecution';
const REQUIRED = 'requiredDuringSchedulingIgnoredDuringExecution';

/**
 * The affinity without the anti-affinity term the controller injected (§5.4), pruned like Go's
 * RemoveInjectedAntiAffinityRule (empty lists/structs collapse to absent). Returns a copy.
 */
export function removeInjectedAntiAffinity(
  affinity: unknown,
  opts: Pick<TemplateEqualityOptions, 'antiAffinity' | 'stableHashForAntiAffinity'>,
): unknown {
  if (!isObj(affinity)) return affinity;
  const copy = structuredClone(affinity);
  const anti = objAt(copy, 'podAntiAffinity');
  if (!anti) return copy;
  let removed = false;
  const removeFrom = (list: string, match: (term: unknown) => boolean): void => {
    const terms = listAt(anti, list);
    const i = terms.findIndex((t) => match(list === PREFERRED && isObj(t) ? t.podAffinityTerm : t));
    if (i < 0) return;
    anti[list] = terms.filter((_, j) => j !== i);
    removed = true;
  };
  const cfg = opts.antiAffinity;
  if (cfg && (isObj(cfg[PREFERRED]) || isObj(cfg[REQUIRED]))) {
    removeFrom(isObj(cfg[PREFERRED]) ? PREFERRED : REQUIRED, hasHashExpression);
  } else if (opts.stableHashForAntiAffinity) {
    const hash = opts.stableHashForAntiAffinity;
    removeFrom(PREFERRED, (t) => isInjectedShape(t, hash));
    if (!removed) removeFrom(REQUIRED, (t) => isInjectedShape(t, hash));
  }
  if (!removed) return copy;
  for (const list of [PREFERRED, REQUIRED]) {
    if (Array.isArray(anti[list]) && anti[list].length === 0) delete anti[list];
  }
  if (anti[PREFERRED] === undefined && anti[REQUIRED] === undefined) delete copy.podAntiAffinity;
  if (Object.values(copy).every((v) => v === undefined || v === null)) return undefined;
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Equality

function normalise(template: unknown): unknown {
  const t = applyPodTemplateDefaults(template);
  const meta = objAt(t, 'metadata');
  const labels = meta && objAt(meta, 'labels');
  if (labels) delete labels[POD_TEMPLATE_HASH_LABEL];
  const spec = t.spec as Obj;
  const deprecated = spec.serviceAccount;
  if (typeof deprecated === 'string' && deprecated !== '' && !spec.serviceAccountName) {
    spec.serviceAccountName = deprecated;
  }
  delete spec.serviceAccount;
  return goTypedCanonical('PodTemplateSpec', t);
}

function stripEphemeral(meta: Obj | undefined, injected: EphemeralMetadata | undefined): void {
  if (!meta || !injected) return;
  for (const kind of ['labels', 'annotations'] as const) {
    const target = objAt(meta, kind);
    const keys = injected[kind];
    if (!target || !keys) continue;
    for (const k of Object.keys(keys)) delete target[k];
  }
}

/**
 * Whether a ReplicaSet's stored pod template is the Rollout's desired template (§5.1 step 3).
 * `rsTemplate` is `rs.spec.template`; controller-injected metadata and anti-affinity are removed
 * from it first (see TemplateEqualityOptions).
 */
export function podTemplatesSemanticallyEqual(
  rsTemplate: unknown,
  desired: unknown,
  opts: TemplateEqualityOptions = {},
): boolean {
  const live: Obj = isObj(rsTemplate) ? structuredClone(rsTemplate) : {};
  stripEphemeral(objAt(live, 'metadata'), opts.ephemeralMetadata);
  const liveSpec = objAt(live, 'spec');
  if (liveSpec && liveSpec.affinity !== undefined) {
    const affinity = removeInjectedAntiAffinity(liveSpec.affinity, opts);
    if (affinity === undefined) delete liveSpec.affinity;
    else liveSpec.affinity = affinity;
  }
  return isDeepStrictEqual(normalise(live), normalise(desired));
}

// ---------------------------------------------------------------------------------------------
// New-RS lookup

export interface ReplicaSetLike {
  metadata?: {
    name?: string;
    creationTimestamp?: string | null;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: { template?: unknown };
}

export interface FindNewReplicaSetOptions {
  /** The Rollout's antiAffinity strategy (canary or blue-green). */
  antiAffinity?: AntiAffinityConfig;
  /** `status.stableRS`, used to recognise the injected term when `antiAffinity` is not given. */
  stableHashForAntiAffinity?: string;
  /**
   * `status.currentPodHash`: when it differs from the computed hash and its RS still matches the
   * desired template, prefer it over older twins (newer argo-rollouts FindNewReplicaSet).
   */
  currentPodHash?: string;
}

function creationMillis(rs: ReplicaSetLike): number {
  const ts = rs.metadata?.creationTimestamp;
  const ms = typeof ts === 'string' ? Date.parse(ts) : NaN;
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : Math.floor(ms / 1000) * 1000;
}

/** controller.ReplicaSetsByCreationTimestamp: oldest first, ties broken by name. */
export function sortReplicaSetsByCreation<T extends ReplicaSetLike>(rsList: readonly T[]): T[] {
  return [...rsList].sort((a, b) => {
    const d = creationMillis(a) - creationMillis(b);
    if (d !== 0 && !Number.isNaN(d)) return d < 0 ? -1 : 1;
    const an = a.metadata?.name ?? '';
    const bn = b.metadata?.name ?? '';
    return an < bn ? -1 : an > bn ? 1 : 0;
  });
}

/** Whether `rs`'s template (controller additions removed) is the desired template. */
export function replicaSetMatchesTemplate(
  rs: ReplicaSetLike,
  desiredTemplate: unknown,
  opts: FindNewReplicaSetOptions = {},
): boolean {
  return podTemplatesSemanticallyEqual(rs.spec?.template, desiredTemplate, {
    ephemeralMetadata: parseEphemeralMetadataAnnotation(rs.metadata?.annotations),
    antiAffinity: opts.antiAffinity,
    stableHashForAntiAffinity: opts.stableHashForAntiAffinity,
  });
}

/**
 * The Rollout's "new" ReplicaSet (§5.1), oldest first: (1) the RS whose hash label equals the
 * computed hash; then (optionally) the RS recorded in `currentPodHash` if its template still
 * matches; (3) the first RS whose template is semantically equal to the desired one. The caller
 * takes `currentPodHash` from the returned RS's *label*.
 */
export function findNewReplicaSet<T extends ReplicaSetLike>(
  rsList: readonly (T | null | undefined)[],
  desiredTemplate: unknown,
  computedHash: string,
  opts: FindNewReplicaSetOptions = {},
): T | undefined {
  const sorted = sortReplicaSetsByCreation(rsList.filter((rs): rs is T => !!rs));
  const byHash = (hash: string): T | undefined =>
    sorted.find((rs) => rs.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] === hash);
  const hashed = byHash(computedHash);
  if (hashed) return hashed;
  if (opts.currentPodHash && opts.currentPodHash !== computedHash) {
    const current = byHash(opts.currentPodHash);
    if (current && replicaSetMatchesTemplate(current, desiredTemplate, opts)) return current;
  }
  return sorted.find((rs) => replicaSetMatchesTemplate(rs, desiredTemplate, opts));
}
