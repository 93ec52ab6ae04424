// The single-rollout stream (`GET …/{namespace}/{name}/info/watch`, cli-dashboard-ops §3.4):
// the view controller of `get rollout -w` keeps the info current; every change is sent, and the
// latest info is re-sent about once a second while the client stays, never more than one
// message per 200 ms. The UI drops messages whose resourceVersion did not change, so the
// re-sends cost it nothing; they refresh ages and let a client that missed one catch up.
//
// Each message also carries our additions (info-extras.ts), which come from the Rollout object
// itself; the view controller keeps that object to itself, so a list-watch of this one Rollout
// (a field selector on its name) holds it here. The two caches can be one version apart for a
// moment; whichever sees the newer Rollout second triggers another message, so the stream
// always settles on a matching pair.
import { ListWatcher } from '../../src/kube/list-watcher.ts';
import type { KubeObject } from '../../src/kube/raw-client.ts';
import { RolloutViewWatch } from '../commands/rollout-view.ts';
import { encodeRolloutInfo } from '../info/encode.ts';
import type { RolloutInfo } from '../info/types.ts';
import { pathOf, ROLLOUTS, type Kube } from '../kube.ts';
import { infoExtras, withExtras } from './info-extras.ts';
import type { ResponseStream } from './stream.ts';

export interface RolloutWatchTiming {
  resendMs: number;
  minGapMs: number;
}

export const DEFAULT_TIMING: RolloutWatchTiming = { resendMs: 1_000, minGapMs: 200 };

/**
 * Sends the newest value it was given, at most once per `minGapMs`: a value arriving too soon
 * waits for the gap, and is replaced by any newer one meanwhile.
 */
export class ThrottledSender<T> {
  private latest: T | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly minGapMs: number,
    private readonly sendNow: (v: T) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(v: T): void {
    if (this.stopped) return;
    this.latest = v;
    if (this.timer) return;
    const wait = this.lastSentAt + this.minGapMs - this.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.stopped || this.latest === undefined) return;
    this.lastSentAt = this.now();
    this.sendNow(this.latest);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

export async function streamRolloutInfo(
  kube: Kube,
  namespace: string,
  name: string,
  stream: ResponseStream,
  timing: RolloutWatchTiming = DEFAULT_TIMING,
): Promise<void> {
  const rolloutWatch = new ListWatcher({
    kc: kube.kc,
    client: kube.client,
    path: pathOf(ROLLOUTS, namespace),
    fieldSelector: `metadata.name=${name}`,
    backoff: { minMs: 200, maxMs: 5_000 },
  });
  // The last Rollout seen, kept when it is deleted (the view keeps its last info too).
  let rollout: KubeObject | undefined;
  let started = false;
  const sender = new ThrottledSender<RolloutInfo>(timing.minGapMs, (info) => {
    const encoded = encodeRolloutInfo(info);
    stream.send(rollout ? withExtras(encoded, infoExtras(rollout)) : encoded);
  });
  const watch = new RolloutViewWatch({
    kube: { ...kube, namespace },
    name,
    onInfo: (info) => sender.push(info),
  });
  const rolloutChanged = (ro: KubeObject): void => {
    rollout = ro;
    if (started && watch.latest) sender.push(watch.latest);
  };
  rolloutWatch.onAdd(rolloutChanged);
  rolloutWatch.onUpdate((_old, ro) => rolloutChanged(ro));
  stream.onClose(() => {
    sender.stop();
    return Promise.all([watch.stop(), rolloutWatch.stop()]);
  });
  let first: RolloutInfo;
  try {
    rolloutWatch.start();
    first = await watch.start();
    // The first message already carries the additions.
    await rolloutWatch.synced;
  } catch (e) {
    stream.fail(e);
    return;
  }
  if (stream.closed) return;
  started = true;
  sender.push(first);
  const resend = setInterval(() => {
    if (watch.latest) sender.push(watch.latest);
  }, timing.resendMs);
  stream.onClose(() => clearInterval(resend));
}
