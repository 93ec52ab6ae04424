// rollouts-controller: `npx rollouts-controller --kubeconfig F` outside a cluster, in-cluster
// configuration inside one. Flags follow Argo Rollouts' controller (cli-dashboard-ops §4.1).
import { FlagExit, parseControllerFlags } from './flags.ts';
import { runController } from './main.ts';

async function main(): Promise<void> {
  let cfg;
  try {
    cfg = parseControllerFlags(process.argv.slice(2));
  } catch (e) {
    if (e instanceof FlagExit) {
      if (e.output)
        (e.exitCode === 0 ? process.stdout : process.stderr).write(
          e.output.endsWith('\n') ? e.output : `${e.output}\n`,
        );
      process.exit(e.exitCode);
    }
    throw e;
  }
  const running = await runController(cfg);
  const onSignal = (sig: string) => {
    process.stderr.write(`received ${sig}\n`);
    void running.stop();
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  await running.done;
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`rollouts-controller: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
