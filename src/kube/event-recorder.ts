// Kubernetes Events about our objects, with Argo's reasons (the notifications engine and
// people's alerts key off them). A repeat of the same event bumps `count` and
// `lastTimestamp` instead of creating a new object, as client-go's correlator does.
import { rfc3339 } from '../util/time.ts';
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../api/kube-object.ts';

export interface EventWriter {
  create(namespace: string, body: KubeObject): Promise<KubeObject>;
  patch(namespace: string, name: string, body: object): Promise<KubeObject>;
}

export interface RecordedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface EventSink {
  emit(obj: KubeObject, e: RecordedEvent): void;
}

interface Seen {
  name: string;
  count: number;
}

export class EventRecorder implements EventSink {
  private readonly seen = new Map<string, Seen>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly writer: EventWriter,
    private readonly component: string,
    private readonly host: string,
    private readonly clock: () => Date = () => new Date(),
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  /** Fire-and-forget: an event that cannot be written must never fail a reconcile. */
  emit(obj: KubeObject, e: RecordedEvent): void {
    this.queue = this.queue.then(() => this.write(obj, e)).catch(this.onError);
  }

  /** Resolves once every event emitted so far has been written (tests, shutdown). */
  flush(): Promise<void> {
    return this.queue;
  }

  private async write(obj: KubeObject, e: RecordedEvent): Promise<void> {
    const ns = obj.metadata.namespace ?? 'default';
    const key = `${obj.metadata.uid}|${e.type}|${e.reason}|${e.message}`;
    const now = rfc3339(this.clock());
    const seen = this.seen.get(key);
    if (seen) {
      seen.count++;
      try {
        await this.writer.patch(ns, seen.name, { count: seen.count, lastTimestamp: now });
        return;
      } catch {
        this.seen.delete(key); // expired or deleted: create it afresh
      }
    }
    const name = `${obj.metadata.name}.${randomBytes(8).toString('hex')}`;
    await this.writer.create(ns, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: ns,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason: e.reason,
      message: e.message,
      type: e.type,
      source: { component: this.component, host: this.host },
      reportingComponent: this.component,
      reportingInstance: this.host,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
    this.seen.set(key, { name, count: 1 });
    if (this.seen.size > 10_000) this.seen.delete(this.seen.keys().next().value!);
  }
}
