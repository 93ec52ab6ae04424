// Lease-based leader election with client-go's algorithm (tools/leaderelection):
//  - candidates poll the coordination.k8s.io/v1 Lease every retryPeriod (jittered ×1.2);
//  - a lease is free when its holderIdentity is empty or when it has not CHANGED for
//    leaseDuration as observed on the local clock (renewTime is not compared across clocks);
//  - acquire/renew are PUTs (or a create) with the observed resourceVersion, so of two racing
//    candidates the loser gets 409 Conflict;
//  - the leader renews every retryPeriod and gives up when no renewal succeeded for
//    renewDeadline (onStoppedLeading, the `signal` handed to onStartedLeading aborts);
//  - on a graceful stop with release (the default) the lease is written back with an empty
//    holderIdentity so another replica takes over at once. Argo itself does not release
//    (cli-dashboard-ops §4.1); pass `releaseOnCancel: false` for that behaviour.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeObject } from '../api/kube-object.ts';
import {
  isAlreadyExists,
  isConflict,
  isNotFound,
  resourcePath,
  type RawClient,
} from './raw-client.ts';

export const DEFAULT_LEASE_NAME = 'argo-rollouts-controller-lock';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  [k: string]: unknown;
}

export type Lease = KubeObject & { spec?: LeaseSpec };

export interface LeaderElectionLogger {
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  debug(msg: string, meta?: Record<string, unknown>): void;
}

export interface LeaderElectionOptions {
  client: RawClient;
  /** Namespace of the Lease (the controller's namespace). */
  namespace: string;
  /** Default argo-rollouts-controller-lock (…-<instanceID> is the caller's choice). */
  name?: string;
  /** Default `<hostname>_<uuid>`. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Write an empty holder on a graceful stop. Default true. */
  releaseOnCancel?: boolean;
  /** Called once when this candidate becomes leader; the signal aborts when it stops leading. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called once after leadership ends (lost, or stopped) — only if it had started. */
  onStoppedLeading?: () => void;
  /** Called whenever the observed leader changes (including to this candidate). */
  onNewLeader?: (identity: string) => void;
  logger?: LeaderElectionLogger;
  random?: () => number;
}

export function defaultIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

/** The name Argo uses: argo-rollouts-controller-lock, or …-<instanceID> with an instance id. */
export function leaseName(instanceId?: string): string {
  return instanceId ? `${DEFAULT_LEASE_NAME}-${instanceId}` : DEFAULT_LEASE_NAME;
}

