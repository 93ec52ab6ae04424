// Defaults the real API server fills into built-in kinds. The controller must cope with
// them (a ReplicaSet's stored template is not byte-equal to the Rollout's), so the
// emulator applies the ones that show up in pod templates and Services.
import type { KubeObject } from '../registry/types.ts';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setDefault(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined) o[key] = value;
}

function imagePullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  const lastSegment = image.split('/').pop() ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const tag = lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: unknown): void {
  if (!isObj(c)) return;
  setDefault(c, 'imagePullPolicy', imagePullPolicy(c.image));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'resources', {});
  if (Array.isArray(c.ports))
    for (const p of c.ports) if (isObj(p)) setDefault(p, 'protocol', 'TCP');
}

export function defaultPodSpec(spec: unknown): void {
  if (!isObj(spec)) return;
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const key of ['containers', 'initContainers']) {
    const list = spec[key];
    if (Array.isArray(list)) list.forEach(defaultContainer);
  }
}

function defaultPodTemplate(template: unknown): void {
  if (!isObj(template)) return;
  // The real server serialises an empty template creationTimestamp as null.
  if (isObj(template.metadata)) setDefault(template.metadata, 'creationTimestamp', null);
  defaultPodSpec(template.spec);
}

let nextClusterIp = 1;
function allocateClusterIp(): string {
  const n = nextClusterIp++;
  return `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}

export function applyBuiltinDefaults(kind: string, obj: KubeObject, isCreate: boolean): void {
  const spec = isObj(obj.spec) ? obj.spec : undefined;
  switch (kind) {
    case 'Pod':
      defaultPodSpec(spec);
      if (isCreate) obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
      break;
    case 'ReplicaSet':
      if (spec) {
        setDefault(spec, 'replicas', 1);
        defaultPodTemplate(spec.template);
      }
      break;
    case 'Deployment':
      if (spec) {
        setDefault(spec, 'replicas', 1);
        setDefault(spec, 'revisionHistoryLimit', 10);
        setDefault(spec, 'progressDeadlineSeconds', 600);
        setDefault(spec, 'strategy', {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
        });
        defaultPodTemplate(spec.template);
      }
      break;
    case 'Job':
      if (spec) {
        setDefault(spec, 'parallelism', 1);
        setDefault(spec, 'completions', 1);
        setDefault(spec, 'backoffLimit', 6);
        defaultPodTemplate(spec.template);
      }
      break;
    case 'Service':
      if (spec) {
        setDefault(spec, 'type', 'ClusterIP');
        setDefault(spec, 'sessionAffinity', 'None');
        if (isCreate && spec.clusterIP === undefined && spec.type !== 'ExternalName') {
          spec.clusterIP = allocateClusterIp();
          spec.clusterIPs = [spec.clusterIP];
        }
        if (Array.isArray(spec.ports)) {
          for (const p of spec.ports) {
            if (!isObj(p)) continue;
            setDefault(p, 'protocol', 'TCP');
            setDefault(p, 'targetPort', p.port);
          }
        }
      }
      if (isCreate) obj.status = { loadBalancer: {} };
      break;
    case 'Namespace':
      if (isCreate) obj.status = { phase: 'Active' };
      break;
    case 'Secret':
      // v1 → internal conversion: stringData overwrites data (base64) and is never stored.
      if (isObj(obj.stringData)) {
        const data = isObj(obj.data) ? obj.data : {};
        for (const [k, v] of Object.entries(obj.stringData))
          data[k] = Buffer.from(String(v)).toString('base64');
        obj.data = data;
      }
      delete obj.stringData;
      setDefault(obj, 'type', 'Opaque');
      break;
    default:
      break;
  }
}
