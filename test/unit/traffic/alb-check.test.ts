// The LBC-rule checker itself: it must accept what Argo writes and catch what the LBC rejects.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkAlbAction,
  checkAlbConditions,
  checkAlbIngress,
  decodeAlbAction,
} from '../../support/alb-check.ts';
import { albIngress, lookupOf } from './helpers.ts';

const LOOKUP = lookupOf('a', 'b');
const ok = (w: number): string =>
  `{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"a","ServicePort":"443","Weight":${w}},{"ServiceName":"b","ServicePort":"443","Weight":${100 - w}}]}}`;

describe('checkAlbAction', () => {
  const rows: { name: string; value: string; want: string[]; total?: number | null }[] = [
    { name: 'Argo output accepted', value: ok(20), want: [] },
    {
      name: 'lower-case LBC spelling, numeric port, named port',
      value:
        '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"a","servicePort":443,"weight":50},{"serviceName":"b","servicePort":"http","weight":50}]}}',
      want: [],
    },
    {
      name: 'single target group may omit the weight',
      value:
        '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"a","ServicePort":"443"}]}}',
      want: [],
    },
    {
      name: 'missing weight with two groups',
      value:
        '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"a","ServicePort":"443"},{"ServiceName":"b","ServicePort":"443","Weight":100}]}}',
      want: ['weight must be set when route to multiple target groups'],
    },
    {
      name: 'weights not adding up to 100',
      value:
        '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"a","ServicePort":"443","Weight":20},{"ServiceName":"b","ServicePort":"443","Weight":20}]}}',
      want: ['weights add up to 40, not 100'],
    },
    {
      name: 'total check can be switched off',
      value:
        '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"a","ServicePort":"443","Weight":20},{"ServiceName":"b","ServicePort":"443","Weight":20}]}}',
      want: [],
      total: null,
    },
    {
      name: 'string weight is a decode error',
      value:
        '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"a","ServicePort":"443","Weight":"100"}]}}',
      want: ['targetGroups[0].weight: cannot unmarshal string "100" into int64'],
    },
    {
      name: 'type value is case-sensitive',
      value: '{"Type":"Forward","ForwardConfig":{"TargetGroups":[]}}',
      want: ['unknown action type: Forward'],
    },
    {
      name: 'unknown service and missing port',
      value:
        '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"zz","ServicePort":"443","Weight":50},{"ServiceName":"a","ServicePort":"8080","Weight":50}]}}',
      want: [
        'targetGroups[0]: service zz does not exist',
        'targetGroups[1]: service a has no port 8080',
      ],
    },
    {
      name: 'weight out of range',
      value:
        '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"a","ServicePort":"443","Weight":1000},{"ServiceName":"b","ServicePort":"443","Weight":-900}]}}',
      want: [
        'targetGroups[0]: weight 1000 outside 0..999',
        'targetGroups[1]: weight -900 outside 0..999',
      ],
    },
    {
      name: 'both ARN and forwardConfig',
      value: '{"Type":"forward","TargetGroupARN":"arn","ForwardConfig":{"TargetGroups":[]}}',
      want: ['precisely one of TargetGroupArn and ForwardConfig can be specified'],
    },
    {
      name: 'service without port',
      value:
        '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"a","Weight":100}]}}',
      want: ['targetGroups[0]: missing servicePort'],
    },
    {
      name: 'stickiness out of range',
      value:
        '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"a","ServicePort":"443","Weight":100}],"TargetGroupStickinessConfig":{"Enabled":true,"DurationSeconds":0}}}',
      want: ['stickiness durationSeconds 0 outside 1..604800'],
    },
    { name: 'not JSON', value: '{', want: ['not JSON'] },
    {
      name: 'later case-variant key wins, as in Go',
      value:
        '{"Type":"redirect","type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"a","ServicePort":"443","Weight":100}]}}',
      want: [],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const got = checkAlbAction(row.value, {
        lookup: LOOKUP,
        ...(row.total !== undefined ? { expectTotal: row.total } : {}),
      });
      if (row.want[0] === 'not JSON') assert.match(got[0] ?? '', /^not JSON/);
      else assert.deepEqual(got, row.want);
    });
  }

  it('numeric string ports are normalised to numbers (intstr.Parse)', () => {
    const { action } = decodeAlbAction(ok(0));
    assert.equal(action?.targetGroups?.[0]?.servicePort, 443);
  });
});

