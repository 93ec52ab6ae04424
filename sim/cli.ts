// rollouts-sim: the emulator as a process, until SIGINT/SIGTERM.
import { Command } from 'commander';
import { resolve } from 'node:path';
import { startSim } from './index.ts';

const program = new Command('rollouts-sim')
  .description(
    'A local Kubernetes API server emulator that kubectl and client-node talk to unchanged',
  )
  .option('--port <port>', 'port to listen on (0 picks a free one)', '8001')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--kubeconfig <file>', 'write a kubeconfig for this server here', './sim.kubeconfig')
  .option('--data-dir <dir>', 'keep state in this directory across restarts')
  .option('--pod-ready-delay <ms>', 'time from pod creation to Ready', '200')
  .action(
    async (o: {
      port: string;
      host: string;
      kubeconfig: string;
      dataDir?: string;
      podReadyDelay: string;
    }) => {
      // Number('') and Number(' ') are 0, which would silently pick a random port.
      const port = /^\d+$/.test(o.port) ? Number(o.port) : NaN;
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        console.error(`rollouts-sim: --port must be an integer 0-65535, got "${o.port}"`);
        process.exit(2);
      }
      const kubeconfigPath = resolve(o.kubeconfig);
      const sim = await startSim({
        port,
        host: o.host,
        kubeconfigPath,
        recordRequests: false,
        kubeletReadyDelayMs: Number(o.podReadyDelay),
        ...(o.dataDir ? { dataDir: resolve(o.dataDir) } : {}),
      });
      console.log(`rollouts-sim listening on ${sim.url}`);
      console.log(`kubeconfig written to ${kubeconfigPath}`);
      console.log(`  export KUBECONFIG=${kubeconfigPath}`);
      if (o.dataDir) console.log(`state kept in ${resolve(o.dataDir)}`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`rollouts-sim: ${signal}, stopping`);
        sim.stop().then(
          () => process.exit(0),
          (e: unknown) => {
            console.error(e);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    },
  );

program.parseAsync().catch((e: unknown) => {
  console.error(`rollouts-sim: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
