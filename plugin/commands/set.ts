// `set image NAME CONTAINER=IMAGE` (§1.4.2): GET the Rollout (or the Deployment its workloadRef
// names), set the image of the matching containers, PUT it back; up to 5 attempts on 409.
import type { Command } from 'commander';
import { isConflict, type KubeObject } from '../../src/kube/raw-client.ts';
import { DEPLOYMENTS, pathOf, ROLLOUTS, type Kube } from '../kube.ts';
import { ctxOf, dig, isObj, newCommand, UsageError, type Obj } from './common.ts';

const CONTAINER_FIELDS = ['initContainers', 'containers', 'ephemeralContainers'];

/** Sets `image` on the containers named `container` (every one for `*`); false if none matched. */
export function applyImage(obj: KubeObject, container: string, image: string): boolean {
  const podSpec = dig(obj, 'spec', 'template', 'spec');
  let found = false;
  if (!isObj(podSpec)) return false;
  for (const field of CONTAINER_FIELDS) {
    const list = podSpec[field];
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (isObj(c) && (container === '*' || c.name === container)) {
        c.image = image;
        found = true;
      }
    }
  }
  return found;
}

const MAX_ATTEMPTS = 5;

export interface SetImageResult {
  /** 'rollout', or 'deployment' when the Rollout's workloadRef was edited. */
  kind: 'rollout' | 'deployment';
  /** The object the UPDATE returned. */
  updated: KubeObject;
}

/**
 * `set image` for one Rollout (the command and the dashboard's set endpoint): GET the Rollout
 * (or its workloadRef Deployment), set the image, PUT it back; up to 5 attempts on 409.
 */
export async function setImage(
  kube: Pick<Kube, 'client'>,
  namespace: string,
  name: string,
  container: string,
  image: string,
): Promise<SetImageResult> {
  const { client } = kube;
  for (let attempt = 1; ; attempt++) {
    const ro = await client.get(pathOf(ROLLOUTS, namespace, name));
    let path = pathOf(ROLLOUTS, namespace, name);
    let obj = ro;
    let kind: SetImageResult['kind'] = 'rollout';
    const ref = (ro.spec as Obj | undefined)?.workloadRef;
    if (isObj(ref)) {
      if (typeof ref.name !== 'string') {
        throw new Error(`spec.workloadRef.name is not a string: ${JSON.stringify(ref.name)}`);
      }
      path = pathOf(DEPLOYMENTS, namespace, ref.name);
      obj = await client.get(path);
      kind = 'deployment';
    }
    if (!applyImage(obj, container, image)) {
      throw new Error(`unable to find container named "${container}"`);
    }
    try {
      return { kind, updated: await client.update(path, obj) };
    } catch (e) {
      if (!isConflict(e) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
}

export function setCommand(): Command {
  const set = newCommand('set', {
    usage: '<command> [flags]',
    short: 'Update various values on resources',
    example: `
  # Set rollout image
  kubectl argo rollouts set image my-rollout demo=argoproj/rollouts-demo:yellow`,
  });
  set.addCommand(
    newCommand('image', {
      usage: 'ROLLOUT_NAME CONTAINER=IMAGE [flags]',
      short: 'Update the image of a rollout',
      example: `
  # Set rollout image
  kubectl argo rollouts set image my-rollout containerName=imageName`,
    })
      .argument('[args...]')
      .action(async (args: string[], _opts: unknown, cmd: Command) => {
        if (args.length !== 2) throw new UsageError(cmd);
        const name = args[0]!;
        const parts = args[1]!.split('=');
        if (parts.length !== 2) throw new UsageError(cmd);
        const [container, image] = parts as [string, string];
        const ctx = ctxOf(cmd);
        const kube = await ctx.kube();
        const { kind, updated } = await setImage(kube, kube.namespace, name, container, image);
        ctx.out(`${kind} "${updated.metadata.name ?? name}" image updated\n`);
      }),
  );
  return set;
}
