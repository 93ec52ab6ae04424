// Server-side printing: the meta.k8s.io/v1 Table that kubectl asks for with
// `Accept: application/json;as=Table;…` (kubectl-wire.md §4). kubectl prints cells verbatim, so
// every cell is computed here the way kube-apiserver computes it:
//  * custom resources: apiextensions' tableconvertor (printer columns + JSONPath);
//  * built-ins: k8s.io/kubernetes/pkg/printers/internalversion, always with Wide=true, because
//    the server sends every column and kubectl hides priority>0 ones unless `-o wide`;
//  * Role/ClusterRole/CRD: apiserver's default convertor (Name, Created At).

import type { KubeObject, PrinterColumn, ResourceType } from '../registry/types.ts';
import { OBJECT_META_DESCRIPTIONS } from '../openapi/v3.ts';
import { ageCell, humanDuration, parseRfc3339 } from './age.ts';
import { jsonPathResults } from './jsonpath.ts';

export type TableColumnDefinition = {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
};

export type TableRowCondition = {
  type: string;
  status: string;
  reason?: string;
  message?: string;
};

export type TableRow = {
  cells: unknown[];
  conditions?: TableRowCondition[];
  /** PartialObjectMetadata, the full object, or null, per includeObject. */
  object: unknown;
};

export type Table = {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export type RenderTableOptions = {
  /** The `includeObject` query parameter; the apiserver's default is Metadata. */
  includeObject?: IncludeObject;
};

interface PrintedRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
}

interface Printer {
  columns: TableColumnDefinition[];
  print(obj: KubeObject, now: Date): PrintedRow;
}

// ---------------------------------------------------------------------------------------------
// Reading loosely typed JSON. Stored objects are plain JSON, possibly missing fields the real
// apiserver would have defaulted, so every read tolerates absence.

type Rec = Record<string, unknown>;

function rec(v: unknown): Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {};
}

