// Go `encoding/json` output for the typed structs Argo Rollouts hashes (§5.1–5.2 of
// ../shared/spec/rollout-semantics.md): `corev1.PodTemplateSpec` (pod-template hash) and
// `[]v1alpha1.CanaryStep` (step hash). Argo decodes the Rollout into Go structs and hashes
// `json.Marshal` of them, so the bytes depend on Go semantics, not on the JSON we received:
//
// - struct fields come out in Go declaration order, unknown fields are dropped;
// - `omitempty` drops "" / 0 / false / nil pointers / empty (or nil) slices and maps, but never
//   a non-pointer struct (`"resources":{}`, `"metadata":{"creationTimestamp":null}`);
// - a field without `omitempty` is always written (`"containers":null`, `"port":0`);
// - map keys are sorted byte-wise; strings use Go's escaping (`<>&` → `\u003c \u003e \u0026`,
//   U+2028/2029 escaped, `\b \f \n \r \t` short forms as in Go ≥ 1.22);
// - `resource.Quantity` is written in canonical form (`0.5` → `500m`, `1000m` → `1`) unless the
//   input string was already canonical, in which case Go keeps it verbatim (see parseQuantity);
// - `intstr.IntOrString` keeps its JSON type.
//
// Field set: argo-rollouts v1.8.x is built with k8s.io/api v0.29. Those libraries serialise a
// zero `ObjectMeta.creationTimestamp` as `null` (the `omitzero` tag only arrived with newer
// apimachinery + Go ≥ 1.24; argo-rollouts later re-inserts `"creationTimestamp":null` to keep
// hashes stable — utils/hash/hash.go `restoreOmittedCreationTimestamp`, test vector 7bb4fbc896).
// The default here is therefore: emit `"creationTimestamp":null`, and emit only the fields that
// existed in k8s 1.29 (fields marked `since` > 29 are dropped, as v1.8 drops them when decoding).
// Both are options (`omitZeroCreationTimestamp`, `k8sMinor`).
//
// Coverage: every struct reachable from PodTemplateSpec is modelled field by field (declaration
// order from k8s.io/api core/v1 types.go). Free-form values (`json.RawMessage` plugin configs,
// `FieldsV1`) are written as sorted-key JSON, which is what Go produces for them because the API
// server hands them over as sorted-key JSON.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface GoJsonOptions {
  /** Minor version of the k8s.io/api library whose field set is emitted. Default 29 (argo-rollouts v1.8). */
  k8sMinor?: number;
  /** Omit a zero `metadata.creationTimestamp` (k8s ≥ 1.33 libs with Go ≥ 1.24 `omitzero`, unpatched). Default false. */
  omitZeroCreationTimestamp?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Type model

type GoType =
  | { kind: 'string' | 'int' | 'bool' | 'quantity' | 'intOrString' | 'time' | 'raw' }
  | { kind: 'ptr' | 'slice' | 'map'; elem: GoType }
  | { kind: 'struct'; name: string };

interface FieldDef {
  name: string;
  type: string;
  omitempty: boolean;
  /** Embedded struct whose fields are promoted (`json:",inline"`). */
  inline?: boolean;
  /** First k8s minor version that has the field. */
  since?: number;
  /** Last k8s minor version that has the field. */
  until?: number;
  /** `ObjectMeta.creationTimestamp`: dropped when omitZeroCreationTimestamp is set and it is zero. */
  omitZeroOpt?: boolean;
}

type Extra = Pick<FieldDef, 'since' | 'until' | 'omitZeroOpt'>;
/** `json:"name,omitempty"` */
const o = (name: string, type: string, extra: Extra = {}): FieldDef => ({
  name,
  type,
  omitempty: true,
  ...extra,
});
/** `json:"name"` (always written) */
const r = (name: string, type: string, extra: Extra = {}): FieldDef => ({
  name,
  type,
  omitempty: false,
  ...extra,
});
/** embedded struct, `json:",inline"` */
const inl = (type: string): FieldDef => ({ name: '', type, omitempty: false, inline: true });

const CONTAINER_FIELDS: FieldDef[] = [
  r('name', 'string'),
  o('image', 'string'),
  o('command', '[]string'),
  o('args', '[]string'),
  o('workingDir', 'string'),
  o('ports', '[]ContainerPort'),
  o('envFrom', '[]EnvFromSource'),
  o('env', '[]EnvVar'),
  o('resources', 'ResourceRequirements'),
  o('resizePolicy', '[]ContainerResizePolicy'),
  o('restartPolicy', '*string'),
  o('restartPolicyRules', '[]ContainerRestartRule', { since: 34 }),
  o('volumeMounts', '[]VolumeMount'),
  o('volumeDevices', '[]VolumeDevice'),
  o('livenessProbe', '*Probe'),
  o('readinessProbe', '*Probe'),
  o('startupProbe', '*Probe'),
  o('lifecycle', '*Lifecycle'),
  o('terminationMessagePath', 'string'),
  o('terminationMessagePolicy', 'string'),
  o('imagePullPolicy', 'string'),
  o('securityContext', '*SecurityContext'),
  o('stdin', 'bool'),
  o('stdinOnce', 'bool'),
  o('tty', 'bool'),
];

const POD_AFFINITY_FIELDS: FieldDef[] = [
  o('requiredDuringSchedulingIgnoredDuringExecution', '[]PodAffinityTerm'),
  o('preferredDuringSchedulingIgnoredDuringExecution', '[]WeightedPodAffinityTerm'),
];