describe('checkAlbConditions', () => {
  const rows: { name: string; value: string; want: string[] }[] = [
    {
      name: 'valid',
      value: '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X","values":["a"]}}]',
      want: [],
    },
    {
      name: 'null matches everything',
      value: 'null',
      want: ['conditions are null: the route would match every request'],
    },
    {
      name: 'empty values',
      value: '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X","values":[]}}]',
      want: ['conditions[0]: invalid httpHeaderConfig: values cannot be empty'],
    },
    {
      name: 'missing config',
      value: '[{"field":"http-header"}]',
      want: ['conditions[0]: missing httpHeaderConfig'],
    },
  ];
  for (const row of rows) {
    it(row.name, () => assert.deepEqual(checkAlbConditions(row.value), row.want));
  }
});

describe('checkAlbIngress', () => {
  const COND = 'alb.ingress.kubernetes.io/conditions.hdr';
  const HDR_ACTION = 'alb.ingress.kubernetes.io/actions.hdr';
  const cond = '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X","values":["a"]}}]';
  const hdrAction =
    '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"b","ServicePort":"443","Weight":100}]}}';
  const hdrPath = {
    path: '/*',
    pathType: 'ImplementationSpecific',
    backend: { service: { name: 'hdr', port: { name: 'use-annotation' } } },
  };
  const rows: {
    name: string;
    annotations: Record<string, string>;
    /** The header path goes before the user's `/` path (as Argo puts it) unless false. */
    headerFirst?: boolean;
    headerPath?: boolean;
    want: string[];
  }[] = [
    {
      name: 'header route in front of the catch-all path',
      annotations: { [COND]: cond, [HDR_ACTION]: hdrAction },
      headerPath: true,
      want: [],
    },
    {
      name: 'header route behind the catch-all path is shadowed',
      annotations: { [COND]: cond, [HDR_ACTION]: hdrAction },
      headerPath: true,
      headerFirst: false,
      want: [
        `${COND}: path "/*" comes after the catch-all path of a, which takes every request first`,
      ],
    },
    {
      name: 'an action no path uses is still decoded',
      annotations: { [HDR_ACTION]: '{"Type":"forward","ForwardConfig":{"TargetGroups":[]}}' },
      want: [`${HDR_ACTION}: forward action has no target groups`],
    },
    {
      name: 'a condition without its action',
      annotations: { [COND]: cond },
      want: [`${COND}: no alb.ingress.kubernetes.io/actions.hdr to go with it`],
    },
    {
      name: 'a condition no path uses is still decoded',
      annotations: { [COND]: 'null', [HDR_ACTION]: hdrAction },
      want: [`${COND}: conditions are null: the route would match every request`],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const ing = albIngress('i', 'a', {
        'alb.ingress.kubernetes.io/actions.a': ok(0).replace('"b"', '"a"'),
        ...row.annotations,
      });
      if (row.headerPath) {
        const rule = (ing.spec as { rules: { http: { paths: unknown[] } }[] }).rules[0]!;
        rule.http.paths =
          row.headerFirst === false ? [...rule.http.paths, hdrPath] : [hdrPath, ...rule.http.paths];
      }
      assert.deepEqual(checkAlbIngress(ing, { lookup: LOOKUP }), row.want);
    });
  }

  it('flags a listed key that is not set', () => {
    const ing = albIngress('i', 'a', {
      'alb.ingress.kubernetes.io/actions.a': ok(0).replace('"b"', '"a"'),
      'rollouts.argoproj.io/managed-alb-annotations':
        '{"r":["alb.ingress.kubernetes.io/actions.gone"]}',
    });
    assert.deepEqual(checkAlbIngress(ing, { lookup: LOOKUP }), [
      'rollouts.argoproj.io/managed-alb-annotations: r lists alb.ingress.kubernetes.io/actions.gone, which is not set',
    ]);
  });
});
