// The simulated kubelet: pods become Running and Ready after a delay, unless their image
// has been told to stay unready or to crash-loop (how tests make a canary fail).
import type { ObjectService } from '../api/objects.ts';
import { nowTimestamp } from '../api/objects.ts';
import { ApiError } from '../api/status.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import type { StoreEvent } from '../store/store.ts';
import { isPodReady, podPhase } from './pods.ts';
import { KeyQueue } from './queue.ts';

export type ImageBehavior = 'ready' | 'unready' | 'crashloop';

export interface KubeletOptions {
  /** Time from pod creation to Running/Ready. */
  readyDelayMs: number;
  /** How often a crash-looping container restarts. */
  crashIntervalMs: number;
  nodeName: string;
}

const PODS = '/pods';

interface ContainerSpec {
  name: string;
  image?: string;
}

export class Kubelet {
  private readonly behaviors = new Map<string, ImageBehavior>();
  private readonly queue = new KeyQueue((k) => this.syncSafely(k));
  private readonly unsubscribe: () => void;
  private readonly podType: ResourceType;
  private nextIp = 10;

  constructor(
    private readonly svc: ObjectService,
    readonly opts: KubeletOptions,
  ) {
    this.podType = svc.registry.find('', 'v1', 'pods')!;
    this.unsubscribe = svc.store.onWrite((ev) => this.onWrite(ev));
    for (const p of svc.store.list(PODS)) this.schedule(p);
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  /** Sets how pods running `image` behave; an image ending in `*` is a prefix. */
  setImageBehavior(image: string, behavior: ImageBehavior): void {
    if (behavior === 'ready') this.behaviors.delete(image);
    else this.behaviors.set(image, behavior);
    for (const p of this.svc.store.list(PODS)) {
      if (containers(p).some((c) => c.image && this.matches(image, c.image)))
        this.queue.add(podKey(p));
    }
  }

  imageBehaviors(): Record<string, ImageBehavior> {
    return Object.fromEntries(this.behaviors);
  }

  setReadyDelay(ms: number): void {
    this.opts.readyDelayMs = ms;
  }

  private matches(pattern: string, image: string): boolean {
    return pattern.endsWith('*') ? image.startsWith(pattern.slice(0, -1)) : pattern === image;
  }

  private behaviorOf(pod: KubeObject): ImageBehavior {
    let worst: ImageBehavior = 'ready';
    for (const c of containers(pod)) {
      for (const [pattern, b] of this.behaviors) {
        if (c.image && this.matches(pattern, c.image)) {
          if (b === 'crashloop' || worst === 'ready') worst = b;
        }
      }
    }
    return worst;
  }

  private onWrite(ev: StoreEvent): void {
    if (ev.storage !== PODS || ev.type !== 'ADDED') return;
    this.schedule(ev.object);
  }

  private schedule(pod: KubeObject): void {
    if (podPhase(pod) === 'Pending') this.queue.addAfter(podKey(pod), this.opts.readyDelayMs);
    else if (this.behaviorOf(pod) === 'crashloop')
      this.queue.addAfter(podKey(pod), this.opts.crashIntervalMs);
  }

  private syncSafely(key: string): void {
    try {
      this.sync(key);
    } catch (e) {
      if (e instanceof ApiError && (e.code === 409 || e.code === 404)) return;
      throw e;
    }
  }

  private sync(key: string): void {
    const [ns, name] = key.split('/') as [string, string];
    const pod = this.svc.store.get(PODS, ns, name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const behavior = this.behaviorOf(pod);
    const now = nowTimestamp(new Date());
    const old = (pod.status ?? {}) as Record<string, unknown>;
    const wasReady = isPodReady(pod);
    const ready = behavior === 'ready';
    const startTime = (old.startTime as string | undefined) ?? now;
    const readyChanged = wasReady !== ready || podPhase(pod) === 'Pending';
    const transition = (type: string, status: boolean) => {
      const prev = (
        (old.conditions ?? []) as { type: string; status: string; lastTransitionTime: string }[]
      ).find((c) => c.type === type);
      const s = status ? 'True' : 'False';
      return {
        type,
        status: s,
        lastProbeTime: null,
        lastTransitionTime: prev && prev.status === s ? prev.lastTransitionTime : now,
        ...(status
          ? {}
          : {
              reason: 'ContainersNotReady',
              message: `containers with unready status: [${containers(pod)
                .map((c) => c.name)
                .join(' ')}]`,
            }),
      };
    };
    const prevStatuses = (old.containerStatuses ?? []) as { name: string; restartCount?: number }[];
    const podIP = (old.podIP as string | undefined) ?? `10.244.0.${(this.nextIp++ % 250) + 2}`;
    const status = {
      phase: 'Running',
      conditions: [
        transition('PodReadyToStartContainers', true),
        transition('Initialized', true),
        transition('Ready', ready),
        transition('ContainersReady', ready),
        transition('PodScheduled', true),
      ],
      hostIP: '10.0.0.1',
      hostIPs: [{ ip: '10.0.0.1' }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime,
      qosClass: 'BestEffort',
      containerStatuses: containers(pod).map((c) => {
        const restarts = prevStatuses.find((s) => s.name === c.name)?.restartCount ?? 0;
        const base = {
          name: c.name,
          image: c.image ?? '',
          imageID: `${c.image ?? ''}@sha256:${'0'.repeat(64)}`,
          containerID: `containerd://${name}-${c.name}`,
        };
        if (behavior === 'crashloop') {
          return {
            ...base,
            ready: false,
            started: false,
            restartCount: restarts + 1,
            state: {
              waiting: {
                reason: 'CrashLoopBackOff',
                message: `back-off restarting failed container ${c.name}`,
              },
            },
            lastState: {
              terminated: { exitCode: 1, reason: 'Error', startedAt: startTime, finishedAt: now },
            },
          };
        }
        return {
          ...base,
          ready,
          started: true,
          restartCount: restarts,
          state: { running: { startedAt: startTime } },
        };
      }),
    };
    if (!readyChanged && behavior !== 'crashloop') return;
    if (!(pod.spec as { nodeName?: string } | undefined)?.nodeName) {
      const scheduled = structuredClone(pod);
      (scheduled.spec as Record<string, unknown>).nodeName = this.opts.nodeName;
      const res = this.svc.update(this.podType, ns, name, scheduled, undefined);
      this.svc.update(this.podType, ns, name, { ...res.object, status }, 'status');
    } else {
      this.svc.update(this.podType, ns, name, { ...pod, status }, 'status');
    }
    if (behavior === 'crashloop') this.queue.addAfter(key, this.opts.crashIntervalMs);
  }
}

function containers(pod: KubeObject): ContainerSpec[] {
  return (pod.spec as { containers?: ContainerSpec[] } | undefined)?.containers ?? [];
}

function podKey(p: KubeObject): string {
  return `${p.metadata.namespace}/${p.metadata.name}`;
}