const STRUCTS: Record<string, FieldDef[]> = {
  // ---- k8s.io/apimachinery meta/v1
  ObjectMeta: [
    o('name', 'string'),
    o('generateName', 'string'),
    o('namespace', 'string'),
    o('selfLink', 'string'),
    o('uid', 'string'),
    o('resourceVersion', 'string'),
    o('generation', 'int'),
    o('creationTimestamp', 'time', { omitZeroOpt: true }),
    o('deletionTimestamp', '*time'),
    o('deletionGracePeriodSeconds', '*int'),
    o('labels', 'map[]string'),
    o('annotations', 'map[]string'),
    o('ownerReferences', '[]OwnerReference'),
    o('finalizers', '[]string'),
    o('managedFields', '[]ManagedFieldsEntry'),
  ],
  OwnerReference: [
    r('apiVersion', 'string'),
    r('kind', 'string'),
    r('name', 'string'),
    r('uid', 'string'),
    o('controller', '*bool'),
    o('blockOwnerDeletion', '*bool'),
  ],
  ManagedFieldsEntry: [
    o('manager', 'string'),
    o('operation', 'string'),
    o('apiVersion', 'string'),
    o('time', '*time'),
    o('fieldsType', 'string'),
    o('fieldsV1', '*raw'),
    o('subresource', 'string'),
  ],
  LabelSelector: [
    o('matchLabels', 'map[]string'),
    o('matchExpressions', '[]LabelSelectorRequirement'),
  ],
  LabelSelectorRequirement: [r('key', 'string'), r('operator', 'string'), o('values', '[]string')],

  // ---- k8s.io/api core/v1
  PodTemplateSpec: [o('metadata', 'ObjectMeta'), o('spec', 'PodSpec')],
  PodSpec: [
    o('volumes', '[]Volume'),
    o('initContainers', '[]Container'),
    r('containers', '[]Container'),
    o('ephemeralContainers', '[]EphemeralContainer'),
    o('restartPolicy', 'string'),
    o('terminationGracePeriodSeconds', '*int'),
    o('activeDeadlineSeconds', '*int'),
    o('dnsPolicy', 'string'),
    o('nodeSelector', 'map[]string'),
    o('serviceAccountName', 'string'),
    o('serviceAccount', 'string'),
    o('automountServiceAccountToken', '*bool'),
    o('nodeName', 'string'),
    o('hostNetwork', 'bool'),
    o('hostPID', 'bool'),
    o('hostIPC', 'bool'),
    o('shareProcessNamespace', '*bool'),
    o('securityContext', '*PodSecurityContext'),
    o('imagePullSecrets', '[]LocalObjectReference'),
    o('hostname', 'string'),
    o('subdomain', 'string'),
    o('affinity', '*Affinity'),
    o('schedulerName', 'string'),
    o('tolerations', '[]Toleration'),
    o('hostAliases', '[]HostAlias'),
    o('priorityClassName', 'string'),
    o('priority', '*int'),
    o('dnsConfig', '*PodDNSConfig'),
    o('readinessGates', '[]PodReadinessGate'),
    o('runtimeClassName', '*string'),
    o('enableServiceLinks', '*bool'),
    o('preemptionPolicy', '*string'),
    o('overhead', 'map[]quantity'),
    o('topologySpreadConstraints', '[]TopologySpreadConstraint'),
    o('setHostnameAsFQDN', '*bool'),
    o('os', '*PodOS'),
    o('hostUsers', '*bool'),
    o('schedulingGates', '[]PodSchedulingGate'),
    o('resourceClaims', '[]PodResourceClaim'),
    o('resources', '*ResourceRequirements', { since: 32 }),
    o('hostnameOverride', '*string', { since: 34 }),
    o('workloadRef', '*WorkloadReference', { since: 35 }),
  ],
  Volume: [r('name', 'string'), inl('VolumeSource')],
  VolumeSource: [
    o('hostPath', '*HostPathVolumeSource'),
    o('emptyDir', '*EmptyDirVolumeSource'),
    o('gcePersistentDisk', '*GCEPersistentDiskVolumeSource'),
    o('awsElasticBlockStore', '*AWSElasticBlockStoreVolumeSource'),
    o('gitRepo', '*GitRepoVolumeSource'),
    o('secret', '*SecretVolumeSource'),
    o('nfs', '*NFSVolumeSource'),
    o('iscsi', '*ISCSIVolumeSource'),
    o('glusterfs', '*GlusterfsVolumeSource'),
    o('persistentVolumeClaim', '*PersistentVolumeClaimVolumeSource'),
    o('rbd', '*RBDVolumeSource'),
    o('flexVolume', '*FlexVolumeSource'),
    o('cinder', '*CinderVolumeSource'),
    o('cephfs', '*CephFSVolumeSource'),
    o('flocker', '*FlockerVolumeSource'),
    o('downwardAPI', '*DownwardAPIVolumeSource'),
    o('fc', '*FCVolumeSource'),
    o('azureFile', '*AzureFileVolumeSource'),
    o('configMap', '*ConfigMapVolumeSource'),
    o('vsphereVolume', '*VsphereVirtualDiskVolumeSource'),
    o('quobyte', '*QuobyteVolumeSource'),
    o('azureDisk', '*AzureDiskVolumeSource'),
    o('photonPersistentDisk', '*PhotonPersistentDiskVolumeSource'),
    o('projected', '*ProjectedVolumeSource'),
    o('portworxVolume', '*PortworxVolumeSource'),
    o('scaleIO', '*ScaleIOVolumeSource'),
    o('storageos', '*StorageOSVolumeSource'),
    o('csi', '*CSIVolumeSource'),
    o('ephemeral', '*EphemeralVolumeSource'),
    o('image', '*ImageVolumeSource', { since: 31 }),
  ],
  HostPathVolumeSource: [r('path', 'string'), o('type', '*string')],
  EmptyDirVolumeSource: [o('medium', 'string'), o('sizeLimit', '*quantity')],
  GCEPersistentDiskVolumeSource: [
    r('pdName', 'string'),
    o('fsType', 'string'),
    o('partition', 'int'),
    o('readOnly', 'bool'),
  ],
  AWSElasticBlockStoreVolumeSource: [
    r('volumeID', 'string'),
    o('fsType', 'string'),
    o('partition', 'int'),
    o('readOnly', 'bool'),
  ],
  GitRepoVolumeSource: [
    r('repository', 'string'),
    o('revision', 'string'),
    o('directory', 'string'),
  ],
  SecretVolumeSource: [
    o('secretName', 'string'),
    o('items', '[]KeyToPath'),
    o('defaultMode', '*int'),
    o('optional', '*bool'),
  ],
  NFSVolumeSource: [r('server', 'string'), r('path', 'string'), o('readOnly', 'bool')],
  ISCSIVolumeSource: [
    r('targetPortal', 'string'),
    r('iqn', 'string'),
    r('lun', 'int'),
    o('iscsiInterface', 'string'),
    o('fsType', 'string'),
    o('readOnly', 'bool'),
    o('portals', '[]string'),
    o('chapAuthDiscovery', 'bool'),
    o('chapAuthSession', 'bool'),
    o('secretRef', '*LocalObjectReference'),
    o('initiatorName', '*string'),
  ],
  GlusterfsVolumeSource: [r('endpoints', 'string'), r('path', 'string'), o('readOnly', 'bool')],
  PersistentVolumeClaimVolumeSource: [r('claimName', 'string'), o('readOnly', 'bool')],
  RBDVolumeSource: [
    r('monitors', '[]string'),
    r('image', 'string'),
    o('fsType', 'string'),
    o('pool', 'string'),
    o('user', 'string'),
    o('keyring', 'string'),
    o('secretRef', '*LocalObjectReference'),
    o('readOnly', 'bool'),
  ],
  FlexVolumeSource: [
    r('driver', 'string'),
    o('fsType', 'string'),
    o('secretRef', '*LocalObjectReference'),
    o('readOnly', 'bool'),
    o('options', 'map[]string'),
  ],
  CinderVolumeSource: [
    r('volumeID', 'string'),
    o('fsType', 'string'),
    o('readOnly', 'bool'),
    o('secretRef', '*LocalObjectReference'),
  ],
  CephFSVolumeSource: [
    r('monitors', '[]string'),
    o('path', 'string'),
    o('user', 'string'),
    o('secretFile', 'string'),
    o('secretRef', '*LocalObjectReference'),
    o('readOnly', 'bool'),
  ],
  FlockerVolumeSource: [o('datasetName', 'string'), o('datasetUUID', 'string')],
  DownwardAPIVolumeSource: [o('items', '[]DownwardAPIVolumeFile'), o('defaultMode', '*int')],
  DownwardAPIVolumeFile: [
    r('path', 'string'),
    o('fieldRef', '*ObjectFieldSelector'),
    o('resourceFieldRef', '*ResourceFieldSelector'),
    o('mode', '*int'),
  ],
  DownwardAPIProjection: [o('items', '[]DownwardAPIVolumeFile')],
  FCVolumeSource: [
    o('targetWWNs', '[]string'),
    o('lun', '*int'),
    o('fsType', 'string'),
    o('readOnly', 'bool'),
    o('wwids', '[]string'),
  ],
  AzureFileVolumeSource: [
    r('secretName', 'string'),
    r('shareName', 'string'),
    o('readOnly', 'bool'),
  ],
  ConfigMapVolumeSource: [
    inl('LocalObjectReference'),
    o('items', '[]KeyToPath'),
    o('defaultMode', '*int'),
    o('optional', '*bool'),
  ],
  VsphereVirtualDiskVolumeSource: [
    r('volumePath', 'string'),
    o('fsType', 'string'),
    o('storagePolicyName', 'string'),
    o('storagePolicyID', 'string'),
  ],
  QuobyteVolumeSource: [
    r('registry', 'string'),
    r('volume', 'string'),
    o('readOnly', 'bool'),
    o('user', 'string'),
    o('group', 'string'),
    o('tenant', 'string'),
  ],
  AzureDiskVolumeSource: [
    r('diskName', 'string'),
    r('diskURI', 'string'),
    o('cachingMode', '*string'),
    o('fsType', '*string'),
    o('readOnly', '*bool'),
    o('kind', '*string'),
  ],
  PhotonPersistentDiskVolumeSource: [r('pdID', 'string'), o('fsType', 'string')],
  ProjectedVolumeSource: [r('sources', '[]VolumeProjection'), o('defaultMode', '*int')],
  VolumeProjection: [
    o('secret', '*SecretProjection'),
    o('downwardAPI', '*DownwardAPIProjection'),
    o('configMap', '*ConfigMapProjection'),
    o('serviceAccountToken', '*ServiceAccountTokenProjection'),
    o('clusterTrustBundle', '*ClusterTrustBundleProjection'),
    o('podCertificate', '*PodCertificateProjection', { since: 34 }),
  ],
  SecretProjection: [
    inl('LocalObjectReference'),
    o('items', '[]KeyToPath'),
    o('optional', '*bool'),
  ],
  ConfigMapProjection: [
    inl('LocalObjectReference'),
    o('items', '[]KeyToPath'),
    o('optional', '*bool'),
  ],
  ServiceAccountTokenProjection: [
    o('audience', 'string'),
    o('expirationSeconds', '*int'),
    r('path', 'string'),
  ],
  ClusterTrustBundleProjection: [
    o('name', '*string'),
    o('signerName', '*string'),
    o('labelSelector', '*LabelSelector'),
    o('optional', '*bool'),
    r('path', 'string'),
  ],
  PodCertificateProjection: [
    o('signerName', 'string'),
    o('keyType', 'string'),
    o('maxExpirationSeconds', '*int'),
    o('credentialBundlePath', 'string'),
    o('keyPath', 'string'),
    o('certificateChainPath', 'string'),
    o('userAnnotations', 'map[]string'),
  ],
  PortworxVolumeSource: [r('volumeID', 'string'), o('fsType', 'string'), o('readOnly', 'bool')],
  ScaleIOVolumeSource: [
    r('gateway', 'string'),
    r('system', 'string'),
    r('secretRef', '*LocalObjectReference'),
    o('sslEnabled', 'bool'),
    o('protectionDomain', 'string'),
    o('storagePool', 'string'),
    o('storageMode', 'string'),
    o('volumeName', 'string'),
    o('fsType', 'string'),
    o('readOnly', 'bool'),
  ],
  StorageOSVolumeSource: [
    o('volumeName', 'string'),
    o('volumeNamespace', 'string'),
    o('fsType', 'string'),
    o('readOnly', 'bool'),
    o('secretRef', '*LocalObjectReference'),
  ],
  CSIVolumeSource: [
    r('driver', 'string'),
    o('readOnly', '*bool'),
    o('fsType', '*string'),
    o('volumeAttributes', 'map[]string'),
    o('nodePublishSecretRef', '*LocalObjectReference'),
  ],
  EphemeralVolumeSource: [o('volumeClaimTemplate', '*PersistentVolumeClaimTemplate')],
  PersistentVolumeClaimTemplate: [
    o('metadata', 'ObjectMeta'),
    r('spec', 'PersistentVolumeClaimSpec'),
  ],
  PersistentVolumeClaimSpec: [
    o('accessModes', '[]string'),
    o('selector', '*LabelSelector'),
    o('resources', 'VolumeResourceRequirements'),
    o('volumeName', 'string'),
    o('storageClassName', '*string'),
    o('volumeMode', '*string'),
    o('dataSource', '*TypedLocalObjectReference'),
    o('dataSourceRef', '*TypedObjectReference'),
    o('volumeAttributesClassName', '*string'),
  ],
  VolumeResourceRequirements: [o('limits', 'map[]quantity'), o('requests', 'map[]quantity')],
  TypedLocalObjectReference: [r('apiGroup', '*string'), r('kind', 'string'), r('name', 'string')],
  TypedObjectReference: [
    r('apiGroup', '*string'),
    r('kind', 'string'),
    r('name', 'string'),
    o('namespace', '*string'),
  ],
  ImageVolumeSource: [o('reference', 'string'), o('pullPolicy', 'string')],
  KeyToPath: [r('key', 'string'), r('path', 'string'), o('mode', '*int')],
  LocalObjectReference: [o('name', 'string')],

  Container: CONTAINER_FIELDS,
  EphemeralContainer: [...CONTAINER_FIELDS, o('targetContainerName', 'string')],
  ContainerPort: [
    o('name', 'string'),
    o('hostPort', 'int'),
    r('containerPort', 'int'),
    o('protocol', 'string'),
    o('hostIP', 'string'),
  ],
  EnvFromSource: [
    o('prefix', 'string'),
    o('configMapRef', '*ConfigMapEnvSource'),
    o('secretRef', '*SecretEnvSource'),
  ],
  ConfigMapEnvSource: [inl('LocalObjectReference'), o('optional', '*bool')],
  SecretEnvSource: [inl('LocalObjectReference'), o('optional', '*bool')],
  EnvVar: [r('name', 'string'), o('value', 'string'), o('valueFrom', '*EnvVarSource')],
  EnvVarSource: [
    o('fieldRef', '*ObjectFieldSelector'),
    o('resourceFieldRef', '*ResourceFieldSelector'),
    o('configMapKeyRef', '*ConfigMapKeySelector'),
    o('secretKeyRef', '*SecretKeySelector'),
    o('fileKeyRef', '*FileKeySelector', { since: 34 }),
  ],
  FileKeySelector: [
    r('volumeName', 'string'),
    r('path', 'string'),
    r('key', 'string'),
    o('optional', '*bool'),
  ],
  ObjectFieldSelector: [o('apiVersion', 'string'), r('fieldPath', 'string')],
  ResourceFieldSelector: [
    o('containerName', 'string'),
    r('resource', 'string'),
    o('divisor', 'quantity'),
  ],
  ConfigMapKeySelector: [inl('LocalObjectReference'), r('key', 'string'), o('optional', '*bool')],
  SecretKeySelector: [inl('LocalObjectReference'), r('key', 'string'), o('optional', '*bool')],
  ResourceRequirements: [
    o('limits', 'map[]quantity'),
    o('requests', 'map[]quantity'),
    o('claims', '[]ResourceClaim'),
  ],
  ResourceClaim: [r('name', 'string'), o('request', 'string', { since: 31 })],
  ContainerResizePolicy: [r('resourceName', 'string'), r('restartPolicy', 'string')],
  ContainerRestartRule: [o('action', 'string'), o('exitCodes', '*ContainerRestartRuleOnExitCodes')],
  ContainerRestartRuleOnExitCodes: [o('operator', 'string'), o('values', '[]int')],
  VolumeMount: [
    r('name', 'string'),
    o('readOnly', 'bool'),
    o('recursiveReadOnly', '*string', { since: 30 }),
    r('mountPath', 'string'),
    o('subPath', 'string'),
    o('mountPropagation', '*string'),
    o('subPathExpr', 'string'),
  ],
  VolumeDevice: [r('name', 'string'), r('devicePath', 'string')],
  Probe: [
    inl('ProbeHandler'),
    o('initialDelaySeconds', 'int'),
    o('timeoutSeconds', 'int'),
    o('periodSeconds', 'int'),
    o('successThreshold', 'int'),
    o('failureThreshold', 'int'),
    o('terminationGracePeriodSeconds', '*int'),
  ],
  ProbeHandler: [
    o('exec', '*ExecAction'),
    o('httpGet', '*HTTPGetAction'),
    o('tcpSocket', '*TCPSocketAction'),
    o('grpc', '*GRPCAction'),
  ],
  ExecAction: [o('command', '[]string')],
  HTTPGetAction: [
    o('path', 'string'),
    r('port', 'intOrString'),
    o('host', 'string'),
    o('scheme', 'string'),
    o('httpHeaders', '[]HTTPHeader'),
  ],
  HTTPHeader: [r('name', 'string'), r('value', 'string')],
  TCPSocketAction: [r('port', 'intOrString'), o('host', 'string')],
  GRPCAction: [r('port', 'int'), r('service', '*string')],
  Lifecycle: [
    o('postStart', '*LifecycleHandler'),
    o('preStop', '*LifecycleHandler'),
    o('stopSignal', '*string', { since: 33 }),
  ],
  LifecycleHandler: [
    o('exec', '*ExecAction'),
    o('httpGet', '*HTTPGetAction'),
    o('tcpSocket', '*TCPSocketAction'),
    o('sleep', '*SleepAction'),
  ],
  SleepAction: [r('seconds', 'int')],
  SecurityContext: [
    o('capabilities', '*Capabilities'),
    o('privileged', '*bool'),
    o('seLinuxOptions', '*SELinuxOptions'),
    o('windowsOptions', '*WindowsSecurityContextOptions'),
    o('runAsUser', '*int'),
    o('runAsGroup', '*int'),
    o('runAsNonRoot', '*bool'),
    o('readOnlyRootFilesystem', '*bool'),
    o('allowPrivilegeEscalation', '*bool'),
    o('procMount', '*string'),
    o('seccompProfile', '*SeccompProfile'),
    o('appArmorProfile', '*AppArmorProfile', { since: 30 }),
  ],
  Capabilities: [o('add', '[]string'), o('drop', '[]string')],
  SELinuxOptions: [
    o('user', 'string'),
    o('role', 'string'),
    o('type', 'string'),
    o('level', 'string'),
  ],
  WindowsSecurityContextOptions: [
    o('gmsaCredentialSpecName', '*string'),
    o('gmsaCredentialSpec', '*string'),
    o('runAsUserName', '*string'),
    o('hostProcess', '*bool'),
  ],
  SeccompProfile: [r('type', 'string'), o('localhostProfile', '*string')],
  AppArmorProfile: [r('type', 'string'), o('localhostProfile', '*string')],
  PodSecurityContext: [
    o('seLinuxOptions', '*SELinuxOptions'),
    o('windowsOptions', '*WindowsSecurityContextOptions'),
    o('runAsUser', '*int'),
    o('runAsGroup', '*int'),
    o('runAsNonRoot', '*bool'),
    o('supplementalGroups', '[]int'),
    o('supplementalGroupsPolicy', '*string', { since: 31 }),
    o('fsGroup', '*int'),
    o('sysctls', '[]Sysctl'),
    o('fsGroupChangePolicy', '*string'),
    o('seccompProfile', '*SeccompProfile'),
    o('appArmorProfile', '*AppArmorProfile', { since: 30 }),
    o('seLinuxChangePolicy', '*string', { since: 32 }),
  ],
  Sysctl: [r('name', 'string'), r('value', 'string')],
  Affinity: [
    o('nodeAffinity', '*NodeAffinity'),
    o('podAffinity', '*PodAffinity'),
    o('podAntiAffinity', '*PodAntiAffinity'),
  ],
  NodeAffinity: [
    o('requiredDuringSchedulingIgnoredDuringExecution', '*NodeSelector'),
    o('preferredDuringSchedulingIgnoredDuringExecution', '[]PreferredSchedulingTerm'),
  ],
  NodeSelector: [r('nodeSelectorTerms', '[]NodeSelectorTerm')],
  NodeSelectorTerm: [
    o('matchExpressions', '[]NodeSelectorRequirement'),
    o('matchFields', '[]NodeSelectorRequirement'),
  ],
  NodeSelectorRequirement: [r('key', 'string'), r('operator', 'string'), o('values', '[]string')],
  PreferredSchedulingTerm: [r('weight', 'int'), r('preference', 'NodeSelectorTerm')],
  PodAffinity: POD_AFFINITY_FIELDS,
  PodAntiAffinity: POD_AFFINITY_FIELDS,
  WeightedPodAffinityTerm: [r('weight', 'int'), r('podAffinityTerm', 'PodAffinityTerm')],
  PodAffinityTerm: [
    o('labelSelector', '*LabelSelector'),
    o('namespaces', '[]string'),
    r('topologyKey', 'string'),
    o('namespaceSelector', '*LabelSelector'),
    o('matchLabelKeys', '[]string'),
    o('mismatchLabelKeys', '[]string'),
  ],
  Toleration: [
    o('key', 'string'),
    o('operator', 'string'),
    o('value', 'string'),
    o('effect', 'string'),
    o('tolerationSeconds', '*int'),
  ],
  // `ip` is `json:"ip,omitempty"` in the 1.29 library (later `json:"ip"`); identical for any valid alias.
  HostAlias: [o('ip', 'string'), o('hostnames', '[]string')],
  PodDNSConfig: [
    o('nameservers', '[]string'),
    o('searches', '[]string'),
    o('options', '[]PodDNSConfigOption'),
  ],
  PodDNSConfigOption: [o('name', 'string'), o('value', '*string')],
  PodReadinessGate: [r('conditionType', 'string')],
  TopologySpreadConstraint: [
    r('maxSkew', 'int'),
    r('topologyKey', 'string'),
    r('whenUnsatisfiable', 'string'),
    o('labelSelector', '*LabelSelector'),
    o('minDomains', '*int'),
    o('nodeAffinityPolicy', '*string'),
    o('nodeTaintsPolicy', '*string'),
    o('matchLabelKeys', '[]string'),
  ],
  PodOS: [r('name', 'string')],
  PodSchedulingGate: [r('name', 'string')],
  // 1.29–1.30: {name, source: ClaimSource}; 1.31+: source tombstoned, its fields inlined.
  PodResourceClaim: [
    r('name', 'string'),
    o('source', 'ClaimSource', { until: 30 }),
    o('resourceClaimName', '*string', { since: 31 }),
    o('resourceClaimTemplateName', '*string', { since: 31 }),
  ],
  ClaimSource: [o('resourceClaimName', '*string'), o('resourceClaimTemplateName', '*string')],
  WorkloadReference: [
    r('name', 'string'),
    r('podGroup', 'string'),
    o('podGroupReplicaKey', 'string'),
  ],

  // ---- github.com/argoproj/argo-rollouts pkg/apis/rollouts/v1alpha1 (v1.8)
  CanaryStep: [
    o('setWeight', '*int'),
    o('pause', '*RolloutPause'),
    o('experiment', '*RolloutExperimentStep'),
    o('analysis', '*RolloutAnalysis'),
    o('setCanaryScale', '*SetCanaryScale'),
    o('setHeaderRoute', '*SetHeaderRoute'),
    o('setMirrorRoute', '*SetMirrorRoute'),
    o('plugin', '*PluginStep'),
  ],
  RolloutPause: [o('duration', '*intOrString')],
  RolloutExperimentStep: [
    r('templates', '[]RolloutExperimentTemplate'),
    o('duration', 'string'),
    o('analyses', '[]RolloutExperimentStepAnalysisTemplateRef'),
    o('dryRun', '[]DryRun'),
    o('analysisRunMetadata', 'AnalysisRunMetadata'),
  ],
  RolloutExperimentTemplate: [
    r('name', 'string'),
    r('specRef', 'string'),
    o('replicas', '*int'),
    o('metadata', 'PodTemplateMetadata'),
    o('selector', '*LabelSelector'),
    o('weight', '*int'),
    o('service', '*TemplateService'),
  ],
  TemplateService: [o('name', 'string')],
  PodTemplateMetadata: [o('labels', 'map[]string'), o('annotations', 'map[]string')],
  AnalysisRunMetadata: [o('labels', 'map[]string'), o('annotations', 'map[]string')],
  RolloutExperimentStepAnalysisTemplateRef: [
    r('name', 'string'),
    r('templateName', 'string'),
    o('clusterScope', 'bool'),
    o('args', '[]AnalysisRunArgument'),
    o('requiredForCompletion', 'bool'),
  ],
  DryRun: [r('metricName', 'string')],
  MeasurementRetention: [r('metricName', 'string'), r('limit', 'int')],
  RolloutAnalysis: [
    o('templates', '[]RolloutAnalysisTemplate'),
    o('args', '[]AnalysisRunArgument'),
    o('dryRun', '[]DryRun'),
    o('measurementRetention', '[]MeasurementRetention'),
    o('analysisRunMetadata', 'AnalysisRunMetadata'),
  ],
  RolloutAnalysisTemplate: [r('templateName', 'string'), o('clusterScope', 'bool')],
  AnalysisRunArgument: [
    r('name', 'string'),
    o('value', 'string'),
    o('valueFrom', '*ArgumentValueFrom'),
  ],
  ArgumentValueFrom: [o('podTemplateHashValue', '*string'), o('fieldRef', '*FieldRef')],
  FieldRef: [r('fieldPath', 'string')],
  SetCanaryScale: [o('weight', '*int'), o('replicas', '*int'), o('matchTrafficWeight', 'bool')],
  SetHeaderRoute: [o('name', 'string'), o('match', '[]HeaderRoutingMatch')],
  HeaderRoutingMatch: [r('headerName', 'string'), r('headerValue', '*StringMatch')],
  StringMatch: [o('exact', 'string'), o('prefix', 'string'), o('regex', 'string')],
  SetMirrorRoute: [r('name', 'string'), o('match', '[]RouteMatch'), o('percentage', '*int')],
  RouteMatch: [
    o('method', '*StringMatch'),
    o('path', '*StringMatch'),
    o('headers', 'map[]StringMatch'),
  ],
  // `config` is a json.RawMessage: written as the sorted-key JSON the API server delivered.
  PluginStep: [r('name', 'string'), o('config', 'raw')],
};

