// core/v1 Events and events.k8s.io/v1 Events are two views of the same objects on a real
// server. Storage holds the core/v1 shape; these map between the two.
import type { KubeObject } from '../registry/types.ts';

type Obj = Record<string, unknown>;

const RENAMES: [core: string, events: string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['reportingComponent', 'reportingController'],
];

const SHARED = ['reason', 'type', 'eventTime', 'series', 'action', 'related', 'reportingInstance'];

function convert(obj: KubeObject, apiVersion: string, from: 0 | 1): KubeObject {
  const src = obj as Obj;
  const out: Obj = { apiVersion, kind: 'Event', metadata: obj.metadata };
  for (const pair of RENAMES) {
    const v = src[pair[from]];
    if (v !== undefined) out[pair[from === 0 ? 1 : 0]] = v;
  }
  for (const k of SHARED) if (src[k] !== undefined) out[k] = src[k];
  return out as KubeObject;
}

export function coreToEventsV1(obj: KubeObject): KubeObject {
  return convert(obj, 'events.k8s.io/v1', 0);
}

export function eventsV1ToCore(obj: KubeObject): KubeObject {
  return convert(obj, 'v1', 1);
}