function recs(v: unknown): Rec[] {
  return Array.isArray(v) ? (v as unknown[]).map(rec) : [];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function int(v: unknown, dflt = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : dflt;
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function nameOf(obj: KubeObject): string {
  return obj.metadata.name ?? '';
}

/** Milliseconds of a metav1.Time, or undefined for an absent/zero/unparsable one. */
function timeOf(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const t = parseRfc3339(v);
  return t === undefined || t === GO_ZERO_TIME_MS ? undefined : t;
}

const GO_ZERO_TIME_MS = -62135596800000;

/** printers' translateTimestampSince: `<unknown>` for an unset time. */
function since(v: unknown, now: Date): string {
  return ageCell(v, now) ?? '<unknown>';
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

/** labels.FormatLabels: `k=v` pairs sorted by key, `<none>` when empty. */
function formatLabels(m: unknown): string {
  const entries = Object.entries(rec(m))
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

/**
 * metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key, "" for a nil or
 * empty selector, undefined where Go returns an error.
 */
function labelSelectorString(sel: unknown): string | undefined {
  if (!isSet(sel)) return '';
  const s = rec(sel);
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(rec(s.matchLabels))) {
    reqs.push({ key: k, text: `${k}=${str(v)}` });
  }
  for (const e of recs(s.matchExpressions)) {
    const key = str(e.key);
    const values = Array.isArray(e.values) ? (e.values as unknown[]).map(str) : [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return undefined;
        reqs.push({
          key,
          text: `${key} ${e.operator === 'In' ? 'in' : 'notin'} (${[...values].sort().join(',')})`,
        });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) return undefined;
        reqs.push({ key, text: e.operator === 'Exists' ? key : `!${key}` });
        break;
      default:
        return undefined;
    }
  }
  return reqs
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => r.text)
    .join(',');
}

/** metav1.FormatLabelSelector. */
function formatLabelSelector(sel: unknown): string {
  const s = labelSelectorString(sel);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

/** layoutContainerCells: comma-joined container names and images. */
function containerCells(podSpec: unknown): [string, string] {
  const cs = recs(rec(podSpec).containers);
  return [cs.map((c) => str(c.name)).join(','), cs.map((c) => str(c.image)).join(',')];
}

function templateSpec(obj: KubeObject): unknown {
  return rec(rec(rec(obj.spec).template).spec);
}

// ---------------------------------------------------------------------------------------------
// Column definitions.

const NAME_DESC = OBJECT_META_DESCRIPTIONS.name;
const AGE_DESC = OBJECT_META_DESCRIPTIONS.creationTimestamp;

function col(
  name: string,
  type: string,
  description: string,
  priority = 0,
  format = '',
): TableColumnDefinition {
  return { name, type, format, description, priority };
}

const NAME_COL = col('Name', 'string', NAME_DESC, 0, 'name');
const AGE_COL = col('Age', 'string', AGE_DESC);
const CONTAINERS_COL = col('Containers', 'string', 'Names of each container in the template.', 1);
const IMAGES_COL = col(
  'Images',
  'string',
  'Images referenced by each container in the template.',
  1,
);

// ---------------------------------------------------------------------------------------------
// Pod (printPod).

function isRestartableInit(c: Rec | undefined): boolean {
  return c !== undefined && c.restartPolicy === 'Always';
}

function conditionStatus(conditions: Rec[], type: string): string | undefined {
  return conditions.find((c) => c.type === type)?.status as string | undefined;
}

const podPrinter: Printer = {
  columns: [
    NAME_COL,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    AGE_COL,
    col(
      'IP',
      'string',
      'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      1,
    ),
    col(
      'Node',
      'string',
      'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
      1,
    ),
    col(
      'Nominated Node',
      'string',
      'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
      1,
    ),
    col(
      'Readiness Gates',
      'string',
      'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
      1,
    ),
  ],
  print(pod, now) {
    const spec = rec(pod.spec);
    const status = rec(pod.status);
    const conditions = recs(status.conditions);
    const initContainers = recs(spec.initContainers);
    const initByName = new Map(initContainers.map((c) => [str(c.name), c]));

    let restarts = 0;
    let restartableInitRestarts = 0;
    let totalContainers = recs(spec.containers).length;
    let readyContainers = 0;
    let lastRestart: number | undefined;
    let lastRestartableInitRestart: number | undefined;
    const later = (a: number | undefined, b: number | undefined): number | undefined =>
      b !== undefined && (a === undefined || b > a) ? b : a;

    // The apiserver sets phase Pending on create; an emulator object may not carry it.
    const phase = str(status.phase) || 'Pending';
    let reason = str(status.reason) || phase;
    for (const c of conditions) {
      if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
    }

    let rowConditions: TableRowCondition[] | undefined;
    if (phase === 'Succeeded') {
      rowConditions = [
        {
          type: 'Completed',
          status: 'True',
          reason: 'Succeeded',
          message: 'The pod has completed successfully.',
        },
      ];
    } else if (phase === 'Failed') {
      rowConditions = [
        { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
      ];
    }

    for (const c of initContainers) if (isRestartableInit(c)) totalContainers++;

    let initializing = false;
    const initStatuses = recs(status.initContainerStatuses);
    for (let i = 0; i < initStatuses.length; i++) {
      const c = initStatuses[i] ?? {};
      const count = int(c.restartCount);
      restarts += count;
      const finished = timeOf(rec(rec(c.lastState).terminated).finishedAt);
      lastRestart = later(lastRestart, finished);
      const restartable = isRestartableInit(initByName.get(str(c.name)));
      if (restartable) {
        restartableInitRestarts += count;
        lastRestartableInitRestart = later(lastRestartableInitRestart, finished);
      }
      const state = rec(c.state);
      const terminated = isSet(state.terminated) ? rec(state.terminated) : undefined;
      const waiting = isSet(state.waiting) ? rec(state.waiting) : undefined;
      if (terminated && int(terminated.exitCode) === 0) continue;
      if (restartable && c.started === true) {
        if (c.ready === true) readyContainers++;
        continue;
      }
      if (terminated) {
        if (str(terminated.reason) === '') {
          const signal = int(terminated.signal);
          reason =
            signal !== 0 ? `Init:Signal:${signal}` : `Init:ExitCode:${int(terminated.exitCode)}`;
        } else {
          reason = `Init:${str(terminated.reason)}`;
        }
      } else if (waiting && str(waiting.reason) !== '' && waiting.reason !== 'PodInitializing') {
        reason = `Init:${str(waiting.reason)}`;
      } else {
        reason = `Init:${i}/${initContainers.length}`;
      }
      initializing = true;
      break;
    }

    if (!initializing || conditionStatus(conditions, 'Initialized') === 'True') {
      restarts = restartableInitRestarts;
      lastRestart = lastRestartableInitRestart;
      let hasRunning = false;
      const statuses = recs(status.containerStatuses);
      for (let i = statuses.length - 1; i >= 0; i--) {
        const c = statuses[i] ?? {};
        restarts += int(c.restartCount);
        lastRestart = later(lastRestart, timeOf(rec(rec(c.lastState).terminated).finishedAt));
        const state = rec(c.state);
        const terminated = isSet(state.terminated) ? rec(state.terminated) : undefined;
        const waiting = isSet(state.waiting) ? rec(state.waiting) : undefined;
        if (waiting && str(waiting.reason) !== '') {
          reason = str(waiting.reason);
        } else if (terminated && str(terminated.reason) !== '') {
          reason = str(terminated.reason);
        } else if (terminated) {
          const signal = int(terminated.signal);
          reason = signal !== 0 ? `Signal:${signal}` : `ExitCode:${int(terminated.exitCode)}`;
        } else if (c.ready === true && isSet(state.running)) {
          hasRunning = true;
          readyContainers++;
        }
      }
      // A container that completed while another still runs does not make the pod Completed.
      if (reason === 'Completed' && hasRunning) {
        reason = conditionStatus(conditions, 'Ready') === 'True' ? 'Running' : 'NotReady';
      }
    }

    if (isSet(pod.metadata.deletionTimestamp)) {
      if (status.reason === 'NodeLost') reason = 'Unknown';
      else if (phase !== 'Failed' && phase !== 'Succeeded') reason = 'Terminating';
    }

    let restartsCell = String(restarts);
    if (restarts !== 0 && lastRestart !== undefined) {
      restartsCell = `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;
    }

    const podIPs = recs(status.podIPs);
    const podIP = str(podIPs[0]?.ip) || str(status.podIP) || '<none>';
    const gates = recs(spec.readinessGates);
    let readinessGates = '<none>';
    if (gates.length > 0) {
      const trueCount = gates.filter(
        (g) => conditionStatus(conditions, str(g.conditionType)) === 'True',
      ).length;
      readinessGates = `${trueCount}/${gates.length}`;
    }

    return {
      cells: [
        nameOf(pod),
        `${readyContainers}/${totalContainers}`,
        reason,
        restartsCell,
        since(pod.metadata.creationTimestamp, now),
        podIP,
        str(spec.nodeName) || '<none>',
        str(status.nominatedNodeName) || '<none>',
        readinessGates,
      ],
      ...(rowConditions ? { conditions: rowConditions } : {}),
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Service (printService).

function loadBalancerIngress(lb: unknown): string {
  const hosts = recs(rec(lb).ingress).map((i) => str(i.ip) || str(i.hostname));
  // Wide=true on the server, so the 16-character clipping of non-wide output never applies.
  return sortedUnique(hosts.filter((h) => h !== '')).join(',');
}

function serviceExternalIP(spec: Rec, status: Rec): string {
  const externalIPs = Array.isArray(spec.externalIPs)
    ? (spec.externalIPs as unknown[]).map(str)
    : [];
  switch (str(spec.type) || 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(status.loadBalancer);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

const servicePrinter: Printer = {
  columns: [
    NAME_COL,
    col(
      'Type',
      'string',
      'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types',
    ),
    col(
      'Cluster-IP',
      'string',
      'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
    ),
    col(
      'External-IP',
      'string',
      'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.',
    ),
    col(
      'Port(s)',
      'string',
      'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
    ),
    AGE_COL,
    col(
      'Selector',
      'string',
      'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/',
      1,
    ),
  ],
  print(svc, now) {
    const spec = rec(svc.spec);
    const status = rec(svc.status);
    const clusterIPs = Array.isArray(spec.clusterIPs)
      ? (spec.clusterIPs as unknown[]).map(str)
      : [];
    const clusterIP = clusterIPs[0] || str(spec.clusterIP) || '<none>';
    const ports = recs(spec.ports).map((p) => {
      const protocol = str(p.protocol) || 'TCP';
      const nodePort = int(p.nodePort);
      return nodePort > 0 ? `${int(p.port)}:${nodePort}/${protocol}` : `${int(p.port)}/${protocol}`;
    });
    return {
      cells: [
        nameOf(svc),
        str(spec.type) || 'ClusterIP',
        clusterIP,
        serviceExternalIP(spec, status),
        ports.length > 0 ? ports.join(',') : '<none>',
        since(svc.metadata.creationTimestamp, now),
        formatLabels(spec.selector),
      ],
    };
  },
};

// ---------------------------------------------------------------------------------------------
// ReplicaSet, Deployment, Job.

const replicaSetPrinter: Printer = {
  columns: [
    NAME_COL,
    col(
      'Desired',
      'integer',
      'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller',
    ),
    col(
      'Current',
      'integer',
      'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller',
    ),
    col(
      'Ready',
      'integer',
      'readyReplicas is the number of pods targeted by this ReplicaSet controller with a Ready Condition.',
    ),
    AGE_COL,
    CONTAINERS_COL,
    IMAGES_COL,
    col(
      'Selector',
      'string',
      'Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
      1,
    ),
  ],
  print(rs, now) {
    const spec = rec(rs.spec);
    const status = rec(rs.status);
    const [names, images] = containerCells(templateSpec(rs));
    return {
      cells: [
        nameOf(rs),
        // spec.replicas defaults to 1 on the real server.
        int(spec.replicas, 1),
        int(status.replicas),
        int(status.readyReplicas),
        since(rs.metadata.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(spec.selector),
      ],
    };
  },
};

const deploymentPrinter: Printer = {
  columns: [
    NAME_COL,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col(
      'Up-to-date',
      'string',
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    ),
    col(
      'Available',
      'string',
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    ),
    AGE_COL,
    CONTAINERS_COL,
    IMAGES_COL,
    col(
      'Selector',
      'string',
      'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
      1,
    ),
  ],
  print(d, now) {
    const spec = rec(d.spec);
    const status = rec(d.status);
    const [names, images] = containerCells(templateSpec(d));
    return {
      cells: [
        nameOf(d),
        `${int(status.readyReplicas)}/${int(spec.replicas, 1)}`,
        int(status.updatedReplicas),
        int(status.availableReplicas),
        since(d.metadata.creationTimestamp, now),
        names,
        images,
        labelSelectorString(spec.selector) ?? '<invalid>',
      ],
    };
  },
};

function jobCondition(status: Rec, type: string): boolean {
  return conditionStatus(recs(status.conditions), type) === 'True';
}

const jobPrinter: Printer = {
  columns: [
    NAME_COL,
    col('Status', 'string', 'Status of the job.'),
    col(
      'Completions',
      'string',
      'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.',
    ),
    col('Duration', 'string', 'Time required to complete the job.'),
    AGE_COL,
    CONTAINERS_COL,
    IMAGES_COL,
    col(
      'Selector',
      'string',
      'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
      1,
    ),
  ],
  print(job, now) {
    const spec = rec(job.spec);
    const status = rec(job.status);
    const succeeded = int(status.succeeded);
    let completions: string;
    if (isSet(spec.completions)) {
      completions = `${succeeded}/${int(spec.completions)}`;
    } else {
      const parallelism = int(spec.parallelism);
      completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    }
    const start = timeOf(status.startTime);
    const end = timeOf(status.completionTime);
    let duration = '';
    if (start !== undefined) {
      duration = humanDuration((end ?? now.getTime()) - start);
    }
    let state = 'Running';
    if (jobCondition(status, 'Complete')) state = 'Complete';
    else if (jobCondition(status, 'Failed')) state = 'Failed';
    else if (isSet(job.metadata.deletionTimestamp)) state = 'Terminating';
    else if (jobCondition(status, 'Suspended')) state = 'Suspended';
    else if (jobCondition(status, 'FailureTarget')) state = 'FailureTarget';
    const [names, images] = containerCells(templateSpec(job));
    return {
      cells: [
        nameOf(job),
        state,
        completions,
        duration,
        since(job.metadata.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(spec.selector),
      ],
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Ingress (printIngress).

const ingressPrinter: Printer = {
  columns: [
    NAME_COL,
    col(
      'Class',
      'string',
      'The name of the IngressClass resource that should be used for additional configuration',
    ),
    col(
      'Hosts',
      'string',
      'Hosts that incoming requests are matched against before the ingress rule',
    ),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    AGE_COL,
  ],
  print(ing, now) {
    const spec = rec(ing.spec);
    const rules = recs(spec.rules);
    // formatHosts, including its quirk: the "more" count is over all rules, hostless ones too.
    const max = 3;
    const list: string[] = [];
    let more = false;
    for (const rule of rules) {
      if (list.length === max) more = true;
      if (!more && str(rule.host) !== '') list.push(str(rule.host));
    }
    let hosts = list.length === 0 ? '*' : list.join(',');
    if (list.length > 0 && more) hosts = `${hosts} + ${rules.length - max} more...`;
    const tls = Array.isArray(spec.tls) ? spec.tls : [];
    return {
      cells: [
        nameOf(ing),
        str(spec.ingressClassName) || '<none>',
        hosts,
        loadBalancerIngress(rec(ing.status).loadBalancer),
        tls.length > 0 ? '80, 443' : '80',
        since(ing.metadata.creationTimestamp, now),
      ],
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Small core kinds.

function countKeys(v: unknown): number {
  return Object.keys(rec(v)).length;
}

const configMapPrinter: Printer = {
  columns: [
    NAME_COL,
    col(
      'Data',
      'string',
      "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
    ),
    AGE_COL,
  ],
  print(cm, now) {
    return {
      cells: [
        nameOf(cm),
        countKeys(cm.data) + countKeys(cm.binaryData),
        since(cm.metadata.creationTimestamp, now),
      ],
    };
  },
};

const secretPrinter: Printer = {
  columns: [
    NAME_COL,
    col(
      'Type',
      'string',
      'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types',
    ),
    col(
      'Data',
      'string',
      "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
    ),
    AGE_COL,
  ],
  print(s, now) {
    return {
      // type defaults to Opaque on the real server.
      cells: [
        nameOf(s),
        str(s.type) || 'Opaque',
        countKeys(s.data),
        since(s.metadata.creationTimestamp, now),
      ],
    };
  },
};

const namespacePrinter: Printer = {
  columns: [NAME_COL, col('Status', 'string', 'The status of the namespace'), AGE_COL],
  print(ns, now) {
    // The real server sets the phase on create and on deletion; mirror that when it is absent.
    const phase =
      str(rec(ns.status).phase) ||
      (isSet(ns.metadata.deletionTimestamp) ? 'Terminating' : 'Active');
    return { cells: [nameOf(ns), phase, since(ns.metadata.creationTimestamp, now)] };
  },
};

/** net.JoinHostPort. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** formatEndpoints(endpoints, nil). */
function formatEndpoints(subsets: Rec[]): string {
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = recs(ss.addresses);
    const ports = recs(ss.ports);
    if (ports.length === 0) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(str(a.ip));
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(str(a.ip), int(port.port)));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

const endpointsPrinter: Printer = {
  columns: [
    NAME_COL,
    col(
      'Endpoints',
      'string',
      'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.',
    ),
    AGE_COL,
  ],
  print(ep, now) {
    return {
      cells: [
        nameOf(ep),
        formatEndpoints(recs(ep.subsets)),
        since(ep.metadata.creationTimestamp, now),
      ],
    };
  },
};

const serviceAccountPrinter: Printer = {
  columns: [
    NAME_COL,
    col(
      'Secrets',
      'string',
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". The "kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret',
    ),
    AGE_COL,
  ],
  print(sa, now) {
    const secrets = Array.isArray(sa.secrets) ? sa.secrets.length : 0;
    return { cells: [nameOf(sa), secrets, since(sa.metadata.creationTimestamp, now)] };
  },
};

const leasePrinter: Printer = {
  columns: [
    NAME_COL,
    col(
      'Holder',
      'string',
      'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.',
    ),
    AGE_COL,
  ],
  print(lease, now) {
    return {
      cells: [
        nameOf(lease),
        str(rec(lease.spec).holderIdentity),
        since(lease.metadata.creationTimestamp, now),
      ],
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Event (printEvent). core/v1 and events.k8s.io/v1 share storage, and the apiserver prints both
// through the internal type, so either field naming is accepted here.

const eventPrinter: Printer = {
  columns: [
    col(
      'Last Seen',
      'string',
      'The time at which the most recent occurrence of this event was recorded.',
    ),
    col(
      'Type',
      'string',
      'Type of this event (Normal, Warning), new types could be added in the future',
    ),
    col(
      'Reason',
      'string',
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    col('Object', 'string', 'The object that this event is about.'),
    col(
      'Subobject',
      'string',
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
      1,
    ),
    col(
      'Source',
      'string',
      'The component reporting this event. Should be a short machine understandable string.',
      1,
    ),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col(
      'First Seen',
      'string',
      'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
      1,
    ),
    col('Count', 'string', 'The number of times this event has occurred.', 1),
    col('Name', 'string', NAME_DESC, 1, 'name'),
  ],
  print(e, now) {
    const involved = rec(e.involvedObject ?? e.regarding);
    const message = str(e.message ?? e.note);
    const first = e.firstTimestamp ?? e.deprecatedFirstTimestamp;
    const last = e.lastTimestamp ?? e.deprecatedLastTimestamp;
    const source = rec(e.source ?? e.deprecatedSource);
    const series = isSet(e.series) ? rec(e.series) : undefined;
    const reportingController = str(e.reportingController ?? e.reportingComponent);
    const reportingInstance = str(e.reportingInstance);

    const firstSeen = timeOf(first) !== undefined ? since(first, now) : since(e.eventTime, now);
    let lastSeen = timeOf(last) !== undefined ? since(last, now) : firstSeen;
    let count = int(e.count ?? e.deprecatedCount);
    if (series) {
      lastSeen = since(series.lastObservedTime, now);
      count = int(series.count);
    } else if (count === 0) {
      // Singleton events from the events.k8s.io API carry no count.
      count = 1;
    }

    const kind = str(involved.kind).toLowerCase();
    const target = str(involved.name) !== '' ? `${kind}/${str(involved.name)}` : kind;
    const component = str(source.component) || reportingController;
    const instance = str(source.host) || reportingInstance;
    const sourceCell = instance === '' ? component : `${component}, ${instance}`;

    return {
      cells: [
        lastSeen,
        str(e.type),
        str(e.reason),
        target,
        str(involved.fieldPath),
        sourceCell,
        message.trim(),
        firstSeen,
        count,
        nameOf(e),
      ],
    };
  },
};

// ---------------------------------------------------------------------------------------------
// RBAC and the apiserver's default convertor.

function bindingPrinter(what: 'roleBinding' | 'clusterRoleBinding', roleDesc: string): Printer {
  return {
    columns: [
      NAME_COL,
      col('Role', 'string', roleDesc),
      AGE_COL,
      col('Users', 'string', `Users in the ${what}`, 1),
      col('Groups', 'string', `Groups in the ${what}`, 1),
      col('ServiceAccounts', 'string', `ServiceAccounts in the ${what}`, 1),
    ],
    print(b, now) {
      const ref = rec(b.roleRef);
      const users: string[] = [];
      const groups: string[] = [];
      const sas: string[] = [];
      for (const s of recs(b.subjects)) {
        if (s.kind === 'ServiceAccount') sas.push(`${str(s.namespace)}/${str(s.name)}`);
        else if (s.kind === 'User') users.push(str(s.name));
        else if (s.kind === 'Group') groups.push(str(s.name));
      }
      return {
        cells: [
          nameOf(b),
          `${str(ref.kind)}/${str(ref.name)}`,
          since(b.metadata.creationTimestamp, now),
          users.join(', '),
          groups.join(', '),
          sas.join(', '),
        ],
      };
    },
  };
}

/** time.Time.UTC().Format(time.RFC3339): whole seconds, "Z". */
function rfc3339Seconds(v: unknown): string {
  const t = typeof v === 'string' ? parseRfc3339(v) : undefined;
  // Unset means Go's zero time, which formats as year 1.
  const ms = t ?? GO_ZERO_TIME_MS;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const defaultConvertorPrinter: Printer = {
  columns: [NAME_COL, col('Created At', 'date', AGE_DESC)],
  print(obj) {
    return { cells: [nameOf(obj), rfc3339Seconds(obj.metadata.creationTimestamp)] };
  },
};

/** Built-ins with no printer of their own. */
const fallbackPrinter: Printer = {
  columns: [NAME_COL, AGE_COL],
  print(obj, now) {
    return { cells: [nameOf(obj), since(obj.metadata.creationTimestamp, now)] };
  },
};

const BUILTIN_PRINTERS: ReadonlyMap<string, Printer> = new Map<string, Printer>([
  ['/Pod', podPrinter],
  ['/Service', servicePrinter],
  ['/ConfigMap', configMapPrinter],
  ['/Secret', secretPrinter],
  ['/Namespace', namespacePrinter],
  ['/Endpoints', endpointsPrinter],
  ['/ServiceAccount', serviceAccountPrinter],
  ['/Event', eventPrinter],
  ['events.k8s.io/Event', eventPrinter],
  ['apps/ReplicaSet', replicaSetPrinter],
  ['apps/Deployment', deploymentPrinter],
  ['batch/Job', jobPrinter],
  ['networking.k8s.io/Ingress', ingressPrinter],
  ['coordination.k8s.io/Lease', leasePrinter],
  ['apiextensions.k8s.io/CustomResourceDefinition', defaultConvertorPrinter],
  ['rbac.authorization.k8s.io/Role', defaultConvertorPrinter],
  ['rbac.authorization.k8s.io/ClusterRole', defaultConvertorPrinter],
  [
    'rbac.authorization.k8s.io/RoleBinding',
    bindingPrinter(
      'roleBinding',
      'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
    ),
  ],
  [
    'rbac.authorization.k8s.io/ClusterRoleBinding',
    bindingPrinter(
      'clusterRoleBinding',
      'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
    ),
  ],
]);

// ---------------------------------------------------------------------------------------------
// Custom resources (apiextensions tableconvertor).

/** Go's fmt %v for a JSON number: int64 for integral values, else %g with shortest digits. */
function goNumber(n: number): string {
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  const [mantissa = '', expText = '0'] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

/** encoding/json.Marshal: sorted object keys and HTML-safe escaping. */
function goJson(v: unknown): string {
  const sortKeys = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sortKeys);
    if (typeof x === 'object' && x !== null) {
      const out: Rec = {};
      for (const k of Object.keys(x).sort()) out[k] = sortKeys((x as Rec)[k]);
      return out;
    }
    return x;
  };
  return JSON.stringify(sortKeys(v))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** What jsonpath.PrintResults writes for one value in a `string` column. */
function stringCell(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'object' && v !== null) return goJson(v);
  return null;
}

/** cellForJSONValue for the non-string column types. */
function typedCell(type: string, v: unknown, now: Date): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof v === 'number' ? Math.trunc(v) : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    case 'date':
      return typeof v === 'string' ? ageCell(v, now) : null;
    default:
      return null;
  }
}

function customResourcePrinter(printerColumns: PrinterColumn[]): Printer {
  // serveDefaultColumnsIfEmpty: a CRD without columns still gets an Age.
  const crdColumns: PrinterColumn[] =
    printerColumns.length > 0
      ? printerColumns
      : [
          {
            name: 'Age',
            type: 'date',
            description: AGE_DESC,
            jsonPath: '.metadata.creationTimestamp',
          },
        ];
  return {
    columns: [
      NAME_COL,
      ...crdColumns.map((c) =>
        col(
          c.name,
          c.type,
          c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
          c.priority ?? 0,
          c.format ?? '',
        ),
      ),
    ],
    print(obj, now) {
      const cells: unknown[] = [nameOf(obj)];
      for (const c of crdColumns) {
        let results: unknown[];
        try {
          results = jsonPathResults(obj, c.jsonPath);
        } catch {
          // The apiserver refuses such a column when the CRD is created; never fail a list on it.
          results = [];
        }
        // Only the first result is shown, even for [*]: "we only support simple JSON path".
        const value = results[0];
        cells.push(c.type === 'string' ? stringCell(value) : typedCell(c.type, value, now));
      }
      return { cells };
    },
  };
}

function printerFor(rt: ResourceType): Printer {
  if (!rt.builtin || rt.printerColumns !== undefined) {
    return customResourcePrinter(rt.printerColumns ?? []);
  }
  return BUILTIN_PRINTERS.get(`${rt.group}/${rt.kind}`) ?? fallbackPrinter;
}

function rowObject(obj: KubeObject, includeObject: IncludeObject): unknown {
  switch (includeObject) {
    case 'None':
      // The apiserver leaves the RawExtension empty, which encodes as null.
      return null;
    case 'Object':
      return obj;
    case 'Metadata':
      return {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: obj.metadata,
      };
  }
}

function buildTable(
  rt: ResourceType,
  objects: KubeObject[],
  now: Date,
  resourceVersion: string,
  opts: RenderTableOptions | undefined,
): Table {
  const printer = printerFor(rt);
  const includeObject = opts?.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: resourceVersion === '' ? {} : { resourceVersion },
    columnDefinitions: printer.columns.map((c) => ({ ...c })),
    rows: objects.map((obj) => {
      const printed = printer.print(obj, now);
      return {
        cells: printed.cells,
        ...(printed.conditions ? { conditions: printed.conditions } : {}),
        object: rowObject(obj, includeObject),
      };
    }),
  };
}

/**
 * The Table for a list (or, with one object, a single GET) of `rt`. `listResourceVersion` goes
 * to `metadata.resourceVersion`, which `kubectl get -w` watches from.
 */
export function renderTable(
  rt: ResourceType,
  objects: KubeObject[],
  now: Date,
  listResourceVersion: string,
  opts?: { includeObject?: IncludeObject },
): Table {
  return buildTable(rt, objects, now, listResourceVersion, opts);
}

/** The Table carried by one watch event: one row, the same columns as the list. */
export function renderTableForWatchEvent(
  rt: ResourceType,
  obj: KubeObject,
  now: Date,
  opts?: { includeObject?: IncludeObject },
): Table {
  return buildTable(rt, [obj], now, obj.metadata.resourceVersion ?? '', opts);
}
