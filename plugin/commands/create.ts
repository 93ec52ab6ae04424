// `create -f FILE...` (§1.6): Argo kinds only, decoded strictly, created as the unstructured
// object; `-w` then watches the created Rollout (`get rollout --watch`). `create analysisrun`
// builds a run from an (Cluster)AnalysisTemplate in the cluster or in a file.
import { Option, type Command } from 'commander';
import type { KubeObject } from '../../src/kube/raw-client.ts';
import {
  ANALYSIS_RUNS,
  ANALYSIS_TEMPLATES,
  CLUSTER_ANALYSIS_TEMPLATES,
  EXPERIMENTS,
  pathOf,
  ROLLOUTS,
  type Gvr,
} from '../kube.ts';
import { ctxOf, dig, isObj, newCommand, str, UsageError, type Obj } from './common.ts';
import { decodeDocuments, readManifest, strictCheck } from './decode.ts';
import { watchRollout } from './get.ts';

const KINDS: Record<string, { gvr: Gvr; printed: string }> = {
  Rollout: { gvr: ROLLOUTS, printed: 'rollout.argoproj.io' },
  Experiment: { gvr: EXPERIMENTS, printed: 'experiment.argoproj.io' },
  AnalysisTemplate: { gvr: ANALYSIS_TEMPLATES, printed: 'analysistemplate.argoproj.io' },
  // QUIRK kept: printed as an analysistemplate.
  ClusterAnalysisTemplate: {
    gvr: CLUSTER_ANALYSIS_TEMPLATES,
    printed: 'analysistemplate.argoproj.io',
  },
  AnalysisRun: { gvr: ANALYSIS_RUNS, printed: 'analysisrun.argoproj.io' },
};

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** Decodes one file to the object to create. */
export function decodeForCreate(text: string): Obj {
  const docs = decodeDocuments(text);
  const obj = docs[0];
  if (!isObj(obj)) throw new Error("Object 'Kind' is missing in '" + text.trim() + "'");
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  if (group !== 'argoproj.io' || !KINDS[kind]) {
    throw new Error(`creates of ${group}/${kind} unsupported`);
  }
  strictCheck(obj);
  return obj;
}

export function createCommand(): Command {
  const create = newCommand('create', {
    usage: '[flags]',
    short:
      'Create a Rollout, Experiment, AnalysisTemplate, ClusterAnalysisTemplate, or AnalysisRun resource',
    long: 'This command creates a new Rollout, Experiment, AnalysisTemplate, ClusterAnalysisTemplate, or AnalysisRun resource from a file.',
    example: `
  # Create an experiment and watch it
  kubectl argo rollouts create -f my-experiment.yaml -w`,
  })
    .option('-f, --filename <string>', 'Files to use to create the resource', collect)
    .option('-w, --watch', 'Watch live updates to the resource after creating')
    .addOption(new Option('--no-watch').hideHelp())
    .option('--no-color', 'Do not colorize output')
    .action(
      async (opts: { filename?: string[]; watch?: boolean; color: boolean }, cmd: Command) => {
        const files = opts.filename ?? [];
        if (files.length === 0) throw new UsageError(cmd);
        if (opts.watch && files.length > 1) throw new Error('Cannot watch multiple resources');
        const ctx = ctxOf(cmd);
        const kube = await ctx.kube({ full: opts.watch === true });
        let last: KubeObject | undefined;
        for (const file of files) {
          const obj = decodeForCreate(readManifest(file));
          const kind = KINDS[String(obj.kind)]!;
          const ns =
            (typeof dig(obj, 'metadata', 'namespace') === 'string' &&
              (dig(obj, 'metadata', 'namespace') as string)) ||
            kube.namespace;
          const meta = isObj(obj.metadata) ? obj.metadata : (obj.metadata = {});
          meta.namespace = ns; // set even on a ClusterAnalysisTemplate (QUIRK kept)
          const created = await kube.client.create(
            pathOf(kind.gvr, kind.gvr.namespaced ? ns : undefined),
            obj,
          );
          ctx.out(`${kind.printed}/${created.metadata.name ?? ''} created\n`);
          last = created;
        }
        if (opts.watch && last) {
          if (last.kind === 'Rollout') {
            await watchRollout(
              ctx,
              { ...kube, namespace: last.metadata.namespace ?? kube.namespace },
              last.metadata.name ?? '',
              {
                color: opts.color && process.env.TERM !== 'dumb',
                timeoutSeconds: 0,
              },
            );
            return;
          }
          if (last.kind === 'Experiment') {
            throw new Error('watching experiments is not supported in this version');
          }
          throw new Error('Can only watch resources of type Rollout or Experiment');
        }
      },
    );
  create.addCommand(createAnalysisRunCommand());
  return create;
}

interface CreateRunFlags {
  name?: string;
  generateName?: string;
  instanceId?: string;
  argument?: string[];
  from?: string;
  fromFile?: string;
  global?: boolean;
}

