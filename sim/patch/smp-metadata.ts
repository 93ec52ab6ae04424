// Strategic-merge-patch metadata of the built-in kinds the emulator serves, transcribed from the
// `patchStrategy` / `patchMergeKey` struct tags of the Go types in k8s.io/api and
// k8s.io/apimachinery. kube-apiserver reads those tags (not the OpenAPI `x-kubernetes-list-type`
// markers), so a field that is `+listType=map` but carries no `patchStrategy` tag is still replaced
// whole by a strategic merge patch and is deliberately absent here.

export type PatchStrategy = 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace';

export type FieldMeta = {
  strategy?: PatchStrategy;
  mergeKey?: string;
  /** Metadata of the fields of a struct (or of the struct elements of a list). */
  fields?: Record<string, FieldMeta>;
  /** Metadata of the elements of a list whose elements are structs. */
  items?: FieldMeta;
};

function mergeBy(mergeKey: string, items?: FieldMeta): FieldMeta {
  return items ? { strategy: 'merge', mergeKey, items } : { strategy: 'merge', mergeKey };
}

const objectMeta: FieldMeta = {
  fields: {
    finalizers: { strategy: 'merge' },
    ownerReferences: mergeBy('uid'),
  },
};

// Container and EphemeralContainerCommon carry identical tags. envFrom and resizePolicy
// (`+listType=atomic`) have none and are replaced whole.
const container: FieldMeta = {
  fields: {
    ports: mergeBy('containerPort'),
    env: mergeBy('name'),
    volumeMounts: mergeBy('mountPath'),
    volumeDevices: mergeBy('devicePath'),
  },
};

// tolerations and readinessGates have no tag and are replaced whole.
const podSpec: FieldMeta = {
  fields: {
    volumes: { strategy: 'merge,retainKeys', mergeKey: 'name' },
    initContainers: mergeBy('name', container),
    containers: mergeBy('name', container),
    ephemeralContainers: mergeBy('name', container),
    imagePullSecrets: mergeBy('name'),
    hostAliases: mergeBy('ip'),
    topologySpreadConstraints: mergeBy('topologyKey'),
    schedulingGates: mergeBy('name'),
    resourceClaims: { strategy: 'merge,retainKeys', mergeKey: 'name' },
  },
};

const podStatus: FieldMeta = {
  fields: {
    conditions: mergeBy('type'),
    podIPs: mergeBy('ip'),
    hostIPs: mergeBy('ip'),
    resourceClaimStatuses: { strategy: 'merge,retainKeys', mergeKey: 'name' },
  },
};

const podTemplateSpec: FieldMeta = { fields: { metadata: objectMeta, spec: podSpec } };

const conditionsByType: FieldMeta = { fields: { conditions: mergeBy('type') } };

function kind(fields: Record<string, FieldMeta>): FieldMeta {
  return { fields: { metadata: objectMeta, ...fields } };
}

const metadataOnly = kind({});

const byKind: Record<string, FieldMeta> = {
  Pod: kind({ spec: podSpec, status: podStatus }),
  Deployment: kind({
    spec: { fields: { template: podTemplateSpec, strategy: { strategy: 'retainKeys' } } },
    status: conditionsByType,
  }),
  ReplicaSet: kind({ spec: { fields: { template: podTemplateSpec } }, status: conditionsByType }),
  Job: kind({ spec: { fields: { template: podTemplateSpec } }, status: conditionsByType }),
  Service: kind({ spec: { fields: { ports: mergeBy('port') } }, status: conditionsByType }),
  Namespace: kind({ status: conditionsByType }),
  // ServiceAccount.imagePullSecrets has no tag (unlike PodSpec.imagePullSecrets) and is replaced whole.
  ServiceAccount: kind({ secrets: mergeBy('name') }),
  Endpoints: metadataOnly,
  ConfigMap: metadataOnly,
  Secret: metadataOnly,
  Event: metadataOnly,
  Ingress: metadataOnly,
  Lease: metadataOnly,
  CustomResourceDefinition: metadataOnly,
  Role: metadataOnly,
  ClusterRole: metadataOnly,
  RoleBinding: metadataOnly,
  ClusterRoleBinding: metadataOnly,
};

/** Patch metadata for `kind`; unknown kinds get only ObjectMeta's, so their lists are replaced whole. */
export function smpMetaForKind(kindName: string): FieldMeta {
  return Object.prototype.hasOwnProperty.call(byKind, kindName)
    ? (byKind[kindName] ?? metadataOnly)
    : metadataOnly;
}
