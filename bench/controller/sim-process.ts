// The emulator for the controller benchmark, in its own process (so that neither the
// controller nor the load generator shares its event loop). It answers two IPC messages:
//   stats → { cpuMs, requests }: its CPU time so far and startSim()'s request counter folded
//           by method and resource ("PATCH rollouts/status", "POST events", …). Read-only: the
//           counter is sim.requests, keyed by "METHOD path"; object names are dropped here.
//   stop  → stops the emulator and exits.
// /sim/v1/info carries no request counts, so they travel over the fork() IPC channel instead
// (no extra port). Requests made by the emulator's own controllers (kubelet, ReplicaSet and
// Deployment controllers) do not go through HTTP and are not counted.
import { startSim, type SimOptions } from '../../sim/index.ts';

type Message = { type: 'stats' } | { type: 'stop' };

const send = (m: object) => process.send!(m);
const options = JSON.parse(process.env.CONTROLLER_BENCH_SIM ?? '{}') as SimOptions;
const sim = await startSim(options);
send({ type: 'ready', url: sim.url, kubeconfig: sim.kubeconfig });

/**
 * "/api/v1/namespaces/ns/pods/name/status" → "pods/status"; "/apis/g/v/rollouts" → "rollouts".
 * Collection and object requests of one resource share a key; the method tells them apart.
 */
function resourceOf(path: string): string {
  const segs = path.split('/').filter(Boolean);
  let rest: string[];
  if (segs[0] === 'api') rest = segs.slice(2);
  else if (segs[0] === 'apis') rest = segs.slice(3);
  else return segs.slice(0, 2).join('/') || '/';
  if (rest[0] === 'watch') rest = rest.slice(1);
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const [resource = '', , sub] = rest;
  return sub ? `${resource}/${sub}` : resource;
}

function foldedRequests(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of sim.requests) {
    const space = key.indexOf(' ');
    const k = `${key.slice(0, space)} ${resourceOf(key.slice(space + 1))}`;
    out[k] = (out[k] ?? 0) + n;
  }
  return out;
}

process.on('message', (m: Message) => {
  if (m.type === 'stats') {
    const cpu = process.cpuUsage();
    send({ type: 'stats', cpuMs: (cpu.user + cpu.system) / 1000, requests: foldedRequests() });
  } else if (m.type === 'stop') {
    void sim.stop().then(() => {
      send({ type: 'stopped' });
      process.disconnect();
    });
  }
});
// Never outlive the benchmark that started us.
process.on('disconnect', () => process.exit(0));
