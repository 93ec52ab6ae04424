// /sim/v1/…: controls of the emulator itself (faults, kubelet behaviour), for tests, the
// demo and people poking at it with curl. Not part of the Kubernetes API.
import type { AdminHandler } from './http/server.ts';
import type { Faults } from './http/faults.ts';
import type { ImageBehavior, Kubelet } from './cluster/kubelet.ts';
import type { Store } from './store/store.ts';

const BEHAVIORS: ImageBehavior[] = ['ready', 'unready', 'crashloop'];

export function adminHandler(store: Store, faults: Faults, kubelet: Kubelet): AdminHandler {
  return (method, path, body) => {
    const route = `${method} ${path.join('/')}`;
    const b = (body ?? {}) as Record<string, unknown>;
    switch (route) {
      case 'GET v1/info':
        return {
          code: 200,
          body: {
            resourceVersion: store.resourceVersion,
            faults: {
              latencyMs: faults.latencyMs,
              hangWatches: faults.hangWatches,
              injected: faults.injected,
            },
            kubelet: { readyDelayMs: kubelet.opts.readyDelayMs, images: kubelet.imageBehaviors() },
          },
        };
      case 'PUT v1/faults':
        faults.configure(b);
        return { code: 200, body: { ok: true } };
      case 'DELETE v1/faults':
        faults.reset();
        return { code: 200, body: { ok: true } };
      case 'POST v1/faults/drop-watches':
        return { code: 200, body: { dropped: faults.dropWatches() } };
      case 'POST v1/faults/compact':
        store.compact();
        return { code: 200, body: { compactedAt: store.resourceVersion } };
      case 'PUT v1/kubelet': {
        if (typeof b.readyDelayMs === 'number') kubelet.setReadyDelay(b.readyDelayMs);
        const images = (b.images ?? {}) as Record<string, string>;
        for (const [image, behavior] of Object.entries(images)) {
          if (!BEHAVIORS.includes(behavior as ImageBehavior)) {
            return {
              code: 400,
              body: { error: `behavior for ${image} must be one of ${BEHAVIORS.join(', ')}` },
            };
          }
          kubelet.setImageBehavior(image, behavior as ImageBehavior);
        }
        return { code: 200, body: { ok: true, images: kubelet.imageBehaviors() } };
      }
      default:
        return { code: 404, body: { error: `no admin route ${route}` } };
    }
  };
}