/** The AnalysisRun `create analysisrun` sends, from a template object (§1.6). */
export function analysisRunFromTemplate(
  template: Obj,
  flags: CreateRunFlags,
  namespace: string,
): Obj {
  const templateName = str(dig(template, 'metadata', 'name'));
  const name = flags.name ?? '';
  const generateName = flags.name ? '' : (flags.generateName ?? `${templateName}-`);
  if (name === '' && generateName === '-') throw new Error('name is invalid');
  const cliArgs = new Map<string, string>();
  for (const a of flags.argument ?? []) {
    const i = a.indexOf('=');
    if (i < 0) throw new Error('arguments must be in the form NAME=VALUE');
    cliArgs.set(a.slice(0, i), a.slice(i + 1));
  }
  const run = structuredClone(template);
  run.apiVersion = 'argoproj.io/v1alpha1';
  run.kind = 'AnalysisRun';
  const oldMeta = isObj(run.metadata) ? run.metadata : {};
  const meta: Obj = {};
  if (name) meta.name = name;
  if (generateName) meta.generateName = generateName;
  meta.namespace = namespace;
  if (isObj(oldMeta.labels)) meta.labels = oldMeta.labels;
  if (isObj(oldMeta.annotations)) meta.annotations = oldMeta.annotations;
  if (flags.instanceId) {
    meta.labels = { 'argo-rollouts.argoproj.io/controller-instance-id': flags.instanceId };
  }
  run.metadata = meta;
  delete run.status;
  const spec = isObj(run.spec) ? run.spec : (run.spec = {});
  const templateArgs = Array.isArray(spec.args) ? (spec.args as Obj[]) : [];
  const args: Obj[] = templateArgs.map((a) => {
    const n = String(a.name);
    if (cliArgs.has(n)) {
      const out: Obj = { name: n, value: cliArgs.get(n) };
      cliArgs.delete(n);
      return out;
    }
    return { ...a };
  });
  for (const [n, v] of cliArgs) args.push({ name: n, value: v });
  for (const a of args) {
    if (a.value === undefined && a.valueFrom === undefined) {
      throw new Error(`args.${String(a.name)} was not resolved`);
    }
  }
  if (args.length > 0) spec.args = args;
  else delete spec.args;
  return run;
}

function createAnalysisRunCommand(): Command {
  return newCommand('analysisrun', {
    usage: '[flags]',
    short: 'Create an AnalysisRun from an AnalysisTemplate or a ClusterAnalysisTemplate',
    long: 'This command creates a new AnalysisRun from an existing AnalysisTemplate resources or from an AnalysisTemplate file.',
    aliases: ['ar'],
    example: `
  # Create an AnalysisRun from a local AnalysisTemplate file
  kubectl argo rollouts create analysisrun --from-file my-analysis-template.yaml

  # Create an AnalysisRun from a AnalysisTemplate in the cluster
  kubectl argo rollouts create analysisrun --from my-analysis-template

  # Create an AnalysisRun from a local ClusterAnalysisTemplate file
  kubectl argo rollouts create analysisrun --global --from-file my-analysis-cluster-template.yaml

  # Create an AnalysisRun from a ClusterAnalysisTemplate in the cluster
  kubectl argo rollouts create analysisrun --global --from my-analysis-cluster-template`,
  })
    .option('--name <string>', 'Use the specified name for the run')
    .option('--generate-name <string>', 'Use the specified generateName for the run')
    .option('--instance-id <string>', 'Instance-ID for the AnalysisRun')
    .option('-a, --argument <stringArray>', 'Arguments to the parameter template', collect)
    .option(
      '--from <string>',
      'Create an AnalysisRun from an AnalysisTemplate or ClusterAnalysisTemplate in the cluster',
    )
    .option(
      '--from-file <string>',
      'Create an AnalysisRun from an AnalysisTemplate or ClusterAnalysisTemplate in a local file',
    )
    .option('--global', 'Use a ClusterAnalysisTemplate instead of a AnalysisTemplate')
    .action(async (opts: CreateRunFlags, cmd: Command) => {
      const ctx = ctxOf(cmd);
      if (Boolean(opts.from) === Boolean(opts.fromFile)) {
        throw new Error('one of --from or --from-file must be specified');
      }
      const kube = await ctx.kube();
      let template: Obj;
      if (opts.fromFile) {
        const doc = decodeDocuments(readManifest(opts.fromFile))[0];
        if (!isObj(doc)) throw new Error(`${opts.fromFile}: not an object`);
        strictCheck(doc);
        template = doc;
      } else {
        const gvr = opts.global ? CLUSTER_ANALYSIS_TEMPLATES : ANALYSIS_TEMPLATES;
        template = await kube.client.get(pathOf(gvr, kube.namespace, opts.from ?? ''));
      }
      const run = analysisRunFromTemplate(template, opts, kube.namespace);
      const created = await kube.client.create(pathOf(ANALYSIS_RUNS, kube.namespace), run);
      ctx.out(`analysisrun.argoproj.io/${created.metadata.name ?? ''} created\n`);
    });
}
