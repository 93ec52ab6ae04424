// What the demo prints once everything runs: what is where, then what to try.
import { relative } from 'node:path';

export interface NextStepsInput {
  cwd: string;
  kubeconfig: string;
  shimDir: string;
  dataDir: string;
  simUrl: string;
  appUrl: string;
  dashboardUrl: string | undefined;
  /** Why there is no dashboard, when there is none. */
  dashboardNote: string | undefined;
  analysis: string;
  rollout: string;
  logs: { name: string; pid: number | undefined; file: string }[];
}

export function nextSteps(i: NextStepsInput): string {
  const rel = (p: string): string => {
    const r = relative(i.cwd, p);
    return r && !r.startsWith('..') ? `./${r}` : p;
  };
  const pad = (s: string, n: number): string => s.padEnd(n);
  const lines = [
    '',
    'The Argo Rollouts demo is running.',
    '',
    `  cluster     ${i.simUrl}  (the emulator; state in ${rel(i.dataDir)})`,
    `  dashboard   ${i.dashboardUrl ?? `not running: ${i.dashboardNote ?? 'unknown reason'}`}`,
    `  demo app    ${i.appUrl}/api/traffic  (simulated traffic through the ALB Ingress)`,
    `  analysis    ${i.analysis}`,
    `  rollout     ${i.rollout}`,
    '',
    '  logs:',
    ...i.logs.map(
      (l) =>
        `    ${pad(l.name, 11)} ${pad(l.pid === undefined ? '' : `pid ${l.pid}`, 10)} ${rel(l.file)}`,
    ),
    '',
    'Next steps, in another terminal:',
    '',
    `  export KUBECONFIG=${i.kubeconfig}`,
    `  export PATH=${i.shimDir}:$PATH        # kubectl argo rollouts = this checkout's plugin`,
    '',
    '  kubectl argo rollouts get rollout rollouts-demo --watch',
    '',
    '  # a new version: the canary gets 20% of the traffic, then waits for you',
    '  kubectl argo rollouts set image rollouts-demo rollouts-demo=argoproj/rollouts-demo:yellow',
    '  kubectl argo rollouts promote rollouts-demo        # 40%, 60%, 80% (10 s each), then 100%',
    '',
    '  # a bad version: it answers half of its requests with 500, the background analysis',
    '  # fails within seconds and the rollout aborts (Degraded, traffic back to stable)',
    '  kubectl argo rollouts set image rollouts-demo rollouts-demo=argoproj/rollouts-demo:bad-red',
    '  kubectl argo rollouts undo rollouts-demo           # back to the previous version',
    '',
    '  kubectl get analysisruns                            # the measurements behind each verdict',
    `  kubectl get ingress rollouts-demo-ingress -o yaml  # the ALB action with the weights`,
    ...(i.dashboardUrl ? [`  open ${i.dashboardUrl}`] : []),
    '',
    `Ctrl-C stops everything; \`npm run demo\` again continues from the saved state.`,
    `To start over: rm -rf ${rel(i.dataDir)} ${rel(i.kubeconfig)}`,
    '',
  ];
  return lines.join('\n');
}