const SCALARS = new Set(['string', 'int', 'bool', 'quantity', 'intOrString', 'time', 'raw']);
const typeCache = new Map<string, GoType>();

function parseType(ref: string): GoType {
  const cached = typeCache.get(ref);
  if (cached) return cached;
  let t: GoType;
  if (ref.startsWith('*')) t = { kind: 'ptr', elem: parseType(ref.slice(1)) };
  else if (ref.startsWith('[]')) t = { kind: 'slice', elem: parseType(ref.slice(2)) };
  else if (ref.startsWith('map[]')) t = { kind: 'map', elem: parseType(ref.slice(5)) };
  else if (SCALARS.has(ref)) t = { kind: ref as 'string' };
  else if (STRUCTS[ref]) t = { kind: 'struct', name: ref };
  else throw new Error(`go-json: unknown type ${ref}`);
  typeCache.set(ref, t);
  return t;
}

interface FlatField {
  name: string;
  type: GoType;
  def: FieldDef;
}

const flatCache = new Map<string, FlatField[]>();

/** Struct fields in Go order with embedded (inline) structs' fields promoted in place. */
function structFields(name: string): FlatField[] {
  const cached = flatCache.get(name);
  if (cached) return cached;
  const defs = STRUCTS[name];
  if (!defs) throw new Error(`go-json: unknown struct ${name}`);
  const out: FlatField[] = [];
  for (const def of defs) {
    if (def.inline) out.push(...structFields(def.type));
    else out.push({ name: def.name, type: parseType(def.type), def });
  }
  flatCache.set(name, out);
  return out;
}

