// startSim(): the emulator in-process, for tests and the demo. The CLI wraps the same call.
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { ObjectService } from './api/objects.ts';
import { adminHandler } from './admin.ts';
import { DeploymentController } from './cluster/deployment-controller.ts';
import { Kubelet, type ImageBehavior } from './cluster/kubelet.ts';
import { ReplicaSetController } from './cluster/replicaset-controller.ts';
import { Faults, type FaultConfig } from './http/faults.ts';
import { createApiServer } from './http/server.ts';
import { simKubeconfig } from './kubeconfig.ts';
import { Persistence } from './persist.ts';
import { Registry } from './registry/registry.ts';
import { Store } from './store/store.ts';

export interface SimOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  dataDir?: string;
  /** Where to write a kubeconfig for kubectl; the text is returned either way. */
  kubeconfigPath?: string;
  kubeletReadyDelayMs?: number;
  crashIntervalMs?: number;
  bookmarkIntervalMs?: number;
  /**
   * Count requests by "METHOD path" in `requests` (default true). Paths include object names,
   * so a long-running emulator (the CLI, the demo) turns it off.
   */
  recordRequests?: boolean;
  /** Watch replay history, in events; older resourceVersions get 410 Gone. */
  eventLogCapacity?: number;
}

export interface Sim {
  url: string;
  port: number;
  kubeconfig: string;
  kubeconfigPath?: string;
  store: Store;
  registry: Registry;
  objects: ObjectService;
  faults: Faults & { set(c: FaultConfig): void; compact(): void };
  kubelet: Kubelet;
  setImageBehavior(image: string, behavior: ImageBehavior): void;
  /** Count of HTTP requests by "METHOD path", for tests that assert on traffic. */
  requests: Map<string, number>;
  stop(): Promise<void>;
}

const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startSim(opts: SimOptions = {}): Promise<Sim> {
  const store = new Store(opts.eventLogCapacity);
  const registry = new Registry();
  const objects = new ObjectService(store, registry);
  const nsType = registry.find('', 'v1', 'namespaces')!;

  const snapshot = opts.dataDir ? Persistence.load(opts.dataDir) : undefined;
  if (snapshot) {
    store.restore(snapshot);
    for (const { storage, object } of snapshot.objects) {
      if (storage === 'apiextensions.k8s.io/customresourcedefinitions') registry.setCrd(object);
    }
  }
  for (const ns of DEFAULT_NAMESPACES) {
    if (!store.get('/namespaces', undefined, ns))
      objects.create(nsType, undefined, { metadata: { name: ns } });
  }
  const persistence = opts.dataDir ? new Persistence(store, opts.dataDir) : undefined;

  const faults = new Faults();
  const kubelet = new Kubelet(objects, {
    readyDelayMs: opts.kubeletReadyDelayMs ?? 200,
    crashIntervalMs: opts.crashIntervalMs ?? 5000,
    nodeName: 'sim-node-1',
  });
  const rsController = new ReplicaSetController(objects);
  const deployController = new DeploymentController(objects);
  const requests = new Map<string, number>();
  const server = createApiServer({
    svc: objects,
    faults,
    admin: adminHandler(store, faults, kubelet),
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 30_000,
    ...(opts.recordRequests === false
      ? {}
      : {
          onRequest: (method: string, path: string) =>
            requests.set(`${method} ${path}`, (requests.get(`${method} ${path}`) ?? 0) + 1),
        }),
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  const kubeconfig = simKubeconfig(url);
  if (opts.kubeconfigPath) writeFileSync(opts.kubeconfigPath, kubeconfig);

  const faultControls = Object.assign(faults, {
    set: (c: FaultConfig) => faults.configure(c),
    compact: () => store.compact(),
  });

  return {
    url,
    port,
    kubeconfig,
    ...(opts.kubeconfigPath ? { kubeconfigPath: opts.kubeconfigPath } : {}),
    store,
    registry,
    objects,
    faults: faultControls,
    kubelet,
    setImageBehavior: (image, behavior) => kubelet.setImageBehavior(image, behavior),
    requests,
    async stop() {
      rsController.stop();
      deployController.stop();
      kubelet.stop();
      persistence?.stop();
      server.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => setImmediate(r));
    },
  };
}
