// The getting-started fixtures (alb/, nginx/, mixed/), loaded unchanged.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import yaml from 'js-yaml';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import { rollout as rolloutSchema, type Rollout } from '../../../src/api/rollout.ts';
import { AlbRouter } from '../../../src/traffic/alb.ts';
import {
  albConfig,
  MANAGED_ALB_ANNOTATIONS,
  validateAlbIngresses,
} from '../../../src/traffic/alb-annotations.ts';
import { NginxRouter } from '../../../src/traffic/nginx.ts';
import { validateNginxIngresses } from '../../../src/traffic/nginx-ingress.ts';
import { newTrafficRouters } from '../../../src/traffic/routers.ts';
import { checkAlbIngress, servicesLookup } from '../../support/alb-check.ts';
import { assertAlbValid, FakeIngressOps } from './helpers.ts';

const DIR = new URL('../../../../shared/fixtures/argo-rollouts/getting-started/', import.meta.url);
const load = (rel: string): KubeObject[] =>
  yaml.loadAll(readFileSync(new URL(rel, DIR), 'utf8')).filter(Boolean) as KubeObject[];

interface Fixture {
  rollout: Rollout;
  ingress: KubeObject;
  services: KubeObject[];
}

function fixture(dir: 'alb' | 'nginx' | 'mixed'): Fixture {
  const raw = load(`${dir}/rollout.yaml`)[0]!;
  const rollout = rolloutSchema.parse(raw);
  rollout.metadata.uid = 'uid-demo';
  return {
    rollout,
    ingress: load(`${dir}/ingress.yaml`)[0]!,
    services: load(`${dir}/services.yaml`),
  };
}

const ROOT_KEY = 'alb.ingress.kubernetes.io/actions.rollouts-demo-root';
const split = (canary: number): string =>
  `{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"rollouts-demo-canary","ServicePort":"80","Weight":${canary}},{"ServiceName":"rollouts-demo-stable","ServicePort":"80","Weight":${100 - canary}}]}}`;

describe('getting-started/alb fixture', () => {
  it('parses and validates clean', () => {
    const f = fixture('alb');
    assert.equal(albConfig(f.rollout).actionService, 'rollouts-demo-root');
    assert.deepEqual(
      validateAlbIngresses(f.rollout, (n) =>
        n === f.ingress.metadata.name ? f.ingress : undefined,
      ),
      [],
    );
    // Before the first SetWeight the use-annotation path has no action: the LBC answers 503.
    assert.deepEqual(checkAlbIngress(f.ingress, { lookup: servicesLookup(f.services) }), [
      'alb.ingress.kubernetes.io/actions.rollouts-demo-root: missing (the LBC answers 503 for this path)',
    ]);
  });

  const steps: { name: string; weight: number }[] = [
    { name: 'TR-01 first deploy writes 0/100 on the root-service key', weight: 0 },
    { name: 'TR-02 setWeight 5', weight: 5 },
    { name: 'TR-15 last step 100', weight: 100 },
    { name: 'TR-15 promoted back to 0/100', weight: 0 },
  ];
  it('weights over a rollout lifecycle, every value accepted by the LBC rules', async () => {
    const f = fixture('alb');
    const ops = new FakeIngressOps([f.ingress]);
    const router = new AlbRouter(f.rollout, { ops });
    const lookup = servicesLookup(f.services);
    for (const step of steps) {
      await router.setWeight(step.weight);
      const ing = ops.objects.get('rollouts-demo-ingress')!;
      const ann = ing.metadata.annotations ?? {};
      assert.equal(ann[ROOT_KEY], split(step.weight), step.name);
      assert.equal(ann[MANAGED_ALB_ANNOTATIONS], `{"rollouts-demo":["${ROOT_KEY}"]}`);
      assert.equal(ann['kubernetes.io/ingress.class'], 'alb');
      assert.deepEqual(ing.spec, f.ingress.spec);
      assertAlbValid(ann, lookup);
      assert.deepEqual(checkAlbIngress(ing, { lookup }), [], step.name);
    }
  });
});

describe('getting-started/nginx and mixed fixtures', () => {
  for (const dir of ['nginx', 'mixed'] as const) {
    it(`${dir}: validates, and the canary Ingress targets the canary Service on port 80`, async () => {
      const f = fixture(dir);
      assert.deepEqual(
        validateNginxIngresses(f.rollout, () => f.ingress),
        [],
      );
      const ops = new FakeIngressOps([f.ingress]);
      const { routers, unsupported } = newTrafficRouters(f.rollout, { ops });
      assert.deepEqual(unsupported, dir === 'mixed' ? ['smi'] : []);
      assert.ok(routers[0] instanceof NginxRouter);
      await routers[0].setWeight(5);
      const canary = ops.objects.get('rollouts-demo-rollouts-demo-stable-canary')!;
      const paths = (canary.spec as { rules: { http: { paths: { backend: unknown }[] } }[] })
        .rules[0]!.http.paths;
      assert.deepEqual(paths[0]!.backend, {
        service: { name: 'rollouts-demo-canary', port: { number: 80 } },
      });
      const ports = (
        f.services.find((s) => s.metadata.name === 'rollouts-demo-canary')!.spec as {
          ports: { port: number }[];
        }
      ).ports;
      assert.ok(ports.some((p) => p.port === 80));
      assert.equal(canary.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight'], '5');
    });
  }
});