function fieldPresent(def: FieldDef, minor: number): boolean {
  return (
    (def.since === undefined || minor >= def.since) &&
    (def.until === undefined || minor <= def.until)
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// Strings, numbers, free-form JSON

const HEX = '0123456789abcdef';

/** A JSON string literal exactly as Go's encoding/json writes it (HTML escaping on). */
export function goJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else out += '\ufffd'; // Go's decoder already turned a lone surrogate into U+FFFD
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\ufffd';
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x3c:
      case 0x3e:
      case 0x26:
      case 0x2028:
      case 0x2029:
        out += '\\u' + c.toString(16).padStart(4, '0');
        break;
      default:
        if (c < 0x20) out += '\\u00' + HEX[c >> 4]! + HEX[c & 0xf]!;
        else out += s[i]!;
    }
  }
  return out + '"';
}

/** Go's float64 formatting ('f' in [1e-6, 1e21), shortest 'e' otherwise) — JS agrees on both. */
function goNumber(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  if (Object.is(n, -0)) return '-0';
  return String(n);
}

/** Byte-wise (UTF-8) order, which is code-point order — Go's map-key sort. */
export function compareGoStrings(a: string, b: string): number {
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

function sortedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort(compareGoStrings);
}

/**
 * Free-form JSON as Go writes `map[string]interface{}` / a json.RawMessage received from the API
 * server: object keys sorted, Go string escaping, Go number formatting. Used for `PluginStep.config`
 * and as the fallback for anything without a typed model.
 */
