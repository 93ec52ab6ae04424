// `lint -f FILE` (§1.6): every Rollout of a (multi-document) file through the controller's spec
// validation and the referenced-resource checks against the Services and Ingresses of the same
// file. Each error body goes to stdout; the command then fails with the first error in full.
import type { Command } from 'commander';
import type { Rollout } from '../../src/api/rollout.ts';
import {
  validateRollout,
  validateRolloutSpec,
  type IngressLike,
  type ServiceLike,
  type ValidationError,
} from '../../src/rollout/validate.ts';
import { ctxOf, dig, isObj, newCommand, str, UsageError, type Obj } from './common.ts';
import { decodeDocuments, readManifest, strictCheck } from './decode.ts';

interface LintInput {
  rollouts: Obj[];
  services: Obj[];
  ingresses: Obj[];
}

function groupOf(apiVersion: unknown): string {
  const s = typeof apiVersion === 'string' ? apiVersion : '';
  return s.includes('/') ? s.slice(0, s.indexOf('/')) : '';
}

/** Sorts the documents of a file into Rollouts and referenced resources. */
export function collectDocuments(text: string): LintInput {
  const input: LintInput = { rollouts: [], services: [], ingresses: [] };
  for (const doc of decodeDocuments(text)) {
    if (!isObj(doc)) continue;
    const group = groupOf(doc.apiVersion);
    const kind = doc.kind;
    if (group === 'argoproj.io' && kind === 'Rollout') {
      strictCheck(doc);
      input.rollouts.push(doc);
    } else if (group === '' && kind === 'Service') {
      input.services.push(doc);
    } else if (
      kind === 'Ingress' &&
      (doc.apiVersion === 'networking.k8s.io/v1' || doc.apiVersion === 'extensions/v1beta1')
    ) {
      input.ingresses.push(doc);
    }
  }
  return input;
}

const nameOf = (o: Obj): string => str(dig(o, 'metadata', 'name'));

function ingressBackends(ing: Obj): string[] {
  const out: string[] = [];
  const rules = dig(ing, 'spec', 'rules');
  for (const rule of Array.isArray(rules) ? rules : []) {
    const paths = dig(rule, 'http', 'paths');
    for (const p of Array.isArray(paths) ? paths : []) {
      const svc = dig(p, 'backend', 'service', 'name') ?? dig(p, 'backend', 'serviceName');
      if (typeof svc === 'string') out.push(svc);
    }
  }
  return out;
}

/** Every error for one Rollout: all spec errors, else the first referenced-resource error. */
export function lintRollout(ro: Obj, input: LintInput): ValidationError[] {
  const rollout = ro as unknown as Rollout;
  const canary = dig(ro, 'spec', 'strategy', 'canary');
  const bg = dig(ro, 'spec', 'strategy', 'blueGreen');
  const serviceNames = new Set(
    [
      dig(canary, 'canaryService'),
      dig(canary, 'stableService'),
      dig(canary, 'pingPong', 'pingService'),
      dig(canary, 'pingPong', 'pongService'),
      dig(bg, 'activeService'),
      dig(bg, 'previewService'),
    ].filter((s): s is string => typeof s === 'string' && s !== ''),
  );
  const services = new Map<string, ServiceLike | undefined>();
  for (const svc of input.services) {
    if (serviceNames.has(nameOf(svc))) services.set(nameOf(svc), svc as unknown as ServiceLike);
  }
  const stable = dig(canary, 'stableService');
  const root =
    dig(canary, 'trafficRouting', 'alb', 'rootService') ??
    dig(canary, 'trafficRouting', 'smi', 'rootService');
  const ingresses = new Map<string, IngressLike | undefined>();
  for (const ing of input.ingresses) {
    const backends = ingressBackends(ing);
    if (backends.some((b) => b === stable || b === root)) {
      ingresses.set(nameOf(ing), ing as unknown as IngressLike);
    }
  }
  const specErrors = validateRolloutSpec(rollout);
  if (specErrors.length > 0) return specErrors;
  const refErr = validateRollout(rollout, { services, ingresses });
  return refErr ? [refErr] : [];
}

export function lintCommand(): Command {
  return newCommand('lint', {
    usage: '[flags]',
    short: 'Lint and validate a Rollout',
    long: 'This command lints and validates a new Rollout resource from a file.',
    example: `
  # Lint a rollout
  kubectl argo rollouts lint -f my-rollout.yaml`,
  })
    .option('-f, --filename <string>', 'File to lint')
    .action((opts: { filename?: string }, cmd: Command) => {
      if (!opts.filename) throw new UsageError(cmd);
      const ctx = ctxOf(cmd);
      const input = collectDocuments(readManifest(opts.filename));
      for (const ro of input.rollouts) {
        const errs = lintRollout(ro, input);
        for (const e of errs) ctx.out(`${e.message}\n`);
        const first = errs[0];
        if (first) throw new Error(`${first.field}: ${first.message}`);
      }
    });
}
