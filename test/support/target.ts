// The cluster a conformance test runs against: the emulator by default, or a real cluster
// when KUBECONFIG_CONFORMANCE names a kubeconfig (kind, k3d …), so the emulator's
// behaviour can be checked against the real thing with the same tests.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startSim, type Sim, type SimOptions } from '../../sim/index.ts';

export interface Target {
  kubeconfigPath: string;
  kc: KubeConfig;
  /** Present when running against the emulator; sim-only tests use its controls. */
  sim?: Sim;
  tmpDir: string;
  /** Creates a fresh namespace for one test, deleted by close(). */
  namespace(prefix?: string): Promise<string>;
  close(): Promise<void>;
}

export const REAL_CLUSTER = process.env.KUBECONFIG_CONFORMANCE;

let counter = 0;

export async function openTarget(simOptions: SimOptions = {}): Promise<Target> {
  const tmpDir = mkdtempSync(join(tmpdir(), 'rollouts-test-'));
  let sim: Sim | undefined;
  let kubeconfigPath: string;
  if (REAL_CLUSTER) {
    kubeconfigPath = REAL_CLUSTER;
  } else {
    sim = await startSim({ kubeletReadyDelayMs: 50, ...simOptions });
    kubeconfigPath = join(tmpDir, 'kubeconfig');
    writeFileSync(kubeconfigPath, sim.kubeconfig);
  }
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const namespaces: string[] = [];
  return {
    kubeconfigPath,
    kc,
    ...(sim ? { sim } : {}),
    tmpDir,
    async namespace(prefix = 'conf') {
      const name = `${prefix}-${process.pid}-${++counter}`;
      await core.createNamespace({ body: { metadata: { name } } });
      namespaces.push(name);
      return name;
    },
    async close() {
      if (!sim) {
        for (const name of namespaces) {
          await core.deleteNamespace({ name }).catch(() => undefined);
        }
      }
      await sim?.stop();
      rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `fn` returns a truthy value; fails with the last value seen after `timeoutMs`. */
export async function eventually<T>(
  fn: () => Promise<T> | T,
  what: string,
  timeoutMs = 10_000,
  intervalMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const detail = lastError instanceof Error ? lastError.message : JSON.stringify(last);
  throw new Error(`timed out waiting for ${what}; last: ${detail}`);
}