export function goJsonAny(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return '[' + v.map(goJsonAny).join(',') + ']';
  if (isObject(v)) {
    return (
      '{' +
      sortedKeys(v)
        .filter((k) => v[k] !== undefined)
        .map((k) => goJsonString(k) + ':' + goJsonAny(v[k]))
        .join(',') +
      '}'
    );
  }
  return 'null';
}

// ---------------------------------------------------------------------------------------------
// resource.Quantity (k8s.io/apimachinery/pkg/api/resource/quantity.go)

/** value = unscaled × 10^scale. `s` is the input string when Go would cache (and re-emit) it. */
export interface Quantity {
  unscaled: bigint;
  scale: number;
  format: QuantityFormat;
  s?: string;
}

const DEC_SUFFIX: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BIN_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DEC_BY_EXP = new Map(Object.entries(DEC_SUFFIX).map(([k, v]) => [v, k]));
const BIN_BY_EXP = new Map(Object.entries(BIN_SUFFIX).map(([k, v]) => [v, k]));
BIN_BY_EXP.set(0, '');
const INT64_MAX = (1n << 63n) - 1n;
const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';

interface QuantityParts {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

/** Port of parseQuantityString. */
function parseQuantityParts(str: string): QuantityParts | undefined {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') pos++;
  for (;;) {
    if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
    if (str[pos] !== '0') break;
    pos++;
  }
  let num: string;
  let i = pos;
  for (;;) {
    if (i >= end) return { positive, value: str, num: str.slice(pos), denom: '', suffix: '' };
    if (!isDigit(str[i])) break;
    i++;
  }
  num = str.slice(pos, i);
  pos = i;
  if (num.length === 0) num = '0';
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    let j = pos;
    for (;;) {
      if (j >= end) return { positive, value: str, num, denom: str.slice(pos), suffix: '' };
      if (!isDigit(str[j])) break;
      j++;
    }
    denom = str.slice(pos, j);
    pos = j;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  for (let j = pos; ; j++) {
    if (j >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
    if (!'eEinumkKMGTP'.includes(str[j]!)) {
      pos = j;
      break;
    }
  }
  if (str[pos] === '-' || str[pos] === '+') pos++;
  for (let j = pos; ; j++) {
    if (j >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
    if (!isDigit(str[j])) return undefined;
  }
}

function interpretSuffix(
  suffix: string,
): { base: 10 | 2; exponent: number; format: QuantityFormat } | undefined {
  const dec = DEC_SUFFIX[suffix];
  if (dec !== undefined && Object.hasOwn(DEC_SUFFIX, suffix))
    return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = BIN_SUFFIX[suffix];
  if (bin !== undefined && Object.hasOwn(BIN_SUFFIX, suffix))
    return { base: 2, exponent: bin, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const rest = suffix.slice(1);
    if (!/^[+-]?\d+$/.test(rest)) return undefined;
    return { base: 10, exponent: Number(rest), format: 'DecimalExponent' };
  }
  return undefined;
}

function parseDecimal(s: string): { unscaled: bigint; scale: number } {
  let sign = 1n;
  let t = s;
  if (t.startsWith('-')) {
    sign = -1n;
    t = t.slice(1);
  } else if (t.startsWith('+')) t = t.slice(1);
  const dot = t.indexOf('.');
  const intPart = dot >= 0 ? t.slice(0, dot) : t;
  const frac = dot >= 0 ? t.slice(dot + 1) : '';
  return {
    unscaled: sign * BigInt((intPart + frac).replace(/^0+(?=\d)/, '') || '0'),
    scale: -frac.length,
  };
}

/** Compare |unscaled×10^scale| with an integer. */
function cmpInt(unscaled: bigint, scale: number, n: bigint): number {
  const [a, b] =
    scale >= 0 ? [unscaled * 10n ** BigInt(scale), n] : [unscaled, n * 10n ** BigInt(-scale)];
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Port of resource.ParseQuantity (as used by Quantity.UnmarshalJSON). Undefined when Go would reject it. */
export function parseQuantity(input: string | number): Quantity | undefined {
  const str = typeof input === 'number' ? goNumber(input) : input.trim();
  if (str.length === 0) return undefined;
  if (str === '0') return { unscaled: 0n, scale: 0, format: 'DecimalSI', s: '0' };
  const p = parseQuantityParts(str);
  if (!p) return undefined;
  const interp = interpretSuffix(p.suffix);
  if (!interp) return undefined;
  const { base, exponent, format } = interp;
  let precision: number;
  let scale: number;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    scale = 0;
    if (exponent >= 0 && p.denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - p.num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else precision = -1;
  } else {
    scale = exponent;
    precision = 18 - (p.num.length + p.denom.length);
  }
  if (precision >= 0) {
    scale -= p.denom.length;
    if (scale >= -9) {
      const shifted = p.num + p.denom;
      const value = BigInt(shifted);
      const result = value * mantissa;
      if (result <= INT64_MAX) {
        const q: Quantity = { unscaled: p.positive ? result : -result, scale, format };
        // Go keeps the input string when it is already in canonical form and re-emits it.
        if (format === 'BinarySI') {
          if (exponent % 10 === 0 && (value & 7n) !== 0n) q.s = str;
        } else if (scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0') q.s = str;
        return q;
      }
    }
  }
  // Arbitrary-precision path (inf.Dec): exact value, rounded up to nano units.
  let { unscaled, scale: sc } = parseDecimal(p.value);
  if (base === 10) sc += exponent;
  else unscaled *= 1n << BigInt(exponent);
  const negative = unscaled < 0n;
  if (negative) unscaled = -unscaled;
  if (unscaled !== 0n && sc < -9) {
    const d = 10n ** BigInt(-9 - sc);
    unscaled = (unscaled + d - 1n) / d;
    sc = -9;
  }
  let fmt = format;
  if (fmt === 'BinarySI' && cmpInt(unscaled, sc, INT64_MAX) > 0) {
    unscaled = INT64_MAX;
    sc = 0;
  }
  if (fmt === 'BinarySI' && unscaled !== 0n && cmpInt(unscaled, sc, 1n) < 0) fmt = 'DecimalSI';
  return { unscaled: negative ? -unscaled : unscaled, scale: sc, format: fmt };
}

function removeFactors(value: bigint, base: bigint): [bigint, number] {
  let times = 0;
  const negative = value < 0n;
  let result = negative ? -value : value;
  while (result >= base && result % base === 0n) {
    times++;
    result /= base;
  }
  return [negative ? -result : result, times];
}

/** Port of Quantity.MarshalJSON: the cached input string if canonical, else CanonicalizeBytes. */
export function quantityToString(q: Quantity): string {
  if (q.s !== undefined) return q.s;
  if (q.unscaled === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const abs = q.unscaled < 0n ? -q.unscaled : q.unscaled;
    const isInteger = q.scale >= 0 || q.unscaled % 10n ** BigInt(-q.scale) === 0n;
    if (cmpInt(abs, q.scale, 1024n) < 0 || !isInteger) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    const integer =
      q.scale >= 0 ? q.unscaled * 10n ** BigInt(q.scale) : q.unscaled / 10n ** BigInt(-q.scale);
    const [amount, times] = removeFactors(integer, 1024n);
    return `${amount}${BIN_BY_EXP.get(times * 10) ?? ''}`;
  }
  const [mantissa, times] = removeFactors(q.unscaled, 10n);
  let amount = mantissa;
  let exp = q.scale + times;
  const rem = ((exp % 3) + 3) % 3;
  if (rem === 1) {
    amount *= 10n;
    exp -= 1;
  } else if (rem === 2) {
    amount *= 100n;
    exp -= 2;
  }
  if (format === 'DecimalExponent') return exp === 0 ? `${amount}` : `${amount}e${exp}`;
  // Exponents outside n…E cannot come from a realistic resource value; Go would print no suffix,
  // we print an exponent so the value at least stays right.
  return `${amount}${DEC_BY_EXP.get(exp) ?? `e${exp}`}`;
}

/** The string Go writes for a quantity given as JSON string or number (`0.5` → `500m`). */
export function canonicalQuantity(input: string | number): string {
  const q = parseQuantity(input);
  return q ? quantityToString(q) : String(input);
}

/** A key equal for equal values (Quantity.Cmp == 0), whatever the format. */
export function quantityValueKey(q: Quantity): string {
  if (q.unscaled === 0n) return '0';
  const [u, t] = removeFactors(q.unscaled, 10n);
  return `${u}e${q.scale + t}`;
}

/** Quantity.RoundUp(-3) as SetDefaults_ResourceList applies it (away from zero). */
export function roundUpToMilli(q: Quantity): Quantity {
  if (q.scale >= -3) return q;
  const d = 10n ** BigInt(-3 - q.scale);
  const negative = q.unscaled < 0n;
  const abs = negative ? -q.unscaled : q.unscaled;
  const rounded = (abs + d - 1n) / d;
  return { unscaled: negative ? -rounded : rounded, scale: -3, format: q.format };
}

// ---------------------------------------------------------------------------------------------
// metav1.Time

/** RFC3339 in UTC at second precision, as metav1.Time.MarshalJSON writes it; undefined for zero. */
function goTime(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return undefined;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

// ---------------------------------------------------------------------------------------------
// Marshal

interface Ctx {
  minor: number;
  omitZeroCreationTimestamp: boolean;
}

function nilish(v: unknown): boolean {
  return v === undefined || v === null;
}

/** Go's omitempty test on the value the JSON decodes to. */
function isEmptyValue(t: GoType, v: unknown): boolean {
  switch (t.kind) {
    case 'string':
      return typeof v !== 'string' || v === '';
    case 'int':
      return typeof v !== 'number' || Math.trunc(v) === 0;
    case 'bool':
      return v !== true;
    case 'ptr':
      return nilish(v);
    case 'slice':
      return !Array.isArray(v) || v.length === 0;
    case 'map':
      return !isObject(v) || Object.keys(v).length === 0;
    case 'raw':
      return v === undefined || v === null;
    default:
      return false; // struct, quantity, intOrString, time: non-pointer structs are never empty
  }
}

function marshal(t: GoType, v: unknown, ctx: Ctx): string {
  switch (t.kind) {
    case 'string':
      return goJsonString(typeof v === 'string' ? v : '');
    case 'int':
      return typeof v === 'number' && Number.isFinite(v) ? String(Math.trunc(v)) : '0';
    case 'bool':
      return v === true ? 'true' : 'false';
    case 'quantity':
      if (typeof v === 'string' || typeof v === 'number') return '"' + canonicalQuantity(v) + '"';
      return '"0"';
    case 'intOrString':
      if (typeof v === 'string') return goJsonString(v);
      return typeof v === 'number' && Number.isFinite(v) ? String(Math.trunc(v)) : '0';
    case 'time': {
      const ts = goTime(v);
      return ts === undefined ? 'null' : `"${ts}"`;
    }
    case 'raw':
      return goJsonAny(v);
    case 'ptr':
      return nilish(v) ? 'null' : marshal(t.elem, v, ctx);
    case 'slice':
      return Array.isArray(v)
        ? '[' + v.map((e) => marshal(t.elem, e, ctx)).join(',') + ']'
        : 'null';
    case 'map':
      if (!isObject(v)) return 'null';
      return (
        '{' +
        sortedKeys(v)
          .map((k) => goJsonString(k) + ':' + marshal(t.elem, v[k], ctx))
          .join(',') +
        '}'
      );
    case 'struct':
      return marshalStruct(t.name, v, ctx);
  }
}

function marshalStruct(name: string, v: unknown, ctx: Ctx): string {
  const obj = isObject(v) ? v : {};
  const parts: string[] = [];
  for (const f of structFields(name)) {
    if (!fieldPresent(f.def, ctx.minor)) continue;
    const value = obj[f.name];
    if (f.def.omitempty && isEmptyValue(f.type, value)) continue;
    if (f.def.omitZeroOpt && ctx.omitZeroCreationTimestamp && goTime(value) === undefined) continue;
    parts.push(goJsonString(f.name) + ':' + marshal(f.type, value, ctx));
  }
  return '{' + parts.join(',') + '}';
}

function ctxOf(opts: GoJsonOptions): Ctx {
  return {
    minor: opts.k8sMinor ?? 29,
    omitZeroCreationTimestamp: opts.omitZeroCreationTimestamp ?? false,
  };
}

/** `json.Marshal` of a value decoded into the named Go struct (see STRUCTS). */
export function goJsonMarshal(
  structName: string,
  value: unknown,
  opts: GoJsonOptions = {},
): string {
  return marshal(parseType(structName), value, ctxOf(opts));
}

/** `json.Marshal(&rollout.Spec.Template)` — the pod-template-hash input. */
export function goJsonPodTemplateSpec(template: unknown, opts: GoJsonOptions = {}): string {
  return marshalStruct('PodTemplateSpec', template, ctxOf(opts));
}

/** `json.Marshal(rollout.Spec.Strategy.Canary.Steps)` — absent/null is `null`, `[]` stays `[]`. */
export function goJsonCanarySteps(steps: unknown, opts: GoJsonOptions = {}): string {
  return marshal(parseType('[]CanaryStep'), steps, ctxOf(opts));
}

// ---------------------------------------------------------------------------------------------
// Typed canonical form for semantic comparison (apiequality.Semantic.DeepEqual on Go structs)

/**
 * The value as Go would hold it after decoding into `structName`, reduced to a plain JS value whose
 * deep equality matches `equality.Semantic.DeepEqual`: unknown fields dropped, zero scalars and
 * absent fields identical, nil and empty slices/maps identical, nil pointer ≠ pointer to zero,
 * quantities compared by value, IntOrString keeping its type. All fields of the newest library
 * are kept (no `since` filtering).
 */
export function goTypedCanonical(structName: string, value: unknown): unknown {
  return canonical(parseType(structName), value, true) ?? {};
}

/** Undefined means "the Go zero value" (only returned when keepZero is false). */
function canonical(t: GoType, v: unknown, keepZero: boolean): unknown {
  switch (t.kind) {
    case 'string': {
      const s = typeof v === 'string' ? v : '';
      return s === '' && !keepZero ? undefined : s;
    }
    case 'int': {
      const n = typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
      return n === 0 && !keepZero ? undefined : n;
    }
    case 'bool':
      return v !== true && !keepZero ? undefined : v === true;
    case 'quantity': {
      const q = typeof v === 'string' || typeof v === 'number' ? parseQuantity(v) : undefined;
      const key = q ? quantityValueKey(q) : nilish(v) ? '0' : `invalid:${String(v)}`;
      return key === '0' && !keepZero ? undefined : key;
    }
    case 'intOrString': {
      if (typeof v === 'string') return `s:${v}`;
      const n = typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
      return n === 0 && !keepZero ? undefined : `i:${n}`;
    }
    case 'time':
      return goTime(v) ?? (keepZero ? null : undefined);
    case 'raw':
      return nilish(v) ? (keepZero ? null : undefined) : goJsonAny(v);
    case 'ptr':
      return nilish(v) ? undefined : canonical(t.elem, v, true);
    case 'slice':
      if (!Array.isArray(v) || v.length === 0) return keepZero ? [] : undefined;
      return v.map((e) => canonical(t.elem, e, true));
    case 'map': {
      if (!isObject(v) || Object.keys(v).length === 0) return keepZero ? {} : undefined;
      const out: Record<string, unknown> = {};
      for (const k of sortedKeys(v)) out[k] = canonical(t.elem, v[k], true);
      return out;
    }
    case 'struct': {
      const obj = isObject(v) ? v : {};
      const out: Record<string, unknown> = {};
      for (const f of structFields(t.name)) {
        const c = canonical(f.type, obj[f.name], false);
        if (c !== undefined) out[f.name] = c;
      }
      return Object.keys(out).length === 0 && !keepZero ? undefined : out;
    }
  }
}
