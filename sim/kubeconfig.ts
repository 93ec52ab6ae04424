// The kubeconfig kubectl and client-node use unchanged against the emulator. client-node
// refuses plain http unless the cluster says insecure-skip-tls-verify.
import yaml from 'js-yaml';

export function simKubeconfig(url: string, namespace = 'default'): string {
  return yaml.dump(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'rollouts-sim', cluster: { server: url, 'insecure-skip-tls-verify': true } },
      ],
      users: [{ name: 'rollouts-sim', user: {} }],
      contexts: [
        {
          name: 'rollouts-sim',
          context: { cluster: 'rollouts-sim', user: 'rollouts-sim', namespace },
        },
      ],
      'current-context': 'rollouts-sim',
      preferences: {},
    },
    { lineWidth: -1 },
  );
}
