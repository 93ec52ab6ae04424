// `list rollouts [-A] [--name N] [-w] [--timestamps]` (§1.5.3). Rows are built from the Rollout
// alone (no ReplicaSets), as the original does.
import { Option, type Command } from 'commander';
import type { KubeObject } from '../../src/kube/raw-client.ts';
import { buildRolloutInfo } from '../info/rollout-info.ts';
import type { RolloutInfo } from '../info/types.ts';
import {
  renderRolloutRows,
  rolloutListLine,
  rolloutRow,
  rowsEqual,
  type RolloutRow,
} from '../render/list-rollouts.ts';
import { tabwrite } from '../render/tabwriter.ts';
import { pathOf, ROLLOUTS, type Kube } from '../kube.ts';
import { ctxOf, newCommand, type Ctx } from './common.ts';
import { onSignals } from './signals.ts';

interface ListFlags {
  name?: string;
  allNamespaces?: boolean;
  watch?: boolean;
  timestamps?: boolean;
}

const infoOf = (ro: KubeObject, now: Date): RolloutInfo =>
  buildRolloutInfo({ rollout: ro, replicaSets: [], pods: [], analysisRuns: [], now });

/** A batch of watch rows, aligned among themselves (the original flushes a tab writer). */
function rowsText(infos: RolloutInfo[], flags: ListFlags, now: Date): string {
  const opts = {
    allNamespaces: flags.allNamespaces === true,
    timestamps: flags.timestamps === true,
    now,
  };
  return tabwrite(infos.map((i) => rolloutListLine(rolloutRow(i), opts)).join(''), {
    minwidth: 0,
    padding: 2,
  });
}

async function watchUpdates(
  ctx: Ctx,
  kube: Kube,
  path: string,
  query: Record<string, string>,
  items: KubeObject[],
  flags: ListFlags,
): Promise<void> {
  const prev = new Map<string, RolloutRow>();
  const key = (ro: KubeObject): string =>
    `${ro.metadata.namespace ?? ''}/${ro.metadata.name ?? ''}`;
  const epoch = new Date();
  for (const ro of items) prev.set(key(ro), rolloutRow(infoOf(ro, epoch)));

  let pending: RolloutInfo[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    ctx.out(rowsText(pending, flags, new Date()));
    pending = [];
  };
  const ticker = setInterval(flush, 500);

  let stopped = false;
  let finish!: (e?: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = (e) => {
      stopped = true;
      if (e) reject(e);
      else resolve();
    };
  });
  const signals = onSignals(() => finish());
  const { Watch } = await import('@kubernetes/client-node');
  const watch = new Watch(kube.kc);
  let abort: AbortController | undefined;
  let failures = 0;

  const start = async (): Promise<void> => {
    while (!stopped) {
      try {
        abort = await watch.watch(
          path,
          query,
          (_type: string, obj: KubeObject) => {
            if (!obj?.metadata) return;
            failures = 0;
            if (obj.metadata.resourceVersion) query.resourceVersion = obj.metadata.resourceVersion;
            const info = infoOf(obj, new Date());
            const row = rolloutRow(info);
            const before = prev.get(key(obj));
            if (before && rowsEqual(before, row)) return;
            prev.set(key(obj), row);
            pending.push(info);
          },
          (err: unknown) => {
            if (stopped) return;
            if (err) {
              failures++;
              if (failures > 5) {
                finish(err instanceof Error ? err : new Error(JSON.stringify(err)));
                return;
              }
              setTimeout(() => void start(), 1000);
            } else {
              void start();
            }
          },
        );
        return;
      } catch (e) {
        failures++;
        if (failures > 5) {
          finish(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  try {
    await start();
    await done;
  } finally {
    clearInterval(ticker);
    flush();
    signals.dispose();
    abort?.abort();
  }
}

export function listCommand(): Command {
  const list = newCommand('list', {
    usage: '<rollout|experiment> [flags]',
    short: 'List rollouts or experiments',
    long: 'This command consists of multiple subcommands which can be used to list rollouts and experiments.',
    example: `
  # List rollouts
  kubectl argo rollouts list rollouts

  # List experiments
  kubectl argo rollouts list experiments`,
  });
  list.addCommand(
    newCommand('rollouts', {
      usage: '[flags]',
      short: 'List rollouts',
      long: 'This command lists all of the rollouts for a specified namespace (uses current namespace context if namespace not specified).',
      aliases: ['ro', 'rollout'],
      example: `
  # List rollouts
  kubectl argo rollouts list rollouts

  # List rollouts with a specific name
  kubectl argo rollouts list rollouts --name my-rollout

  # List rollouts from all namespaces
  kubectl argo rollouts list rollouts --all-namespaces

  # List rollouts and watch for changes
  kubectl argo rollouts list rollouts --watch`,
    })
      .allowExcessArguments(true)
      .option('--name <string>', 'Only show rollout with specified name')
      .option('-A, --all-namespaces', 'Include all namespaces')
      .option('-w, --watch', 'Watch for changes')
      .addOption(new Option('--no-watch').hideHelp())
      .option('--timestamps', 'Print timestamps on updates')
      .action(async (flags: ListFlags, cmd: Command) => {
        const ctx = ctxOf(cmd);
        const kube = await ctx.kube({ full: flags.watch === true });
        const path = pathOf(ROLLOUTS, flags.allNamespaces ? undefined : kube.namespace);
        const query: Record<string, string> = {};
        if (flags.name) query.fieldSelector = `metadata.name=${flags.name}`;
        const list = await kube.client.list(path, query);
        const now = new Date();
        if (list.items.length === 0 && !flags.watch) {
          ctx.err('No resources found.\n');
          return;
        }
        ctx.out(
          renderRolloutRows(
            list.items.map((ro) => infoOf(ro, now)),
            {
              allNamespaces: flags.allNamespaces === true,
              timestamps: flags.timestamps === true,
              now,
            },
          ),
        );
        if (!flags.watch) return;
        await watchUpdates(
          ctx,
          kube,
          path,
          { ...query, resourceVersion: list.metadata.resourceVersion ?? '' },
          list.items,
          flags,
        );
      }),
  );
  return list;
}