/** A metav1.MicroTime: RFC 3339 with six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const JITTER_FACTOR = 1.2;

export class LeaderElector {
  readonly identity: string;
  readonly leaseName: string;
  private readonly opts: LeaderElectionOptions;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly stopController = new AbortController();
  private leading = false;
  private observed: { lease: Lease; fingerprint: string; at: number } | undefined;
  private reportedLeader: string | undefined;
  private release = true;
  private running: Promise<void> | undefined;

  constructor(opts: LeaderElectionOptions) {
    this.opts = opts;
    this.identity = opts.identity ?? defaultIdentity();
    this.leaseName = opts.name ?? DEFAULT_LEASE_NAME;
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    this.release = opts.releaseOnCancel ?? true;
    if (this.leaseDurationMs <= this.renewDeadlineMs)
      throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs)
      throw new Error('renewDeadline must be greater than retryPeriod*1.2');
    if (this.retryPeriodMs < 1) throw new Error('retryPeriod must be positive');
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder identity last observed on the Lease ('' when free, undefined before any read). */
  getLeader(): string | undefined {
    return this.observed?.lease.spec?.holderIdentity;
  }

  /**
   * Campaigns until leader, leads until the lease is lost or stop() is called, then resolves.
   * Like client-go's Run it does not campaign again after losing: the caller decides (Argo
   * exits the process).
   */
  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  /**
   * Stops campaigning/leading. With release (the default unless releaseOnCancel was false),
   * a leader hands the lease back; `release: false` just stops renewing, like a killed
   * process, so others must wait for the lease to expire.
   */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    if (opts.release !== undefined) this.release = opts.release;
    this.stopController.abort();
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private get path(): string {
    return resourcePath({
      group: 'coordination.k8s.io',
      version: 'v1',
      resource: 'leases',
      namespace: this.opts.namespace,
    });
  }

  private async loop(): Promise<void> {
    // Acquire.
    while (!this.stopped) {
      if (await this.tryAcquireOrRenew()) break;
      const jittered =
        this.retryPeriodMs * (1 + (this.opts.random ?? Math.random)() * JITTER_FACTOR);
      await this.sleep(jittered);
    }
    if (this.stopped) return;

    this.leading = true;
    this.opts.logger?.info('became leader', { lease: this.leaseName, identity: this.identity });
    const leading = new AbortController();
    let work: Promise<void> = Promise.resolve();
    try {
      const r = this.opts.onStartedLeading(leading.signal);
      if (r instanceof Promise) work = r.catch(() => undefined);
    } catch (e) {
      this.opts.logger?.warn('onStartedLeading threw', { error: String(e) });
    }

    // Renew.
    let lastRenew = Date.now();
    while (!this.stopped) {
      await this.sleep(this.retryPeriodMs);
      if (this.stopped) break;
      if (await this.tryAcquireOrRenew()) {
        lastRenew = Date.now();
      } else if (Date.now() - lastRenew >= this.renewDeadlineMs) {
        this.opts.logger?.warn('failed to renew lease; stopping leading', {
          lease: this.leaseName,
        });
        break;
      }
    }
    const graceful = this.stopped;
    this.leading = false;
    leading.abort();
    if (graceful && this.release) {
      // Let the work notice the abort before another replica may start (bounded).
      await Promise.race([work, this.delay(this.renewDeadlineMs)]);
      await this.releaseLease();
    }
    this.opts.logger?.info('stopped leading', { lease: this.leaseName, identity: this.identity });
    try {
      this.opts.onStoppedLeading?.();
    } catch (e) {
      this.opts.logger?.warn('onStoppedLeading threw', { error: String(e) });
    }
  }

  /** One attempt; true when this candidate holds the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = Date.now();
    const timeoutMs = Math.max(50, Math.floor(this.renewDeadlineMs / 2));
    const desired = (current?: LeaseSpec): LeaseSpec => {
      const mine = current?.holderIdentity === this.identity;
      return {
        ...(current ?? {}),
        holderIdentity: this.identity,
        leaseDurationSeconds: Math.max(1, Math.round(this.leaseDurationMs / 1000)),
        acquireTime: mine && current?.acquireTime ? current.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: mine
          ? (current?.leaseTransitions ?? 0)
          : (current?.leaseTransitions ?? -1) + 1,
      };
    };

    let lease: Lease;
    try {
      lease = await this.opts.client.request<Lease>({
        method: 'GET',
        path: `${this.path}/${encodeURIComponent(this.leaseName)}`,
        timeoutMs,
      });
    } catch (e) {
      if (!isNotFound(e)) {
        this.opts.logger?.warn('error retrieving lease', {
          lease: this.leaseName,
          error: String(e),
        });
        return false;
      }
      try {
        const created = await this.opts.client.request<Lease>({
          method: 'POST',
          path: this.path,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.leaseName, namespace: this.opts.namespace },
            spec: { ...desired(), leaseTransitions: 0 },
          },
          timeoutMs,
        });
        this.observe(created, Date.now());
        return true;
      } catch (err) {
        if (!isAlreadyExists(err))
          this.opts.logger?.warn('error creating lease', {
            lease: this.leaseName,
            error: String(err),
          });
        return false;
      }
    }

    this.observe(lease, now);
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    if (holder && holder !== this.identity && this.observed!.at + this.leaseDurationMs > now) {
      return false; // held by someone else and not expired
    }
    try {
      const updated = await this.opts.client.request<Lease>({
        method: 'PUT',
        path: `${this.path}/${encodeURIComponent(this.leaseName)}`,
        body: { ...lease, spec: desired(spec) },
        timeoutMs,
      });
      this.observe(updated, Date.now());
      return true;
    } catch (e) {
      if (!isConflict(e))
        this.opts.logger?.warn('error updating lease', { lease: this.leaseName, error: String(e) });
      return false;
    }
  }

  private async releaseLease(): Promise<void> {
    const lease = this.observed?.lease;
    if (!lease || lease.spec?.holderIdentity !== this.identity) return;
    const now = microTime(Date.now());
    try {
      const updated = await this.opts.client.request<Lease>({
        method: 'PUT',
        path: `${this.path}/${encodeURIComponent(this.leaseName)}`,
        body: {
          ...lease,
          spec: {
            ...lease.spec,
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
          },
        },
        timeoutMs: Math.max(50, Math.floor(this.renewDeadlineMs / 2)),
      });
      this.observe(updated, Date.now());
      this.opts.logger?.info('released lease', { lease: this.leaseName });
    } catch (e) {
      this.opts.logger?.warn('failed to release lease', {
        lease: this.leaseName,
        error: String(e),
      });
    }
  }

  /** Records the lease; the observation time moves only when the record changes. */
  private observe(lease: Lease, at: number): void {
    const fingerprint = JSON.stringify(lease.spec ?? {});
    if (this.observed?.fingerprint !== fingerprint) this.observed = { lease, fingerprint, at };
    else this.observed = { ...this.observed, lease };
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      try {
        this.opts.onNewLeader?.(holder);
      } catch {
        // a callback bug must not break the election
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.stopController.signal;
      if (signal.aborted) return resolve();
      const t = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(t);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }
}
